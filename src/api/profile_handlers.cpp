#include "api/api.hpp"
#include "api/context.hpp"
#include "api/respond.hpp"

namespace parley::api {

// Profiles (seed 000) and the same resource as seed 002's agents.
void AddProfileRoutes(std::vector<RouteSpec>& routes, Services& s) {
    auto& profiles = s.profiles;
    for (const char* base : {"/api/v1/profiles", "/api/v1/agents"}) {
        const std::string collection = base;
        const std::string item = collection + "/:id";
        routes.push_back({"POST", collection,
                          [&profiles](Ctx& ctx) {
                              auto body = ParseJsonBody(ctx);
                              if (!body) return ErrorResponse(body.error(), ctx.request_id);
                              return Respond(profiles.Create(ctx.principal, *body), ctx, 201);
                          },
                          Access::kWrite, RateClass::kStandard, BodyKind::kJson});
        routes.push_back(
            {"GET", collection, [&profiles](Ctx& ctx) {
                 return RespondPage(
                     ctx, "prof_",
                     [&](const auto& page) { return profiles.List(ctx.principal, ctx.Query("status"), page); },
                     [](const auto& p) { return p.id; });
             }});
        routes.push_back({"GET", item, [&profiles](Ctx& ctx) {
                              return Respond(profiles.Get(ctx.principal, ctx.Param("id")), ctx);
                          }});
        for (const char* method : {"PATCH", "PUT"}) {
            routes.push_back({method, item,
                              [&profiles](Ctx& ctx) {
                                  auto body = ParseJsonBody(ctx);
                                  if (!body) return ErrorResponse(body.error(), ctx.request_id);
                                  return Respond(profiles.Update(ctx.principal, ctx.Param("id"), *body), ctx);
                              },
                              Access::kWrite, RateClass::kStandard, BodyKind::kJson});
        }
        routes.push_back(
            {"DELETE", item,
             [&profiles](Ctx& ctx) { return Respond(profiles.Archive(ctx.principal, ctx.Param("id")), ctx); },
             Access::kWrite});
    }
}

// Models and voices (seed 003 "Configuration").
void AddVoiceRoutes(std::vector<RouteSpec>& routes, Services& s) {
    auto& presets = s.voice_presets;
    const auto& catalog = s.catalog;

    routes.push_back(
        {"GET", "/api/v1/models", [&catalog](Ctx&) {
             Json items = Json::array();
             for (const auto& m : catalog.Models()) items.push_back(ToJson(m));
             Json stt = catalog.SttEngines();
             Json tts = catalog.TtsEngines();
             return Ok(items, 200, Json{{"count", items.size()}, {"stt_engines", stt}, {"tts_engines", tts}});
         }});

    routes.push_back({"GET", "/api/v1/voices/builtin", [&presets](Ctx& ctx) {
                          const auto gender = ctx.Query("gender");
                          if (gender && *gender != "male" && *gender != "female" && *gender != "unknown") {
                              return ErrorResponse(Error{ErrorCode::kValidation,
                                                         "gender must be male, female or unknown",
                                                         {{"gender", "must be male, female or unknown"}}},
                                                   ctx.request_id);
                          }
                          Json items = Json::array();
                          for (const auto& v : presets.Builtin(ctx.Query("language"), gender, ctx.Query("engine"))) {
                              items.push_back(ToJson(v));
                          }
                          const size_t n = items.size();
                          return Ok(items, 200, Json{{"count", n}});
                      }});

    routes.push_back({"GET", "/api/v1/voices", [&presets](Ctx& ctx) {
                          return RespondPage(
                              ctx, "voice_", [&](const auto& page) { return presets.List(ctx.principal, page); },
                              [](const auto& v) { return v.id; });
                      }});
    routes.push_back({"POST", "/api/v1/voices",
                      [&presets](Ctx& ctx) {
                          auto body = ParseJsonBody(ctx);
                          if (!body) return ErrorResponse(body.error(), ctx.request_id);
                          return Respond(presets.Create(ctx.principal, *body), ctx, 201);
                      },
                      Access::kWrite, RateClass::kStandard, BodyKind::kJson});
    routes.push_back({"GET", "/api/v1/voices/:id",
                      [&presets](Ctx& ctx) { return Respond(presets.Get(ctx.principal, ctx.Param("id")), ctx); }});
    routes.push_back({"PATCH", "/api/v1/voices/:id",
                      [&presets](Ctx& ctx) {
                          auto body = ParseJsonBody(ctx);
                          if (!body) return ErrorResponse(body.error(), ctx.request_id);
                          return Respond(presets.Update(ctx.principal, ctx.Param("id"), *body), ctx);
                      },
                      Access::kWrite, RateClass::kStandard, BodyKind::kJson});
    routes.push_back({"DELETE", "/api/v1/voices/:id",
                      [&presets](Ctx& ctx) {
                          return RespondDeleted(presets.Delete(ctx.principal, ctx.Param("id")), ctx, ctx.Param("id"));
                      },
                      Access::kWrite});
}

}  // namespace parley::api
