#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/api.hpp"
#include "api/context.hpp"
#include "api/respond.hpp"
#include "common/crypto.hpp"
#include "common/ids.hpp"
#include "common/time_format.hpp"

namespace parley::api {
namespace {

std::string RecordingSignature(const RecordingAccess& access, std::string_view call_id, int64_t expires) {
    return HexEncode(HmacSha256(access.signing_key, std::string(call_id) + "." + std::to_string(expires)));
}

std::optional<std::string> Opt(const Ctx& ctx, std::string_view name) {
    if (auto v = ctx.Query(name)) return std::string(*v);
    return std::nullopt;
}

// include=transcript,contact
Result<std::pair<bool, bool>> Includes(const Ctx& ctx) {
    bool transcript = false;
    bool contact = false;
    if (auto include = ctx.Query("include")) {
        std::string_view rest = *include;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            const auto part = rest.substr(0, comma);
            if (part == "transcript") {
                transcript = true;
            } else if (part == "contact") {
                contact = true;
            } else {
                return Fail(ErrorCode::kValidation, "include takes transcript and contact",
                            {{"include", "\"" + std::string(part) + "\" cannot be included; use transcript, contact"}});
            }
            rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        }
    }
    return std::pair{transcript, contact};
}

Json CallJson(const domain::Call& call, bool transcript, bool contact, Services& s, const Ctx& ctx) {
    Json j = ToJson(call, transcript);
    if (contact) {
        j["contact"] = nullptr;
        if (call.contact_id) {
            if (auto c = s.contacts.Get(ctx.principal, *call.contact_id)) j["contact"] = ToJson(*c);
        }
    }
    return j;
}

http::Response Body(Ctx& ctx, bool allow_empty, const std::function<http::Response(const Json&)>& next) {
    auto body = ParseJsonBody(ctx, allow_empty);
    if (!body) return ErrorResponse(body.error(), ctx.request_id);
    return next(*body);
}

}  // namespace

void AddCallRoutes(std::vector<RouteSpec>& routes, Services& s) {
    auto& calls = s.calls;

    for (const char* path : {"/api/v1/calls/trigger", "/api/v1/calls"}) {
        routes.push_back({"POST", path,
                          [&calls](Ctx& ctx) {
                              return Body(ctx, false, [&](const Json& body) {
                                  return Respond(calls.Trigger(ctx.principal, body), ctx, 201);
                              });
                          },
                          Access::kWrite, RateClass::kStandard, BodyKind::kJson});
    }

    routes.push_back({"GET", "/api/v1/calls", [&calls, &s](Ctx& ctx) {
                          auto include = Includes(ctx);
                          if (!include) return ErrorResponse(include.error(), ctx.request_id);
                          domain::CallQuery q{Opt(ctx, "campaign_id"),  Opt(ctx, "disposition"),
                                              Opt(ctx, "status"),       Opt(ctx, "direction"),
                                              Opt(ctx, "contact_id"),   Opt(ctx, "batch_id"),
                                              Opt(ctx, "since"),        Opt(ctx, "until"),
                                              Opt(ctx, "min_duration"), Opt(ctx, "has_meeting")};
                          auto page = PageOf(ctx, "call_");
                          if (!page) return ErrorResponse(page.error(), ctx.request_id);
                          auto listed = calls.List(ctx.principal, q, *page);
                          if (!listed) return ErrorResponse(listed.error(), ctx.request_id);
                          Json items = Json::array();
                          for (const auto& c : listed->items) {
                              items.push_back(CallJson(c, include->first, include->second, s, ctx));
                          }
                          std::optional<std::string> last;
                          if (!listed->items.empty()) last = listed->items.back().id;
                          return PageResponse(items, listed->has_more, last, page->limit);
                      }});

    routes.push_back({"GET", "/api/v1/calls/:id", [&calls, &s](Ctx& ctx) {
                          auto include = Includes(ctx);
                          if (!include) return ErrorResponse(include.error(), ctx.request_id);
                          auto call = calls.Get(ctx.principal, ctx.Param("id"));
                          if (!call) return ErrorResponse(call.error(), ctx.request_id);
                          return Ok(CallJson(*call, true, include->second, s, ctx));
                      }});

    routes.push_back({"GET", "/api/v1/calls/:id/transcript", [&calls](Ctx& ctx) {
                          auto call = calls.Get(ctx.principal, ctx.Param("id"));
                          if (!call) return ErrorResponse(call.error(), ctx.request_id);
                          return Ok(Json{{"call_id", call->id},
                                         {"status", domain::ToString(call->status)},
                                         {"transcript", call->transcript}});
                      }});

    routes.push_back({"GET", "/api/v1/calls/:id/recording", [&calls, &s](Ctx& ctx) {
                          auto call = calls.Get(ctx.principal, ctx.Param("id"));
                          if (!call) return ErrorResponse(call.error(), ctx.request_id);
                          if (!call->recording) {
                              return ErrorResponse(Error{ErrorCode::kNotFound,
                                                         "call has no recording (it is " +
                                                             std::string(domain::ToString(call->status)) + ")",
                                                         {}},
                                                   ctx.request_id);
                          }
                          const int64_t expires = ctx.clock.NowMs() / 1000 + s.recordings.link_seconds;
                          const std::string url = PublicBaseUrl(ctx.req, s.recordings.public_url) +
                                                  "/api/v1/recordings/" + call->id +
                                                  "?expires=" + std::to_string(expires) +
                                                  "&signature=" + RecordingSignature(s.recordings, call->id, expires);
                          return Ok(Json{{"call_id", call->id},
                                         {"url", url},
                                         {"content_type", "audio/wav"},
                                         {"expires_at", FormatIsoTime(expires * 1000)}});
                      }});

    // The signed link itself: no API key, only an unexpired signature.
    routes.push_back(
        {"GET", "/api/v1/recordings/:id",
         [&s](Ctx& ctx) {
             const std::string id(ctx.Param("id"));
             const auto expires_text = ctx.Query("expires").value_or("");
             const auto signature = ctx.Query("signature").value_or("");
             int64_t expires = 0;
             const auto [ptr, ec] =
                 std::from_chars(expires_text.data(), expires_text.data() + expires_text.size(), expires);
             const bool well_formed = ec == std::errc() && ptr == expires_text.data() + expires_text.size();
             if (!well_formed || !IsWellFormedId(id, "call_") ||
                 !ConstantTimeEquals(signature, RecordingSignature(s.recordings, id, expires))) {
                 return ErrorResponse(Error{ErrorCode::kUnauthorized, "recording link is not valid", {}},
                                      ctx.request_id);
             }
             if (expires < ctx.clock.NowMs() / 1000) {
                 return ErrorResponse(
                     Error{ErrorCode::kUnauthorized, "recording link has expired; ask for a new one", {}},
                     ctx.request_id);
             }
             std::ifstream in(std::filesystem::path(s.recordings.directory) / (id + ".wav"), std::ios::binary);
             if (!in) {
                 return ErrorResponse(Error{ErrorCode::kNotFound, "recording not found", {}}, ctx.request_id);
             }
             std::ostringstream bytes;
             bytes << in.rdbuf();
             return http::Response{
                 200, "audio/wav", {{"Content-Disposition", "inline; filename=\"" + id + ".wav\""}}, bytes.str()};
         },
         Access::kPublic});

    routes.push_back({"POST", "/api/v1/calls/:id/stop",
                      [&calls](Ctx& ctx) {
                          return Body(ctx, true, [&](const Json&) {
                              return Respond(calls.Stop(ctx.principal, ctx.Param("id")), ctx, 202);
                          });
                      },
                      Access::kWrite, RateClass::kStandard, BodyKind::kJson});
    routes.push_back({"POST", "/api/v1/calls/:id/cancel",
                      [&calls](Ctx& ctx) {
                          return Body(ctx, true, [&](const Json&) {
                              return Respond(calls.Cancel(ctx.principal, ctx.Param("id")), ctx);
                          });
                      },
                      Access::kWrite, RateClass::kStandard, BodyKind::kJson});

    routes.push_back({"POST", "/api/v1/batches",
                      [&calls](Ctx& ctx) {
                          return Body(ctx, false, [&](const Json& body) {
                              auto outcome = calls.TriggerBatch(ctx.principal, body, ctx.req.progress);
                              if (!outcome) return ErrorResponse(outcome.error(), ctx.request_id);
                              return Ok(ToJson(*outcome), 201);
                          });
                      },
                      Access::kWrite, RateClass::kBulk, BodyKind::kJson, 8 * 1024 * 1024});
    routes.push_back({"GET", "/api/v1/batches/:id",
                      [&calls](Ctx& ctx) { return Respond(calls.GetBatch(ctx.principal, ctx.Param("id")), ctx); }});
    routes.push_back({"GET", "/api/v1/batches/:id/results", [&calls](Ctx& ctx) {
                          auto batch = calls.GetBatch(ctx.principal, ctx.Param("id"));
                          if (!batch) return ErrorResponse(batch.error(), ctx.request_id);
                          domain::CallQuery q;
                          q.batch_id = std::string(ctx.Param("id"));
                          return RespondPage(
                              ctx, "call_", [&](const auto& page) { return calls.List(ctx.principal, q, page); },
                              [](const auto& c) { return c.id; });
                      }});
}

}  // namespace parley::api
