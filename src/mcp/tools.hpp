#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "domain/validation.hpp"
#include "http/message.hpp"

namespace parley::mcp {

using domain::Json;

// A tool of the MCP server. Most tools are one REST route: their arguments are the route's path
// and query parameters and the fields of its JSON body, their input schema is made from the
// route's description in the OpenAPI document, and a call runs the route itself, so a tool
// validates, authorizes and fails exactly as the REST request would.
// NOLINTNEXTLINE(bugprone-exception-escape): nlohmann::json moves and destroys without throwing
struct Tool {
    std::string name;
    std::string category;  // "Calls", "Contacts", …
    std::string description;
    Json input_schema;
    bool writes = false;       // needs a key that may write
    bool destructive = false;  // deletes or ends something
    // The route, when the tool is one: "GET" and "/api/v1/calls/:id".
    std::string method;
    std::string pattern;
    std::vector<std::string> path_params;
    std::vector<std::string> query_params;
    bool has_body = false;
    bool body_required = false;
    // Its route reports how far it has come (a batch of calls, a bulk create): a call with a
    // progress token is answered with progress notifications before its result.
    bool reports_progress = false;
};

// Seed 000's tools, and the tools for what the other seeds have that Parley has, with their input
// schemas taken from `openapi` (the document served at /api/v1/openapi.json). An error names the
// tool whose route the document lacks.
Result<std::vector<Tool>> BuildTools(std::string_view openapi);

// The REST request a call of `tool` with `arguments` makes: method, path and target (percent-
// encoded), query and JSON body. kValidation for arguments that cannot be placed: a missing or
// malformed path parameter, a query parameter that is not a scalar, a field for a route without
// a body. Fields of the body are left to the route's own validation.
Result<http::Request> RequestFor(const Tool& tool, const Json& arguments);

}  // namespace parley::mcp
