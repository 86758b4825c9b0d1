#include "support/calls.hpp"

#include <chrono>
#include <thread>

#include "support/fixture.hpp"
#include "support/seeds.hpp"

namespace parley::testing {
namespace {

class CallsApi : public ApiTest {
protected:
    void SetUp() override {
        ApiTest::SetUp();
        if (IsSkipped()) return;
        ASSERT_EQ(api()
                      .Post("/api/v1/custom-fields", {{"name", "budget_range"},
                                                      {"type", "enum"},
                                                      {"options", {"under_10k", "10k_50k", "50k_100k", "100k_plus"}}})
                      .status,
                  201);
        profile_ = NewProfile(api(), {{"opener", "I am calling about our software. Do you have a minute?"},
                                      {"extract_fields", {"budget_range"}}});
        ASSERT_FALSE(profile_.empty());
    }

    Json WaitForEnd(const std::string& id) const { return testing::WaitForEnd(api(), id); }

    size_t CallCount() const { return api().Get("/api/v1/calls?limit=100").json()["data"].size(); }

    std::string profile_;
};
PARLEY_BACKENDS(CallsApi);

TEST_P(CallsApi, TriggerQueuesACallWithTheSeedShape) {
    auto res = api().Post("/api/v1/calls/trigger", {{"profile_id", profile_},
                                                    {"phone", "(202) 555-0104"},
                                                    {"metadata", {{"crm_id", "abc"}}},
                                                    {"webhook_url", "https://example.com/hook"}});
    ASSERT_EQ(res.status, 201) << res.body;
    const Json c = res.json()["data"];
    EXPECT_TRUE(c["id"].get<std::string>().starts_with("call_"));
    EXPECT_EQ(c["status"], "queued");
    EXPECT_EQ(c["direction"], "outbound");
    EXPECT_EQ(c["to_number"], "+12025550104");
    EXPECT_EQ(c["profile_id"], profile_);
    EXPECT_EQ(c["metadata"]["crm_id"], "abc");
    EXPECT_EQ(c["webhook_url"], "https://example.com/hook");
    EXPECT_EQ(c["extract"], Json({"budget_range"}));
    EXPECT_EQ(c["status_history"][0]["status"], "queued");
}

TEST_P(CallsApi, ABusyLineEndsBusyWithItsTransitionsKept) {
    const std::string id =
        api().Post("/api/v1/calls", {{"profile_id", profile_}, {"phone", Sandbox(4)}}).json()["data"]["id"];
    const Json c = WaitForEnd(id);
    ASSERT_TRUE(c.is_object());
    EXPECT_EQ(c["status"], "busy");
    EXPECT_EQ(c["analysis"]["disposition"], "busy");
    EXPECT_EQ(c["talk_duration_seconds"], 0);
    std::vector<std::string> statuses;
    for (const auto& t : c["status_history"]) statuses.push_back(t["status"]);
    EXPECT_EQ(statuses, (std::vector<std::string>{"queued", "ringing", "busy"}));
    EXPECT_FALSE(c["ended_at"].is_null());
    EXPECT_EQ(c["has_recording"], false);
    ExpectError(api().Get("/api/v1/calls/" + id + "/recording"), 404, "NOT_FOUND");
    EXPECT_EQ(api().Get("/api/v1/calls?disposition=busy").json()["data"].size(), 1u);
    EXPECT_EQ(api().Get("/api/v1/calls?status=busy").json()["data"].size(), 1u);
    EXPECT_EQ(api().Get("/api/v1/calls?status=completed").json()["data"].size(), 0u);
}

TEST_P(CallsApi, NobodyAnsweringEndsNoAnswer) {
    const std::string id =
        api().Post("/api/v1/calls", {{"profile_id", profile_}, {"phone", Sandbox(5)}}).json()["data"]["id"];
    const Json c = WaitForEnd(id);
    ASSERT_TRUE(c.is_object());
    EXPECT_EQ(c["status"], "no_answer");
    EXPECT_EQ(c["analysis"]["disposition"], "no_answer");
    ExpectError(api().Post("/api/v1/calls/" + id + "/cancel", Json::object()), 409, "CONFLICT");
    ExpectError(api().Post("/api/v1/calls/" + id + "/stop", Json::object()), 409, "CONFLICT");
}

TEST_P(CallsApi, BadTriggersAreRefusedAndQueueNothing) {
    ASSERT_EQ(api().Post("/api/v1/dnc", {{"phone", Sandbox(0)}}).status, 201);
    ExpectError(api().Post("/api/v1/calls", {{"phone", Sandbox(0)}}), 400, "VALIDATION_ERROR");
    ExpectError(api().Post("/api/v1/calls", {{"profile_id", profile_}}), 400, "VALIDATION_ERROR");
    ExpectError(api().Post("/api/v1/calls", {{"profile_id", profile_}, {"phone", "not a number"}}), 400,
                "VALIDATION_ERROR");
    ExpectError(api().Post("/api/v1/calls", {{"profile_id", profile_}, {"phone", Sandbox(1)}, {"color", "red"}}), 400,
                "VALIDATION_ERROR");
    ExpectError(
        api().Post("/api/v1/calls", {{"profile_id", profile_}, {"phone", Sandbox(1)}, {"webhook_url", "ftp://x"}}), 400,
        "VALIDATION_ERROR");
    ExpectError(
        api().Post("/api/v1/calls", {{"profile_id", profile_}, {"phone", Sandbox(1)}, {"variables", {{"a", {1}}}}}),
        400, "VALIDATION_ERROR");
    ExpectError(api().Post("/api/v1/calls", {{"profile_id", "prof_01jd0000000000000000000000"}, {"phone", Sandbox(1)}}),
                404, "NOT_FOUND");
    ExpectError(
        api().Post("/api/v1/calls", {{"profile_id", profile_}, {"contact_id", "ct_01jd0000000000000000000000"}}), 404,
        "NOT_FOUND");
    ExpectError(api().Post("/api/v1/calls", {{"profile_id", profile_}, {"phone", Sandbox(0)}}), 409, "DNC_BLOCKED");
    ExpectError(api().Post("/api/v1/calls", {{"profile_id", profile_}, {"phone", "+14155551234"}}), 422,
                "UNPROCESSABLE");
    ExpectError(api().Post("/api/v1/calls", {{"profile_id", profile_}, {"phone", Sandbox(1)}, {"extract", {"nope"}}}),
                422, "UNPROCESSABLE");
    auto test_key = api().Post("/api/v1/api-keys", {{"name", "t"}, {"mode", "test"}}).json()["data"]["key"];
    ExpectError(server_->Client(test_key).Post("/api/v1/calls", {{"profile_id", profile_}, {"phone", Sandbox(1)}}), 403,
                "TEST_KEY");
    ASSERT_EQ(api().Delete("/api/v1/profiles/" + profile_).status, 200);
    ExpectError(api().Post("/api/v1/calls", {{"profile_id", profile_}, {"phone", Sandbox(1)}}), 409, "CONFLICT");
    EXPECT_EQ(CallCount(), 0u);
}

// agent_id is another name for profile_id on single calls and batches: a string of the same bounds,
// checked even beside a profile_id, and when both are given they must name the same profile.
TEST_P(CallsApi, AgentIdIsCheckedLikeProfileIdAndMustAgreeWithIt) {
    auto named = [](const HttpResult& res, const std::string& field) {
        bool found = false;
        const Json details = res.json()["error"]["details"];
        for (const auto& d : details) found = found || d["field"] == field;
        return found;
    };
    const Json one_call = Json::array({Json{{"phone", Sandbox(4)}}});
    for (const Json& agent : {Json(5), Json{{"id", profile_}}, Json(std::string(65, 'p')), Json(""), Json::array()}) {
        SCOPED_TRACE(agent.dump());
        for (const Json& profile : {Json(profile_), Json()}) {
            Json single = {{"agent_id", agent}, {"phone", Sandbox(4)}};
            Json batch = {{"agent_id", agent}, {"calls", one_call}};
            if (!profile.is_null()) single["profile_id"] = batch["profile_id"] = profile;
            for (const auto& res : {api().Post("/api/v1/calls", single), api().Post("/api/v1/batches", batch)}) {
                ExpectError(res, 400, "VALIDATION_ERROR");
                EXPECT_TRUE(named(res, "agent_id")) << res.body;
                EXPECT_FALSE(named(res, "profile_id")) << res.body;
            }
        }
    }
    const std::string other_id = NewProfile(api(), {{"name", "Other"}, {"opener", "Hello. Do you have a minute?"}});
    ASSERT_FALSE(other_id.empty());
    for (const auto& res :
         {api().Post("/api/v1/calls", {{"profile_id", profile_}, {"agent_id", other_id}, {"phone", Sandbox(4)}}),
          api().Post("/api/v1/batches", {{"profile_id", profile_}, {"agent_id", other_id}, {"calls", one_call}})}) {
        ExpectError(res, 400, "VALIDATION_ERROR");
        EXPECT_TRUE(named(res, "agent_id")) << res.body;
        EXPECT_TRUE(named(res, "profile_id")) << res.body;
    }
    EXPECT_EQ(CallCount(), 0u);

    auto same = api().Post("/api/v1/calls", {{"profile_id", profile_}, {"agent_id", profile_}, {"phone", Sandbox(4)}});
    ASSERT_EQ(same.status, 201) << same.body;
    EXPECT_EQ(same.json()["data"]["profile_id"], profile_);
    auto alias = api().Post("/api/v1/batches", {{"agent_id", other_id}, {"calls", one_call}});
    ASSERT_EQ(alias.status, 201) << alias.body;
    EXPECT_EQ(alias.json()["data"]["profile_id"], other_id);
    ASSERT_EQ(alias.json()["data"]["call_ids"].size(), 1u) << alias.body;
    WaitForEnd(same.json()["data"]["id"]);
    WaitForEnd(alias.json()["data"]["call_ids"][0]);
}

// A server whose sandbox answers every North American number (load tests), on SQLite.
TEST(SandboxNumbers, AnyNanpServerCallsEveryNorthAmericanNumberAndOnlyThose) {
    ParleyServer server(Backend::kSqlite, {"--sandbox-speed", "0", "--sandbox-numbers", "any-nanp"});
    server.Start();
    const ApiClient api = server.Client(server.CreateOrg().key);
    const std::string profile = NewProfile(api);
    ASSERT_FALSE(profile.empty());
    // 555-1216 is not one of the fictional numbers; its last two digits, 16, pick persona 4: busy.
    auto res = api.Post("/api/v1/calls", {{"profile_id", profile}, {"phone", "+14155551216"}});
    ASSERT_EQ(res.status, 201) << res.body;
    const Json c = WaitForEnd(api, res.json()["data"]["id"]);
    ASSERT_TRUE(c.is_object());
    EXPECT_EQ(c["status"], "busy");
    // The fictional numbers still reach the same people.
    res = api.Post("/api/v1/calls", {{"profile_id", profile}, {"phone", Sandbox(5)}});
    ASSERT_EQ(res.status, 201) << res.body;
    EXPECT_EQ(WaitForEnd(api, res.json()["data"]["id"])["status"], "no_answer");
    // A number outside the North American plan is refused and queues nothing.
    auto refused = api.Post("/api/v1/calls", {{"profile_id", profile}, {"phone", "+442079460958"}});
    EXPECT_EQ(refused.status, 422) << refused.body;
    EXPECT_NE(refused.body.find("North American"), std::string::npos) << refused.body;
    EXPECT_EQ(api.Get("/api/v1/calls?limit=100").json()["data"].size(), 2u);
}

TEST_P(CallsApi, ListFiltersAreChecked) {
    for (const char* bad : {"status=ringing_loudly", "disposition=maybe", "direction=sideways", "since=yesterday",
                            "min_duration=-3", "has_meeting=perhaps", "include=everything", "limit=0"}) {
        ExpectError(api().Get(std::string("/api/v1/calls?") + bad), 400, "VALIDATION_ERROR");
    }
    ExpectError(api().Get("/api/v1/calls/call_01jd0000000000000000000000"), 404, "NOT_FOUND");
}

TEST_P(CallsApi, AnotherOrganizationsCallIsNotFound) {
    const std::string id =
        api().Post("/api/v1/calls", {{"profile_id", profile_}, {"phone", Sandbox(4)}}).json()["data"]["id"];
    auto other = server_->Client(server_->CreateOrg().key);
    ExpectError(other.Get("/api/v1/calls/" + id), 404, "NOT_FOUND");
    ExpectError(other.Get("/api/v1/calls/" + id + "/transcript"), 404, "NOT_FOUND");
    ExpectError(other.Post("/api/v1/calls/" + id + "/cancel", Json::object()), 404, "NOT_FOUND");
    WaitForEnd(id);
}

}  // namespace
}  // namespace parley::testing
