#include "api/api.hpp"
#include "api/context.hpp"
#include "api/respond.hpp"

namespace parley::api {

void AddContactRoutes(std::vector<RouteSpec>& routes, Services& s) {
    auto& contacts = s.contacts;

    routes.push_back({"POST", "/api/v1/contacts",
                      [&contacts](Ctx& ctx) {
                          auto body = ParseJsonBody(ctx);
                          if (!body) return ErrorResponse(body.error(), ctx.request_id);
                          return Respond(contacts.Create(ctx.principal, *body), ctx, 201);
                      },
                      Access::kWrite, RateClass::kStandard, BodyKind::kJson});

    routes.push_back({"GET", "/api/v1/contacts", [&contacts](Ctx& ctx) {
                          domain::ContactQuery q;
                          auto opt = [&](std::string_view name) -> std::optional<std::string> {
                              if (auto v = ctx.Query(name)) return std::string(*v);
                              return std::nullopt;
                          };
                          q.dnc_status = opt("dnc_status");
                          q.source = opt("source");
                          q.tag = opt("tag");
                          q.campaign_id = opt("campaign_id");
                          q.phone = opt("phone");
                          q.list_id = opt("list_id");
                          return RespondPage(
                              ctx, "ct_", [&](const auto& page) { return contacts.List(ctx.principal, q, page); },
                              [](const auto& c) { return c.id; });
                      }});

    routes.push_back({"POST", "/api/v1/contacts/bulk",
                      [&contacts](Ctx& ctx) {
                          auto body = ParseJsonBody(ctx);
                          if (!body) return ErrorResponse(body.error(), ctx.request_id);
                          auto result = contacts.CreateMany(ctx.principal, *body, ctx.req.progress);
                          if (!result) return ErrorResponse(result.error(), ctx.request_id);
                          return Ok(ToJson(*result, true), 200);
                      },
                      Access::kWrite, RateClass::kBulk, BodyKind::kJson, 8 * 1024 * 1024});

    routes.push_back(
        {"POST", "/api/v1/contacts/import",
         [&contacts](Ctx& ctx) {
             // CSV as the body (text/csv), with tags, campaign_id and source for
             // every row as query parameters; or JSON {"csv": "...", "tags": [...]}.
             std::string csv;
             Json defaults = Json::object();
             const auto type = ctx.req.Header("content-type").value_or("");
             if (type.starts_with("application/json")) {
                 // The CSV may be as large as the body.
                 auto body = ParseJsonBody(ctx, false, {.max_string_bytes = ctx.req.body.size()});
                 if (!body) return ErrorResponse(body.error(), ctx.request_id);
                 if (!body->is_object() || !body->contains("csv") || !(*body)["csv"].is_string()) {
                     return ErrorResponse(
                         Error{ErrorCode::kValidation, "a \"csv\" string is required", {{"csv", "is required"}}},
                         ctx.request_id);
                 }
                 csv = (*body)["csv"].get<std::string>();
                 for (const auto& [k, v] : body->items()) {
                     if (k != "csv") defaults[k] = v;
                 }
             } else {
                 csv = std::move(ctx.req.body);
                 if (auto tags = ctx.Query("tags")) {
                     Json list = Json::array();
                     std::string_view rest = *tags;
                     while (!rest.empty()) {
                         auto comma = rest.find(',');
                         auto tag = rest.substr(0, comma);
                         if (!tag.empty()) list.push_back(std::string(tag));
                         rest = comma == std::string_view::npos ? "" : rest.substr(comma + 1);
                     }
                     defaults["tags"] = std::move(list);
                 }
                 if (auto c = ctx.Query("campaign_id")) defaults["campaign_id"] = std::string(*c);
                 if (auto src = ctx.Query("source")) defaults["source"] = std::string(*src);
             }
             auto result = contacts.Import(ctx.principal, csv, defaults);
             if (!result) return ErrorResponse(result.error(), ctx.request_id);
             return Ok(ToJson(*result, false), 200);
         },
         Access::kWrite, RateClass::kBulk, BodyKind::kCsvOrJson, 64 * 1024 * 1024});

    routes.push_back({"GET", "/api/v1/contacts/:id",
                      [&contacts](Ctx& ctx) { return Respond(contacts.Get(ctx.principal, ctx.Param("id")), ctx); }});

    routes.push_back({"PATCH", "/api/v1/contacts/:id",
                      [&contacts](Ctx& ctx) {
                          auto body = ParseJsonBody(ctx);
                          if (!body) return ErrorResponse(body.error(), ctx.request_id);
                          return Respond(contacts.Update(ctx.principal, ctx.Param("id"), *body), ctx);
                      },
                      Access::kWrite, RateClass::kStandard, BodyKind::kJson});

    routes.push_back({"DELETE", "/api/v1/contacts/:id",
                      [&contacts](Ctx& ctx) {
                          return RespondDeleted(contacts.Delete(ctx.principal, ctx.Param("id")), ctx, ctx.Param("id"));
                      },
                      Access::kWrite});

    for (const bool on : {true, false}) {
        routes.push_back({on ? "POST" : "DELETE", "/api/v1/contacts/:id/dnc",
                          [&contacts, on](Ctx& ctx) {
                              auto body = ParseJsonBody(ctx, true);
                              if (!body) return ErrorResponse(body.error(), ctx.request_id);
                              return Respond(contacts.SetDnc(ctx.principal, ctx.Param("id"), on, *body), ctx);
                          },
                          Access::kWrite, RateClass::kStandard, BodyKind::kJson});
    }

    routes.push_back({"GET", "/api/v1/dnc", [&contacts](Ctx& ctx) {
                          if (auto phone = ctx.Query("phone")) {
                              return Respond(contacts.CheckDnc(ctx.principal, *phone), ctx);
                          }
                          return RespondPage(
                              ctx, "dnc_", [&](const auto& page) { return contacts.ListDnc(ctx.principal, page); },
                              [](const auto& n) { return n.entry_id; });
                      }});

    routes.push_back({"GET", "/api/v1/dnc/:phone", [&contacts](Ctx& ctx) {
                          return Respond(contacts.CheckDnc(ctx.principal, ctx.Param("phone")), ctx);
                      }});

    routes.push_back({"POST", "/api/v1/dnc",
                      [&contacts](Ctx& ctx) {
                          auto body = ParseJsonBody(ctx);
                          if (!body) return ErrorResponse(body.error(), ctx.request_id);
                          return Respond(contacts.ChangeDnc(ctx.principal, *body, true), ctx, 201);
                      },
                      Access::kWrite, RateClass::kStandard, BodyKind::kJson});

    routes.push_back({"DELETE", "/api/v1/dnc/:phone",
                      [&contacts](Ctx& ctx) {
                          auto body = ParseJsonBody(ctx, true);
                          if (!body) return ErrorResponse(body.error(), ctx.request_id);
                          return Respond(contacts.ChangeDnc(ctx.principal, ctx.Param("phone"), false, *body), ctx);
                      },
                      Access::kWrite, RateClass::kStandard, BodyKind::kJson});
}

}  // namespace parley::api
