#include "support/mcp_client.hpp"

#include "support/parley_server.hpp"
#include "support/process.hpp"

namespace parley::testing {

Json RunMcpSdkClient(uint16_t port, const std::string& key, const std::string& read_only_key) {
    // env finds node on the PATH (Debian's nodejs package or another install).
    Process client({"/usr/bin/env", "node", std::string(PARLEY_SOURCE_DIR) + "/tests/mcp/client.mjs", "--url",
                    "http://127.0.0.1:" + std::to_string(port) + "/mcp", "--key", key, "--read-only-key", read_only_key,
                    "--parley", ParleyBinary()});
    // A sandbox call runs in it; the sanitizer build is several times slower.
    client.ReadToEnd(std::chrono::seconds(300));
    const int code = client.Wait();
    const std::string output = client.output();
    const auto start = output.rfind("\n{");
    Json report = Json::parse(start == std::string::npos ? output : output.substr(start + 1), nullptr, false);
    if (!report.is_object()) report = Json{{"output", output}};
    if (code != 0 && !report.contains("failure")) report["failure"] = "exit code " + std::to_string(code);
    return report;
}

}  // namespace parley::testing
