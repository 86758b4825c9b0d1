#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <thread>

#include "api/api.hpp"
#include "api/test_api.hpp"
#include "mcp/discovery.hpp"
#include "mcp/event_streams.hpp"
#include "mcp/server.hpp"

namespace parley::mcp {
namespace {

constexpr int64_t kStart = 1'800'000'000'000;

// An MCP client speaking to the real API in-process, as the HTTP server hands it requests.
class McpOverApi : public ::testing::Test {
protected:
    McpOverApi() : fixture_(clock_) {
        auto org = fixture_.keys().CreateOrganization("Acme", domain::Tier::kStandard);
        EXPECT_TRUE(org);
        org_id_ = org->first.id;
        key_ = org->second.secret;
    }

    std::string Key(domain::Permission permission) {
        auto key = fixture_.keys().CreateKey(org_id_, {"k", domain::KeyMode::kLive, permission, domain::Role::kAdmin});
        EXPECT_TRUE(key);
        return key->secret;
    }

    http::Response Send(const std::string& method, const std::string& body, const std::string& key,
                        const std::string& session, http::Fields extra = {}) {
        http::Request req;
        req.method = method;
        req.path = req.target = "/mcp";
        req.headers = {{"authorization", "Bearer " + key}};
        const bool accept = std::ranges::any_of(extra, [](const auto& h) { return h.first == "accept"; });
        if (!accept) req.headers.emplace_back("accept", "application/json, text/event-stream");
        if (!body.empty()) {
            req.headers.emplace_back("content-type", "application/json");
            req.headers.emplace_back("content-length", std::to_string(body.size()));
        }
        if (!session.empty()) req.headers.emplace_back("mcp-session-id", session);
        for (auto& h : extra) req.headers.push_back(std::move(h));
        req.body = body;
        return fixture_.api().Handle(req);
    }

    static std::string Header(const http::Response& res, std::string_view name) {
        for (const auto& [k, v] : res.headers) {
            if (k == name) return v;
        }
        return "";
    }

    // initialize; the session id.
    std::string Open(const std::string& key, const std::string& version = "2025-11-25") {
        const Json init = {{"jsonrpc", "2.0"},
                           {"id", 0},
                           {"method", "initialize"},
                           {"params",
                            {{"protocolVersion", version},
                             {"capabilities", Json::object()},
                             {"clientInfo", {{"name", "test"}, {"version", "1"}}}}}};
        auto res = Send("POST", init.dump(), key, "");
        EXPECT_EQ(res.status, 200) << res.body;
        return Header(res, "Mcp-Session-Id");
    }

    Json Rpc(const std::string& method, const Json& params, int expect_status = 200) {
        if (session_.empty()) session_ = Open(key_);
        const Json message = {{"jsonrpc", "2.0"}, {"id", ++next_id_}, {"method", method}, {"params", params}};
        auto res = Send("POST", message.dump(), key_, session_);
        EXPECT_EQ(res.status, expect_status) << res.body;
        return Json::parse(res.body, nullptr, false);
    }

    // tools/call's result.
    Json Call(const std::string& tool, const Json& arguments) {
        const Json answer = Rpc("tools/call", {{"name", tool}, {"arguments", arguments}});
        EXPECT_TRUE(answer.contains("result")) << answer.dump();
        return answer.value("result", Json::object());
    }

    http::Response Rest(const std::string& method, const std::string& path, const std::string& body) {
        http::Request req;
        req.method = method;
        req.path = req.target = path;
        req.headers = {{"authorization", "Bearer " + key_}};
        if (!body.empty()) {
            req.headers.emplace_back("content-type", "application/json");
            req.headers.emplace_back("content-length", std::to_string(body.size()));
        }
        req.body = body;
        return fixture_.api().Handle(req);
    }

    static Json WithoutRequestId(Json error) {
        error.erase("request_id");
        return error;
    }

    ManualClock clock_{kStart};
    api::ApiOverSqlite fixture_;
    std::string org_id_;
    std::string key_;
    std::string session_;
    int next_id_ = 0;
};

TEST_F(McpOverApi, InitializeNegotiatesTheVersionAndOpensASession) {
    const Json init = {{"jsonrpc", "2.0"},
                       {"id", "a"},
                       {"method", "initialize"},
                       {"params", {{"protocolVersion", "2025-06-18"}, {"capabilities", Json::object()}}}};
    auto res = Send("POST", init.dump(), key_, "");
    ASSERT_EQ(res.status, 200) << res.body;
    const Json answer = Json::parse(res.body);
    EXPECT_EQ(answer["id"], "a");
    EXPECT_EQ(answer["result"]["protocolVersion"], "2025-06-18");
    EXPECT_TRUE(answer["result"]["capabilities"].contains("tools"));
    EXPECT_EQ(answer["result"]["serverInfo"]["name"], "parley");
    EXPECT_TRUE(Header(res, "Mcp-Session-Id").starts_with("mcps_"));

    // A version Parley does not speak: it answers with the newest it does.
    auto later = Send("POST", Json(init).dump().replace(init.dump().find("2025-06-18"), 10, "2099-01-01"), key_, "");
    ASSERT_EQ(later.status, 200) << later.body;
    EXPECT_EQ(Json::parse(later.body)["result"]["protocolVersion"], kProtocolVersions[0]);
}

TEST_F(McpOverApi, ASessionIsNeededFoundOnlyWithItsOwnKeyAndEndedByDelete) {
    const std::string ping = R"({"jsonrpc":"2.0","id":1,"method":"ping"})";
    auto none = Send("POST", ping, key_, "");
    EXPECT_EQ(none.status, 400) << none.body;
    EXPECT_EQ(Json::parse(none.body)["error"]["code"], -32000);
    EXPECT_EQ(Send("POST", ping, key_, "mcps_unknown").status, 404);

    const std::string session = Open(key_);
    auto pong = Send("POST", ping, key_, session);
    ASSERT_EQ(pong.status, 200) << pong.body;
    EXPECT_EQ(Json::parse(pong.body)["result"], Json::object());
    // Another key of the same organization does not find it.
    const auto other = Key(domain::Permission::kFull);
    auto stranger = Send("POST", ping, other, session);
    EXPECT_EQ(stranger.status, 404);
    EXPECT_EQ(Json::parse(stranger.body)["error"]["code"], -32001);
    EXPECT_EQ(Send("DELETE", "", other, session).status, 404);

    EXPECT_EQ(Send("DELETE", "", key_, session).status, 200);
    EXPECT_EQ(Send("POST", ping, key_, session).status, 404);
    EXPECT_EQ(Send("DELETE", "", key_, session).status, 404);
}

TEST_F(McpOverApi, ASessionUnusedForADayExpiresAndUseKeepsItOpen) {
    const std::string ping = R"({"jsonrpc":"2.0","id":1,"method":"ping"})";
    const std::string session = Open(key_);
    for (int hour = 0; hour < 30; hour += 2) {
        clock_.Advance(2 * 3'600'000);
        ASSERT_EQ(Send("POST", ping, key_, session).status, 200) << "after " << hour + 2 << " hours in use";
    }
    clock_.Advance(24 * 3'600'000 + 1);
    EXPECT_EQ(Send("POST", ping, key_, session).status, 404);
}

TEST_F(McpOverApi, ListsSeedZeroZeroZerosToolsEachWithAnObjectSchemaAndWhetherItWrites) {
    const Json answer = Rpc("tools/list", Json::object());
    std::set<std::string> names;
    for (const auto& tool : answer["result"]["tools"]) {
        const std::string name = tool["name"];
        SCOPED_TRACE(name);
        names.insert(name);
        EXPECT_EQ(tool["inputSchema"]["type"], "object");
        EXPECT_FALSE(tool["description"].get<std::string>().empty());
        const bool read_only = tool["annotations"]["readOnlyHint"];
        if (name.starts_with("list_") || name.starts_with("get_") || name == "help" || name == "suggest_options") {
            EXPECT_TRUE(read_only);
        }
        if (name.starts_with("create_") || name.starts_with("update_") || name.starts_with("delete_")) {
            EXPECT_FALSE(read_only);
        }
    }
    // 000_7bc22539f3d482ea.txt "MCP Server": 40 tools in 8 categories.
    for (const char* seed_tool : {"trigger_call",        "list_calls",          "get_recording",
                                  "get_transcript",      "trigger_batch",       "get_batch_status",
                                  "get_batch_results",   "create_profile",      "list_profiles",
                                  "get_profile",         "update_profile",      "archive_profile",
                                  "list_contacts",       "get_contact",         "create_contact",
                                  "update_contact",      "delete_contact",      "bulk_create_contacts",
                                  "add_to_dnc",          "remove_from_dnc",     "list_campaigns",
                                  "get_campaign",        "start_campaign",      "stop_campaign",
                                  "pause_campaign",      "resume_campaign",     "list_reports",
                                  "get_report",          "execute_report",      "export_report",
                                  "list_webhooks",       "subscribe_webhook",   "unsubscribe_webhook",
                                  "get_webhook_sample",  "list_custom_fields",  "create_custom_field",
                                  "update_custom_field", "delete_custom_field", "help",
                                  "suggest_options"}) {
        EXPECT_TRUE(names.contains(seed_tool)) << seed_tool;
    }
    const auto& tools = answer["result"]["tools"];
    auto schema_of = [&](std::string_view name) {
        for (const auto& t : tools) {
            if (t["name"] == name) return t["inputSchema"];
        }
        return Json();
    };
    // Path parameters are required arguments; the body's required fields too.
    EXPECT_EQ(schema_of("update_profile")["required"], Json::array({"id"}));
    EXPECT_TRUE(schema_of("update_profile")["properties"].contains("opener"));
    EXPECT_TRUE(schema_of("create_custom_field")["properties"]["type"].contains("enum"));
    EXPECT_TRUE(schema_of("list_calls")["properties"].contains("has_meeting"));
}

TEST_F(McpOverApi, AToolCallIsItsRouteWithTheSameResultsAndErrors) {
    const Json field = {{"name", "budget_range"}, {"type", "enum"}, {"options", {"under_10k", "10k_50k", "50k_plus"}}};
    const Json created = Call("create_custom_field", field);
    EXPECT_EQ(created["isError"], false) << created.dump();
    EXPECT_EQ(created["structuredContent"]["data"]["name"], "budget_range");
    EXPECT_EQ(created["content"][0]["type"], "text");
    EXPECT_NE(created["content"][0]["text"].get<std::string>().find("budget_range"), std::string::npos);

    const Json again = Call("create_custom_field", field);
    EXPECT_EQ(again["isError"], true);
    const auto rest = Rest("POST", "/api/v1/custom-fields", field.dump());
    ASSERT_EQ(rest.status, 409) << rest.body;
    EXPECT_EQ(WithoutRequestId(again["structuredContent"]["error"]), WithoutRequestId(Json::parse(rest.body)["error"]));
    EXPECT_EQ(again["structuredContent"]["http_status"], 409);

    const Json bad = {{"first_name", "Ann"}, {"phone", "not a phone"}, {"colour", "red"}};
    const Json refused = Call("create_contact", bad);
    EXPECT_EQ(refused["isError"], true);
    const auto rest_bad = Rest("POST", "/api/v1/contacts", bad.dump());
    ASSERT_EQ(rest_bad.status, 400);
    EXPECT_EQ(WithoutRequestId(refused["structuredContent"]["error"]),
              WithoutRequestId(Json::parse(rest_bad.body)["error"]));
    EXPECT_EQ(refused["structuredContent"]["error"]["code"], "VALIDATION_ERROR");

    // Path and query parameters.
    const Json contact = Call("create_contact", {{"first_name", "Ann"}, {"phone", "+12025550123"}, {"tags", {"vip"}}});
    ASSERT_EQ(contact["isError"], false) << contact.dump();
    const std::string id = contact["structuredContent"]["data"]["id"];
    EXPECT_EQ(Call("get_contact", {{"id", id}})["structuredContent"]["data"]["first_name"], "Ann");
    const Json listed = Call("list_contacts", {{"tag", "vip"}, {"limit", 10}});
    ASSERT_EQ(listed["structuredContent"]["data"].size(), 1u) << listed.dump();
    EXPECT_EQ(listed["structuredContent"]["meta"]["has_more"], false);
    const Json missing = Call("get_contact", {{"id", "ct_01aaaaaaaaaaaaaaaaaaaaaaaa"}});
    EXPECT_EQ(missing["structuredContent"]["error"]["code"], "NOT_FOUND");
    const Json no_id = Call("get_contact", Json::object());
    EXPECT_EQ(no_id["isError"], true);
    EXPECT_EQ(no_id["structuredContent"]["error"]["code"], "VALIDATION_ERROR");
    EXPECT_EQ(Call("get_contact", {{"id", "a/b"}})["structuredContent"]["error"]["code"], "VALIDATION_ERROR");
    EXPECT_EQ(Call("list_contacts", {{"nonsense", 1}})["structuredContent"]["error"]["code"], "VALIDATION_ERROR");
    EXPECT_EQ(Call("list_contacts", {{"tag", {{"a", 1}}}})["structuredContent"]["error"]["code"], "VALIDATION_ERROR");

    const Json dnc = Call("add_to_dnc", {{"phone", "+12025550123"}, {"note", "asked on the phone"}});
    EXPECT_EQ(dnc["isError"], false) << dnc.dump();
    EXPECT_EQ(Call("check_dnc", {{"phone", "+12025550123"}})["structuredContent"]["data"]["on_dnc_list"], true);
    EXPECT_EQ(Call("remove_from_dnc", {{"phone", "+12025550123"}})["isError"], false);
}

TEST_F(McpOverApi, AReadOnlyKeyListsEveryToolAndReadsButCannotCallAToolThatWrites) {
    key_ = Key(domain::Permission::kReadOnly);
    const Json tools = Rpc("tools/list", Json::object());
    EXPECT_GT(tools["result"]["tools"].size(), 40u);
    EXPECT_EQ(Call("list_contacts", Json::object())["isError"], false);
    const Json refused = Call("create_contact", {{"phone", "+12025550123"}});
    EXPECT_EQ(refused["isError"], true);
    EXPECT_EQ(refused["structuredContent"]["error"]["code"], "READ_ONLY");
    EXPECT_EQ(refused["structuredContent"]["http_status"], 403);
    auto rest = Rest("GET", "/api/v1/contacts", "");
    EXPECT_EQ(Json::parse(rest.body)["data"].size(), 0u) << "the refused tool call wrote nothing";
}

TEST_F(McpOverApi, ToolCallsAreRateLimitedLikeTheRoutesTheyRun) {
    // The standard tier allows 20 requests a second (and 100 a minute); the clock stands still.
    int allowed = 0;
    Json last;
    for (int i = 0; i < 25; ++i) {
        last = Call("list_contacts", Json::object());
        if (last["isError"] == false) ++allowed;
    }
    EXPECT_LT(allowed, 21);
    EXPECT_EQ(last["structuredContent"]["error"]["code"], "RATE_LIMIT_EXCEEDED");
    EXPECT_GT(last["structuredContent"]["retry_after_seconds"].get<int>(), 0);
    EXPECT_EQ(Rest("GET", "/api/v1/contacts", "").status, 429) << "REST and MCP share the key's limit";
}

TEST_F(McpOverApi, BadJsonRpcGetsJsonRpcErrors) {
    session_ = Open(key_);
    auto send = [&](const std::string& body) { return Send("POST", body, key_, session_); };
    auto code_of = [](const http::Response& res) { return Json::parse(res.body)["error"]["code"].get<int>(); };

    auto malformed = send("{\"jsonrpc\": \"2.0\", ");
    EXPECT_EQ(malformed.status, 400);
    EXPECT_EQ(code_of(malformed), -32700);
    auto deep = send(std::string(200, '[') + std::string(200, ']'));
    EXPECT_EQ(deep.status, 400);
    EXPECT_EQ(code_of(deep), -32700);

    EXPECT_EQ(code_of(send(R"({"jsonrpc":"1.0","id":1,"method":"ping"})")), -32600);
    EXPECT_EQ(code_of(send(R"({"jsonrpc":"2.0","id":{"x":1},"method":"ping"})")), -32600);
    EXPECT_EQ(code_of(send(R"({"jsonrpc":"2.0","id":1,"method":"resources/list"})")), -32601);
    EXPECT_EQ(code_of(send(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{}})")), -32602);
    EXPECT_EQ(code_of(send(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"nope"}})")), -32602);
    EXPECT_EQ(code_of(send(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":[1]})")), -32602);
    EXPECT_EQ(code_of(send(R"({"jsonrpc":"2.0","id":1,"method":"tools/call",
                              "params":{"name":"list_contacts","arguments":[1]}})")),
              -32602);
    auto init_in_batch =
        send(R"([{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25"}}])");
    EXPECT_EQ(init_in_batch.status, 400);
    EXPECT_EQ(code_of(init_in_batch), -32600);
    EXPECT_EQ(code_of(send("[]")), -32600);

    // Batches: answered in order, at most 32 messages.
    auto batch = send(R"([{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/x"},
                         {"jsonrpc":"2.0","id":2,"method":"nope"}])");
    ASSERT_EQ(batch.status, 200) << batch.body;
    const Json answers = Json::parse(batch.body);
    ASSERT_EQ(answers.size(), 2u);
    EXPECT_EQ(answers[0]["id"], 1);
    EXPECT_EQ(answers[1]["error"]["code"], -32601);
    Json huge = Json::array();
    for (int i = 0; i < 33; ++i) huge.push_back({{"jsonrpc", "2.0"}, {"id", i}, {"method", "ping"}});
    auto too_many = send(huge.dump());
    EXPECT_EQ(too_many.status, 400);
    EXPECT_EQ(code_of(too_many), -32600);

    // Notifications only: 202, nothing to answer.
    auto note = send(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
    EXPECT_EQ(note.status, 202);
    EXPECT_TRUE(note.body.empty());

    auto version = Send("POST", R"({"jsonrpc":"2.0","id":1,"method":"ping"})", key_, session_,
                        {{"mcp-protocol-version", "1999-01-01"}});
    EXPECT_EQ(version.status, 400);
    auto origin = Send("POST", R"({"jsonrpc":"2.0","id":1,"method":"ping"})", key_, session_,
                       {{"origin", "https://evil.example"}, {"host", "127.0.0.1:8080"}});
    EXPECT_EQ(origin.status, 403);
    auto html_only =
        Send("POST", R"({"jsonrpc":"2.0","id":1,"method":"ping"})", key_, session_, {{"accept", "text/html"}});
    EXPECT_EQ(html_only.status, 406);
}

// Seed 000's report tools: a report saved, run and exported as CSV through tools.
TEST_F(McpOverApi, ReportToolsSaveRunAndExportAReport) {
    const Json created = Call("create_report", {{"name", "Calls by direction, \"weekly\""},
                                                {"date_range", "last_7_days"},
                                                {"group_by", {"direction"}},
                                                {"metrics", {"calls", "answered"}}});
    ASSERT_EQ(created["isError"], false) << created.dump();
    const std::string id = created["structuredContent"]["data"]["id"];
    EXPECT_TRUE(id.starts_with("rpt_"));
    EXPECT_EQ(Call("list_reports", Json::object())["structuredContent"]["data"][0]["id"], id);
    const Json run = Call("execute_report", {{"id", id}, {"date_range", "today"}});
    ASSERT_EQ(run["isError"], false) << run.dump();
    EXPECT_EQ(run["structuredContent"]["data"]["report"]["id"], id);
    EXPECT_EQ(run["structuredContent"]["data"]["totals"], Json({{"calls", 0}, {"answered", 0}}));
    const Json csv = Call("export_report", {{"id", id}, {"format", "csv"}});
    ASSERT_EQ(csv["isError"], false) << csv.dump();
    EXPECT_EQ(csv["content"][0]["text"], "direction,calls,answered\r\n");
    // A PDF comes back as an embedded resource (base64), with a line that says what it is.
    const Json pdf = Call("export_report", {{"id", id}, {"format", "pdf"}});
    ASSERT_EQ(pdf["isError"], false) << pdf.dump().substr(0, 400);
    ASSERT_EQ(pdf["content"].size(), 2u);
    EXPECT_TRUE(pdf["content"][0]["text"].get<std::string>().starts_with("A PDF of ")) << pdf["content"][0];
    const Json& resource = pdf["content"][1]["resource"];
    EXPECT_EQ(pdf["content"][1]["type"], "resource");
    EXPECT_EQ(resource["mimeType"], "application/pdf");
    EXPECT_TRUE(resource["uri"].get<std::string>().ends_with(".pdf")) << resource["uri"];
    EXPECT_TRUE(resource["blob"].get<std::string>().starts_with("JVBERi0xL")) << "base64 of %PDF-1.";
    EXPECT_EQ(Call("export_report", {{"id", id}, {"format", "xlsx"}})["isError"], true);
    EXPECT_EQ(Call("get_report", {{"id", "rpt_missing"}})["structuredContent"]["error"]["code"], "NOT_FOUND");
}

TEST(McpHelp, MapsEveryPhraseItKnowsToItsToolAndTheSeedsExamplesFirst) {
    size_t phrases = 0;
    for (const auto& intent : Intents()) {
        size_t start = 0;
        const std::string_view all = intent.phrases;
        while (start <= all.size()) {
            const size_t end = std::min(all.find('|', start), all.size());
            const std::string phrase(all.substr(start, end - start));
            start = end + 1;
            ++phrases;
            const auto matches = MatchIntents("I want to change the " + phrase + " please", 10);
            bool found = false;
            for (const auto* m : matches) found = found || (m->tool == intent.tool && m->field == intent.field);
            EXPECT_TRUE(found) << "\"" << phrase << "\" does not lead to " << intent.tool;
        }
    }
    EXPECT_GE(phrases, 50u);
    auto first = [](std::string_view words) {
        const auto m = MatchIntents(words);
        return m.empty() ? std::string()
                         : std::string(m[0]->tool) + (m[0]->field.empty() ? "" : "." + std::string(m[0]->field));
    };
    EXPECT_EQ(first("greeting"), "update_profile.opener");
    EXPECT_EQ(first("change the Greetings of my agent"), "update_profile.opener");
    EXPECT_EQ(first("do not call"), "add_to_dnc");
    EXPECT_EQ(first("Pause the outbound sales campaign"), "pause_campaign");
    EXPECT_EQ(first("show calls where a meeting booked"), "list_calls.has_meeting");
    EXPECT_TRUE(MatchIntents("zzz qqq").empty());
}

TEST_F(McpOverApi, HelpAndSuggestOptionsAnswerAsTools) {
    const Json help = Call("help", {{"query", "change the greeting"}});
    EXPECT_EQ(help["isError"], false);
    EXPECT_EQ(help["structuredContent"]["matches"][0]["tool"], "update_profile");
    EXPECT_EQ(help["structuredContent"]["matches"][0]["field"], "opener");
    EXPECT_EQ(Call("help", Json::object())["isError"], true);

    ASSERT_EQ(Call("create_custom_field", {{"name", "budget_range"}, {"type", "string"}})["isError"], false);
    ASSERT_EQ(Call("create_custom_field", {{"name", "timeline"}, {"type", "string"}})["isError"], false);
    const Json found = Call("suggest_options", {{"keyword", "Budget"}});
    ASSERT_EQ(found["isError"], false) << found.dump();
    const auto& fields = found["structuredContent"]["custom_fields"]["items"];
    ASSERT_EQ(fields.size(), 1u) << found.dump();
    EXPECT_EQ(fields[0]["name"], "budget_range");
    const Json events = Call("suggest_options", {{"kind", "webhook_events"}, {"keyword", "campaign"}});
    const auto& listed = events["structuredContent"]["webhook_events"]["items"];
    ASSERT_EQ(listed.size(), 5u) << events.dump();
    EXPECT_EQ(listed[0]["event"], "campaign.started");
    EXPECT_FALSE(events["structuredContent"].contains("profiles"));
    EXPECT_EQ(Call("suggest_options", {{"kind", "planets"}})["isError"], true);
}

// A tool that reports progress, called with a progress token by a client that reads event
// streams: notifications/progress as the work goes, then the result, all in one event stream.
TEST_F(McpOverApi, ABulkToolCalledWithAProgressTokenStreamsItsProgressThenItsResult) {
    session_ = Open(key_);
    Json contacts = Json::array();
    for (int i = 0; i < 250; ++i) contacts.push_back({{"phone", "+1202555" + std::to_string(1000 + i)}});
    contacts[7] = {{"phone", "not a number"}};
    auto call = [&](const Json& arguments, const Json& meta, const std::string& tool = "bulk_create_contacts",
                    const std::string& accept = "application/json, text/event-stream") {
        Json params = {{"name", tool}, {"arguments", arguments}};
        if (!meta.is_null()) params["_meta"] = meta;
        const Json message = {{"jsonrpc", "2.0"}, {"id", ++next_id_}, {"method", "tools/call"}, {"params", params}};
        return Send("POST", message.dump(), key_, session_, {{"accept", accept}});
    };
    // The stream's events, as a client reads them.
    auto events = [](const http::Response& res) {
        EXPECT_EQ(res.content_type, "text/event-stream");
        EXPECT_TRUE(res.stream);
        std::vector<Json> out;
        if (!res.stream) return out;
        auto body = std::make_shared<http::BodyStream>();
        res.stream(body);
        bool ended = false;
        std::string text;
        for (auto& piece : body->Take(ended)) text += piece;
        EXPECT_TRUE(ended);
        for (size_t at = 0; (at = text.find("data: ", at)) != std::string::npos;) {
            const size_t end = text.find("\n\n", at);
            out.push_back(Json::parse(text.substr(at + 6, end - at - 6)));
            at = end;
        }
        return out;
    };

    auto streamed = events(call({{"contacts", contacts}}, {{"progressToken", "bulk-1"}}));
    ASSERT_EQ(streamed.size(), 4u);
    std::vector<int64_t> progress;
    for (size_t i = 0; i + 1 < streamed.size(); ++i) {
        EXPECT_EQ(streamed[i]["method"], "notifications/progress");
        EXPECT_EQ(streamed[i]["params"]["progressToken"], "bulk-1");
        EXPECT_EQ(streamed[i]["params"]["total"], 250);
        progress.push_back(streamed[i]["params"]["progress"]);
    }
    EXPECT_EQ(progress, (std::vector<int64_t>{100, 200, 250}));
    const Json& result = streamed.back();
    EXPECT_EQ(result["id"], next_id_);
    EXPECT_EQ(result["result"]["isError"], false) << result.dump();
    EXPECT_EQ(result["result"]["structuredContent"]["data"]["created"], 249);

    // A batch of calls reports too: here every item is refused (a number that is not one).
    Json calls = Json::array();
    for (int i = 0; i < 120; ++i) calls.push_back({{"phone", "12"}});
    const auto profile = Call("create_profile", {{"name", "Sales Qualifier"}, {"opener", "Hi"}});
    ASSERT_EQ(profile["isError"], false) << profile.dump();
    const std::string profile_id = profile["structuredContent"]["data"]["id"];
    auto batch = events(call({{"profile_id", profile_id}, {"calls", calls}}, {{"progressToken", 7}}, "trigger_batch"));
    ASSERT_EQ(batch.size(), 3u);
    EXPECT_EQ(batch[0]["params"]["progressToken"], 7);
    EXPECT_EQ(batch[0]["params"]["progress"], 100);
    EXPECT_EQ(batch[1]["params"]["progress"], 120);
    EXPECT_EQ(batch.back()["result"]["structuredContent"]["data"]["rejected"], 120) << batch.back().dump();

    // Without a token, to a client that reads JSON only, or for a tool that does not report:
    // one JSON answer.
    for (const auto& res :
         {call({{"contacts", contacts}}, nullptr),
          call({{"contacts", contacts}}, {{"progressToken", "b"}}, "bulk_create_contacts", "application/json"),
          call(Json::object(), {{"progressToken", "c"}}, "list_contacts")}) {
        EXPECT_EQ(res.content_type, "application/json");
        EXPECT_FALSE(res.stream);
        EXPECT_TRUE(Json::parse(res.body).contains("result")) << res.body;
    }
    // A token that is neither a string nor an integer is not one.
    EXPECT_FALSE(call({{"contacts", contacts}}, {{"progressToken", 1.5}}).stream);
}

// GET /mcp: the session's stream of its organization's events, as notifications/message.
TEST_F(McpOverApi, TheServerStreamCarriesTheOrganizationsEventsUntilTheSessionEnds) {
    session_ = Open(key_);
    const http::Fields stream_accept = {{"accept", "text/event-stream"}};
    EXPECT_EQ(Send("GET", "", key_, session_, {{"accept", "application/json"}}).status, 406);
    EXPECT_EQ(Send("GET", "", key_, "", stream_accept).status, 400);
    EXPECT_EQ(Send("GET", "", key_, "mcps_unknown", stream_accept).status, 404);
    EXPECT_EQ(
        Send("GET", "", Key(domain::Permission::kWriteOnly), Open(Key(domain::Permission::kWriteOnly)), stream_accept)
            .status,
        404)
        << "a session belongs to the key that opened it";
    const std::string write_only = Key(domain::Permission::kWriteOnly);
    EXPECT_EQ(Send("GET", "", write_only, Open(write_only), stream_accept).status, 403);

    auto res = Send("GET", "", key_, session_, stream_accept);
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.content_type, "text/event-stream");
    ASSERT_TRUE(res.stream);
    auto body = std::make_shared<http::BodyStream>();
    res.stream(body);
    // What the stream has sent until `done` says it has all it needs, or 10 s have passed.
    std::string text;
    bool ended = false;
    auto read_until = [&](const std::function<bool()>& done) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!done() && !ended && std::chrono::steady_clock::now() < deadline) {
            for (auto& piece : body->Take(ended)) text += piece;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    };
    read_until([&] { return text.starts_with(": stream open\n\n"); });
    EXPECT_TRUE(text.starts_with(": stream open\n\n")) << text;

    ASSERT_EQ(Rest("POST", "/api/v1/contacts", R"({"phone":"+12025550123","first_name":"Ada"})").status, 201);
    read_until([&] { return text.find("contact.created") != std::string::npos; });
    const auto data = text.find("data: ");
    ASSERT_NE(data, std::string::npos) << text;
    const Json message = Json::parse(text.substr(data + 6, text.find("\n\n", data) - data - 6));
    EXPECT_EQ(message["method"], "notifications/message");
    EXPECT_EQ(message["params"]["level"], "info");
    EXPECT_EQ(message["params"]["logger"], "parley.events");
    EXPECT_EQ(message["params"]["data"]["event"], "contact.created");
    EXPECT_EQ(message["params"]["data"]["data"]["phone"], "+12025550123") << message.dump();

    // Above info, events are not sent; a level that is not one is refused.
    EXPECT_EQ(Rpc("logging/setLevel", {{"level", "loud"}})["error"]["code"], -32602);
    EXPECT_TRUE(Rpc("logging/setLevel", {{"level", "warning"}}).contains("result"));
    text.clear();
    ASSERT_EQ(Rest("POST", "/api/v1/contacts", R"({"phone":"+12025550124"})").status, 201);
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    for (auto& piece : body->Take(ended)) text += piece;
    EXPECT_EQ(text.find("data: "), std::string::npos) << text;

    // A key has at most four streams; ending the session ends its stream.
    std::vector<std::shared_ptr<http::BodyStream>> more;
    for (int i = 0; i < 3; ++i) {
        auto another = Send("GET", "", key_, session_, stream_accept);
        ASSERT_EQ(another.status, 200);
        more.push_back(std::make_shared<http::BodyStream>());
        another.stream(more.back());
    }
    EXPECT_EQ(Send("GET", "", key_, session_, stream_accept).status, 429);
    ASSERT_EQ(Send("DELETE", "", key_, session_).status, 200);
    read_until([] { return false; });
    EXPECT_TRUE(ended);
    EXPECT_TRUE(std::ranges::all_of(more, [](const auto& b) {
        bool over = false;
        b->Take(over);
        return over;
    }));
}

// A stream far behind (a large import) skips to the newest event and says so, then goes on.
TEST_F(McpOverApi, AStreamTooFarBehindSkipsToTheNewestEventAndSaysSo) {
    EventStreams::Options options;
    options.max_events_per_read = 5;
    options.max_events_per_tick = 10;
    EventStreams streams(fixture_.store(), clock_, options);
    domain::McpSession session;
    session.id = "mcps_test";
    session.org_id = org_id_;
    session.key_id = "key_test";
    auto out = std::make_shared<http::BodyStream>();
    ASSERT_TRUE(streams.Add(out, session));
    auto sent = [&] {
        bool ended = false;
        std::string text;
        for (auto& piece : out->Take(ended)) text += piece;
        std::vector<Json> messages;
        for (size_t at = 0; (at = text.find("data: ", at)) != std::string::npos;) {
            const size_t end = text.find("\n\n", at);
            messages.push_back(Json::parse(text.substr(at + 6, end - at - 6)));
            at = end;
        }
        return messages;
    };
    sent();
    Json contacts = Json::array();
    for (int i = 0; i < 30; ++i) contacts.push_back({{"phone", "+1202555" + std::to_string(3000 + i)}});
    ASSERT_EQ(Rest("POST", "/api/v1/contacts/bulk", Json{{"contacts", contacts}}.dump()).status, 200);
    streams.Tick();
    auto first = sent();
    ASSERT_EQ(first.size(), 11u);
    EXPECT_EQ(first[0]["params"]["data"]["data"]["phone"], "+12025553000");
    EXPECT_EQ(first[10]["params"]["level"], "warning");
    EXPECT_EQ(first[10]["params"]["data"]["skipped"], true);
    streams.Tick();
    EXPECT_EQ(sent().size(), 0u) << "the skipped events are not sent later";
    ASSERT_EQ(Rest("POST", "/api/v1/contacts", R"({"phone":"+12025553999"})").status, 201);
    streams.Tick();
    auto after = sent();
    ASSERT_EQ(after.size(), 1u);
    EXPECT_EQ(after[0]["params"]["data"]["data"]["phone"], "+12025553999");
    streams.Tick();
    EXPECT_EQ(sent().size(), 0u) << "each event once";
}

TEST(McpTools, EveryRouteToolIsARouteOfTheApi) {
    api::ApiOverSqlite fixture;
    auto tools = BuildTools(api::OpenApiDocument());
    ASSERT_TRUE(tools) << tools.error().message;
    const auto routes = fixture.api().RouteList();
    for (const auto& tool : *tools) {
        if (tool.pattern.empty()) continue;
        EXPECT_NE(std::find(routes.begin(), routes.end(), tool.method + " " + tool.pattern), routes.end())
            << tool.name << ": " << tool.method << " " << tool.pattern;
    }
}

}  // namespace
}  // namespace parley::mcp
