#include "mcp/server.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <optional>

#include "common/crypto.hpp"
#include "mcp/discovery.hpp"
#include "mcp/event_streams.hpp"

namespace parley::mcp {
namespace {

// JSON-RPC 2.0's error codes, and the two the MCP transport adds for sessions.
constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;
constexpr int kInternalError = -32603;
constexpr int kBadRequest = -32000;       // the request cannot be served as sent (no session, rate limit)
constexpr int kSessionNotFound = -32001;  // unknown, ended or expired session: initialize again

constexpr size_t kMaxClientInfoBytes = 200;
constexpr size_t kSessionIdChars = 40;

Json RpcError(const Json& id, int code, std::string message, Json data = nullptr) {
    Json error = {{"code", code}, {"message", std::move(message)}};
    if (!data.is_null()) error["data"] = std::move(data);
    return {{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(error)}};
}

Json RpcResult(const Json& id, Json result) {
    return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

http::Response JsonResponse(int status, const Json& body) {
    return {status, "application/json", {}, body.dump(-1, ' ', false, Json::error_handler_t::replace)};
}

}  // namespace

http::Response TooLargeResponse(size_t limit) {
    return JsonResponse(
        413, RpcError(nullptr, kInvalidRequest, "the request body is larger than " + std::to_string(limit) + " bytes"));
}

namespace {

bool Supported(std::string_view version) {
    return std::ranges::find(kProtocolVersions, version) != std::end(kProtocolVersions);
}

// Whether an Accept header admits a JSON answer (absent: anything goes).
bool AcceptsJson(std::optional<std::string_view> accept) {
    if (!accept) return true;
    return accept->find("application/json") != std::string_view::npos ||
           accept->find("application/*") != std::string_view::npos || accept->find("*/*") != std::string_view::npos;
}

// Whether a client reads an event stream as the answer to a POST (MCP clients list it with JSON).
bool AcceptsEventStream(std::optional<std::string_view> accept) {
    return accept && accept->find("text/event-stream") != std::string_view::npos;
}

// The host of an Origin header ("https://a.example:8443" → "a.example:8443").
std::string_view OriginHost(std::string_view origin) {
    const auto scheme = origin.find("://");
    return scheme == std::string_view::npos ? origin : origin.substr(scheme + 3);
}

std::string Bounded(const Json& object, std::string_view key) {
    if (!object.is_object() || !object.contains(key) || !object[key].is_string()) return "";
    std::string text = object[key].get<std::string>();
    if (text.size() > kMaxClientInfoBytes) text.resize(kMaxClientInfoBytes);
    return text;
}

// A REST answer as a tool result: the data (and a list's paging) as structured content and as
// text; an error envelope as a tool error with the same code, message and details.
Json ToolResult(const http::Response& res) {
    const std::string whole = http::WholeBody(res);  // an export is streamed
    if (res.status < 300 && res.content_type == "application/pdf") {
        // A binary file is an embedded resource (base64), named as the download would be.
        std::string file = "export.pdf";
        for (const auto& [name, value] : res.headers) {
            const auto at = value.find("filename=\"");
            if (name == "Content-Disposition" && at != std::string::npos) {
                file = value.substr(at + 10, value.find('"', at + 10) - at - 10);
            }
        }
        return {{"content",
                 {{{"type", "text"}, {"text", "A PDF of " + std::to_string(whole.size()) + " bytes: " + file}},
                  {{"type", "resource"},
                   {"resource",
                    {{"uri", "parley://exports/" + file},
                     {"mimeType", res.content_type},
                     {"blob", Base64Encode(whole)}}}}}},
                {"isError", false}};
    }
    const Json body = Json::parse(whole, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
        return {{"content", {{{"type", "text"}, {"text", whole}}}}, {"isError", res.status >= 300}};
    }
    if (res.status >= 300 || !body.value("success", false)) {
        const Json error = body.value("error", Json::object());
        std::string text = error.value("code", "ERROR") + ": " + error.value("message", "");
        for (const auto& detail : error.value("details", Json::array())) {
            text += "\n- " + detail.value("field", "") + ": " + detail.value("message", "");
        }
        Json structured = {{"error", error}, {"http_status", res.status}};
        for (const auto& [name, value] : res.headers) {
            if (name == "Retry-After") structured["retry_after_seconds"] = std::atoi(value.c_str());
        }
        return {
            {"content", {{{"type", "text"}, {"text", text}}}}, {"structuredContent", structured}, {"isError", true}};
    }
    Json structured = {{"data", body.value("data", Json())}};
    if (body.contains("meta")) structured["meta"] = body["meta"];
    return {{"content", {{{"type", "text"}, {"text", structured.dump(2, ' ', false, Json::error_handler_t::replace)}}}},
            {"structuredContent", structured},
            {"isError", false}};
}

Json ToolErrorResult(const Error& error) {
    const int status = error.code == ErrorCode::kValidation ? 400 : 503;
    Json details = Json::array();
    for (const auto& d : error.details) details.push_back({{"field", d.field}, {"message", d.message}});
    Json envelope = {
        {"success", false},
        {"error", {{"code", ErrorCodeName(error.code)}, {"message", error.message}, {"details", details}}}};
    return ToolResult(http::Response{status, "application/json", {}, envelope.dump()});
}

}  // namespace

struct Server::Impl {
    std::vector<Tool> tools;
    std::map<std::string, size_t, std::less<>> by_name;
    domain::Store& store;
    const Clock& clock;
    ServerOptions options;
    Json tool_list;
    EventStreams streams;

    Impl(std::vector<Tool> t, domain::Store& s, const Clock& c, ServerOptions o)
        : tools(std::move(t)), store(s), clock(c), options(std::move(o)), streams(s, c) {
        for (auto& tool : DiscoveryTools()) tools.push_back(std::move(tool));
        Json list = Json::array();
        for (size_t i = 0; i < tools.size(); ++i) {
            const Tool& tool = tools[i];
            by_name.emplace(tool.name, i);
            list.push_back({{"name", tool.name},
                            {"description", tool.description},
                            {"inputSchema", tool.input_schema},
                            {"annotations",
                             {{"readOnlyHint", !tool.writes},
                              {"destructiveHint", tool.destructive},
                              {"openWorldHint", tool.name == "trigger_call" || tool.name == "trigger_batch"}}},
                            {"_meta", {{"parley/category", tool.category}}}});
        }
        tool_list = {{"tools", std::move(list)}};
    }

    // The answer to one message, or nothing for a notification or a client's response.
    std::optional<Json> Message(const Json& message, const Caller& caller, const domain::McpSession& session,
                                std::optional<http::Response>& refused);
    // The open session of the request's Mcp-Session-Id, extended when due; else the answer.
    std::expected<domain::McpSession, http::Response> LiveSession(const http::Request& req, const Caller& caller);
    Json CallTool(const Json& id, const Json& params, const Caller& caller, const domain::Progress& progress = {});
    std::optional<http::Response> Streamed(const Json& message, const Caller& caller);
    Result<std::string> OpenSession(const Json& params, const domain::Principal& principal, std::string& version);
};

Server::Server(std::vector<Tool> tools, domain::Store& store, const Clock& clock, ServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(tools), store, clock, std::move(options))) {}

Server::~Server() = default;

const std::vector<Tool>& Server::tools() const {
    return impl_->tools;
}

Result<std::string> Server::Impl::OpenSession(const Json& params, const domain::Principal& principal,
                                              std::string& version) {
    const std::string requested = params.value("protocolVersion", "");
    version = Supported(requested) ? requested : std::string(kProtocolVersions[0]);
    const Json client = params.value("clientInfo", Json::object());
    const int64_t now = clock.NowMs();
    domain::McpSession session{"mcps_" + RandomAlphanumeric(kSessionIdChars),
                               principal.org_id,
                               principal.key_id,
                               version,
                               Bounded(client, "name"),
                               Bounded(client, "version"),
                               now,
                               now + options.session_idle_ms,
                               std::nullopt};
    auto saved = store.Write([&](domain::Repos& r) { return r.mcp_sessions().Insert(session); });
    if (!saved) return Fail(std::move(saved.error()));
    return session.id;
}

std::optional<Json> Server::Impl::Message(const Json& message, const Caller& caller, const domain::McpSession& session,
                                          std::optional<http::Response>& refused) {
    if (!message.is_object()) return RpcError(nullptr, kInvalidRequest, "a JSON-RPC message must be an object");
    const Json id = message.value("id", Json());
    const bool has_id = message.contains("id");
    if (has_id && !id.is_string() && !id.is_number_integer()) {
        return RpcError(nullptr, kInvalidRequest, "id must be a string or an integer");
    }
    if (message.value("jsonrpc", Json()) != "2.0") return RpcError(id, kInvalidRequest, "jsonrpc must be \"2.0\"");
    if (!message.contains("method")) {
        // A client's answer to a request of the server: Parley sends none, so there is nothing to match.
        if (has_id && (message.contains("result") || message.contains("error"))) return std::nullopt;
        return RpcError(id, kInvalidRequest, "a request needs a method");
    }
    if (!message["method"].is_string()) return RpcError(id, kInvalidRequest, "method must be a string");
    const std::string method = message["method"].get<std::string>();
    const Json params = message.value("params", Json::object());
    if (!params.is_object()) return RpcError(id, kInvalidParams, "params must be an object");
    if (method != "tools/call" || !has_id) {
        if (auto limited = caller.take_message()) {
            refused = std::move(limited);
            if (!has_id) return std::nullopt;
            return RpcError(id, kBadRequest, "rate limit exceeded", {{"code", "RATE_LIMIT_EXCEEDED"}});
        }
    }
    if (!has_id) return std::nullopt;  // notifications (initialized, cancelled, progress): nothing to answer
    if (method == "ping") return RpcResult(id, Json::object());
    if (method == "tools/list") {
        if (params.contains("cursor")) return RpcError(id, kInvalidParams, "tools/list has one page: no cursor");
        return RpcResult(id, tool_list);
    }
    if (method == "tools/call") return CallTool(id, params, caller);
    if (method == "logging/setLevel") {
        const Json level = params.value("level", Json());
        if (!level.is_string() || LogLevelRank(level.get<std::string>()) < 0) {
            return RpcError(id, kInvalidParams,
                            "level must be debug, info, notice, warning, error, critical, alert or emergency");
        }
        auto saved = store.Write(
            [&](domain::Repos& r) { return r.mcp_sessions().SetLogLevel(session.id, level.get<std::string>()); });
        if (!saved) {
            spdlog::error("saving an MCP session's log level failed: {}", saved.error().message);
            return RpcError(id, kInternalError, "Internal error");
        }
        streams.SetLevel(session.id, level.get<std::string>());
        return RpcResult(id, Json::object());
    }
    if (method == "initialize")
        return RpcError(id, kInvalidRequest, "initialize must be sent alone, without a session");
    return RpcError(id, kMethodNotFound, "method not found: " + method.substr(0, 100));
}

Json Server::Impl::CallTool(const Json& id, const Json& params, const Caller& caller,
                            const domain::Progress& progress) {
    if (!params.contains("name") || !params["name"].is_string()) {
        return RpcError(id, kInvalidParams, "tools/call needs the tool's name");
    }
    const std::string name = params["name"].get<std::string>();
    const auto found = by_name.find(name);
    if (found == by_name.end()) return RpcError(id, kInvalidParams, "Unknown tool: " + name.substr(0, 100));
    const Json arguments = params.value("arguments", Json::object());
    if (!arguments.is_object()) return RpcError(id, kInvalidParams, "arguments must be an object");
    const Tool& tool = tools[found->second];
    if (tool.pattern.empty()) return RpcResult(id, RunDiscoveryTool(tool, arguments, caller));
    auto request = RequestFor(tool, arguments);
    if (!request) {
        if (auto limited = caller.take_message()) return RpcResult(id, ToolResult(*limited));
        return RpcResult(id, ToolErrorResult(request.error()));
    }
    request->progress = progress;
    return RpcResult(id, ToolResult(caller.run_route(*request)));
}

// A call of a tool that reports progress, with a progress token: answered as an event stream of
// notifications/progress, then the result. nullopt for any other message.
std::optional<http::Response> Server::Impl::Streamed(const Json& message, const Caller& caller) {
    if (!message.is_object() || message.value("jsonrpc", Json()) != "2.0" ||
        message.value("method", Json()) != "tools/call") {
        return std::nullopt;
    }
    const Json id = message.value("id", Json());
    const Json params = message.value("params", Json());
    if ((!id.is_string() && !id.is_number_integer()) || !params.is_object() || !params.contains("name") ||
        !params["name"].is_string()) {
        return std::nullopt;
    }
    const auto found = by_name.find(params["name"].get<std::string>());
    if (found == by_name.end() || !tools[found->second].reports_progress) return std::nullopt;
    const Json meta = params.value("_meta", Json());
    if (!meta.is_object() || !meta.contains("progressToken")) return std::nullopt;
    const Json& token = meta["progressToken"];
    if (!token.is_string() && !token.is_number_integer()) return std::nullopt;
    http::Response res{200, "text/event-stream", {{"Cache-Control", "no-cache"}}, ""};
    res.stream = [this, caller, id, params, token](const std::shared_ptr<http::BodyStream>& out) {
        auto event = [&out](const Json& payload) { out->Write(SseMessage(payload)); };
        int64_t reported = 0;  // progress only grows, though a retried transaction counts again
        auto progress = [&](int64_t done, int64_t total) {
            if (done <= reported) return;
            reported = done;
            event({{"jsonrpc", "2.0"},
                   {"method", "notifications/progress"},
                   {"params",
                    {{"progressToken", token},
                     {"progress", done},
                     {"total", total},
                     {"message", std::to_string(done) + " of " + std::to_string(total)}}}});
        };
        event(CallTool(id, params, caller, progress));
        out->End();
    };
    return res;
}

std::expected<domain::McpSession, http::Response> Server::Impl::LiveSession(const http::Request& req,
                                                                            const Caller& caller) {
    // A request refused for its session still counts against the key's rate limit: the lookup
    // is a database read.
    const auto session_id = req.Header("mcp-session-id");
    if (!session_id) {
        if (auto limited = caller.take_message()) return std::unexpected(std::move(*limited));
        return std::unexpected(JsonResponse(
            400,
            RpcError(nullptr, kBadRequest, "Bad Request: Mcp-Session-Id header is required; send initialize first")));
    }
    const int64_t now = clock.NowMs();
    if (session_id->size() > 5 + kSessionIdChars) {
        if (auto limited = caller.take_message()) return std::unexpected(std::move(*limited));
        return std::unexpected(
            JsonResponse(404, RpcError(nullptr, kSessionNotFound, "Session not found: initialize a new one")));
    }
    auto session = domain::ReadTx(
        store, [&](domain::Repos& r) { return r.mcp_sessions().Get(caller.principal.key_id, *session_id); });
    if (!session) {
        spdlog::error("reading an MCP session failed: {}", session.error().message);
        return std::unexpected(JsonResponse(500, RpcError(nullptr, kInternalError, "Internal error")));
    }
    if (!*session || (*session)->ended_at || (*session)->expires_at <= now) {
        if (auto limited = caller.take_message()) return std::unexpected(std::move(*limited));
        return std::unexpected(
            JsonResponse(404, RpcError(nullptr, kSessionNotFound, "Session not found: initialize a new one")));
    }
    // Extended at most once an hour, so a busy session is not a write per request.
    if ((*session)->expires_at - now < options.session_idle_ms - 3'600'000) {
        auto extended = store.Write(
            [&](domain::Repos& r) { return r.mcp_sessions().Extend((*session)->id, now + options.session_idle_ms); });
        if (!extended) spdlog::warn("extending an MCP session failed: {}", extended.error().message);
    }
    return std::move(**session);
}

// What every request to /mcp is refused for from its headers: an Origin that is not this server
// (DNS rebinding), an MCP-Protocol-Version Parley does not speak.
std::optional<http::Response> HeaderRefusal(const http::Request& req) {
    if (auto origin = req.Header("origin"); origin && OriginHost(*origin) != req.Header("host").value_or("")) {
        return JsonResponse(403, RpcError(nullptr, kBadRequest, "Forbidden: the Origin is not this server"));
    }
    if (auto version = req.Header("mcp-protocol-version"); version && !Supported(*version)) {
        return JsonResponse(
            400, RpcError(nullptr, kBadRequest,
                          "Bad Request: unsupported MCP-Protocol-Version " + std::string(version->substr(0, 40)) +
                              "; supported: 2025-11-25, 2025-06-18, 2025-03-26, 2024-11-05"));
    }
    return std::nullopt;
}

http::Response Server::Get(const http::Request& req, const Caller& caller) {
    auto& impl = *impl_;
    if (!AcceptsEventStream(req.Header("accept"))) {
        return JsonResponse(
            406, RpcError(nullptr, kBadRequest, "Not Acceptable: the stream is text/event-stream; accept it"));
    }
    if (auto refused = HeaderRefusal(req)) return std::move(*refused);
    auto session = impl.LiveSession(req, caller);
    if (!session) return std::move(session.error());
    if (auto limited = caller.take_message()) return std::move(*limited);
    if (caller.principal.permission == domain::Permission::kWriteOnly) {
        return JsonResponse(403, RpcError(nullptr, kBadRequest, "Forbidden: a write-only key cannot read events"));
    }
    if (!impl.streams.HasRoom(caller.principal.key_id)) {
        return JsonResponse(
            429, RpcError(nullptr, kBadRequest, "Too many streams: a key has at most 4 open at once; close one first"));
    }
    http::Response res{200, "text/event-stream", {{"Cache-Control", "no-cache"}}, ""};
    res.stream = [&impl, open = std::move(*session)](const std::shared_ptr<http::BodyStream>& out) {
        impl.streams.Add(out, open);
    };
    return res;
}

http::Response Server::Post(const http::Request& req, const Caller& caller) {
    auto& impl = *impl_;
    if (!AcceptsJson(req.Header("accept"))) {
        return JsonResponse(406,
                            RpcError(nullptr, kBadRequest, "Not Acceptable: the client must accept application/json"));
    }
    if (auto refused = HeaderRefusal(req)) return std::move(*refused);
    auto parsed = domain::ParseBoundedJson(req.body);
    if (!parsed) return JsonResponse(400, RpcError(nullptr, kParseError, "Parse error: " + parsed.error().message));
    const Json& body = *parsed;
    if (body.is_array() && (body.empty() || body.size() > impl.options.max_batch)) {
        return JsonResponse(400,
                            RpcError(nullptr, kInvalidRequest,
                                     "a batch holds 1 to " + std::to_string(impl.options.max_batch) + " messages"));
    }

    // initialize: alone, with no session yet; it opens one.
    if (body.is_object() && body.value("method", Json()) == "initialize") {
        const Json id = body.value("id", Json());
        if (!id.is_string() && !id.is_number_integer()) {
            return JsonResponse(400, RpcError(nullptr, kInvalidRequest, "initialize is a request: it needs an id"));
        }
        if (body.value("jsonrpc", Json()) != "2.0") {
            return JsonResponse(400, RpcError(id, kInvalidRequest, "jsonrpc must be \"2.0\""));
        }
        const Json params = body.value("params", Json());
        if (!params.is_object() || !params.contains("protocolVersion") || !params["protocolVersion"].is_string()) {
            return JsonResponse(400, RpcError(id, kInvalidParams, "initialize needs params.protocolVersion"));
        }
        if (auto limited = caller.take_message()) return std::move(*limited);
        std::string version;
        auto session = impl.OpenSession(params, caller.principal, version);
        if (!session) {
            spdlog::error("opening an MCP session failed: {}", session.error().message);
            return JsonResponse(500, RpcError(id, kInternalError, "Internal error"));
        }
        Json result = {
            {"protocolVersion", version},
            {"capabilities", {{"tools", {{"listChanged", false}}}, {"logging", Json::object()}}},
            {"serverInfo", {{"name", "parley"}, {"title", "Parley"}, {"version", impl.options.server_version}}},
            {"instructions",
             "Parley places and answers phone calls with an AI voice agent. Tools manage profiles (the agent), "
             "contacts and the Do-Not-Call list, calls, campaigns, webhooks and custom fields. Call help with "
             "the user's words to find the tool and field, and suggest_options before creating something "
             "that may exist."}};
        auto res = JsonResponse(200, RpcResult(id, std::move(result)));
        res.headers.emplace_back("Mcp-Session-Id", *session);
        return res;
    }
    if (body.is_array()) {
        for (const auto& message : body) {
            if (message.is_object() && message.value("method", Json()) == "initialize") {
                return JsonResponse(400, RpcError(nullptr, kInvalidRequest, "initialize must not be in a batch"));
            }
        }
    }

    auto session = impl.LiveSession(req, caller);
    if (!session) return std::move(session.error());

    if (AcceptsEventStream(req.Header("accept"))) {
        if (auto streamed = impl.Streamed(body, caller)) return std::move(*streamed);
    }
    std::optional<http::Response> refused;
    Json answers = Json::array();
    const Json messages = body.is_array() ? body : Json::array({body});
    for (const auto& message : messages) {
        if (auto answer = impl.Message(message, caller, *session, refused)) answers.push_back(std::move(*answer));
    }
    if (answers.empty()) {
        if (refused && !body.is_array()) return std::move(*refused);
        return http::Response{202, "application/json", {}, ""};
    }
    auto res = JsonResponse(200, body.is_array() ? answers : answers[0]);
    if (refused) {
        for (const auto& header : refused->headers) res.headers.push_back(header);
    }
    return res;
}

http::Response Server::Delete(const http::Request& req, const Caller& caller) {
    if (auto limited = caller.take_message()) return std::move(*limited);
    const auto session_id = req.Header("mcp-session-id");
    if (!session_id)
        return JsonResponse(400, RpcError(nullptr, kBadRequest, "Bad Request: Mcp-Session-Id header is required"));
    auto ended = impl_->store.Write([&](domain::Repos& r) -> Result<void> {
        auto n = r.mcp_sessions().End(caller.principal.key_id, *session_id, impl_->clock.NowMs());
        if (!n) return Fail(std::move(n.error()));
        if (!*n) return Fail(ErrorCode::kNotFound, "no such session");
        return {};
    });
    if (!ended && ended.error().code == ErrorCode::kNotFound) {
        return JsonResponse(404, RpcError(nullptr, kSessionNotFound, "Session not found"));
    }
    if (ended) impl_->streams.EndSession(*session_id);
    if (!ended) {
        spdlog::error("ending an MCP session failed: {}", ended.error().message);
        return JsonResponse(500, RpcError(nullptr, kInternalError, "Internal error"));
    }
    return http::Response{200, "application/json", {}, ""};
}

}  // namespace parley::mcp
