#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "domain/entities.hpp"
#include "domain/repos.hpp"
#include "http/message.hpp"
#include "mcp/tools.hpp"

namespace parley::mcp {

// The protocol versions Parley speaks, newest first: the newest the official TypeScript SDK
// speaks and the older ones it accepts.
inline constexpr std::string_view kProtocolVersions[] = {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"};

struct ServerOptions {
    // Messages in one JSON-RPC batch.
    size_t max_batch = 32;
    // A session ends this long after its last use.
    int64_t session_idle_ms = 24LL * 3600 * 1000;
    std::string server_version = "0.1.0";  // the API description's info.version
};

// What the MCP server needs of the REST API for one caller, already authenticated.
struct Caller {
    domain::Principal principal;
    // Runs a REST request as this caller, with the route's permission, role and rate-limit checks.
    std::function<http::Response(http::Request&)> run_route;
    // Counts one message that is not a tool call (initialize, tools/list, ping) against the
    // caller's rate limit: empty when allowed, else the 429 answer.
    std::function<std::optional<http::Response>()> take_message;
};

// The answer to a POST /mcp body larger than `limit` bytes: HTTP 413 with a JSON-RPC error
// (-32600, id null), which MCP clients read where they would not read a REST error.
http::Response TooLargeResponse(size_t limit);

// The MCP server over Streamable HTTP (the MCP specification's transport): JSON-RPC 2.0 on
// POST /mcp, sessions in the Mcp-Session-Id header, DELETE /mcp to end one. Tools are the
// REST routes of tools.hpp, and help and suggest_options.
class Server {
public:
    Server(std::vector<Tool> tools, domain::Store& store, const Clock& clock, ServerOptions options = {});
    ~Server();

    // POST /mcp: a JSON-RPC message or batch in req.body.
    http::Response Post(const http::Request& req, const Caller& caller);
    // GET /mcp: the session's server-to-client stream (its organization's events, see
    // EventStreams).
    http::Response Get(const http::Request& req, const Caller& caller);
    // DELETE /mcp: ends the session of the Mcp-Session-Id header.
    http::Response Delete(const http::Request& req, const Caller& caller);

    const std::vector<Tool>& tools() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace parley::mcp
