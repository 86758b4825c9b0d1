// The webhook worker in-process, on a manual clock, against the Node receivers of tests/webhooks:
// signatures checked by seed 000's verifyWebhook and by the standardwebhooks package, retries
// over a day of schedule, Retry-After, 410, disabling after ten failures, the address guard.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "common/clock.hpp"
#include "common/ids.hpp"
#include "domain/events.hpp"
#include "domain/webhook_service.hpp"
#include "events/webhook_worker.hpp"
#include "store/sql_repos.hpp"
#include "store/temp_store.hpp"
#include "support/webhook_receiver.hpp"

namespace parley::testing {
namespace {

using domain::DeliveryStatus;

constexpr int64_t kStart = 1'800'000'000'000;  // 2027-01-15

class WebhookDelivery : public ::testing::Test {
protected:
    void SetUp() override {
        org_.id = NewId("org_", kStart);
        org_.name = "Webhook test org";
        org_.created_at = kStart;
        ASSERT_TRUE(store_->Write([&](domain::Repos& r) { return r.organizations().Insert(org_); }));
        who_.org_id = org_.id;
        who_.role = domain::Role::kOwner;
        service_ = std::make_unique<domain::WebhookService>(*store_, clock_, net::WebhookUrlPolicy{true});
    }

    void TearDown() override {
        worker_.reset();
        service_.reset();
    }

    events::WebhookWorker& Worker(events::WorkerOptions o = {}) {
        o.allow_private = o.allow_private || !guarded_;
        o.jitter = 0;  // exact schedules, so the clock can be moved to each retry
        worker_ = std::make_unique<events::WebhookWorker>(*store_, clock_, o);
        return *worker_;
    }

    // An endpoint for `events` at the receiver's hook, with the receiver told its secret.
    domain::WebhookEndpoint Endpoint(const std::string& hook, domain::Json events = {"*"}) {
        auto made = service_->Create(who_, {{"url", receiver_.url(hook)}, {"events", events}});
        EXPECT_TRUE(made) << (made ? "" : made.error().message);
        receiver_.SetSecret(made->endpoint.secret);
        return made->endpoint;
    }

    void Record(const domain::Event& e) {
        ASSERT_TRUE(store_->Write([&](domain::Repos& r) { return r.webhooks().Record(e); }));
    }

    std::vector<domain::WebhookDelivery> Deliveries(domain::DeliveryFilter filter = {}) {
        auto rows =
            domain::ReadTx(*store_, [&](domain::Repos& r) { return r.webhooks().Deliveries(org_.id, filter, 100, 0); });
        EXPECT_TRUE(rows);
        return rows ? *rows : std::vector<domain::WebhookDelivery>{};
    }

    domain::WebhookEndpoint Stored(const std::string& id) {
        auto found = domain::ReadTx(*store_, [&](domain::Repos& r) { return r.webhooks().Get(org_.id, id); });
        EXPECT_TRUE(found && *found);
        return **found;
    }

    // Moves the clock to the delivery's next attempt and runs the worker.
    void NextAttempt(const std::string& delivery_id) {
        auto d = domain::ReadTx(*store_, [&](domain::Repos& r) { return r.webhooks().Delivery(org_.id, delivery_id); });
        ASSERT_TRUE(d && *d);
        clock_.Set(std::max(clock_.NowMs(), (*d)->next_at));
        worker_->RunUntilIdle();
    }

    static void ExpectVerified(const Json& request) {
        EXPECT_TRUE(request["verified_seed"].get<bool>()) << request.dump();
        EXPECT_TRUE(request["verified_standard"].get<bool>()) << request.dump();
    }

    ManualClock clock_{kStart};
    store::TempSqliteStore temp_{"webhooks", 2};
    store::Database* db_ = &temp_.db();
    domain::Store* store_ = &temp_.store();
    domain::Organization org_;
    domain::Principal who_;
    bool guarded_ = false;
    std::unique_ptr<domain::WebhookService> service_;
    WebhookReceiver receiver_;
    std::unique_ptr<events::WebhookWorker> worker_;
};

}  // namespace

// Every event type, through both verifiers; numbers, escapes and index-like keys survive the
// documented verifier's JSON.parse + JSON.stringify round trip.
TEST_F(WebhookDelivery, SignsEveryEventSoBothVerifiersAcceptIt) {
    auto endpoint = Endpoint("all");
    Worker();
    size_t sent = 0;
    for (const auto& type : domain::EventTypes()) {
        Record(domain::SampleEvent(type.name, org_.id, clock_.NowMs()));
        ++sent;
    }
    auto tricky = domain::OrgEvent("contact.updated", org_.id,
                                   {{"ratio", 0.1},
                                    {"tiny", 1e-7},
                                    {"whole", 5.0},
                                    {"big", 1e21},
                                    {"neg", -2.5e-5},
                                    {"text", "naïve \"quoted\" \\ tab\t line\n ctl\x01 emoji 😀 sep\u2028"},
                                    {"keys", {{"b", 1}, {"10", 2}, {"2", 3}, {"a", 4}, {"01", 5}}}},
                                   clock_.NowMs());
    Record(tricky);
    ++sent;
    worker_->RunUntilIdle();
    Json log = receiver_.Log("all");
    ASSERT_EQ(log.size(), sent);
    for (const auto& request : log) {
        ExpectVerified(request);
        EXPECT_EQ(request["content_type"], "application/json");
        EXPECT_EQ(request["webhook_id"], request["id"]);  // the event id, the same on every retry
        EXPECT_EQ(request["body"]["organization_id"], org_.id);
        if (request["id"] != tricky.id) {
            EXPECT_EQ(request["schema_errors"], Json::array()) << request["body"].dump();
        }
    }
    auto it = std::find_if(log.begin(), log.end(), [&](const Json& r) { return r["id"] == tricky.id; });
    ASSERT_NE(it, log.end());
    EXPECT_EQ((*it)["body"]["data"]["text"], "naïve \"quoted\" \\ tab\t line\n ctl\x01 emoji 😀 sep\u2028");
    EXPECT_EQ((*it)["body"]["data"]["whole"], 5);
    for (const auto& d : Deliveries()) {
        EXPECT_EQ(d.status, DeliveryStatus::kDelivered) << d.event;
        EXPECT_EQ(d.http_status, 200);
        EXPECT_EQ(d.attempts, 1);
        EXPECT_EQ(d.endpoint_id, endpoint.id);
    }
}

TEST_F(WebhookDelivery, SendsOnlyTheEventsAnEndpointSubscribedTo) {
    Endpoint("calls", {"call.completed", "call.failed"});
    Worker();
    for (const char* type : {"call.started", "call.completed", "contact.created", "call.failed"}) {
        Record(domain::SampleEvent(type, org_.id, clock_.NowMs()));
    }
    worker_->RunUntilIdle();
    Json log = receiver_.Log("calls");
    ASSERT_EQ(log.size(), 2u);
    EXPECT_EQ(log[0]["event"], "call.completed");
    EXPECT_EQ(log[1]["event"], "call.failed");
    EXPECT_EQ(log[0]["body"]["data"]["analysis"]["disposition"], "hot_lead");
    EXPECT_TRUE(log[0]["body"]["data"]["transcript"].is_array());
}

// Fails 9 times, then recovers: ten attempts over the documented schedule, one delivery.
TEST_F(WebhookDelivery, RetriesOnTheScheduleUntilTheReceiverRecovers) {
    auto endpoint = Endpoint("flaky");
    receiver_.SetBehaviour("flaky", {{"fail_first", 9}, {"fail_status", 503}});
    Worker();
    Record(domain::SampleEvent("call.completed", org_.id, clock_.NowMs()));
    worker_->RunUntilIdle();
    auto d = Deliveries().at(0);
    const std::vector<int64_t> schedule = events::WorkerOptions{}.retry_delays_ms;
    for (size_t i = 0; i < 9; ++i) {
        d = Deliveries().at(0);
        ASSERT_EQ(d.status, DeliveryStatus::kPending) << i;
        EXPECT_EQ(d.attempts, static_cast<int>(i + 1));
        EXPECT_EQ(d.http_status, 503);
        EXPECT_EQ(d.next_at, clock_.NowMs() + schedule[i]) << "attempt " << i + 2 << " waits " << schedule[i] << " ms";
        // Not a moment early.
        clock_.Set(d.next_at - 1);
        worker_->RunUntilIdle();
        EXPECT_EQ(receiver_.Log("flaky").size(), i + 1);
        NextAttempt(d.id);
    }
    d = Deliveries().at(0);
    EXPECT_EQ(d.status, DeliveryStatus::kDelivered);
    EXPECT_EQ(d.attempts, 10);
    EXPECT_FALSE(d.last_error.has_value());
    Json log = receiver_.Log("flaky");
    ASSERT_EQ(log.size(), 10u);
    for (const auto& request : log) ExpectVerified(request);
    EXPECT_EQ(log[0]["webhook_id"], log[9]["webhook_id"]);
    auto after = Stored(endpoint.id);
    EXPECT_TRUE(after.enabled);
    EXPECT_EQ(after.consecutive_failures, 0);
}

// Ten failed deliveries in a row disable the endpoint (seed 000) and record webhook.disabled;
// events that come while it is disabled wait, and enabling it again sends them.
TEST_F(WebhookDelivery, TenConsecutiveFailuresDisableTheEndpointUntilEnabledAgain) {
    auto dead = Endpoint("dead", {"contact.created"});
    auto watcher = service_->Create(who_, {{"url", receiver_.url("watch")}, {"events", {"webhook.disabled"}}});
    ASSERT_TRUE(watcher);
    receiver_.SetBehaviour("dead", {{"status", 500}});
    events::WorkerOptions o;
    o.retry_delays_ms = {1000};  // two attempts per delivery: the count spans deliveries
    Worker(o);
    for (int i = 0; i < 5; ++i) Record(domain::SampleEvent("contact.created", org_.id, clock_.NowMs()));
    worker_->RunUntilIdle();
    EXPECT_TRUE(Stored(dead.id).enabled);
    clock_.Advance(1000);
    worker_->RunUntilIdle();
    auto after = Stored(dead.id);
    EXPECT_FALSE(after.enabled);
    EXPECT_EQ(after.consecutive_failures, 10);
    EXPECT_EQ(after.disabled_reason, "10 consecutive deliveries failed");
    for (const auto& d : Deliveries({.endpoint_id = dead.id})) {
        EXPECT_EQ(d.status, DeliveryStatus::kFailed);
        EXPECT_EQ(d.attempts, 2);
        EXPECT_EQ(d.last_error, "receiver answered 500: fail");
    }
    Json watch = receiver_.Log("watch");
    ASSERT_EQ(watch.size(), 1u);
    EXPECT_EQ(watch[0]["event"], "webhook.disabled");
    EXPECT_EQ(watch[0]["body"]["data"]["webhook_id"], dead.id);

    // Held while disabled.
    Record(domain::SampleEvent("contact.created", org_.id, clock_.NowMs()));
    clock_.Advance(60'000);
    worker_->RunUntilIdle();
    EXPECT_EQ(receiver_.Log("dead").size(), 10u);
    auto held = Deliveries({.status = DeliveryStatus::kPending});
    ASSERT_EQ(held.size(), 1u);

    receiver_.SetBehaviour("dead", {{"status", 200}});
    auto enabled = service_->Update(who_, dead.id, {{"enabled", true}});
    ASSERT_TRUE(enabled);
    EXPECT_TRUE(enabled->enabled);
    EXPECT_EQ(enabled->consecutive_failures, 0);
    worker_->RunUntilIdle();
    Json log = receiver_.Log("dead");
    ASSERT_EQ(log.size(), 11u);
    EXPECT_EQ(log.back()["status"], 200);
    EXPECT_EQ(Deliveries({.status = DeliveryStatus::kPending}).size(), 0u);
}

TEST_F(WebhookDelivery, GoneDisablesTheEndpointAtOnce) {
    auto endpoint = Endpoint("gone");
    receiver_.SetBehaviour("gone", {{"status", 410}});
    Worker();
    Record(domain::SampleEvent("call.started", org_.id, clock_.NowMs()));
    worker_->RunUntilIdle();
    auto d = Deliveries({.event = "call.started"}).at(0);
    EXPECT_EQ(d.status, DeliveryStatus::kFailed);
    EXPECT_EQ(d.http_status, 410);
    EXPECT_EQ(d.attempts, 1);
    auto after = Stored(endpoint.id);
    EXPECT_FALSE(after.enabled);
    EXPECT_EQ(after.disabled_reason, "the receiver answered 410 Gone");
}

TEST_F(WebhookDelivery, HonoursRetryAfter) {
    Endpoint("busy");
    receiver_.SetBehaviour("busy", {{"fail_first", 1}, {"fail_status", 429}, {"retry_after", "120"}});
    Worker();
    Record(domain::SampleEvent("call.started", org_.id, clock_.NowMs()));
    worker_->RunUntilIdle();
    auto d = Deliveries().at(0);
    EXPECT_EQ(d.http_status, 429);
    EXPECT_EQ(d.next_at, clock_.NowMs() + 120'000);  // not the schedule's 5 s
    clock_.Advance(6'000);
    worker_->RunUntilIdle();
    EXPECT_EQ(receiver_.Log("busy").size(), 1u);
    NextAttempt(d.id);
    EXPECT_EQ(Deliveries().at(0).status, DeliveryStatus::kDelivered);
}

TEST_F(WebhookDelivery, ASlowReceiverTimesOutAndIsRetried) {
    Endpoint("slow");
    receiver_.SetBehaviour("slow", {{"status", 200}, {"delay_ms", 3000}});
    events::WorkerOptions o;
    o.timeout_ms = 300;
    Worker(o);
    Record(domain::SampleEvent("call.started", org_.id, clock_.NowMs()));
    worker_->RunUntilIdle();
    auto d = Deliveries().at(0);
    EXPECT_EQ(d.status, DeliveryStatus::kPending);
    EXPECT_EQ(d.attempts, 1);
    EXPECT_FALSE(d.http_status.has_value());
    EXPECT_EQ(d.last_error, "no answer within 300 ms");
}

// One receiver that takes its time must not hold up deliveries to the others.
TEST_F(WebhookDelivery, ASlowReceiverDoesNotHoldUpTheOthers) {
    Endpoint("slow");
    Endpoint("fast");
    receiver_.SetBehaviour("slow", {{"status", 200}, {"delay_ms", 1500}});
    events::WorkerOptions o;
    o.per_receiver = 2;
    auto& worker = Worker(o);
    for (int i = 0; i < 20; ++i) Record(domain::SampleEvent("contact.created", org_.id, clock_.NowMs()));
    ASSERT_TRUE(worker.Start());
    Json fast = receiver_.WaitFor("fast", 20);
    EXPECT_EQ(fast.size(), 20u);
    // By then the slow receiver has answered at most a few of its 20.
    Json slow = receiver_.Log("slow");
    size_t answered = 0;
    for (const auto& r : slow) answered += r["responded_at_ms"].is_null() ? 0 : 1;
    EXPECT_LT(answered, 20u);
    EXPECT_LE(slow.size(), 20u);
    worker.Stop();
}

TEST_F(WebhookDelivery, RefusesPrivateAddressesUnlessAllowed) {
    Endpoint("private");
    guarded_ = true;
    Worker();
    Record(domain::SampleEvent("call.started", org_.id, clock_.NowMs()));
    worker_->RunUntilIdle();
    EXPECT_EQ(receiver_.Log("private").size(), 0u);
    auto d = Deliveries().at(0);
    EXPECT_EQ(d.status, DeliveryStatus::kPending);
    ASSERT_TRUE(d.last_error.has_value());
    EXPECT_NE(d.last_error->find("loopback"), std::string::npos) << *d.last_error;
    EXPECT_NE(d.last_error->find("--allow-private-webhooks"), std::string::npos) << *d.last_error;
}

// A call's own webhook_url gets the call's events, signed with the organization's call secret.
TEST_F(WebhookDelivery, ACallsOwnWebhookUrlGetsItsEvents) {
    Worker();
    // The organization was inserted by hand, as one made before organizations got their call
    // secret at creation: a server's start makes the missing ones, and reading never does.
    auto missing = service_->CallSecret(who_);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
    auto made =
        domain::WriteTx(*store_, [&](domain::Repos& r) { return r.webhooks().CreateMissingOrgSecrets(kStart); });
    ASSERT_TRUE(made);
    EXPECT_EQ(*made, 1);
    auto secret = service_->CallSecret(who_);
    ASSERT_TRUE(secret);
    receiver_.SetSecret(*secret);
    auto event = domain::SampleEvent("call.completed", org_.id, clock_.NowMs());
    event.webhook_url = receiver_.url("per-call");
    Record(event);
    Record(domain::SampleEvent("contact.created", org_.id, clock_.NowMs()));  // no endpoint: nowhere
    worker_->RunUntilIdle();
    Json log = receiver_.Log("per-call");
    ASSERT_EQ(log.size(), 1u);
    ExpectVerified(log[0]);
    auto d = Deliveries().at(0);
    EXPECT_FALSE(d.endpoint_id.has_value());
    EXPECT_EQ(d.call_id, event.call_id);
    EXPECT_EQ(d.call_flow_id, event.call_flow_id);
}

// After a rotation both secrets sign the Standard Webhooks header for a day, so receivers can
// switch without losing a delivery; X-Parley-Signature uses the new one.
TEST_F(WebhookDelivery, RotationKeepsTheOldSecretValidForADay) {
    auto endpoint = Endpoint("rotating");
    Worker();
    auto rotated = service_->RotateSecret(who_, endpoint.id);
    ASSERT_TRUE(rotated);
    EXPECT_NE(rotated->endpoint.secret, endpoint.secret);
    Record(domain::SampleEvent("call.started", org_.id, clock_.NowMs()));
    worker_->RunUntilIdle();
    Json log = receiver_.Log("rotating");
    ASSERT_EQ(log.size(), 1u);
    EXPECT_FALSE(log[0]["verified_seed"].get<bool>());     // still the old secret
    EXPECT_TRUE(log[0]["verified_standard"].get<bool>());  // one of the two signatures
    receiver_.SetSecret(rotated->endpoint.secret);
    clock_.Advance(domain::kSecretOverlapMs + 1);
    Record(domain::SampleEvent("call.started", org_.id, clock_.NowMs()));
    worker_->RunUntilIdle();
    log = receiver_.Log("rotating");
    ASSERT_EQ(log.size(), 2u);
    ExpectVerified(log[1]);
}

TEST_F(WebhookDelivery, RedeliverySendsTheSameEventAgain) {
    Endpoint("again");
    Worker();
    Record(domain::SampleEvent("call.completed", org_.id, clock_.NowMs()));
    worker_->RunUntilIdle();
    auto first = Deliveries().at(0);
    auto again = service_->Redeliver(who_, first.id);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->redelivery_of, first.id);
    EXPECT_EQ(again->status, DeliveryStatus::kPending);
    worker_->RunUntilIdle();
    Json log = receiver_.Log("again");
    ASSERT_EQ(log.size(), 2u);
    EXPECT_EQ(log[0]["webhook_id"], log[1]["webhook_id"]);
    ExpectVerified(log[1]);
    EXPECT_EQ(service_->Delivery(who_, again->id)->status, DeliveryStatus::kDelivered);
}

// A node that died mid-transfer: its leases end at its next start and the delivery goes again.
TEST_F(WebhookDelivery, LeasesOfAStoppedNodeAreSentAgainAtItsStart) {
    Endpoint("lease");
    Record(domain::SampleEvent("call.started", org_.id, clock_.NowMs()));
    ASSERT_TRUE(store_->Write([&](domain::Repos& r) -> Result<void> {
        auto fanned = r.webhooks().FanOut(10, clock_.NowMs());
        if (!fanned) return Fail(std::move(fanned.error()));
        auto due = r.webhooks().Due(clock_.NowMs(), 10, {});
        if (!due) return Fail(std::move(due.error()));
        auto leased = r.webhooks().Lease({due->at(0).id}, clock_.NowMs(), clock_.NowMs() + 3'600'000, "node-a");
        if (!leased) return Fail(std::move(leased.error()));
        EXPECT_EQ(leased->size(), 1u);
        return {};
    }));
    events::WorkerOptions o;
    o.node_id = "node-a";
    auto& worker = Worker(o);
    ASSERT_TRUE(worker.Start());
    Json log = receiver_.WaitFor("lease", 1);
    worker.Stop();
    EXPECT_EQ(log.size(), 1u);
}

// Rows edited by hand into nonsense are set aside with the reason; the worker goes on with the
// others instead of stopping (a throwing read) or retrying them forever.
TEST_F(WebhookDelivery, RowsThatDoNotReadBackAreSetAsideAndTheOthersAreStillDelivered) {
    auto good = Endpoint("good");  // the receiver knows this one's secret
    auto unreadable = service_->Create(who_, {{"url", receiver_.url("unreadable")}, {"events", {"*"}}});
    ASSERT_TRUE(unreadable);
    auto unsigned_ = service_->Create(who_, {{"url", receiver_.url("unsigned")}, {"events", {"*"}}});
    ASSERT_TRUE(unsigned_);
    ASSERT_TRUE(db_->Exec("UPDATE webhook_endpoints SET events = '{not json' WHERE id = ?", {unreadable->endpoint.id}));
    Worker();
    Record(domain::SampleEvent("contact.created", org_.id, clock_.NowMs()));
    // Fanned out, then the third endpoint's secret is lost before its delivery is signed.
    ASSERT_TRUE(store_->Write([&](domain::Repos& r) -> Result<void> {
        auto n = r.webhooks().FanOut(10, clock_.NowMs());
        if (!n) return Fail(std::move(n.error()));
        return {};
    }));
    ASSERT_TRUE(db_->Exec("UPDATE webhook_endpoints SET secret = 'not-sealed' WHERE id = ?", {unsigned_->endpoint.id}));
    worker_->RunUntilIdle();

    EXPECT_EQ(receiver_.Log("good").size(), 1u);
    EXPECT_TRUE(receiver_.Log("unreadable").empty());
    EXPECT_TRUE(receiver_.Log("unsigned").empty());
    auto disabled =
        db_->Query("SELECT enabled, disabled_reason FROM webhook_endpoints WHERE id = ?", {unreadable->endpoint.id});
    ASSERT_TRUE(disabled && disabled->size() == 1);
    EXPECT_EQ((*disabled)[0][0].AsInt(), 0);
    EXPECT_NE((*disabled)[0][1].AsText().find("events are not a JSON array"), std::string::npos);
    bool failed_with_reason = false;
    for (const auto& d : Deliveries()) {
        if (d.endpoint_id == good.id) {
            EXPECT_EQ(d.status, DeliveryStatus::kDelivered);
        }
        if (d.endpoint_id == unsigned_->endpoint.id) {
            EXPECT_EQ(d.status, DeliveryStatus::kFailed);
            failed_with_reason = d.last_error && d.last_error->find("does not open") != std::string::npos;
        }
    }
    EXPECT_TRUE(failed_with_reason);

    // A later event still reaches the healthy endpoint.
    Record(domain::SampleEvent("contact.updated", org_.id, clock_.NowMs()));
    worker_->RunUntilIdle();
    EXPECT_EQ(receiver_.Log("good").size(), 2u);
}

}  // namespace parley::testing
