#include <fmt/format.h>

#include <cstdlib>

#include "api/api.hpp"
#include "api/context.hpp"
#include "api/respond.hpp"
#include "common/time_format.hpp"
#include "dialer/call_check.hpp"

namespace parley::api {
namespace {

int64_t EpochMs(date::sys_seconds t) {
    return t.time_since_epoch().count() * 1000;
}

Json ToJson(const dialer::CheckReport& r) {
    Json reasons = Json::array();
    for (const auto& reason : r.reasons) reasons.push_back({{"code", reason.code}, {"message", reason.message}});
    Json zone = nullptr;
    Json local_time = nullptr;
    if (r.zone && r.now) {
        zone = {{"name", r.zone->name}, {"source", dialer::ZoneSourceName(r.zone->source)}};
        const auto info = r.zone->zone->get_info(*r.now);
        // "2026-03-04T10:00:00-05:00": the callee's wall clock and its offset from UTC.
        const auto offset = info.offset.count();
        const auto minutes = std::abs(offset) / 60;
        local_time = FormatIsoTime(EpochMs(*r.now) + offset * 1000).substr(0, 19) +
                     fmt::format("{}{:02d}:{:02d}", offset < 0 ? '-' : '+', minutes / 60, minutes % 60);
    }
    return Json{{"phone", r.phone},
                {"e164", OrNull(r.e164)},
                {"campaign_id", OrNull(r.campaign_id)},
                {"contact_id", OrNull(r.contact_id)},
                {"callable", r.callable},
                {"callee_timezone", zone},
                {"callee_local_time", local_time},
                {"reasons", std::move(reasons)},
                {"next_allowed_at", r.next_allowed ? Json(FormatIsoTime(EpochMs(*r.next_allowed))) : Json(nullptr)}};
}

}  // namespace

// Campaigns (seed 002 "Campaigns", seed 000 "Campaigns API" and "Campaign Control").
void AddCampaignRoutes(std::vector<RouteSpec>& routes, Services& s) {
    auto& campaigns = s.campaigns;
    routes.push_back({"POST", "/api/v1/campaigns",
                      [&campaigns](Ctx& ctx) {
                          auto body = ParseJsonBody(ctx);
                          if (!body) return ErrorResponse(body.error(), ctx.request_id);
                          return Respond(campaigns.Create(ctx.principal, *body), ctx, 201);
                      },
                      Access::kWrite, RateClass::kStandard, BodyKind::kJson});
    routes.push_back({"GET", "/api/v1/campaigns", [&campaigns](Ctx& ctx) {
                          return RespondPage(
                              ctx, "camp_",
                              [&](const auto& page) {
                                  return campaigns.List(ctx.principal, ctx.Query("status"), ctx.Query("direction"),
                                                        page);
                              },
                              [](const auto& c) { return c.id; });
                      }});
    routes.push_back({"GET", "/api/v1/campaigns/:id",
                      [&campaigns](Ctx& ctx) { return Respond(campaigns.Get(ctx.principal, ctx.Param("id")), ctx); }});
    for (const char* method : {"PATCH", "PUT"}) {
        routes.push_back({method, "/api/v1/campaigns/:id",
                          [&campaigns](Ctx& ctx) {
                              auto body = ParseJsonBody(ctx);
                              if (!body) return ErrorResponse(body.error(), ctx.request_id);
                              return Respond(campaigns.Update(ctx.principal, ctx.Param("id"), *body), ctx);
                          },
                          Access::kWrite, RateClass::kStandard, BodyKind::kJson});
    }
    using Action =
        Result<domain::CampaignView> (domain::CampaignService::*)(const domain::Principal&, std::string_view);
    const std::pair<const char*, Action> actions[] = {{"start", &domain::CampaignService::Start},
                                                      {"pause", &domain::CampaignService::Pause},
                                                      {"resume", &domain::CampaignService::Resume},
                                                      {"stop", &domain::CampaignService::Stop}};
    for (const auto& [name, action] : actions) {
        routes.push_back({"POST", std::string("/api/v1/campaigns/:id/") + name,
                          [&campaigns, action](Ctx& ctx) {
                              return Respond((campaigns.*action)(ctx.principal, ctx.Param("id")), ctx);
                          },
                          Access::kWrite});
    }
    const auto& check = s.dialer_check;
    routes.push_back({"GET", "/api/v1/dialer/check", [&check](Ctx& ctx) {
                          auto report = check.Check(ctx.principal, ctx.Query("phone"), ctx.Query("campaign_id"));
                          if (!report) return ErrorResponse(report.error(), ctx.request_id);
                          return Ok(ToJson(*report));
                      }});
    routes.push_back({"GET", "/api/v1/dialer/settings",
                      [&campaigns](Ctx& ctx) { return Respond(campaigns.Settings(ctx.principal), ctx); }});
    routes.push_back({"PATCH", "/api/v1/dialer/settings",
                      [&campaigns](Ctx& ctx) {
                          auto body = ParseJsonBody(ctx);
                          if (!body) return ErrorResponse(body.error(), ctx.request_id);
                          return Respond(campaigns.UpdateSettings(ctx.principal, *body), ctx);
                      },
                      Access::kWrite, RateClass::kStandard, BodyKind::kJson, 0, Roles::kManagers});
}

// Contact lists, a campaign's audience (seed 002 contact_list_id).
void AddContactListRoutes(std::vector<RouteSpec>& routes, Services& s) {
    auto& lists = s.contact_lists;
    auto& contacts = s.contacts;
    routes.push_back({"POST", "/api/v1/contact-lists",
                      [&lists](Ctx& ctx) {
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
    routes.push_back({"GET", "/api/v1/contact-lists/:id",
                      [&lists](Ctx& ctx) { return Respond(lists.Get(ctx.principal, ctx.Param("id")), ctx); }});
    routes.push_back({"PATCH", "/api/v1/contact-lists/:id",
                      [&lists](Ctx& ctx) {
                          auto body = ParseJsonBody(ctx);
                          if (!body) return ErrorResponse(body.error(), ctx.request_id);
                          return Respond(lists.Update(ctx.principal, ctx.Param("id"), *body), ctx);
                      },
                      Access::kWrite, RateClass::kStandard, BodyKind::kJson});
    routes.push_back({"DELETE", "/api/v1/contact-lists/:id",
                      [&lists](Ctx& ctx) {
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
    routes.push_back({"POST", "/api/v1/contact-lists/:id/contacts",
                      [&lists](Ctx& ctx) {
                          auto body = ParseJsonBody(ctx);
                          if (!body) return ErrorResponse(body.error(), ctx.request_id);
                          return Respond(lists.AddContacts(ctx.principal, ctx.Param("id"), *body), ctx);
                      },
                      Access::kWrite, RateClass::kStandard, BodyKind::kJson});
    routes.push_back({"DELETE", "/api/v1/contact-lists/:id/contacts",
                      [&lists](Ctx& ctx) {
                          auto body = ParseJsonBody(ctx);
                          if (!body) return ErrorResponse(body.error(), ctx.request_id);
                          return Respond(lists.RemoveContacts(ctx.principal, ctx.Param("id"), *body), ctx);
                      },
                      Access::kWrite, RateClass::kStandard, BodyKind::kJson});
}

}  // namespace parley::api
