#include <regex>

#include "support/fixture.hpp"

namespace parley::testing {
namespace {

class PermissionsApi : public ApiTest {
protected:
    ApiClient Key(const Json& body) {
        auto res = api().Post("/api/v1/api-keys", body);
        EXPECT_EQ(res.status, 201) << res.body;
        return server_->Client(res.json()["data"]["key"].get<std::string>());
    }
};
PARLEY_BACKENDS(PermissionsApi);

// Generated from the OpenAPI description the server serves: every operation that needs a key
// is sent by each kind of key it must refuse, first plainly, then with an Idempotency-Key that
// an owner key already used for the same request. Every refusal comes from the header alone,
// before the handler or a replay. A new route is covered once it is described, and the OpenApi
// unit tests hold every route to its description.
TEST_P(PermissionsApi, EveryDescribedRouteRefusesTheKeysItMustRefuseBeforeAnyWork) {
    const Json doc = http().Send("GET", "/api/v1/openapi.json").json();
    ASSERT_TRUE(doc.contains("paths"));
    const auto write_only = Key({{"name", "wo"}, {"permission", "write_only"}, {"role", "admin"}});
    const auto read_only = Key({{"name", "ro"}, {"permission", "read_only"}, {"role", "admin"}});
    const auto test_key = Key({{"name", "test"}, {"mode", "test"}, {"role", "admin"}});
    const auto member = Key({{"name", "member"}});
    const std::regex parameter("\\{([a-z_]+)\\}");
    int checked = 0;
    for (const auto& [path, operations] : doc["paths"].items()) {
        const std::string target = std::regex_replace(path, parameter, "x_missing_$1");
        for (const auto& [method_name, op] : operations.items()) {
            if (!op.contains("x-parley-access")) continue;
            std::string method = method_name;
            for (auto& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            const std::string access = op["x-parley-access"];
            // Any key may speak MCP; its tools are their routes, each checked as here (mcp tests).
            if (access == "key") continue;
            const bool managers = op.contains("x-parley-roles");
            const bool has_body = method == "POST" || method == "PUT" || method == "PATCH";
            SCOPED_TRACE(method + " " + path);
            std::vector<std::pair<const ApiClient*, std::string>> refusals;
            if (access == "read" || access == "secret") refusals.emplace_back(&write_only, "WRITE_ONLY");
            if (access == "write" || access == "secret") {
                refusals.emplace_back(&read_only, "READ_ONLY");
                refusals.emplace_back(&test_key, "TEST_KEY");
            }
            if (managers) refusals.emplace_back(&member, "FORBIDDEN");
            ASSERT_FALSE(refusals.empty()) << "x-parley-access " << access;
            const std::string body = has_body ? "{}" : "";
            const std::string idempotency_key = "perm-" + method + path;
            if (method == "POST") api().Send(method, target, body, {{"Idempotency-Key", idempotency_key}});
            for (const auto& [client, code] : refusals) {
                ExpectError(client->Send(method, target, body), 403, code);
                if (method != "POST") continue;
                auto replay = client->Send(method, target, body, {{"Idempotency-Key", idempotency_key}});
                ExpectError(replay, 403, code);
                EXPECT_TRUE(replay.header("idempotent-replayed").empty());
            }
            ++checked;
        }
    }
    EXPECT_GT(checked, 80);
}

}  // namespace
}  // namespace parley::testing
