// Money through a real server: sandbox calls charged to the balance once each, purchases and
// adjustments, usage by day and component, 402 INSUFFICIENT_CREDITS for a prepaid organization
// without credits and past its monthly limit, the billing and credits events at a Node
// receiver, and two nodes on one PostgreSQL database charging calls at once.

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "support/calls.hpp"
#include "support/fixture.hpp"
#include "support/seeds.hpp"
#include "support/wait.hpp"
#include "support/webhook_receiver.hpp"

namespace parley::testing {
namespace {

const WebhookReceiver& Receiver() {
    static WebhookReceiver receiver;
    return receiver;
}

// Places calls to sandbox people who talk briefly (not interested, wrong number), waits for
// all to end, and returns them as they ended.
std::vector<Json> ShortCalls(const ApiClient& api, const std::string& profile, int count) {
    std::vector<std::string> ids;
    for (int i = 0; i < count; ++i) {
        auto res = api.Post("/api/v1/calls", {{"profile_id", profile}, {"phone", Sandbox(i % 2 == 0 ? 1 : 8)}});
        EXPECT_EQ(res.status, 201) << res.body;
        if (res.status == 201) ids.push_back(res.json()["data"]["id"]);
    }
    std::vector<Json> calls;
    for (const auto& id : ids) {
        Json c = WaitForEnd(api, id, std::chrono::seconds(120));
        EXPECT_TRUE(c.is_object()) << id << " did not end";
        if (c.is_object()) calls.push_back(std::move(c));
    }
    return calls;
}

// Every ledger entry of the organization, newest first, through the paginated history.
std::vector<Json> Ledger(const ApiClient& api) {
    std::vector<Json> out;
    std::string cursor;
    for (int guard = 0; guard < 1000; ++guard) {
        auto res = api.Get("/api/v1/billing/history?limit=100" + (cursor.empty() ? "" : "&cursor=" + cursor));
        EXPECT_EQ(res.status, 200) << res.body;
        const Json j = res.json();
        for (const auto& e : j["data"]) out.push_back(e);
        if (!j["meta"]["has_more"].get<bool>()) break;
        cursor = j["meta"]["next_cursor"];
    }
    return out;
}

// A 400 VALIDATION_ERROR whose details name `field`.
void ExpectInvalid(const HttpResult& res, const std::string& field) {
    ExpectError(res, 400, "VALIDATION_ERROR");
    bool named = false;
    for (const auto& d : res.json()["error"].value("details", Json::array())) named = named || d["field"] == field;
    EXPECT_TRUE(named) << field << " not named in " << res.body;
}

// The call's cost_breakdown without the engines that cost nothing.
Json Components(const Json& call) {
    Json out = Json::object();
    for (const auto& [k, v] : call["cost_breakdown"].items()) {
        if (v.get<int64_t>() != 0) out[k] = v;
    }
    return out;
}

class BillingApi : public ApiTest {
protected:
    void SetUp() override {
        ApiTest::SetUp();
        if (IsSkipped()) return;
        profile_ = NewProfile(api());
        ASSERT_FALSE(profile_.empty());
    }
    std::string profile_;
};
PARLEY_BACKENDS(BillingApi);

TEST_P(BillingApi, EveryCallIsChargedOnceAndTheLedgerAddsUpToTheBalance) {
    const Json empty = api().Get("/api/v1/billing/balance").json()["data"];
    EXPECT_EQ(empty["balance_cents"], 0);
    EXPECT_EQ(empty["currency"], "USD");
    EXPECT_EQ(empty["can_place_calls"], true);
    auto bought = api().Post("/api/v1/credits/purchase",
                             {{"amount_cents", 2500}, {"description", "Top-up"}, {"reference", "INV-2026-12"}});
    ASSERT_EQ(bought.status, 201) << bought.body;
    EXPECT_EQ(bought.json()["data"]["type"], "purchase");
    EXPECT_EQ(bought.json()["data"]["balance_after_cents"], 2500);
    EXPECT_EQ(bought.json()["data"]["created_by"], org_.key_id);

    const auto calls = ShortCalls(api(), profile_, 4);
    ASSERT_EQ(calls.size(), 4u);
    int64_t spent = 0;
    std::map<std::string, Json> by_id;
    for (const auto& c : calls) {
        EXPECT_GT(c["cost_cents"].get<int64_t>(), 0) << c.dump();
        spent += c["cost_cents"].get<int64_t>();
        by_id[c["id"]] = c;
    }
    const auto ledger = Ledger(api());
    ASSERT_EQ(ledger.size(), 5u);
    int64_t sum = 0;
    std::set<std::string> charged;
    for (const auto& e : ledger) {
        sum += e["amount_cents"].get<int64_t>();
        if (e["type"] != "call_charge") continue;
        const std::string call_id = e["call_id"];
        ASSERT_TRUE(by_id.contains(call_id)) << e.dump();
        EXPECT_TRUE(charged.insert(call_id).second) << call_id << " charged twice";
        EXPECT_EQ(e["amount_cents"], -by_id[call_id]["cost_cents"].get<int64_t>());
        EXPECT_EQ(e["components"], Components(by_id[call_id]));
    }
    EXPECT_EQ(charged.size(), 4u);
    EXPECT_EQ(sum, 2500 - spent);
    // The newest entry's balance_after is the balance; all three seeds' balance routes agree.
    EXPECT_EQ(ledger.front()["balance_after_cents"], 2500 - spent);
    for (const char* route : {"/api/v1/billing/balance", "/api/v1/credits/balance", "/v1/balance"}) {
        const Json b = api().Get(route).json()["data"];
        EXPECT_EQ(b["balance_cents"], 2500 - spent) << route;
        EXPECT_EQ(b["month"]["calls"], 4) << route;
        EXPECT_EQ(b["month"]["spent_cents"], spent) << route;
    }
    // Usage today: the same calls and cents, by component.
    const Json usage = api().Get("/api/v1/credits/usage?date_range=today").json()["data"];
    EXPECT_EQ(usage["calls"], 4);
    EXPECT_EQ(usage["cost_cents"], spent);
    int64_t by_component = 0;
    for (const auto& [name, cents] : usage["components"].items()) by_component += cents.get<int64_t>();
    EXPECT_EQ(by_component, spent);
    ASSERT_EQ(usage["days"].size(), 1u);
    EXPECT_EQ(usage["days"][0]["cost_cents"], spent);

    // Only purchases; a type that is not one is a 400 naming it.
    EXPECT_EQ(api().Get("/api/v1/billing/history?type=purchase").json()["data"].size(), 1u);
    ExpectInvalid(api().Get("/api/v1/billing/history?type=refund"), "type");
    // Bad purchases change nothing.
    ExpectInvalid(api().Post("/api/v1/credits/purchase", {{"amount_cents", -100}}), "amount_cents");
    ExpectInvalid(api().Post("/api/v1/credits/purchase", {{"amount_cents", 100}, {"card", "4242"}}), "card");
    ExpectInvalid(api().Post("/api/v1/billing/adjustments", {{"amount_cents", 100}}), "reason");
    EXPECT_EQ(Ledger(api()).size(), 5u);
    // Another organization sees none of it.
    const auto other = server_->Client(server_->CreateOrg().key);
    EXPECT_EQ(other.Get("/api/v1/billing/balance").json()["data"]["balance_cents"], 0);
    EXPECT_TRUE(other.Get("/api/v1/billing/history").json()["data"].empty());
}

TEST_P(BillingApi, APrepaidOrganizationWithoutCreditsGets402AndNothingStarts) {
    auto set = api().Patch("/api/v1/billing/settings", {{"prepaid", true}});
    ASSERT_EQ(set.status, 200) << set.body;
    EXPECT_EQ(set.json()["data"]["prepaid"], true);
    const Json balance = api().Get("/api/v1/balance").json()["data"];
    EXPECT_EQ(balance["can_place_calls"], false);

    ExpectError(api().Post("/api/v1/calls", {{"profile_id", profile_}, {"phone", Sandbox(1)}}), 402,
                "INSUFFICIENT_CREDITS");
    ExpectError(api().Post("/api/v1/calls/trigger", {{"profile_id", profile_}, {"phone", Sandbox(1)}}), 402,
                "INSUFFICIENT_CREDITS");
    ExpectError(api().Post("/api/v1/batches", {{"profile_id", profile_}, {"calls", {{{"phone", Sandbox(1)}}}}}), 402,
                "INSUFFICIENT_CREDITS");
    // Bad input is still a 400 first.
    ExpectError(api().Post("/api/v1/calls", {{"profile_id", profile_}, {"phone", "not a number"}}), 400,
                "VALIDATION_ERROR");
    for (int nn : {1, 8}) ASSERT_FALSE(NewContact(api(), nn, {{"tags", {"prepaid"}}}).empty());
    TurnGuardOff(api());
    auto created = api().Post(
        "/api/v1/campaigns",
        {{"name", "Prepaid"}, {"profile_id", profile_}, {"contact_tags", {"prepaid"}}, {"schedule", AroundTheClock()}});
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string campaign = created.json()["data"]["id"];
    ExpectError(api().Send("POST", "/api/v1/campaigns/" + campaign + "/start"), 402, "INSUFFICIENT_CREDITS");
    EXPECT_EQ(api().Get("/api/v1/campaigns/" + campaign).json()["data"]["status"], "draft");
    EXPECT_TRUE(api().Get("/api/v1/calls").json()["data"].empty());

    // With credits the same campaign starts and calls both contacts.
    ASSERT_EQ(api().Post("/api/v1/credits/purchase", {{"amount_cents", 1000}}).status, 201);
    ASSERT_EQ(api().Send("POST", "/api/v1/campaigns/" + campaign + "/start").status, 200);
    const Json done = WaitForCampaign(api(), campaign, "completed");
    ASSERT_TRUE(done.is_object());
    EXPECT_EQ(done["stats"]["calls"], 2);
    EXPECT_EQ(api().Get("/api/v1/balance").json()["data"]["balance_cents"],
              1000 - done["stats"]["cost_cents"].get<int64_t>());
}

TEST_P(BillingApi, CrossingTheThresholdAndTheLimitSendsEachEventOnceAndStopsCalls) {
    auto hook =
        api().Post("/api/v1/webhooks", {{"url", Receiver().url("money-" + org_.org_id)},
                                        {"events", {"credits.low", "billing.limit_warning", "billing.limit_reached"}}});
    ASSERT_EQ(hook.status, 201) << hook.body;
    Receiver().SetSecret(hook.json()["data"]["secret"]);
    ASSERT_EQ(api().Post("/api/v1/credits/purchase", {{"amount_cents", 500}}).status, 201);
    // A limit of one cent: the first call that costs anything crosses 80% and 100% at once, and
    // takes the balance below the threshold.
    ASSERT_EQ(api()
                  .Patch("/api/v1/billing/settings", {{"low_balance_threshold_cents", 500}, {"monthly_limit_cents", 1}})
                  .status,
              200);
    ASSERT_EQ(ShortCalls(api(), profile_, 1).size(), 1u);
    const Json log = Receiver().WaitFor("money-" + org_.org_id, 3, std::chrono::seconds(60));
    ASSERT_EQ(log.size(), 3u) << log.dump();
    std::multiset<std::string> events;
    for (const auto& r : log) {
        events.insert(r["event"].get<std::string>());
        EXPECT_TRUE(r["verified_seed"].get<bool>()) << r.dump();
        EXPECT_TRUE(r["verified_standard"].get<bool>()) << r.dump();
        EXPECT_EQ(r["schema_errors"], Json::array()) << r["body"].dump();
        EXPECT_EQ(r["body"]["organization_id"], org_.org_id);
        if (r["event"] == "billing.limit_reached") {
            EXPECT_EQ(r["body"]["data"]["limit_cents"], 1);
        }
        if (r["event"] == "credits.low") {
            EXPECT_EQ(r["body"]["data"]["threshold_cents"], 500);
        }
    }
    EXPECT_EQ(events, (std::multiset<std::string>{"billing.limit_reached", "billing.limit_warning", "credits.low"}));
    // The limit stops new calls with the reason.
    auto refused = api().Post("/api/v1/calls", {{"profile_id", profile_}, {"phone", Sandbox(1)}});
    ExpectError(refused, 402, "INSUFFICIENT_CREDITS");
    EXPECT_NE(refused.json()["error"]["message"].get<std::string>().find("monthly spending limit"), std::string::npos);
    // Raised, calls go again; nothing more was sent.
    ASSERT_EQ(api().Patch("/api/v1/billing/settings", {{"monthly_limit_cents", nullptr}}).status, 200);
    EXPECT_EQ(ShortCalls(api(), profile_, 1).size(), 1u);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    EXPECT_EQ(Receiver().Log("money-" + org_.org_id).size(), 3u);
}

// Two nodes on one PostgreSQL database, each placing calls for the same organization at once:
// every call is charged once, and the balance is the purchases less the calls' costs to the cent.
TEST(TwoNodes, ChargeEveryCallOnceAndReconcileTheBalanceOnPostgres) {
    if (!PostgresAvailable()) GTEST_SKIP() << "no test PostgreSQL server";
    ParleyServer a(Backend::kPostgres, {"--sandbox-speed", "0", "--engines", TestEnginesFile()});
    a.Start();
    auto b = ParleyServer::SecondNode(a);
    b->Start();
    const OrgKey org = a.CreateOrg();
    const ApiClient on_a = a.Client(org.key);
    const ApiClient on_b = b->Client(org.key);
    const std::string profile = NewProfile(on_a);
    ASSERT_EQ(on_a.Post("/api/v1/credits/purchase", {{"amount_cents", 100000}}).status, 201);
    std::vector<Json> from_a;
    std::vector<Json> from_b;
    std::thread other([&] { from_b = ShortCalls(on_b, profile, 10); });
    from_a = ShortCalls(on_a, profile, 10);
    other.join();
    ASSERT_EQ(from_a.size() + from_b.size(), 20u);
    int64_t spent = 0;
    std::set<std::string> ids;
    for (const auto* list : {&from_a, &from_b}) {
        for (const auto& c : *list) {
            spent += c["cost_cents"].get<int64_t>();
            ids.insert(c["id"].get<std::string>());
        }
    }
    const auto ledger = Ledger(on_b);
    std::set<std::string> charged;
    int64_t sum = 0;
    for (const auto& e : ledger) {
        sum += e["amount_cents"].get<int64_t>();
        if (e["type"] == "call_charge") {
            EXPECT_TRUE(charged.insert(e["call_id"].get<std::string>()).second);
        }
    }
    EXPECT_EQ(charged, ids);
    EXPECT_EQ(sum, 100000 - spent);
    EXPECT_EQ(on_a.Get("/api/v1/billing/balance").json()["data"]["balance_cents"], 100000 - spent);
    EXPECT_EQ(on_b.Get("/api/v1/billing/balance").json()["data"]["month"]["calls"], 20);
}

}  // namespace
}  // namespace parley::testing
