#include "api/api.hpp"
#include "api/context.hpp"
#include "api/render.hpp"

namespace parley::api {

void AddCustomFieldRoutes(std::vector<RouteSpec>& routes, Services& s) {
    auto& fields = s.custom_fields;
    auto respond = [](const Result<domain::CustomField>& r, const Ctx& ctx, int status = 200) {
        if (!r) return ErrorResponse(r.error(), ctx.request_id);
        return Ok(ToJson(*r), status);
    };

    routes.push_back({"GET", "/api/v1/custom-fields", [&fields](Ctx& ctx) {
                          auto page = PageOf(ctx, "cf_");
                          if (!page) return ErrorResponse(page.error(), ctx.request_id);
                          auto result = fields.List(ctx.principal, ctx.Query("category"), *page);
                          if (!result) return ErrorResponse(result.error(), ctx.request_id);
                          Json items = Json::array();
                          for (const auto& f : result->items) items.push_back(ToJson(f));
                          std::optional<std::string> last;
                          if (!result->items.empty()) last = result->items.back().id;
                          return PageResponse(std::move(items), result->has_more, last, page->limit);
                      }});

    routes.push_back({"POST", "/api/v1/custom-fields", [&fields, respond](Ctx& ctx) {
                          auto body = ParseJsonBody(ctx);
                          if (!body) return ErrorResponse(body.error(), ctx.request_id);
                          return respond(fields.Create(ctx.principal, *body), ctx, 201);
                      },
                      Access::kWrite, RateClass::kStandard, BodyKind::kJson});

    routes.push_back({"GET", "/api/v1/custom-fields/:id", [&fields, respond](Ctx& ctx) {
                          return respond(fields.Get(ctx.principal, ctx.Param("id")), ctx);
                      }});

    for (const char* method : {"PATCH", "PUT"}) {
        routes.push_back({method, "/api/v1/custom-fields/:id", [&fields, respond](Ctx& ctx) {
                              auto body = ParseJsonBody(ctx);
                              if (!body) return ErrorResponse(body.error(), ctx.request_id);
                              return respond(fields.Update(ctx.principal, ctx.Param("id"), *body), ctx);
                          },
                          Access::kWrite, RateClass::kStandard, BodyKind::kJson});
    }

    routes.push_back({"DELETE", "/api/v1/custom-fields/:id", [&fields](Ctx& ctx) {
                          auto done = fields.Delete(ctx.principal, ctx.Param("id"));
                          if (!done) return ErrorResponse(done.error(), ctx.request_id);
                          return Ok(Json{{"id", ctx.Param("id")}, {"deleted", true}});
                      },
                      Access::kWrite});
}

}  // namespace parley::api
