#include "support/mcp_client.hpp"

#include "support/parley_server.hpp"
#include "support/process.hpp"

namespace parley::testing {
namespace {

// Runs a Node script of tests/mcp with `args` and reads the JSON report it prints last.
Json RunReport(const std::string& script, std::vector<std::string> args) {
    // env finds node on the PATH (Debian's nodejs package or another install).
    std::vector<std::string> argv = {"/usr/bin/env", "node", std::string(PARLEY_SOURCE_DIR) + "/tests/mcp/" + script};
    argv.insert(argv.end(), args.begin(), args.end());
    Process client(argv);
    // A sandbox call or a browser runs in it; the sanitizer build is several times slower.
    client.ReadToEnd(std::chrono::seconds(300));
    const int code = client.Wait();
    const std::string output = client.output();
    const auto start = output.rfind("\n{");
    Json report = Json::parse(start == std::string::npos ? output : output.substr(start + 1), nullptr, false);
    if (!report.is_object()) report = Json{{"output", output}};
    if (code != 0 && !report.contains("failure")) report["failure"] = "exit code " + std::to_string(code);
    return report;
}

std::string McpUrl(uint16_t port) {
    return "http://127.0.0.1:" + std::to_string(port) + "/mcp";
}

}  // namespace

Json RunMcpSdkClient(uint16_t port, const std::string& key, const std::string& read_only_key) {
    return RunReport("client.mjs", {"--url", McpUrl(port), "--key", key, "--read-only-key", read_only_key, "--parley",
                                    ParleyBinary()});
}

Json RunMcpOAuthClient(uint16_t port, const std::string& key, const std::string& other_key,
                       const std::string& sign_in_link) {
    return RunReport("oauth.mjs",
                     {"--url", McpUrl(port), "--key", key, "--other-key", other_key, "--link", sign_in_link});
}

}  // namespace parley::testing
