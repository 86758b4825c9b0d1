#include "domain/call_lifecycle.hpp"

#include <gtest/gtest.h>

#include "domain/key_service.hpp"
#include "store/temp_store.hpp"

namespace parley::domain {
namespace {

constexpr int64_t kNow = 1'800'000'000'000;

class CallLifecycleTest : public ::testing::Test {
protected:
    void SetUp() override {
        ManualClock clock(kNow);
        auto org = KeyService(*store_, clock).CreateOrganization("Acme", Tier::kStandard);
        ASSERT_TRUE(org);
        call_.id = "call_1";
        call_.org_id = org->first.id;
        call_.profile_id = "prof_1";
        call_.profile_version = 1;
        call_.contact_id = "ct_1";
        call_.from_number = "+12025550100";
        call_.to_number = "+12025550123";
        call_.created_at = kNow;
        call_.MoveTo(CallStatus::kQueued, kNow, "api");
        call_.MoveTo(CallStatus::kRinging, kNow + 1, "dialing");
        ASSERT_TRUE(store_->Write([&](Repos& r) { return r.calls().Insert(call_); }));
    }

    Call Stored() {
        auto c = ReadTx(*store_, [&](Repos& r) { return r.calls().Get(call_.org_id, call_.id); });
        EXPECT_TRUE(c && *c);
        return c && *c ? **c : Call{};
    }
    Result<bool> Close(const Call& call, const CallOutcome& outcome, int64_t at,
                       std::optional<CallStatus> only_from = std::nullopt) {
        return WriteTx(*store_, [&](Repos& r) { return CloseCall(r, call, outcome, prices_, at, only_from); });
    }
    std::vector<std::string> EventTypes() {
        std::vector<std::string> types;
        auto rows = db_->Query("SELECT type FROM events ORDER BY id");
        EXPECT_TRUE(rows);
        if (rows) {
            for (const auto& row : *rows) types.push_back(row[0].AsText());
        }
        return types;
    }

    PriceTable prices_{.per_minute_cents = {{"sandbox", 1.0}, {"sphinx", 0.6}},
                       .per_1k_chars_cents = {{"flite", 1.6}},
                       .per_call_cents = {{"scripted", 2.0}}};
    CallUsage usage_{.carrier = "sandbox",
                     .stt = "sphinx",
                     .tts = "flite",
                     .brain = "scripted",
                     .connected = true,
                     .talk_seconds = 90.4,
                     .stt_audio_seconds = 100,
                     .tts_chars = 1250};
    Call call_;
    store::TempSqliteStore temp_{"lifecycle"};
    store::Database* db_ = &temp_.db();
    Store* store_ = &temp_.store();
};

TEST_F(CallLifecycleTest, PricesEachEngineAndTheCarrierInWholeCents) {
    const Json breakdown = PriceCall(prices_, usage_);
    EXPECT_EQ(breakdown, Json::parse(R"({"sandbox": 2, "sphinx": 1, "flite": 2, "scripted": 2})"));
    CallUsage unanswered = usage_;
    unanswered.connected = false;
    unanswered.talk_seconds = 0;
    unanswered.brain = "unpriced-model";
    EXPECT_EQ(PriceCall(prices_, unanswered)["sandbox"], 0);
    EXPECT_EQ(PriceCall(prices_, unanswered)["unpriced-model"], 0);
}

TEST_F(CallLifecycleTest, EndsTheCallAfterTheTransitionsTheDatabaseHasAndRecordsItsEvent) {
    // Another write answered the call after the runtime took its copy.
    Call answered = Stored();
    answered.answered_at = kNow + 2000;
    answered.MoveTo(CallStatus::kInProgress, kNow + 2000, "answered");
    ASSERT_TRUE(WriteTx(*store_, [&](Repos& r) { return r.calls().Save(answered, CallStatus::kRinging); }));

    CallOutcome outcome;
    outcome.status = CallStatus::kCompleted;
    outcome.reason = "agent hung up";
    outcome.analysis = {{"disposition", "interested"}};
    outcome.transcript = Json::array({{{"speaker", "agent"}, {"text", "Hello"}, {"timestamp_seconds", 0}}});
    outcome.recording = "call_1.wav";
    outcome.usage = usage_;
    auto closed = Close(call_, outcome, kNow + 95'000);
    ASSERT_TRUE(closed) << closed.error().message;
    EXPECT_TRUE(*closed);

    const Call c = Stored();
    EXPECT_EQ(c.status, CallStatus::kCompleted);
    ASSERT_EQ(c.history.size(), 4u);
    EXPECT_EQ(c.history[2].status, CallStatus::kInProgress);
    EXPECT_EQ(c.history[3].reason, "agent hung up");
    EXPECT_EQ(c.answered_at, kNow + 2000);
    EXPECT_EQ(c.ended_at, kNow + 95'000);
    EXPECT_EQ(c.talk_duration_seconds, 90);
    EXPECT_EQ(c.cost_cents, 7);
    EXPECT_EQ(c.Disposition(), "interested");
    EXPECT_EQ(c.recording, "call_1.wav");
    EXPECT_EQ(c.transcript.size(), 1u);
    EXPECT_FALSE(c.error);
    EXPECT_EQ(EventTypes(), std::vector<std::string>{"call.completed"});
}

TEST_F(CallLifecycleTest, AFailureKeepsItsReasonAsTheErrorAndCostsNothingWithoutACarrier) {
    CallOutcome outcome;
    outcome.status = CallStatus::kFailed;
    outcome.reason = "profile not found";
    ASSERT_TRUE(Close(call_, outcome, kNow + 10));
    const Call c = Stored();
    EXPECT_EQ(c.status, CallStatus::kFailed);
    EXPECT_EQ(c.error, "profile not found");
    EXPECT_EQ(c.cost_cents, 0);
    EXPECT_TRUE(c.cost_breakdown.empty());
}

TEST_F(CallLifecycleTest, ACallAlreadyFinalIsLeftAsItIs) {
    CallOutcome first;
    first.status = CallStatus::kBusy;
    first.reason = "busy";
    ASSERT_TRUE(Close(call_, first, kNow + 10));
    CallOutcome second;
    second.status = CallStatus::kCompleted;
    second.opted_out = true;
    auto closed = Close(call_, second, kNow + 20);
    ASSERT_TRUE(closed);
    EXPECT_FALSE(*closed);
    EXPECT_EQ(Stored().status, CallStatus::kBusy);
    auto listed = ReadTx(*store_, [&](Repos& r) { return r.dnc().Find(call_.org_id, call_.to_number); });
    ASSERT_TRUE(listed);
    EXPECT_FALSE(*listed);
}

TEST_F(CallLifecycleTest, ACallThatLeftTheExpectedStatusIsLeftToWhoeverHasIt) {
    // The dispatcher fails a queued call it cannot run only while it is still queued: here
    // another node already claimed it (ringing).
    CallOutcome outcome;
    outcome.status = CallStatus::kFailed;
    outcome.reason = "recognizer x is not available";
    auto closed = Close(call_, outcome, kNow + 10, CallStatus::kQueued);
    ASSERT_TRUE(closed);
    EXPECT_FALSE(*closed);
    EXPECT_EQ(Stored().status, CallStatus::kRinging);
    EXPECT_TRUE(EventTypes().empty());
}

TEST_F(CallLifecycleTest, AnOptOutPutsTheNumberOnTheDoNotCallListWithTheCallInItsLedgerEntry) {
    CallOutcome outcome;
    outcome.status = CallStatus::kCompleted;
    outcome.reason = "agent hung up";
    outcome.opted_out = true;
    ASSERT_TRUE(Close(call_, outcome, kNow + 30));
    auto history = ReadTx(*store_, [&](Repos& r) { return r.dnc().History(call_.org_id, call_.to_number); });
    ASSERT_TRUE(history);
    ASSERT_EQ(history->size(), 1u);
    const DncLedgerEntry& entry = history->front();
    EXPECT_EQ(entry.action, DncAction::kAdd);
    EXPECT_EQ(entry.reason, DncReason::kCallOptOut);
    EXPECT_EQ(entry.call_id, "call_1");
    EXPECT_EQ(entry.contact_id, "ct_1");
    EXPECT_EQ(EventTypes(), (std::vector<std::string>{"call.completed", "contact.dnc_requested"}));
}

}  // namespace
}  // namespace parley::domain
