#pragma once

#include <string_view>
#include <vector>

#include "mcp/server.hpp"
#include "mcp/tools.hpp"

namespace parley::mcp {

// Seed 000's two discovery tools: help (a user's words → the tool and field) and suggest_options
// (what exists already, by keyword, so an assistant reuses it instead of making a duplicate).
std::vector<Tool> DiscoveryTools();

// Runs help or suggest_options: a tools/call result.
Json RunDiscoveryTool(const Tool& tool, const Json& arguments, const Caller& caller);

// What help knows: a phrase a user may say and where it leads.
struct Intent {
    std::string_view phrases;  // alternatives separated by '|'
    std::string_view tool;
    std::string_view field;  // "" when the tool itself is the answer
    std::string_view how;
};
// Every intent help knows, for the test that runs each phrase through it.
const std::vector<Intent>& Intents();
// help's matches for `words`, best first: at most `limit`.
std::vector<const Intent*> MatchIntents(std::string_view words, size_t limit = 5);

}  // namespace parley::mcp
