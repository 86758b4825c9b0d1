#include "api/api.hpp"
#include "api/context.hpp"
#include "api/respond.hpp"

namespace parley::api {

void AddCustomFieldRoutes(std::vector<RouteSpec>& routes, Services& s) {
    auto& fields = s.custom_fields;

    routes.push_back({"GET", "/api/v1/custom-fields", [&fields](Ctx& ctx) {
                          return RespondPage(
                              ctx, "cf_",
                              [&](const auto& page) { return fields.List(ctx.principal, ctx.Query("category"), page); },
                              [](const auto& f) { return f.id; });
                      }});

    routes.push_back({"POST", "/api/v1/custom-fields",
                      [&fields](Ctx& ctx) {
                          auto body = ParseJsonBody(ctx);
                          if (!body) return ErrorResponse(body.error(), ctx.request_id);
                          return Respond(fields.Create(ctx.principal, *body), ctx, 201);
                      },
                      Access::kWrite, RateClass::kStandard, BodyKind::kJson});

    routes.push_back({"GET", "/api/v1/custom-fields/:id",
                      [&fields](Ctx& ctx) { return Respond(fields.Get(ctx.principal, ctx.Param("id")), ctx); }});

    for (const char* method : {"PATCH", "PUT"}) {
        routes.push_back({method, "/api/v1/custom-fields/:id",
                          [&fields](Ctx& ctx) {
                              auto body = ParseJsonBody(ctx);
                              if (!body) return ErrorResponse(body.error(), ctx.request_id);
                              return Respond(fields.Update(ctx.principal, ctx.Param("id"), *body), ctx);
                          },
                          Access::kWrite, RateClass::kStandard, BodyKind::kJson});
    }

    routes.push_back({"DELETE", "/api/v1/custom-fields/:id",
                      [&fields](Ctx& ctx) {
                          return RespondDeleted(fields.Delete(ctx.principal, ctx.Param("id")), ctx, ctx.Param("id"));
                      },
                      Access::kWrite});
}

}  // namespace parley::api
