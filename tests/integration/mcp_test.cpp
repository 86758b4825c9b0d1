#include <algorithm>

#include "support/fixture.hpp"
#include "support/mcp_client.hpp"

namespace parley::testing {
namespace {

class McpSdk : public ApiTest {};
PARLEY_BACKENDS(McpSdk);

bool Has(const Json& list, const std::string& item) {
    return list.is_array() && std::find(list.begin(), list.end(), Json(item)) != list.end();
}

// Whether the progress the SDK passed on is what Parley sends (every 100 items and the last), or
// the first of it. The SDK hands a notification to its handler a microtask later but a response
// at once, so the notifications that arrive in one read with the result are dropped ("unknown
// token"): over HTTP each event comes in a read of its own and only the last can be; through
// stdio, where the relay writes them at once, any can. What was sent is checked apart.
bool ProgressIs(const Json& seen, const std::string& sent, bool all_may_go = false) {
    Json expected = Json::parse(sent);
    while (!expected.empty()) {
        if (seen == expected) return true;
        expected.erase(expected.size() - 1);
        if (expected.empty() && !all_may_go) return false;
    }
    return seen == expected;
}

// The official MCP TypeScript SDK's client (tests/mcp/client.mjs) against `parley serve`: it
// negotiates the newest protocol version, compiles every tool's input schema, checks every
// call's arguments against it, and carries out 000_7bc22539f3d482ea.txt's example requests.
TEST_P(McpSdk, TheOfficialClientRunsTheSeedsExampleRequestsAsToolCalls) {
    auto ro = api().Post("/api/v1/api-keys", {{"name", "assistant (read only)"}, {"permission", "read_only"}});
    ASSERT_EQ(ro.status, 201) << ro.body;
    const Json report = RunMcpSdkClient(http().port(), org_.key, ro.json()["data"]["key"]);
    ASSERT_FALSE(report.contains("failure")) << report.dump(2);
    const Json& steps = report["steps"];

    EXPECT_EQ(report["protocol_version"], "2025-11-25");
    EXPECT_EQ(report["server"]["name"], "parley");
    EXPECT_EQ(report["session_id_prefix"], "mcps_");
    EXPECT_GE(report["tools"].size(), 42u);
    EXPECT_EQ(report["schema_problems"], Json::array()) << report["schema_problems"].dump(2);
    EXPECT_EQ(report["argument_problems"], Json::array()) << report["argument_problems"].dump(2);
    EXPECT_TRUE(Has(report["writing_tools"], "create_contact"));
    EXPECT_FALSE(Has(report["writing_tools"], "list_contacts"));

    // "Create a custom field called budget_range with options …"
    EXPECT_EQ(steps["custom_field"]["name"], "budget_range") << steps.dump(2);
    EXPECT_EQ(steps["custom_field"]["options"], Json({"under_10k", "10k_50k", "50k_plus"}));
    EXPECT_EQ(steps["duplicate_field_error"], "DUPLICATE");
    // "Add a budget_range extraction field to my Sales Qualifier profile"
    EXPECT_EQ(steps["found_profile"], true);
    EXPECT_EQ(steps["profile_extract_fields"], Json({"budget_range"}));
    // "Call +1 202 555 0100 and ask for their budget and timeline": the sandbox's qualified person.
    EXPECT_TRUE(Has(steps["help_for_call"], "trigger_call"));
    const Json& call = steps["call"];
    ASSERT_TRUE(call.is_object()) << steps.dump(2);
    EXPECT_EQ(call["status"], "completed");
    EXPECT_EQ(call["to_number"], "+12025550100");
    EXPECT_EQ(call["extracted"]["budget_range"], "50k_plus") << call.dump();  // "about seventy five thousand"
    EXPECT_TRUE(call["extracted"]["timeline"].is_string()) << call.dump();
    EXPECT_GT(steps["transcript_lines"].get<int>(), 4);
    // "Show me all calls from last week where a meeting was booked"
    EXPECT_EQ(call["meeting_booked"], true) << call.dump();
    EXPECT_EQ(steps["booked_calls"], Json::array({call["id"]}));
    // "Pause the outbound sales campaign"
    EXPECT_EQ(steps["help_for_pause"], "pause_campaign");
    EXPECT_EQ(steps["paused_status"], "paused");
    EXPECT_EQ(steps["pause_again_error"], "CONFLICT");

    // The server's stream: the contact the assistant made, and the bulk create's, as events.
    EXPECT_EQ(report["capabilities"]["logging"], Json::object()) << report["capabilities"];
    EXPECT_EQ(steps["streamed"]["level"], "info") << steps["streamed"];
    EXPECT_EQ(steps["streamed"]["logger"], "parley.events");
    EXPECT_GE(steps["streamed"]["events"].get<int>(), 351);

    // A bulk create followed with progress: notifications as it goes, then the result.
    EXPECT_TRUE(ProgressIs(steps["bulk"]["progress"], "[[100,350],[200,350],[300,350],[350,350]]")) << steps["bulk"];
    EXPECT_EQ(steps["bulk"]["created"], 350);

    EXPECT_EQ(steps["not_found_error"], "NOT_FOUND");
    // A saved report counts the meeting booked on the call above.
    EXPECT_EQ(steps["saved_report"]["meetings"], 1) << steps["saved_report"];
    EXPECT_EQ(steps["saved_report"]["csv_header"], "campaign_id,calls,meetings_booked");
    EXPECT_EQ(steps["unknown_tool"], -32602);
    EXPECT_NE(steps["after_end"].dump().find("Mcp-Session-Id"), std::string::npos) << steps["after_end"];

    EXPECT_EQ(report["read_only"]["tools"], report["tools"].size());
    EXPECT_TRUE(report["read_only"]["list_error"].is_null());
    EXPECT_EQ(report["read_only"]["create_error"], "READ_ONLY");
    EXPECT_EQ(api().Get("/api/v1/contacts?phone=%2B12025550111").json()["data"].size(), 0u);

    // `parley mcp --stdio`, started by the SDK's stdio transport as Claude Desktop starts servers.
    const Json& stdio = report["stdio"];
    EXPECT_EQ(stdio["server"], "parley") << stdio.dump();
    EXPECT_EQ(stdio["tools"], report["tools"].size());
    EXPECT_TRUE(Has(stdio["custom_fields"], "budget_range")) << stdio.dump();
    // The relay hands on every progress notification, then the result; the SDK passes on some.
    EXPECT_EQ(stdio["bulk"]["received"], Json::parse("[[100,150],[150,150]]")) << stdio.dump();
    EXPECT_EQ(stdio["bulk"]["result_last"], true) << stdio.dump();
    EXPECT_TRUE(ProgressIs(stdio["bulk"]["progress"], "[[100,150],[150,150]]", true)) << stdio.dump();
    EXPECT_EQ(stdio["bulk"]["created"], 150);
    EXPECT_EQ(stdio["relayed_event"], "contact.created") << stdio.dump();
    EXPECT_NE(stdio["wrong_key"].get<std::string>().find("UNAUTHORIZED"), std::string::npos) << stdio.dump();
}

// The SDK's OAuth client signs in as the Claude and ChatGPT connectors do, through Parley's
// sign-in page in Chromium (tests/mcp/oauth.mjs), and then the failures the RFCs name.
TEST_P(McpSdk, TheOfficialClientSignsInWithOAuthThroughTheSignInPage) {
    const OrgKey other = server_->CreateOrg();
    // A person who would rather not type a key into a browser asks the server for a link.
    auto [code, out] = server_->Cli({"login-link", "--org", org_.org_id, "--url",
                                     "http://127.0.0.1:" + std::to_string(http().port()), "--log-level", "warn"});
    ASSERT_EQ(code, 0) << out;
    const Json link = Json::parse(out);
    EXPECT_EQ(link["key_id"], org_.key_id);
    auto [refused, why] = server_->Cli({"login-link", "--org", "org_nosuch", "--log-level", "warn"});
    EXPECT_NE(refused, 0);
    EXPECT_NE(why.find("no organization org_nosuch"), std::string::npos) << why;

    const Json report = RunMcpOAuthClient(http().port(), org_.key, other.key, link["url"]);
    ASSERT_FALSE(report.contains("failure")) << report.dump(2);
    EXPECT_EQ(report["page"]["client"], "Parley integration test") << report.dump(2);
    EXPECT_EQ(report["page"]["scope"], "read and write");
    EXPECT_EQ(report["callback_has_iss"], true);
    EXPECT_EQ(report["client_id_prefix"], "oac_");
    EXPECT_EQ(report["token_prefix"], "pl_oat_");
    EXPECT_EQ(report["token_scope"], "read write");
    EXPECT_GE(report["tools"].get<int>(), 42);
    EXPECT_TRUE(report["create_error"].is_null());
    EXPECT_EQ(report["own_contacts"], Json::array({"+12025550142"}));
    EXPECT_EQ(report["rest_status"], 401) << "an access token is for /mcp only";
    EXPECT_EQ(report["other_contacts"], Json::array()) << "another organization's token sees none of it";
    EXPECT_EQ(report["denied"], "access_denied");
    EXPECT_TRUE(report["denied_tokens"].is_null());
    EXPECT_EQ(report["wrong_verifier"], "invalid_grant");
    EXPECT_EQ(report["after_wrong_verifier"], "invalid_grant") << "a failed exchange uses the code up";
    EXPECT_EQ(report["reused_code"], "invalid_grant");
    EXPECT_NE(report["after_reuse"].get<std::string>().find("revoked"), std::string::npos) << report["after_reuse"];
    EXPECT_EQ(report["refreshed"], 200);
    EXPECT_EQ(report["link"]["signed_in_as"], org_.key_id) << report.dump(2);
    EXPECT_EQ(report["link"]["key_field_shown"], false);
    EXPECT_GE(report["link"]["tools"].get<int>(), 42);
    EXPECT_NE(report["link"]["again"].get<std::string>().find("unknown, used or expired"), std::string::npos);
    EXPECT_EQ(report["refresh_again"], "invalid_grant");

    // The grants the sign-ins made, as the organization's owner sees them.
    const Json grants = api().Get("/api/v1/oauth/grants").json()["data"];
    // Three, newest first: the link's, open; the reused code's and the first sign-in's, ended by
    // the reuse and by the replayed refresh token.
    ASSERT_EQ(grants.size(), 3u) << grants.dump();
    for (const auto& grant : grants) {
        EXPECT_EQ(grant["client_name"], "Parley integration test");
        EXPECT_EQ(grant["granted_by"], org_.key_id);
        EXPECT_EQ(grant["revoked_at"].is_null(), &grant == &grants[0]) << grant.dump();
    }
}

// What a client sees over HTTP, without an SDK: the status codes of the transport.
TEST_P(McpSdk, TheTransportAnswersWithTheStatusesOfTheSpecification) {
    const std::string auth = "Bearer " + org_.key;
    const std::string init =
        R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{}}})";
    const std::vector<std::pair<std::string, std::string>> json = {{"Authorization", auth},
                                                                   {"Content-Type", "application/json"},
                                                                   {"Accept", "application/json, text/event-stream"}};
    auto opened = http().Send("POST", "/mcp", init, json);
    ASSERT_EQ(opened.status, 200) << opened.body;
    const std::string session = opened.header("mcp-session-id");
    ASSERT_TRUE(session.starts_with("mcps_"));
    EXPECT_EQ(opened.json()["result"]["protocolVersion"], "2025-06-18");

    auto with_session = json;
    with_session.emplace_back("Mcp-Session-Id", session);
    auto listed = http().Send("POST", "/mcp", R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})", with_session);
    ASSERT_EQ(listed.status, 200) << listed.body;
    EXPECT_GE(listed.json()["result"]["tools"].size(), 42u);
    // Every answer carries the key's rate-limit headers, as REST answers do.
    EXPECT_FALSE(listed.header("x-ratelimit-remaining").empty());

    // No key: 401 with a challenge; GET without accepting an event stream: 406; a body that is
    // not JSON: 415.
    auto anonymous = http().Send("POST", "/mcp", init, {{"Content-Type", "application/json"}});
    EXPECT_EQ(anonymous.status, 401);
    EXPECT_EQ(http().Send("GET", "/mcp", "", {{"Authorization", auth}}).status, 406);
    EXPECT_EQ(http().Send("POST", "/mcp", init, {{"Authorization", auth}, {"Content-Type", "text/plain"}}).status, 415);
    auto note = http().Send("POST", "/mcp", R"({"jsonrpc":"2.0","method":"notifications/initialized"})", with_session);
    EXPECT_EQ(note.status, 202);
    // A body over 8 MiB: 413, with a JSON-RPC error an MCP client reads.
    auto huge = http().Send("POST", "/mcp", std::string(8 * 1024 * 1024 + 1, ' '), with_session);
    EXPECT_EQ(huge.status, 413);
    EXPECT_EQ(huge.json()["error"]["code"], -32600) << huge.body;
    EXPECT_TRUE(huge.json()["id"].is_null());

    // Sessions live in the database: another organization's key does not find this one.
    const OrgKey other = server_->CreateOrg();
    auto stranger = with_session;
    stranger[0].second = "Bearer " + other.key;
    EXPECT_EQ(http().Send("POST", "/mcp", R"({"jsonrpc":"2.0","id":3,"method":"ping"})", stranger).status, 404);
    EXPECT_EQ(http().Send("DELETE", "/mcp", "", {{"Authorization", auth}, {"Mcp-Session-Id", session}}).status, 200);
    EXPECT_EQ(http().Send("POST", "/mcp", R"({"jsonrpc":"2.0","id":4,"method":"ping"})", with_session).status, 404);
}

}  // namespace
}  // namespace parley::testing
