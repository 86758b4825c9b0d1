#include <spdlog/spdlog.h>

#include "api/context.hpp"
#include "common/log_throttle.hpp"

namespace parley::api {

int HttpStatusOf(ErrorCode code) {
    switch (code) {
        case ErrorCode::kValidation: return 400;
        case ErrorCode::kInvalidJson: return 400;
        case ErrorCode::kUnauthorized: return 401;
        case ErrorCode::kInsufficientCredits: return 402;
        case ErrorCode::kReadOnly: return 403;
        case ErrorCode::kWriteOnly: return 403;
        case ErrorCode::kTestKey: return 403;
        case ErrorCode::kForbidden: return 403;
        case ErrorCode::kNotFound: return 404;
        case ErrorCode::kMethodNotAllowed: return 405;
        case ErrorCode::kDuplicate: return 409;
        case ErrorCode::kConflict: return 409;
        case ErrorCode::kDncBlocked: return 409;
        case ErrorCode::kPayloadTooLarge: return 413;
        case ErrorCode::kUnsupportedMediaType: return 415;
        case ErrorCode::kUnprocessable: return 422;
        case ErrorCode::kRateLimited: return 429;
        case ErrorCode::kUnavailable: return 503;
        case ErrorCode::kInternal: return 500;
    }
    return 500;
}

std::string DumpJson(const Json& j) {
    return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

http::Response Ok(const Json& data, int status, const Json& meta) {
    Json body = {{"success", true}, {"data", data}};
    if (!meta.is_null()) body["meta"] = meta;
    return http::Response{status, "application/json", {}, DumpJson(body)};
}

http::Response ErrorResponse(const Error& error, std::string_view request_id) {
    Json e = {{"code", ErrorCodeName(error.code)}, {"message", error.message}};
    if (error.code == ErrorCode::kInternal || error.code == ErrorCode::kUnavailable) {
        static LogThrottle throttle;
        LogLimited(throttle, spdlog::level::err, "request {}: {}", request_id, error.message);
        e["message"] = error.code == ErrorCode::kInternal ? "Internal server error" : "Service temporarily unavailable";
    } else if (!error.details.empty()) {
        Json details = Json::array();
        for (const auto& d : error.details) {
            Json item = {{"field", d.field}, {"message", d.message}};
            if (d.index >= 0) item["index"] = d.index;
            details.push_back(std::move(item));
        }
        e["details"] = std::move(details);
    }
    if (!request_id.empty()) e["request_id"] = request_id;
    return http::Response{
        HttpStatusOf(error.code), "application/json", {}, DumpJson(Json{{"success", false}, {"error", std::move(e)}})};
}

http::Response PageResponse(const Json& items, bool has_more, const std::optional<std::string>& last_id, int limit) {
    Json meta = {{"limit", limit}, {"has_more", has_more}, {"next_cursor", nullptr}};
    if (has_more && last_id) meta["next_cursor"] = domain::MakeCursor(*last_id);
    return Ok(items, 200, meta);
}

Result<Json> ParseJsonBody(const Ctx& ctx, bool allow_empty, const domain::JsonLimits& limits) {
    const std::string& body = ctx.req.body;
    bool blank = true;
    for (char c : body) blank = blank && (c == ' ' || c == '\n' || c == '\r' || c == '\t');
    if (blank) {
        if (allow_empty) return Json(nullptr);
        return Fail(ErrorCode::kValidation, "request body is empty: a JSON object is expected");
    }
    return domain::ParseBoundedJson(body, limits);
}

Result<domain::PageRequest> PageOf(const Ctx& ctx, std::string_view id_prefix) {
    return domain::ParsePage(ctx.Query("limit"), ctx.Query("cursor"), id_prefix);
}

std::string PublicBaseUrl(const http::Request& req, std::string_view configured) {
    if (!configured.empty()) return std::string(configured);
    return "http://" + std::string(req.Header("host").value_or("localhost"));
}

}  // namespace parley::api
