#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "domain/entities.hpp"
#include "domain/validation.hpp"
#include "http/message.hpp"
#include "http/router.hpp"

namespace parley::api {

using domain::Json;

// One request on its way through a handler.
struct Ctx {
    http::Request& req;
    const http::PathParams& params;
    domain::Principal principal;
    std::string request_id;
    const Clock& clock;  // the server's clock: every time a handler reads comes from it

    std::string_view Param(std::string_view name) const {
        for (const auto& [k, v] : params) {
            if (k == name) return v;
        }
        return {};
    }
    std::optional<std::string_view> Query(std::string_view name) const { return req.Query(name); }
};

using Handler = std::function<http::Response(Ctx&)>;

// What a key needs for a route: kRead refuses write-only keys; kWrite refuses read-only and test
// keys; kSecret (a route that shows a stored secret) needs a live key with full permission; kKey
// takes any valid key (the MCP endpoint, whose tools are each checked as their own routes).
enum class Access { kPublic, kRead, kWrite, kSecret, kKey };
// Which roles may call a route; checked with the permission, before the handler or a replay.
enum class Roles { kAny, kManagers /* owner and admin keys */ };
// kPerMessage: the route counts its own messages against the standard and bulk limits (MCP:
// each JSON-RPC message, each tool call as its route).
enum class RateClass { kStandard, kBulk, kPerMessage };
enum class BodyKind { kNone, kJson, kCsvOrJson };

struct RouteSpec {
    std::string method;
    std::string pattern;
    Handler handler;
    Access access = Access::kRead;
    RateClass rate = RateClass::kStandard;
    BodyKind body = BodyKind::kNone;
    size_t body_limit = 0;  // 0: the server default
    Roles roles = Roles::kAny;
    // JSON pointers to secrets in a success body ("/data/key"): a response kept for an
    // Idempotency-Key replay is stored, and replayed, with these set to null.
    std::vector<std::string> secret_fields = {};
    // Public routes only: requests per minute from one client address (0: no limit of their own).
    int address_limit_per_minute = 0;
    // Public routes only: the handler reads or writes the database, so it runs on the worker pool.
    bool blocking = false;
    size_t metrics_series = 0;  // set when the route is registered
};

// The server's address as clients reach it: `configured` (--public-url) when set, else
// http:// and the request's Host.
std::string PublicBaseUrl(const http::Request& req, std::string_view configured);

// HTTP status and wire code of each error code (one table, pinned by a test).
int HttpStatusOf(ErrorCode code);

// {"success": true, "data": …[, "meta": …]}
http::Response Ok(const Json& data, int status = 200, const Json& meta = nullptr);
// {"success": false, "error": {"code", "message"[, "details"]}}; internal errors are logged
// with the request id and answered without their message.
http::Response ErrorResponse(const Error& error, std::string_view request_id = {});
http::Response PageResponse(const Json& items, bool has_more, const std::optional<std::string>& last_id, int limit);

// The request body as JSON: kInvalidJson for malformed JSON, invalid UTF-8 or nesting deeper
// than allowed, kValidation past the other `limits`; an empty body is null when `allow_empty`,
// else kValidation.
Result<Json> ParseJsonBody(const Ctx& ctx, bool allow_empty = false, const domain::JsonLimits& limits = {});

// limit and cursor query parameters.
Result<domain::PageRequest> PageOf(const Ctx& ctx, std::string_view id_prefix);

std::string DumpJson(const Json& j);

// Handlers of one resource each add their routes here.
void AddContactRoutes(std::vector<RouteSpec>& routes, struct Services& services);
void AddCustomFieldRoutes(std::vector<RouteSpec>& routes, struct Services& services);
void AddApiKeyRoutes(std::vector<RouteSpec>& routes, struct Services& services);
void AddProfileRoutes(std::vector<RouteSpec>& routes, struct Services& services);
void AddVoiceRoutes(std::vector<RouteSpec>& routes, struct Services& services);
void AddCallRoutes(std::vector<RouteSpec>& routes, struct Services& services);
void AddCampaignRoutes(std::vector<RouteSpec>& routes, struct Services& services);
void AddContactListRoutes(std::vector<RouteSpec>& routes, struct Services& services);
void AddWebhookRoutes(std::vector<RouteSpec>& routes, struct Services& services);
void AddPhoneNumberRoutes(std::vector<RouteSpec>& routes, struct Services& services);
void AddOAuthRoutes(std::vector<RouteSpec>& routes, struct Services& services);
void AddAnalyticsRoutes(std::vector<RouteSpec>& routes, struct Services& services);
void AddReportRoutes(std::vector<RouteSpec>& routes, struct Services& services);
void AddBillingRoutes(std::vector<RouteSpec>& routes, struct Services& services);

}  // namespace parley::api
