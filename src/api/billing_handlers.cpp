#include "api/api.hpp"
#include "api/context.hpp"
#include "api/respond.hpp"
#include "domain/billing.hpp"

namespace parley::api {

// Money: seed 001 "Billing" (balance, history), seed 002 "Credits" (balance, usage, purchase)
// and seed 003 "Account" (balance), with the settings that decide when calls stop.
void AddBillingRoutes(std::vector<RouteSpec>& routes, Services& s) {
    auto& billing = s.billing;
    auto balance = [&billing](Ctx& ctx) { return Respond(billing.Balance(ctx.principal), ctx); };
    routes.push_back({"GET", "/api/v1/billing/balance", balance});
    routes.push_back({"GET", "/api/v1/credits/balance", balance});
    routes.push_back({"GET", "/api/v1/balance", balance});
    routes.push_back({"GET", "/api/v1/billing/history", [&billing](Ctx& ctx) {
                          return RespondPage(
                              ctx, "txn_",
                              [&](const auto& page) { return billing.History(ctx.principal, ctx.Query("type"), page); },
                              [](const auto& e) { return e.id; });
                      }});
    routes.push_back({"GET", "/api/v1/credits/usage",
                      [&billing](Ctx& ctx) { return Respond(billing.Usage(ctx.principal, PeriodQuery(ctx)), ctx); }});
    routes.push_back({"POST", "/api/v1/credits/purchase",
                      [&billing](Ctx& ctx) {
                          auto body = ParseJsonBody(ctx);
                          if (!body) return ErrorResponse(body.error(), ctx.request_id);
                          return Respond(billing.Purchase(ctx.principal, *body), ctx, 201);
                      },
                      Access::kWrite, RateClass::kStandard, BodyKind::kJson, 0, Roles::kManagers});
    routes.push_back({"POST", "/api/v1/billing/adjustments",
                      [&billing](Ctx& ctx) {
                          auto body = ParseJsonBody(ctx);
                          if (!body) return ErrorResponse(body.error(), ctx.request_id);
                          return Respond(billing.Adjust(ctx.principal, *body), ctx, 201);
                      },
                      Access::kWrite, RateClass::kStandard, BodyKind::kJson, 0, Roles::kManagers});
    routes.push_back({"GET", "/api/v1/billing/settings",
                      [&billing](Ctx& ctx) { return Respond(billing.Settings(ctx.principal), ctx); }});
    routes.push_back({"PATCH", "/api/v1/billing/settings",
                      [&billing](Ctx& ctx) {
                          auto body = ParseJsonBody(ctx);
                          if (!body) return ErrorResponse(body.error(), ctx.request_id);
                          return Respond(billing.UpdateSettings(ctx.principal, *body), ctx);
                      },
                      Access::kWrite, RateClass::kStandard, BodyKind::kJson, 0, Roles::kManagers});
}

}  // namespace parley::api
