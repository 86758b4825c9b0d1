#include "api/api.hpp"
#include "api/context.hpp"
#include "api/respond.hpp"

namespace parley::api {

// Webhook endpoints, sample payloads and the delivery log (seed 000 "Webhooks" and its MCP
// tools, seed 001 "Webhook Deliveries").
void AddWebhookRoutes(std::vector<RouteSpec>& routes, Services& s) {
    auto& webhooks = s.webhooks;
    routes.push_back({"GET", "/api/v1/webhooks/events", [](Ctx&) {
                          Json events = Json::array();
                          for (const auto& t : domain::EventTypes()) {
                              events.push_back({{"event", t.name}, {"description", t.description}});
                          }
                          return Ok(events);
                      }});
    routes.push_back({"GET", "/api/v1/webhooks/sample", [&webhooks](Ctx& ctx) {
                          auto sample = webhooks.Sample(ctx.principal, ctx.Query("event"));
                          if (!sample) return ErrorResponse(sample.error(), ctx.request_id);
                          return Ok(*sample);
                      }});
    routes.push_back({"GET", "/api/v1/webhooks/signing-secret",
                      [&webhooks](Ctx& ctx) {
                          auto secret = webhooks.CallSecret(ctx.principal);
                          if (!secret) return ErrorResponse(secret.error(), ctx.request_id);
                          return Ok(Json{{"secret", *secret}, {"signs", "deliveries to the webhook_url of a call"}});
                      },
                      Access::kSecret});
    routes.push_back(
        {"GET", "/api/v1/webhooks/deliveries", [&webhooks](Ctx& ctx) {
             auto page = webhooks.Deliveries(ctx.principal, [&ctx](std::string_view name) { return ctx.Query(name); });
             if (!page) return ErrorResponse(page.error(), ctx.request_id);
             Json items = Json::array();
             for (const auto& d : page->items) items.push_back(ToJson(d));
             return Ok(items, 200,
                       Json{{"limit", page->limit}, {"offset", page->offset}, {"has_more", page->has_more}});
         }});
    routes.push_back({"GET", "/api/v1/webhooks/deliveries/:id", [&webhooks](Ctx& ctx) {
                          return Respond(webhooks.Delivery(ctx.principal, ctx.Param("id")), ctx);
                      }});
    routes.push_back(
        {"POST", "/api/v1/webhooks/deliveries/:id/redeliver",
         [&webhooks](Ctx& ctx) { return Respond(webhooks.Redeliver(ctx.principal, ctx.Param("id")), ctx, 202); },
         Access::kWrite});

    routes.push_back({"POST",
                      "/api/v1/webhooks",
                      [&webhooks](Ctx& ctx) {
                          auto body = ParseJsonBody(ctx);
                          if (!body) return ErrorResponse(body.error(), ctx.request_id);
                          return Respond(webhooks.Create(ctx.principal, *body), ctx, 201);
                      },
                      Access::kWrite,
                      RateClass::kStandard,
                      BodyKind::kJson,
                      0,
                      Roles::kAny,
                      {"/data/secret"}});
    routes.push_back({"GET", "/api/v1/webhooks", [&webhooks](Ctx& ctx) {
                          return RespondPage(
                              ctx, "wh_", [&](const auto& page) { return webhooks.List(ctx.principal, page); },
                              [](const auto& e) { return e.id; });
                      }});
    routes.push_back({"GET", "/api/v1/webhooks/:id",
                      [&webhooks](Ctx& ctx) { return Respond(webhooks.Get(ctx.principal, ctx.Param("id")), ctx); }});
    for (const char* method : {"PATCH", "PUT"}) {
        routes.push_back({method, "/api/v1/webhooks/:id",
                          [&webhooks](Ctx& ctx) {
                              auto body = ParseJsonBody(ctx);
                              if (!body) return ErrorResponse(body.error(), ctx.request_id);
                              return Respond(webhooks.Update(ctx.principal, ctx.Param("id"), *body), ctx);
                          },
                          Access::kWrite, RateClass::kStandard, BodyKind::kJson});
    }
    routes.push_back({"DELETE", "/api/v1/webhooks/:id",
                      [&webhooks](Ctx& ctx) {
                          return RespondDeleted(webhooks.Delete(ctx.principal, ctx.Param("id")), ctx, ctx.Param("id"));
                      },
                      Access::kWrite});
    routes.push_back(
        {"POST",
         "/api/v1/webhooks/:id/rotate-secret",
         [&webhooks](Ctx& ctx) { return Respond(webhooks.RotateSecret(ctx.principal, ctx.Param("id")), ctx); },
         Access::kWrite,
         RateClass::kStandard,
         BodyKind::kNone,
         0,
         Roles::kAny,
         {"/data/secret"}});
}

}  // namespace parley::api
