// Campaigns that really call: the dialer of a real server places sandbox calls, closes them by
// their outcome and completes the campaign; the dialer's check and settings endpoints.

#include <date/date.h>
#include <signal.h>

#include <chrono>
#include <map>
#include <set>

#include "support/calls.hpp"
#include "support/fixture.hpp"
#include "support/seeds.hpp"
#include "support/wait.hpp"

namespace parley::testing {
namespace {

// The contacts the campaigns here call: those tagged "spring".
const Json kSpring = {{"tags", {"spring"}}};

class CampaignDialing : public ApiTest {};
PARLEY_BACKENDS(CampaignDialing);

TEST_P(CampaignDialing, CallsEveryContactOnceWithItsOutcomeAndCompletesByItself) {
    TurnGuardOff(api());
    const std::string profile = NewQualifier(api());
    std::map<std::string, std::string> expected;  // contact -> disposition
    for (int persona : {0, 1, 2, 4, 5}) {
        const char* dispositions[] = {"hot_lead", "not_interested", "dnc_request", "", "busy", "no_answer"};
        expected[NewContact(api(), persona, kSpring)] = dispositions[persona];
    }
    auto created = api().Post("/api/v1/campaigns", {{"name", "Spring"},
                                                    {"agent_id", profile},
                                                    {"contact_tags", {"spring"}},
                                                    {"schedule", AroundTheClock()},
                                                    {"retry_rules", {{"max_attempts", 1}}},
                                                    {"concurrent_calls", 2}});
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string id = created.json()["data"]["id"];
    ASSERT_EQ(api().Send("POST", "/api/v1/campaigns/" + id + "/start").status, 200);
    // Seed 000 "Create Contact": a contact added to the running campaign is called too.
    expected[NewContact(api(), 8, {{"campaign_id", id}})] = "wrong_number";

    const Json done = WaitForCampaign(api(), id, "completed");
    ASSERT_TRUE(done.is_object());
    EXPECT_FALSE(done["ended_at"].is_null());
    const Json stats = done["stats"];
    EXPECT_EQ(stats["contacts"], Json({{"total", 6}, {"pending", 0}, {"in_progress", 0}, {"done", 6}}));
    EXPECT_EQ(stats["calls"], 6);
    EXPECT_EQ(stats["connected"], 4);  // busy and no answer did not connect
    EXPECT_EQ(stats["meetings_booked"], 1);
    EXPECT_GT(stats["cost_cents"].get<int>(), 0);
    EXPECT_EQ(stats["dispositions"], Json({{"busy", 1},
                                           {"dnc_request", 1},
                                           {"hot_lead", 1},
                                           {"no_answer", 1},
                                           {"not_interested", 1},
                                           {"wrong_number", 1}}));

    const auto calls = CallsByContact(api(), id);
    ASSERT_EQ(calls.size(), expected.size());
    for (const auto& [contact, disposition] : expected) {
        ASSERT_EQ(calls.at(contact).size(), 1u) << contact;
        const Json& call = calls.at(contact)[0];
        EXPECT_EQ(call["campaign_id"], id);
        EXPECT_EQ(call["analysis"]["disposition"], disposition) << call.dump();
    }
    // The opt-out was honoured: the number is on the Do Not Call list, and the dialer says so.
    auto check = api().Get("/api/v1/dialer/check?campaign_id=" + id + "&phone=%2B" + Sandbox(2).substr(1));
    ASSERT_EQ(check.status, 200) << check.body;
    const Json report = check.json()["data"];
    EXPECT_EQ(report["callable"], false);
    std::set<std::string> codes;
    for (const auto& r : report["reasons"]) codes.insert(r["code"].get<std::string>());
    EXPECT_EQ(codes, (std::set<std::string>{"dnc", "attempts_exhausted"})) << report.dump();
    EXPECT_TRUE(report["next_allowed_at"].is_null());
}

TEST_P(CampaignDialing, CheckGivesEveryReasonAndTheNextAllowedTime) {
    const std::string profile = NewProfile(api());
    const std::string contact = NewContact(api(), 1, {{"timezone", "Asia/Kathmandu"}});
    // January 15 two years on: New York keeps standard time (UTC-05:00) then.
    const auto today = date::year_month_day(date::floor<date::days>(std::chrono::system_clock::now()));
    const std::string start = std::to_string(static_cast<int>(today.year()) + 2) + "-01-15";
    Json schedule = AroundTheClock();
    schedule["start_date"] = start;
    schedule["calling_hours"] = {{"start", "09:00"}, {"end", "17:00"}};
    auto created =
        api().Post("/api/v1/campaigns", {{"name", "Later"}, {"profile_id", profile}, {"schedule", schedule}});
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string id = created.json()["data"]["id"];

    auto res = api().Get("/api/v1/dialer/check?phone=" + std::string("(202)%20555-0101") + "&campaign_id=" + id);
    ASSERT_EQ(res.status, 200) << res.body;
    const Json r = res.json()["data"];
    EXPECT_EQ(r["e164"], "+12025550101");
    EXPECT_EQ(r["contact_id"], contact);
    EXPECT_EQ(r["callable"], false);
    // The contact's stated zone wins over the number's (Washington).
    EXPECT_EQ(r["callee_timezone"], Json({{"name", "Asia/Kathmandu"}, {"source", "contact"}}));
    EXPECT_TRUE(r["callee_local_time"].get<std::string>().ends_with("+05:45")) << r.dump();
    ASSERT_FALSE(r["reasons"].empty());
    EXPECT_EQ(r["reasons"][0]["code"], "before_start_date");
    // The start date begins at 05:00 UTC in New York, when it is 10:45 in Kathmandu: inside 09:00-17:00.
    EXPECT_EQ(r["next_allowed_at"], start + "T05:00:00.000Z");

    // Without a campaign: the guard, the list and the carriers only.
    auto plain = api().Get("/api/v1/dialer/check?phone=%2B12025550199");
    ASSERT_EQ(plain.status, 200) << plain.body;
    EXPECT_EQ(plain.json()["data"]["callee_timezone"],
              Json({{"name", "America/New_York"}, {"source", "phone_number"}}));
    EXPECT_TRUE(plain.json()["data"]["contact_id"].is_null());

    auto invalid = api().Get("/api/v1/dialer/check?phone=12");
    ASSERT_EQ(invalid.status, 200) << invalid.body;
    EXPECT_EQ(invalid.json()["data"]["reasons"][0]["code"], "invalid_number");
    EXPECT_EQ(invalid.json()["data"]["callable"], false);
    // Sandbox numbers are the only reachable ones while the sandbox is the only carrier.
    auto london = api().Get("/api/v1/dialer/check?phone=%2B442079460018");
    ASSERT_EQ(london.status, 200) << london.body;
    EXPECT_EQ(london.json()["data"]["reasons"][0]["code"], "unreachable");
    EXPECT_EQ(london.json()["data"]["callee_timezone"]["name"], "Europe/London");

    ExpectError(api().Get("/api/v1/dialer/check"), 400, "VALIDATION_ERROR");
    ExpectError(api().Get("/api/v1/dialer/check?phone=%2B12025550101&campaign_id=camp_nope"), 404, "NOT_FOUND");
}

TEST_P(CampaignDialing, SettingsKeepTheGuardOnByDefaultAndOnlyManagersChangeThem) {
    auto defaults = api().Get("/api/v1/dialer/settings");
    ASSERT_EQ(defaults.status, 200) << defaults.body;
    EXPECT_EQ(defaults.json()["data"]["legal_hours_guard"],
              Json({{"enabled", true}, {"start", "08:00"}, {"end", "21:00"}}));
    EXPECT_EQ(defaults.json()["data"]["max_concurrent_calls"], 100);
    EXPECT_TRUE(defaults.json()["data"]["updated_at"].is_null());

    auto changed =
        api().Patch("/api/v1/dialer/settings",
                    {{"legal_hours_guard", {{"start", "09:00"}, {"end", "20:00"}}}, {"max_concurrent_calls", 7}});
    ASSERT_EQ(changed.status, 200) << changed.body;
    EXPECT_EQ(changed.json()["data"]["legal_hours_guard"],
              Json({{"enabled", true}, {"start", "09:00"}, {"end", "20:00"}}));
    EXPECT_EQ(changed.json()["data"]["max_concurrent_calls"], 7);
    EXPECT_EQ(api().Get("/api/v1/dialer/settings").json()["data"], changed.json()["data"]);

    auto bad = api().Patch(
        "/api/v1/dialer/settings",
        {{"legal_hours_guard", {{"start", "22:00"}, {"end", "7pm"}}}, {"max_concurrent_calls", 0}, {"pacing", "fast"}});
    ExpectError(bad, 400, "VALIDATION_ERROR");
    std::set<std::string> fields;
    const Json body = bad.json();
    for (const auto& d : body["error"]["details"]) fields.insert(d["field"].get<std::string>());
    EXPECT_EQ(fields, (std::set<std::string>{"legal_hours_guard.end", "max_concurrent_calls", "pacing"}));
    ExpectError(api().Patch("/api/v1/dialer/settings", {{"legal_hours_guard", {{"start", "21:00"}, {"end", "08:00"}}}}),
                400, "VALIDATION_ERROR");

    auto member = api().Post("/api/v1/api-keys", {{"name", "agent desk"}, {"role", "member"}});
    ASSERT_EQ(member.status, 201) << member.body;
    const ApiClient desk = server_->Client(member.json()["data"]["key"]);
    EXPECT_EQ(desk.Get("/api/v1/dialer/settings").status, 200);
    ExpectError(desk.Patch("/api/v1/dialer/settings", {{"legal_hours_guard", {{"enabled", false}}}}), 403, "FORBIDDEN");
    EXPECT_EQ(api().Get("/api/v1/dialer/settings").json()["data"], changed.json()["data"]);
}

// A server of its own in real time, one call at a time, killed while a campaign's call is live.
class CampaignCrash : public OwnServerTest {
protected:
    std::vector<std::string> ServerArgs() const override { return {"--sandbox-speed", "1", "--max-calls", "1"}; }
};
PARLEY_BACKENDS(CampaignCrash);

TEST_P(CampaignCrash, Kill9MidCampaignLosesNoContactAndCallsNoAttemptTwice) {
    TurnGuardOff(api());
    const std::string profile = NewProfile(api());
    const std::string talker = NewContact(api(), 0, kSpring);
    const std::string others[] = {NewContact(api(), 1, kSpring), NewContact(api(), 8, kSpring)};
    auto created = api().Post("/api/v1/campaigns", {{"name", "Crash"},
                                                    {"profile_id", profile},
                                                    {"contact_tags", {"spring"}},
                                                    {"schedule", AroundTheClock()},
                                                    {"retry_rules", {{"max_attempts", 1}}},
                                                    {"concurrent_calls", 1}});
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string id = created.json()["data"]["id"];
    ASSERT_EQ(api().Send("POST", "/api/v1/campaigns/" + id + "/start").status, 200);

    // Wait for the first call to be live, whichever contact it is.
    std::string live_call;
    WaitUntil(
        [&] {
            for (const auto& [contact, calls] : CallsByContact(api(), id)) {
                if (calls[0]["status"] == "in_progress") live_call = calls[0]["id"];
            }
            return !live_call.empty();
        },
        std::chrono::seconds(60));
    ASSERT_FALSE(live_call.empty());
    EXPECT_EQ(server_->Stop(SIGKILL), 128 + SIGKILL);
    server_->Start();

    const Json done = WaitForCampaign(api(), id, "completed", std::chrono::seconds(120));
    ASSERT_TRUE(done.is_object());
    EXPECT_EQ(done["stats"]["contacts"], Json({{"total", 3}, {"pending", 0}, {"in_progress", 0}, {"done", 3}}));
    // One call per contact: the interrupted one failed and, with one attempt allowed, was not
    // placed again; the others were placed once each after the restart.
    const auto calls = CallsByContact(api(), id);
    ASSERT_EQ(calls.size(), 3u);
    for (const auto& [contact, list] : calls) EXPECT_EQ(list.size(), 1u) << contact;
    const Json interrupted = api().Get("/api/v1/calls/" + live_call).json()["data"];
    EXPECT_EQ(interrupted["status"], "failed") << interrupted.dump();
    EXPECT_EQ(done["stats"]["calls"], 3);
    EXPECT_EQ(done["stats"]["dispositions"]["failed"], 1) << done.dump();
}

TEST(TwoNodes, NeverPlaceOneAttemptTwiceOnPostgres) {
    if (!PostgresAvailable()) GTEST_SKIP() << "no test PostgreSQL server";
    ParleyServer a(Backend::kPostgres, {"--sandbox-speed", "0"});
    a.Start();
    auto b = ParleyServer::SecondNode(a);
    b->Start();
    const OrgKey org = a.CreateOrg();
    const ApiClient api = a.Client(org.key);
    TurnGuardOff(api);
    const std::string profile = NewProfile(api);
    // Short calls: not interested, busy, wrong number; two of each (01..99 is persona NN % 12).
    for (int nn : {1, 4, 8, 13, 16, 20}) ASSERT_FALSE(NewContact(api, nn, {{"tags", {"two"}}}).empty());
    auto created = api.Post("/api/v1/campaigns", {{"name", "Both nodes"},
                                                  {"profile_id", profile},
                                                  {"contact_tags", {"two"}},
                                                  {"schedule", AroundTheClock()},
                                                  {"retry_rules", {{"max_attempts", 1}}},
                                                  {"concurrent_calls", 3}});
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string id = created.json()["data"]["id"];
    // Started through node B; node A's dialer sees the same queue.
    ASSERT_EQ(b->Client(org.key).Send("POST", "/api/v1/campaigns/" + id + "/start").status, 200);
    const Json done = WaitForCampaign(api, id, "completed");
    ASSERT_TRUE(done.is_object());
    EXPECT_EQ(done["stats"]["calls"], 6);
    const auto calls = CallsByContact(api, id);
    ASSERT_EQ(calls.size(), 6u);
    for (const auto& [contact, list] : calls) EXPECT_EQ(list.size(), 1u) << contact;
}

}  // namespace
}  // namespace parley::testing
