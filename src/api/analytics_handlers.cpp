#include "api/api.hpp"
#include "api/context.hpp"
#include "api/respond.hpp"
#include "domain/analytics_service.hpp"

namespace parley::api {

// Seed 001 "Dashboard Stats" and "Analytics API": call statistics of a period, summed by the
// database.
void AddAnalyticsRoutes(std::vector<RouteSpec>& routes, Services& s) {
    auto& analytics = s.analytics;

    routes.push_back({"GET", "/api/v1/dashboard/stats", [&analytics](Ctx& ctx) {
                          auto stats = analytics.DashboardStats(ctx.principal, PeriodQuery(ctx));
                          if (!stats) return ErrorResponse(stats.error(), ctx.request_id);
                          return Ok(*stats);
                      }});
    routes.push_back({"POST", "/api/v1/analytics/query",
                      [&analytics](Ctx& ctx) {
                          auto body = ParseJsonBody(ctx, true);
                          if (!body) return ErrorResponse(body.error(), ctx.request_id);
                          auto result = analytics.Query(ctx.principal, body->is_null() ? Json::object() : *body);
                          if (!result) return ErrorResponse(result.error(), ctx.request_id);
                          return Ok(*result);
                      },
                      Access::kRead, RateClass::kStandard, BodyKind::kJson});
}

}  // namespace parley::api
