#pragma once

#include <cstddef>
#include <istream>
#include <ostream>
#include <string>

namespace parley::app {

// `parley mcp --stdio`: the MCP stdio transport for local clients (Claude Desktop, an IDE) that
// start their servers as programs. Each line of `in` is a JSON-RPC message; it goes to the /mcp
// endpoint of the Parley server at `url` with the API key, and each answer goes to `out` as one
// line. The session (Mcp-Session-Id) and protocol version are kept here; a session the server
// no longer knows is opened again with the client's own initialize. A tool's progress and the
// session's server stream (GET /mcp, its organization's events) go to `out` as they come.
// Transport failures and refusals are answered as JSON-RPC errors to the requests they hit.
// Returns when `in` ends.
struct StdioOptions {
    std::string url;  // the server's base URL or its /mcp URL
    std::string key;  // an API key
    size_t max_line_bytes = 8 * 1024 * 1024;
};

int RunMcpStdio(const StdioOptions& options, std::istream& in, std::ostream& out);

}  // namespace parley::app
