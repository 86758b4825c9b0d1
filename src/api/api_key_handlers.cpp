#include "api/api.hpp"
#include "api/context.hpp"
#include "api/respond.hpp"

namespace parley::api {

void AddApiKeyRoutes(std::vector<RouteSpec>& routes, Services& s) {
    auto& keys = s.keys;

    routes.push_back({"GET", "/api/v1/api-keys",
                      [&keys](Ctx& ctx) {
                          return RespondPage(
                              ctx, "key_", [&](const auto& page) { return keys.List(ctx.principal, page); },
                              [](const auto& k) { return k.id; });
                      },
                      Access::kRead, RateClass::kStandard, BodyKind::kNone, 0, Roles::kManagers});

    routes.push_back({"POST",
                      "/api/v1/api-keys",
                      [&keys](Ctx& ctx) {
                          auto body = ParseJsonBody(ctx);
                          if (!body) return ErrorResponse(body.error(), ctx.request_id);
                          return Respond(keys.CreateKey(ctx.principal, *body), ctx, 201);
                      },
                      Access::kWrite,
                      RateClass::kStandard,
                      BodyKind::kJson,
                      0,
                      Roles::kManagers,
                      {"/data/key"}});

    routes.push_back({"DELETE", "/api/v1/api-keys/:id",
                      [&keys](Ctx& ctx) { return Respond(keys.Revoke(ctx.principal, ctx.Param("id")), ctx); },
                      Access::kWrite, RateClass::kStandard, BodyKind::kNone, 0, Roles::kManagers});
}

}  // namespace parley::api
