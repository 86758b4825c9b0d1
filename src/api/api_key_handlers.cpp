#include "api/api.hpp"
#include "api/context.hpp"
#include "api/render.hpp"

namespace parley::api {

void AddApiKeyRoutes(std::vector<RouteSpec>& routes, Services& s) {
    auto& keys = s.keys;

    routes.push_back({"GET", "/api/v1/api-keys", [&keys](Ctx& ctx) {
                          auto page = PageOf(ctx, "key_");
                          if (!page) return ErrorResponse(page.error(), ctx.request_id);
                          auto result = keys.List(ctx.principal, *page);
                          if (!result) return ErrorResponse(result.error(), ctx.request_id);
                          Json items = Json::array();
                          for (const auto& k : result->items) items.push_back(ToJson(k));
                          std::optional<std::string> last;
                          if (!result->items.empty()) last = result->items.back().id;
                          return PageResponse(std::move(items), result->has_more, last, page->limit);
                      }});

    routes.push_back({"POST", "/api/v1/api-keys", [&keys](Ctx& ctx) {
                          auto body = ParseJsonBody(ctx);
                          if (!body) return ErrorResponse(body.error(), ctx.request_id);
                          auto key = keys.CreateKey(ctx.principal, *body);
                          if (!key) return ErrorResponse(key.error(), ctx.request_id);
                          return Ok(ToJson(*key), 201);
                      },
                      Access::kWrite, RateClass::kStandard, BodyKind::kJson});

    routes.push_back({"DELETE", "/api/v1/api-keys/:id", [&keys](Ctx& ctx) {
                          auto key = keys.Revoke(ctx.principal, ctx.Param("id"));
                          if (!key) return ErrorResponse(key.error(), ctx.request_id);
                          return Ok(ToJson(*key));
                      },
                      Access::kWrite});
}

}  // namespace parley::api
