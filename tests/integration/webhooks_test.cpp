// Webhooks through a real server: the endpoints API and its errors, sample payloads, the
// delivery log, events of real contacts, campaigns and sandbox calls reaching a Node receiver
// that checks both signatures, the address guard, and kill -9 in the middle of a delivery.

#include <signal.h>

#include <chrono>
#include <set>

#include "support/calls.hpp"
#include "support/fixture.hpp"
#include "support/seeds.hpp"
#include "support/wait.hpp"
#include "support/webhook_receiver.hpp"

namespace parley::testing {
namespace {

// One receiver for the suite; tests keep apart by hook names of their own.
const WebhookReceiver& Receiver() {
    static WebhookReceiver receiver;
    return receiver;
}

std::string UniqueHook(const std::string& name) {
    static std::atomic<int> n{0};
    return name + "-" + std::to_string(++n) + "-" + std::to_string(::getpid());
}

class Webhooks : public ApiTest {
protected:
    // A webhook to a hook of the receiver for `events`; the receiver learns its secret (the
    // receiver holds one secret: tests that check signatures create one webhook at a time).
    Json Subscribe(const std::string& hook, const Json& events = {"*"}) {
        auto res = api().Post("/api/v1/webhooks", {{"url", Receiver().url(hook)}, {"events", events}});
        EXPECT_EQ(res.status, 201) << res.body;
        Json data = res.json()["data"];
        Receiver().SetSecret(data["secret"]);
        return data;
    }

    // The events the hook received, waiting until `count` arrived; each checked by both verifiers
    // and against the documented schema of its event.
    Json Received(const std::string& hook, size_t count) {
        Json log = Receiver().WaitFor(hook, count, std::chrono::seconds(60));
        EXPECT_GE(log.size(), count) << log.dump();
        for (const auto& r : log) {
            EXPECT_TRUE(r["verified_seed"].get<bool>()) << r.dump();
            EXPECT_TRUE(r["verified_standard"].get<bool>()) << r.dump();
            EXPECT_EQ(r["schema_errors"], Json::array()) << r["event"] << ": " << r["body"].dump();
        }
        return log;
    }

    static Json OfType(const Json& log, const std::string& type) {
        Json out = Json::array();
        for (const auto& r : log) {
            if (r["event"] == type) out.push_back(r["body"]);
        }
        return out;
    }
};
PARLEY_BACKENDS(Webhooks);

TEST_P(Webhooks, CreateReadUpdateRotateDelete) {
    const std::string url = Receiver().url(UniqueHook("crud"));
    auto created = api().Post(
        "/api/v1/webhooks", {{"url", url}, {"events", {"call.completed", "contact.created"}}, {"description", "CRM"}});
    ASSERT_EQ(created.status, 201) << created.body;
    const Json w = created.json()["data"];
    const std::string id = w["id"];
    EXPECT_TRUE(id.starts_with("wh_"));
    EXPECT_EQ(w["url"], url);
    EXPECT_EQ(w["events"], Json({"call.completed", "contact.created"}));
    EXPECT_EQ(w["enabled"], true);
    const std::string secret = w["secret"];
    EXPECT_TRUE(secret.starts_with("whsec_")) << secret;
    EXPECT_EQ(w["secret_prefix"], secret.substr(0, 10));

    // The whole secret is shown when made or rotated only.
    const Json got = api().Get("/api/v1/webhooks/" + id).json()["data"];
    EXPECT_FALSE(got.contains("secret"));
    EXPECT_EQ(got["description"], "CRM");
    const Json listed = api().Get("/api/v1/webhooks").json();
    ASSERT_EQ(listed["data"].size(), 1u);
    EXPECT_EQ(listed["data"][0]["id"], id);

    auto patched = api().Patch("/api/v1/webhooks/" + id, {{"events", {"*"}}, {"enabled", false}});
    ASSERT_EQ(patched.status, 200) << patched.body;
    EXPECT_EQ(patched.json()["data"]["events"], Json({"*"}));
    EXPECT_EQ(patched.json()["data"]["enabled"], false);
    EXPECT_EQ(patched.json()["data"]["disabled_reason"], "disabled by a user");
    patched = api().Patch("/api/v1/webhooks/" + id, {{"enabled", true}});
    EXPECT_EQ(patched.json()["data"]["disabled_reason"], nullptr);

    auto rotated = api().Send("POST", "/api/v1/webhooks/" + id + "/rotate-secret");
    ASSERT_EQ(rotated.status, 200) << rotated.body;
    EXPECT_NE(rotated.json()["data"]["secret"], secret);

    // Another organization sees none of it.
    auto other = server_->Client(server_->CreateOrg().key);
    ExpectError(other.Get("/api/v1/webhooks/" + id), 404, "NOT_FOUND");
    ExpectError(other.Patch("/api/v1/webhooks/" + id, {{"enabled", false}}), 404, "NOT_FOUND");
    ExpectError(other.Delete("/api/v1/webhooks/" + id), 404, "NOT_FOUND");
    EXPECT_EQ(other.Get("/api/v1/webhooks").json()["data"].size(), 0u);

    auto deleted = api().Delete("/api/v1/webhooks/" + id);
    ASSERT_EQ(deleted.status, 200) << deleted.body;
    ExpectError(api().Get("/api/v1/webhooks/" + id), 404, "NOT_FOUND");
}

TEST_P(Webhooks, BadInputIsRefusedAndChangesNothing) {
    const std::string url = Receiver().url("x");
    auto field_of = [](const HttpResult& res) { return res.json()["error"]["details"][0]["field"]; };
    auto res = api().Post("/api/v1/webhooks", {{"events", {"*"}}});
    ExpectError(res, 400, "VALIDATION_ERROR");
    EXPECT_EQ(field_of(res), "url");
    res = api().Post("/api/v1/webhooks", {{"url", "ftp://example.com/x"}, {"events", {"*"}}});
    ExpectError(res, 400, "VALIDATION_ERROR");
    EXPECT_EQ(field_of(res), "url");
    res = api().Post("/api/v1/webhooks", {{"url", "https://user:pw@example.com/x"}, {"events", {"*"}}});
    ExpectError(res, 400, "VALIDATION_ERROR");
    res = api().Post("/api/v1/webhooks", {{"url", url}});
    ExpectError(res, 400, "VALIDATION_ERROR");
    EXPECT_EQ(field_of(res), "events");
    res = api().Post("/api/v1/webhooks", {{"url", url}, {"events", Json::array()}});
    ExpectError(res, 400, "VALIDATION_ERROR");
    res = api().Post("/api/v1/webhooks", {{"url", url}, {"events", {"call.completed", "call.exploded", 7}}});
    ExpectError(res, 400, "VALIDATION_ERROR");
    EXPECT_EQ(res.json()["error"]["details"].size(), 2u);
    EXPECT_EQ(field_of(res), "events[1]");
    res = api().Post("/api/v1/webhooks", {{"url", url}, {"events", {"*"}}, {"secret", "mine"}});
    ExpectError(res, 400, "VALIDATION_ERROR");
    ExpectError(api().Send("POST", "/api/v1/webhooks", "{\"url\":", {{"Content-Type", "application/json"}}), 400,
                "INVALID_JSON");
    ExpectError(api().Post("/api/v1/webhooks", Json::array()), 400, "VALIDATION_ERROR");
    EXPECT_EQ(api().Get("/api/v1/webhooks").json()["data"].size(), 0u);

    const std::string id = Subscribe(UniqueHook("bad"))["id"];
    ExpectError(api().Patch("/api/v1/webhooks/" + id, {{"enabled", "yes"}}), 400, "VALIDATION_ERROR");
    ExpectError(api().Patch("/api/v1/webhooks/" + id, {{"url", "not a url"}}), 400, "VALIDATION_ERROR");
    EXPECT_EQ(api().Get("/api/v1/webhooks/" + id).json()["data"]["enabled"], true);
    ExpectError(api().Get("/api/v1/webhooks/wh_nope"), 404, "NOT_FOUND");

    // Keys without write permission cannot subscribe or read the call-signing secret.
    auto ro = api().Post("/api/v1/api-keys", {{"name", "ro"}, {"permission", "read_only"}});
    ASSERT_EQ(ro.status, 201) << ro.body;
    auto read_only = server_->Client(ro.json()["data"]["key"].get<std::string>());
    ExpectError(read_only.Post("/api/v1/webhooks", {{"url", url}, {"events", {"*"}}}), 403, "READ_ONLY");
    ExpectError(read_only.Get("/api/v1/webhooks/signing-secret"), 403, "READ_ONLY");
    EXPECT_EQ(read_only.Get("/api/v1/webhooks").status, 200);
}

TEST_P(Webhooks, SamplesAndTheEventList) {
    const Json events = api().Get("/api/v1/webhooks/events").json()["data"];
    std::set<std::string> names;
    for (const auto& e : events) names.insert(e["event"].get<std::string>());
    for (const char* documented :
         {"call.completed", "call.started", "call.failed", "call.voicemail", "campaign.started", "campaign.paused",
          "campaign.completed", "contact.created", "contact.updated", "contact.dnc_requested", "billing.limit_warning",
          "billing.limit_reached", "credits.low", "call.tool_called"}) {
        EXPECT_TRUE(names.contains(documented)) << documented;
    }
    for (const auto& name : names) {
        auto res = api().Get("/api/v1/webhooks/sample?event=" + name);
        ASSERT_EQ(res.status, 200) << name << res.body;
        const Json body = res.json()["data"];
        EXPECT_EQ(body["event"], name);
        EXPECT_EQ(body["organization_id"], org_.org_id);
        EXPECT_TRUE(body["id"].get<std::string>().starts_with("evt_"));
        EXPECT_TRUE(body["data"].is_object() && !body["data"].empty()) << name;
        // The schema real events are checked against (Received) holds for the sample too.
        EXPECT_EQ(Receiver().SchemaErrors(body), Json::array()) << name << ": " << body["data"].dump();
    }
    // Seed 000's call.completed example, field for field.
    const Json completed = api().Get("/api/v1/webhooks/sample?event=call.completed").json()["data"]["data"];
    for (const char* field :
         {"call_id", "campaign_id", "direction", "talk_duration_seconds", "cost_cents", "analysis", "transcript"}) {
        EXPECT_TRUE(completed.contains(field)) << field;
    }
    EXPECT_TRUE(completed["analysis"].contains("meeting_booked"));
    EXPECT_EQ(completed["transcript"][0]["speaker"], "agent");
    EXPECT_EQ(completed["transcript"][1]["speaker"], "callee");
    EXPECT_EQ(completed["analysis"]["ai_confidence_score"], 87);
    EXPECT_EQ(api().Get("/api/v1/webhooks/sample?event=call.tool_called").json()["data"]["data"]["status"], "success");
    ExpectError(api().Get("/api/v1/webhooks/sample"), 400, "VALIDATION_ERROR");
    ExpectError(api().Get("/api/v1/webhooks/sample?event=call.exploded"), 400, "VALIDATION_ERROR");
}

// Real changes reach the receiver as events, each verified by seed 000's code and by the
// standardwebhooks package.
TEST_P(Webhooks, ContactCampaignAndCallEventsReachTheReceiver) {
    const std::string hook = UniqueHook("live");
    Subscribe(hook);
    ASSERT_NO_FATAL_FAILURE(TurnGuardOff(api()));

    const std::string contact_id = NewContact(api(), 0, {{"first_name", "Ada"}, {"tags", {"hooks"}}});
    ASSERT_FALSE(contact_id.empty());
    ASSERT_EQ(api().Patch("/api/v1/contacts/" + contact_id, {{"company", "Acme"}}).status, 200);
    ASSERT_EQ(api().Post("/api/v1/dnc", {{"phone", "+12025550199"}}).status / 100, 2);

    const std::string profile = NewProfile(api());
    ASSERT_FALSE(profile.empty());
    auto campaign = api().Post("/api/v1/campaigns", {{"name", "Hooks"},
                                                     {"agent_id", profile},
                                                     {"contact_tags", {"hooks"}},
                                                     {"schedule", AroundTheClock()},
                                                     {"retry_rules", {{"max_attempts", 1}}}});
    ASSERT_EQ(campaign.status, 201) << campaign.body;
    const std::string campaign_id = campaign.json()["data"]["id"];
    ASSERT_EQ(api().Send("POST", "/api/v1/campaigns/" + campaign_id + "/start").status, 200);

    // contact.created, contact.updated, contact.dnc_requested, campaign.started, call.started,
    // call.completed, campaign.completed
    Receiver().WaitFor(hook, 7, std::chrono::seconds(120));
    WaitUntil([&] { return !OfType(Receiver().Log(hook), "campaign.completed").empty(); }, std::chrono::seconds(10),
              std::chrono::milliseconds(200));
    const Json log = Received(hook, 7);
    const Json created = OfType(log, "contact.created");
    ASSERT_EQ(created.size(), 1u);
    EXPECT_EQ(created[0]["data"]["id"], contact_id);
    EXPECT_EQ(created[0]["data"]["first_name"], "Ada");
    EXPECT_EQ(created[0]["organization_id"], org_.org_id);
    const Json updated = OfType(log, "contact.updated");
    ASSERT_GE(updated.size(), 1u);
    EXPECT_EQ(updated[0]["data"]["company"], "Acme");
    const Json dnc = OfType(log, "contact.dnc_requested");
    ASSERT_EQ(dnc.size(), 1u);
    EXPECT_EQ(dnc[0]["data"]["phone"], "+12025550199");
    ASSERT_EQ(OfType(log, "campaign.started").size(), 1u);
    EXPECT_EQ(OfType(log, "campaign.started")[0]["data"]["campaign_id"], campaign_id);
    const Json started = OfType(log, "call.started");
    ASSERT_EQ(started.size(), 1u);
    EXPECT_EQ(started[0]["data"]["contact_id"], contact_id);
    const Json completed = OfType(log, "call.completed");
    ASSERT_EQ(completed.size(), 1u);
    const Json call = completed[0]["data"];
    EXPECT_EQ(call["campaign_id"], campaign_id);
    EXPECT_EQ(call["direction"], "outbound");
    EXPECT_GT(call["talk_duration_seconds"].get<int>(), 0);
    EXPECT_TRUE(call["analysis"].contains("disposition"));
    EXPECT_GE(call["transcript"].size(), 2u);
    EXPECT_EQ(call["transcript"][0]["speaker"], "agent");
    ASSERT_EQ(OfType(log, "campaign.completed").size(), 1u);

    // The same story in the delivery log.
    const std::string call_id = call["call_id"];
    const Json rows = api().Get("/api/v1/webhooks/deliveries?call_id=" + call_id).json()["data"];
    std::set<std::string> kinds;
    for (const auto& row : rows) kinds.insert(row["event"].get<std::string>());
    EXPECT_TRUE(kinds.contains("call.started") && kinds.contains("call.completed")) << rows.dump();
    // The agent's tools (end_call here) are events of the call too, recorded as they ran.
    EXPECT_EQ(rows.size(), 2 + OfType(log, "call.tool_called").size()) << rows.dump();
    for (const auto& tool : OfType(log, "call.tool_called")) EXPECT_EQ(tool["data"]["call_id"], call_id);
    for (const auto& row : rows) {
        EXPECT_EQ(row["status"], "delivered") << row.dump();
        EXPECT_EQ(row["http_status"], 200);
        EXPECT_EQ(row["attempts"], 1);
        EXPECT_EQ(row["call_flow_id"], profile);
        EXPECT_FALSE(row["delivered_at"].is_null());
    }
}

// A call's own webhook_url (seed 003) gets its events, signed with the organization's call secret.
TEST_P(Webhooks, ACallsWebhookUrlGetsItsEvents) {
    const std::string hook = UniqueHook("call");
    auto secret = api().Get("/api/v1/webhooks/signing-secret");
    ASSERT_EQ(secret.status, 200) << secret.body;
    Receiver().SetSecret(secret.json()["data"]["secret"]);
    const std::string profile = NewProfile(api(), {{"opener", "Hello there."}});
    ASSERT_FALSE(profile.empty());
    auto placed = api().Post("/api/v1/calls",
                             {{"profile_id", profile}, {"phone", Sandbox(5)}, {"webhook_url", Receiver().url(hook)}});
    ASSERT_EQ(placed.status / 100, 2) << placed.body;
    const Json log = Received(hook, 1);
    ASSERT_EQ(log.size(), 1u);
    EXPECT_EQ(log[0]["event"], "call.failed");  // persona 5 does not answer
    EXPECT_EQ(log[0]["body"]["data"]["status"], "no_answer");
}

TEST_P(Webhooks, DeliveryLogFiltersPagesAndRedelivers) {
    const std::string hook = UniqueHook("log");
    Subscribe(hook, {"contact.created"});
    Receiver().SetBehaviour(hook, {{"fail_first", 1}, {"fail_status", 500}});
    for (int i = 0; i < 3; ++i) {
        ASSERT_EQ(api().Post("/api/v1/contacts", {{"phone", "+1202555" + std::to_string(1300 + i)}}).status, 201);
    }
    Received(hook, 3);
    // The first attempt failed and waits 5 s for its retry.
    Json failed_first;
    WaitUntil(
        [&] {
            const Json pending = api().Get("/api/v1/webhooks/deliveries?status=pending").json()["data"];
            if (pending.size() == 1 && pending[0]["attempts"] == 1) failed_first = pending[0];
            return failed_first.is_object();
        },
        std::chrono::seconds(5));
    ASSERT_TRUE(failed_first.is_object());
    EXPECT_EQ(failed_first["http_status"], 500);
    EXPECT_EQ(failed_first["last_error"], "receiver answered 500: fail");
    EXPECT_FALSE(failed_first["next_attempt_at"].is_null());
    EXPECT_EQ(api().Get("/api/v1/webhooks/deliveries?status=delivered").json()["data"].size(), 2u);
    EXPECT_EQ(api().Get("/api/v1/webhooks/deliveries?event=contact.created").json()["data"].size(), 3u);
    EXPECT_EQ(api().Get("/api/v1/webhooks/deliveries?event=call.completed").json()["data"].size(), 0u);

    const Json page1 = api().Get("/api/v1/webhooks/deliveries?limit=2").json();
    ASSERT_EQ(page1["data"].size(), 2u);
    EXPECT_EQ(page1["meta"]["has_more"], true);
    const Json page2 = api().Get("/api/v1/webhooks/deliveries?limit=2&offset=2").json();
    ASSERT_EQ(page2["data"].size(), 1u);
    EXPECT_EQ(page2["meta"]["has_more"], false);
    EXPECT_NE(page2["data"][0]["id"], page1["data"][0]["id"]);
    EXPECT_NE(page2["data"][0]["id"], page1["data"][1]["id"]);

    for (const char* bad : {"limit=0", "limit=101", "limit=x", "offset=-1", "status=lost", "event=nope"}) {
        ExpectError(api().Get(std::string("/api/v1/webhooks/deliveries?") + bad), 400, "VALIDATION_ERROR");
    }

    const std::string delivered = api().Get("/api/v1/webhooks/deliveries?status=delivered").json()["data"][0]["id"];
    auto again = api().Send("POST", "/api/v1/webhooks/deliveries/" + delivered + "/redeliver");
    ASSERT_EQ(again.status, 202) << again.body;
    EXPECT_EQ(again.json()["data"]["redelivery_of"], delivered);
    const Json log = Received(hook, 5);  // 3 + the retry + the redelivery
    EXPECT_EQ(log.size(), 5u);
    ExpectError(api().Send("POST", "/api/v1/webhooks/deliveries/whd_nope/redeliver"), 404, "NOT_FOUND");
    auto other = server_->Client(server_->CreateOrg().key);
    ExpectError(other.Send("POST", "/api/v1/webhooks/deliveries/" + delivered + "/redeliver"), 404, "NOT_FOUND");
    ExpectError(other.Get("/api/v1/webhooks/deliveries/" + delivered), 404, "NOT_FOUND");
    EXPECT_EQ(other.Get("/api/v1/webhooks/deliveries").json()["data"].size(), 0u);
}

// Without --allow-private-webhooks, a server refuses receivers on loopback and private networks.
TEST(WebhookGuard, APrivateReceiverIsRefusedUnlessTheOperatorAllowsIt) {
    ParleyServer server(Backend::kSqlite);
    server.Start();
    auto api = server.Client(server.CreateOrg().key);
    for (const char* url : {"http://127.0.0.1:9/hook", "http://localhost/hook", "http://10.1.2.3/hook",
                            "http://169.254.169.254/latest/meta-data", "http://[::1]/hook"}) {
        auto res = api.Post("/api/v1/webhooks", {{"url", url}, {"events", {"*"}}});
        ExpectError(res, 400, "VALIDATION_ERROR");
        EXPECT_NE(res.json()["error"]["details"][0]["message"].get<std::string>().find("--allow-private-webhooks"),
                  std::string::npos)
            << url << " " << res.body;
    }
    // Nor is a call's own webhook_url.
    const std::string profile = NewProfile(api, {{"opener", "Hello."}});
    ASSERT_FALSE(profile.empty());
    auto call = api.Post("/api/v1/calls",
                         {{"profile_id", profile}, {"phone", Sandbox(0)}, {"webhook_url", "http://192.168.1.20/hook"}});
    ExpectError(call, 400, "VALIDATION_ERROR");
    EXPECT_EQ(call.json()["error"]["details"][0]["field"], "webhook_url");
    EXPECT_EQ(api.Get("/api/v1/calls").json()["data"].size(), 0u);
    // 127.0.0.1 spelt as one number is not read at all.
    ExpectError(api.Post("/api/v1/webhooks", {{"url", "http://2130706433/"}, {"events", {"*"}}}), 400,
                "VALIDATION_ERROR");
    EXPECT_EQ(api.Get("/api/v1/webhooks").json()["data"].size(), 0u);
}

// kill -9 while a delivery is in flight: after the restart it is sent again, and delivered.
TEST(WebhookCrash, ADeliveryInFlightAtKillIsSentAfterRestart) {
    const WebhookReceiver receiver;
    ParleyServer server(Backend::kSqlite, {"--allow-private-webhooks"});
    server.Start();
    const OrgKey org = server.CreateOrg();
    auto made = server.Client(org.key).Post("/api/v1/webhooks", {{"url", receiver.url("crash")}, {"events", {"*"}}});
    ASSERT_EQ(made.status, 201) << made.body;
    receiver.SetSecret(made.json()["data"]["secret"]);
    receiver.SetBehaviour("crash", {{"status", 200}, {"delay_ms", 30'000}});
    ASSERT_EQ(server.Client(org.key).Post("/api/v1/contacts", {{"phone", "+12025551400"}}).status, 201);
    ASSERT_EQ(receiver.WaitFor("crash", 1).size(), 1u);  // in flight: the receiver holds it
    EXPECT_EQ(server.Stop(SIGKILL), 128 + SIGKILL);

    receiver.SetBehaviour("crash", {{"status", 200}});
    server.Start();
    const Json log = receiver.WaitFor("crash", 2, std::chrono::seconds(30));
    ASSERT_EQ(log.size(), 2u);
    EXPECT_EQ(log[0]["webhook_id"], log[1]["webhook_id"]);
    EXPECT_EQ(log[1]["status"], 200);
    EXPECT_TRUE(log[1]["verified_seed"].get<bool>());
    EXPECT_TRUE(log[1]["verified_standard"].get<bool>());
    Json rows;
    WaitUntil(
        [&] {
            rows = server.Client(org.key).Get("/api/v1/webhooks/deliveries").json()["data"];
            return rows.size() == 1 && rows[0]["status"] == "delivered";
        },
        std::chrono::seconds(5));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0]["status"], "delivered");
    EXPECT_EQ(rows[0]["attempts"], 1);
}

}  // namespace
}  // namespace parley::testing
