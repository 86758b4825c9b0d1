#include "api/api.hpp"
#include "api/context.hpp"
#include "api/respond.hpp"

namespace parley::api {

// Campaigns (seed 002 "Campaigns", seed 000 "Campaigns API" and "Campaign Control").
void AddCampaignRoutes(std::vector<RouteSpec>& routes, Services& s) {
    auto& campaigns = s.campaigns;
    routes.push_back({"POST", "/api/v1/campaigns", [&campaigns](Ctx& ctx) {
                          auto body = ParseJsonBody(ctx);
                          if (!body) return ErrorResponse(body.error(), ctx.request_id);
                          return Respond(campaigns.Create(ctx.principal, *body), ctx, 201);
                      },
                      Access::kWrite, RateClass::kStandard, BodyKind::kJson});
    routes.push_back({"GET", "/api/v1/campaigns", [&campaigns](Ctx& ctx) {
                          return RespondPage(
                              ctx, "camp_",
                              [&](const auto& page) {
                                  return campaigns.List(ctx.principal, ctx.Query("status"), ctx.Query("direction"), page);
                              },
                              [](const auto& c) { return c.id; });
                      }});
    routes.push_back({"GET", "/api/v1/campaigns/:id", [&campaigns](Ctx& ctx) {
                          return Respond(campaigns.Get(ctx.principal, ctx.Param("id")), ctx);
                      }});
    for (const char* method : {"PATCH", "PUT"}) {
        routes.push_back({method, "/api/v1/campaigns/:id", [&campaigns](Ctx& ctx) {
                              auto body = ParseJsonBody(ctx);
                              if (!body) return ErrorResponse(body.error(), ctx.request_id);
                              return Respond(campaigns.Update(ctx.principal, ctx.Param("id"), *body), ctx);
                          },
                          Access::kWrite, RateClass::kStandard, BodyKind::kJson});
    }
    using Action = Result<domain::CampaignView> (domain::CampaignService::*)(const domain::Principal&, std::string_view);
    const std::pair<const char*, Action> actions[] = {{"start", &domain::CampaignService::Start},
                                                      {"pause", &domain::CampaignService::Pause},
                                                      {"resume", &domain::CampaignService::Resume},
                                                      {"stop", &domain::CampaignService::Stop}};
    for (const auto& [name, action] : actions) {
        routes.push_back({"POST", std::string("/api/v1/campaigns/:id/") + name, [&campaigns, action](Ctx& ctx) {
                              return Respond((campaigns.*action)(ctx.principal, ctx.Param("id")), ctx);
                          },
                          Access::kWrite});
    }
}

// Contact lists, a campaign's audience (seed 002 contact_list_id).
void AddContactListRoutes(std::vector<RouteSpec>& routes, Services& s) {
    auto& lists = s.contact_lists;
    auto& contacts = s.contacts;
    routes.push_back({"POST", "/api/v1/contact-lists", [&lists](Ctx& ctx) {
                          auto body = ParseJsonBody(ctx);
                          if (!body) return ErrorResponse(body.error(), ctx.request_id);
                          return Respond(lists.Create(ctx.principal, *body), ctx, 201);
                      },
                      Access::kWrite, RateClass::kStandard, BodyKind::kJson});
    routes.push_back({"GET", "/api/v1/contact-lists", [&lists](Ctx& ctx) {
                          return RespondPage(
                              ctx, "list_", [&](const auto& page) { return lists.List(ctx.principal, page); },
                              [](const auto& l) { return l.id; });
                      }});
    routes.push_back({"GET", "/api/v1/contact-lists/:id", [&lists](Ctx& ctx) {
                          return Respond(lists.Get(ctx.principal, ctx.Param("id")), ctx);
                      }});
    routes.push_back({"PATCH", "/api/v1/contact-lists/:id", [&lists](Ctx& ctx) {
                          auto body = ParseJsonBody(ctx);
                          if (!body) return ErrorResponse(body.error(), ctx.request_id);
                          return Respond(lists.Update(ctx.principal, ctx.Param("id"), *body), ctx);
                      },
                      Access::kWrite, RateClass::kStandard, BodyKind::kJson});
    routes.push_back({"DELETE", "/api/v1/contact-lists/:id", [&lists](Ctx& ctx) {
                          return RespondDeleted(lists.Delete(ctx.principal, ctx.Param("id")), ctx, ctx.Param("id"));
                      },
                      Access::kWrite});
    routes.push_back({"GET", "/api/v1/contact-lists/:id/contacts", [&lists, &contacts](Ctx& ctx) {
                          // 404 for a list that does not exist, not an empty page.
                          if (auto list = lists.Get(ctx.principal, ctx.Param("id")); !list) {
                              return ErrorResponse(list.error(), ctx.request_id);
                          }
                          domain::ContactQuery q;
                          q.list_id = std::string(ctx.Param("id"));
                          return RespondPage(
                              ctx, "ct_", [&](const auto& page) { return contacts.List(ctx.principal, q, page); },
                              [](const auto& c) { return c.id; });
                      }});
    routes.push_back({"POST", "/api/v1/contact-lists/:id/contacts", [&lists](Ctx& ctx) {
                          auto body = ParseJsonBody(ctx);
                          if (!body) return ErrorResponse(body.error(), ctx.request_id);
                          return Respond(lists.AddContacts(ctx.principal, ctx.Param("id"), *body), ctx);
                      },
                      Access::kWrite, RateClass::kStandard, BodyKind::kJson});
    routes.push_back({"DELETE", "/api/v1/contact-lists/:id/contacts", [&lists](Ctx& ctx) {
                          auto body = ParseJsonBody(ctx);
                          if (!body) return ErrorResponse(body.error(), ctx.request_id);
                          return Respond(lists.RemoveContacts(ctx.principal, ctx.Param("id"), *body), ctx);
                      },
                      Access::kWrite, RateClass::kStandard, BodyKind::kJson});
}

}  // namespace parley::api
