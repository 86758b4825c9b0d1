// An MCP tool call's arguments made into the REST request its route answers, and help's phrase
// matcher: the first byte picks a tool (path parameters, query parameters, a body), the rest is
// the arguments as the bounded JSON parser reads them, and help's words. Neither may crash or
// hang; a request they make must decode back to the path and query they meant.

#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "mcp/discovery.hpp"
#include "mcp/tools.hpp"

namespace {

using parley::mcp::Tool;

const std::vector<Tool>& Tools() {
    static const std::vector<Tool> tools = [] {
        std::vector<Tool> out(3);
        out[0].name = "update_contact";
        out[0].method = "PATCH";
        out[0].pattern = "/api/v1/contacts/:id";
        out[0].path_params = {"id"};
        out[0].has_body = out[0].body_required = true;
        out[1].name = "list_calls";
        out[1].method = "GET";
        out[1].pattern = "/api/v1/calls";
        out[1].query_params = {"limit", "cursor", "since", "has_meeting"};
        out[2].name = "remove_from_dnc";
        out[2].method = "DELETE";
        out[2].pattern = "/api/v1/dnc/:phone";
        out[2].path_params = {"phone"};
        out[2].query_params = {"reason"};
        out[2].has_body = true;
        return out;
    }();
    return tools;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    (void)parley::mcp::MatchIntents(text);
    auto parsed = parley::domain::ParseBoundedJson(text);
    if (!parsed) return 0;
    const Tool& tool = Tools()[data[0] % Tools().size()];
    auto req = parley::mcp::RequestFor(tool, *parsed);
    if (!req) return 0;
    std::string path;
    parley::http::Fields query;
    if (!parley::http::ParseTarget(req->target, path, query)) std::abort();
    if (path != req->path || query != req->query) std::abort();
    return 0;
}
