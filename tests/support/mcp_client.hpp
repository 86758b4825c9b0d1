#pragma once

#include <string>

#include "support/http_client.hpp"

namespace parley::testing {

// Runs tests/mcp/client.mjs (the official MCP TypeScript SDK's client) against the server at
// `port` with these keys, directly and through `parley mcp --stdio`, and returns the JSON report
// it prints (with "failure" when it failed, and the whole output under "output" when it printed
// no report).
Json RunMcpSdkClient(uint16_t port, const std::string& key, const std::string& read_only_key);

// Runs tests/mcp/oauth.mjs: the SDK's OAuth client signing in through Parley's sign-in page in
// Chromium with `key` (and once with `other_key`, of another organization), and once with a
// one-time sign-in link of `key`'s organization; its report.
Json RunMcpOAuthClient(uint16_t port, const std::string& key, const std::string& other_key,
                       const std::string& sign_in_link);

}  // namespace parley::testing
