#include "dialer/dialer.hpp"

#include <gtest/gtest.h>

#include <map>

#include "domain/no_calls.hpp"
#include "domain/service_set.hpp"
#include "store/temp_store.hpp"

namespace parley::dialer {
namespace {

using domain::CallStatus;
using domain::Json;

// Accepts every number but London's. A call it queues stays queued until the test
// ends it the way the call runtime would.
class Launcher final : public domain::CallLauncher {
public:
    Result<void> CheckReachable(std::string_view e164) const override {
        if (e164.starts_with("+4420"))
            return Fail(ErrorCode::kUnprocessable, "no carrier reaches " + std::string(e164));
        return {};
    }
    std::string CallerId() const override { return "+12025550100"; }
    void Wake() override { ++wakes; }
    bool Hangup(std::string_view) override { return false; }
    int wakes = 0;
};

// 2026-03-04 (a Wednesday) 15:00 UTC: 10:00 in New York.
constexpr int64_t kWednesday10amNewYork = 1'772'636'400'000;
constexpr int64_t kMinute = 60'000;
constexpr int64_t kHour = 60 * kMinute;

class DialerTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto org = services_.keys.CreateOrganization("Acme", domain::Tier::kEnterprise);
        ASSERT_TRUE(org);
        who_.org_id = org->first.id;
        who_.role = domain::Role::kOwner;
        domain::Profile profile;
        profile.id = "prof_dialer";
        profile.org_id = who_.org_id;
        profile.name = "Qualifier";
        profile.spec.name = profile.name;
        profile.version = 1;
        profile.spec.extract_fields = {"budget"};
        ASSERT_TRUE(store_->Write([&](domain::Repos& r) { return r.profiles().Insert(profile); }));
        dialer_ = std::make_unique<Dialer>(*store_, clock_, launcher_);
    }
    void TearDown() override { dialer_.reset(); }

    std::string Contact(const std::string& phone, const Json& extra = Json::object()) {
        Json body = {{"phone", phone}};
        body.update(extra);
        auto c = services_.contacts.Create(who_, body);
        EXPECT_TRUE(c) << c.error().message;
        return c ? c->id : "";
    }

    // A running campaign that calls every day around the clock, New York dates.
    std::string Running(const Json& overrides = Json::object(), const std::vector<std::string>& tags = {"lead"}) {
        Json body = {{"name", "Spring"},
                     {"profile_id", "prof_dialer"},
                     {"contact_tags", tags},
                     {"schedule",
                      {{"calling_hours", {{"start", "00:00"}, {"end", "24:00"}}},
                       {"days", {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}},
                       {"timezone", "America/New_York"}}},
                     {"concurrent_calls", 10}};
        body.update(overrides, true);
        auto c = services_.campaigns.Create(who_, body);
        EXPECT_TRUE(c) << c.error().message;
        EXPECT_TRUE(services_.campaigns.Start(who_, c->id));
        return c->id;
    }

    void GuardOff() {
        domain::DialerSettings s;
        s.legal_hours_guard = false;
        ASSERT_TRUE(store_->Write([&](domain::Repos& r) { return r.campaigns().SaveSettings(who_.org_id, s); }));
    }

    PassResult Pass() {
        auto r = dialer_->RunOnce();
        EXPECT_TRUE(r) << r.error().message;
        return r ? *r : PassResult{};
    }

    std::vector<domain::Call> Calls(const std::string& campaign) {
        domain::CallFilter f;
        f.campaign_id = campaign;
        auto page = domain::ReadTx(*store_, [&](domain::Repos& r) {
            return r.calls().List(who_.org_id, f, domain::PageRequest{100, std::nullopt});
        });
        EXPECT_TRUE(page);
        return page->items;
    }

    std::vector<domain::Call> Queued(const std::string& campaign) {
        std::vector<domain::Call> out;
        for (auto& c : Calls(campaign)) {
            if (c.status == CallStatus::kQueued) out.push_back(c);
        }
        return out;
    }

    // Ends a queued call as the runtime would.
    void End(const domain::Call& queued, CallStatus status, std::optional<std::string> disposition = std::nullopt) {
        domain::Call c = queued;
        c.MoveTo(status, clock_.NowMs(), "test");
        if (disposition) c.analysis = {{"disposition", *disposition}, {"meeting_booked", *disposition == "hot_lead"}};
        c.cost_cents = status == CallStatus::kCompleted ? 7 : 0;
        auto saved = domain::WriteTx(*store_, [&](domain::Repos& r) { return r.calls().Save(c, CallStatus::kQueued); });
        ASSERT_TRUE(saved && *saved);
    }

    void EndAll(const std::string& campaign, CallStatus status, std::optional<std::string> disposition = std::nullopt) {
        for (const auto& c : Queued(campaign)) End(c, status, disposition);
    }

    domain::QueueEntry Entry(const std::string& campaign, const std::string& contact) {
        auto e = domain::ReadTx(*store_, [&](domain::Repos& r) { return r.campaigns().Entry(campaign, contact); });
        EXPECT_TRUE(e && *e);
        return **e;
    }

    std::string Status(const std::string& campaign) {
        auto v = services_.campaigns.Get(who_, campaign);
        EXPECT_TRUE(v);
        return std::string(domain::ToString(v->campaign.status));
    }

    // The campaign's stats count its queue as a count of the queue itself does.
    void ExpectStatsCountTheQueue(const std::string& campaign) {
        auto rows = db_->Query("SELECT state, COUNT(*) FROM campaign_contacts WHERE campaign_id = ? GROUP BY state",
                               {campaign});
        ASSERT_TRUE(rows);
        std::map<std::string, int64_t> counted;
        for (const auto& r : *rows) counted[r[0].AsText()] = r[1].AsInt();
        const auto stats = services_.campaigns.Get(who_, campaign)->stats;
        EXPECT_EQ(stats.contacts_pending, counted["pending"]);
        EXPECT_EQ(stats.contacts_in_progress, counted["dialing"]);
        EXPECT_EQ(stats.contacts_done, counted["done"]);
        EXPECT_EQ(stats.contacts_total, counted["pending"] + counted["dialing"] + counted["done"]);
        // And its calls as a sum over them does.
        auto sums = db_->Query(
            "SELECT COUNT(*), SUM(CASE WHEN status IN ('completed', 'voicemail') THEN 1 ELSE 0 END), "
            "SUM(meeting_booked), SUM(cost_cents) FROM calls WHERE campaign_id = ?",
            {campaign});
        ASSERT_TRUE(sums && sums->size() == 1);
        EXPECT_EQ(stats.calls, (*sums)[0][0].AsInt());
        EXPECT_EQ(stats.connected, (*sums)[0][1].AsOptionalInt().value_or(0));
        EXPECT_EQ(stats.meetings_booked, (*sums)[0][2].AsOptionalInt().value_or(0));
        EXPECT_EQ(stats.cost_cents, (*sums)[0][3].AsOptionalInt().value_or(0));
        auto dispositions = db_->Query(
            "SELECT disposition, COUNT(*) FROM calls WHERE campaign_id = ? AND disposition IS NOT NULL "
            "GROUP BY disposition ORDER BY disposition",
            {campaign});
        ASSERT_TRUE(dispositions);
        std::vector<std::pair<std::string, int64_t>> expected;
        for (const auto& r : *dispositions) expected.emplace_back(r[0].AsText(), r[1].AsInt());
        EXPECT_EQ(stats.dispositions, expected);
    }

    ManualClock clock_{kWednesday10amNewYork};
    store::TempSqliteStore temp_{"dialer"};
    store::Database* db_ = &temp_.db();
    domain::Store* store_ = &temp_.store();
    domain::Principal who_;
    Launcher launcher_;
    domain::NoCalls no_calls_;
    domain::ServiceSet services_{*store_, clock_, {.catalog = no_calls_, .compiler = no_calls_, .launcher = launcher_}};
    std::unique_ptr<Dialer> dialer_;
};
using Dialing = DialerTest;

TEST_F(Dialing, PlacesWithinConcurrencyOnceEachAndCompletesWhenEveryContactIsFinal) {
    for (int i = 0; i < 5; ++i) Contact("+1202555017" + std::to_string(i), {{"tags", {"lead"}}});
    const std::string id = Running({{"concurrent_calls", 2}});
    EXPECT_EQ(Pass().placed, 2);
    EXPECT_EQ(launcher_.wakes, 1);
    // Nothing more while both lines are busy, however often the dialer looks.
    EXPECT_EQ(Pass().placed, 0);
    EXPECT_EQ(Pass().placed, 0);
    ASSERT_EQ(Queued(id).size(), 2u);
    const domain::Call first = Queued(id)[0];
    EXPECT_EQ(first.campaign_id, id);
    EXPECT_EQ(first.profile_id, "prof_dialer");
    EXPECT_EQ(first.extract, std::vector<std::string>{"budget"});
    EXPECT_EQ(first.from_number, "+12025550100");
    EXPECT_EQ(first.metadata["attempt"], 1);

    EndAll(id, CallStatus::kCompleted, "interested");
    auto pass = Pass();
    EXPECT_EQ(pass.done, 2);
    EXPECT_EQ(pass.placed, 2);
    EndAll(id, CallStatus::kCompleted, "not_interested");
    EXPECT_EQ(Pass().placed, 1);
    EXPECT_EQ(Status(id), "running");
    EndAll(id, CallStatus::kCompleted, "hot_lead");
    pass = Pass();
    EXPECT_EQ(pass.completed_campaigns, 1);
    EXPECT_EQ(Status(id), "completed");
    EXPECT_EQ(Calls(id).size(), 5u);
    const auto stats = services_.campaigns.Get(who_, id)->stats;
    EXPECT_EQ(stats.contacts_done, 5);
    EXPECT_EQ(stats.calls, 5);
    EXPECT_EQ(stats.connected, 5);
}

TEST_F(Dialing, RetriesOnlyTheOutcomesTheRulesNameAfterTheirDelay) {
    const std::string busy = Contact("+12025550171", {{"tags", {"lead"}}});
    const std::string wrong = Contact("+12025550172", {{"tags", {"lead"}}});
    const std::string machine = Contact("+12025550173", {{"tags", {"lead"}}});
    const std::string id = Running({{"retry_rules", {{"max_attempts", 3}, {"delay_minutes", 30}}}});
    ASSERT_EQ(Pass().placed, 3);
    for (const auto& c : Queued(id)) {
        if (c.contact_id == busy) End(c, CallStatus::kBusy);
        if (c.contact_id == wrong) End(c, CallStatus::kCompleted, "wrong_number");
        if (c.contact_id == machine) End(c, CallStatus::kVoicemail);
    }
    auto pass = Pass();
    EXPECT_EQ(pass.retries, 1);
    EXPECT_EQ(pass.done, 2);
    EXPECT_EQ(Entry(id, wrong).outcome, "wrong_number");
    EXPECT_EQ(Entry(id, machine).outcome, "voicemail");  // not in the default retry_on
    EXPECT_EQ(Entry(id, busy).state, domain::QueueState::kPending);
    EXPECT_EQ(Entry(id, busy).next_at, clock_.NowMs() + 30 * kMinute);

    clock_.Advance(29 * kMinute);
    EXPECT_EQ(Pass().placed, 0);
    clock_.Advance(kMinute);
    EXPECT_EQ(Pass().placed, 1);
    EXPECT_EQ(Queued(id)[0].metadata["attempt"], 2);
    EndAll(id, CallStatus::kNoAnswer);
    Pass();
    clock_.Advance(30 * kMinute);
    EXPECT_EQ(Pass().placed, 1);
    EndAll(id, CallStatus::kFailed);
    pass = Pass();  // the third attempt was the last
    EXPECT_EQ(pass.retries, 0);
    EXPECT_EQ(Entry(id, busy).state, domain::QueueState::kDone);
    EXPECT_EQ(Entry(id, busy).outcome, "failed");
    EXPECT_EQ(Entry(id, busy).attempts, 3);
    EXPECT_EQ(Status(id), "completed");
}

TEST_F(Dialing, NeverRetriesAConversationWhateverItsDisposition) {
    for (const char* disposition : {"dnc_request", "callback_requested", "not_interested"}) {
        EXPECT_FALSE(JudgeAttempt(RetryRules{}, CallStatus::kCompleted, disposition, 1).retry) << disposition;
    }
    RetryRules with_voicemail;
    with_voicemail.retry_on.push_back("voicemail");
    EXPECT_TRUE(JudgeAttempt(with_voicemail, CallStatus::kVoicemail, "voicemail", 1).retry);
    EXPECT_FALSE(JudgeAttempt(with_voicemail, CallStatus::kVoicemail, "voicemail", 3).retry);
    EXPECT_FALSE(JudgeAttempt(with_voicemail, CallStatus::kCanceled, std::nullopt, 1).retry);
    EXPECT_TRUE(JudgeAttempt(RetryRules{}, CallStatus::kNoAnswer, std::nullopt, 2).retry);
}

TEST_F(Dialing, KeepsToTheDailyCapInTheCalleesLocalDay) {
    GuardOff();  // so that the next day starts at midnight
    const std::string contact = Contact("+12025550174", {{"tags", {"lead"}}});
    const std::string id =
        Running({{"retry_rules", {{"max_attempts", 6}, {"delay_minutes", 10}, {"max_attempts_per_day", 2}}}});
    for (int attempt = 0; attempt < 2; ++attempt) {
        ASSERT_EQ(Pass().placed, 1) << attempt;
        EndAll(id, CallStatus::kNoAnswer);
        Pass();
        clock_.Advance(10 * kMinute);
    }
    // Two today: the third waits for New York's next midnight (05:00 UTC on Thursday).
    auto pass = Pass();
    EXPECT_EQ(pass.placed, 0);
    EXPECT_EQ(pass.rescheduled, 1);
    const int64_t thursday_midnight_new_york = kWednesday10amNewYork + 14 * kHour;
    EXPECT_EQ(Entry(id, contact).next_at, thursday_midnight_new_york);
    clock_.Set(thursday_midnight_new_york);
    EXPECT_EQ(Pass().placed, 1);
    EXPECT_EQ(Entry(id, contact).day, "2026-03-05");
    EXPECT_EQ(Entry(id, contact).day_attempts, 1);
}

TEST_F(Dialing, TheLegalHoursGuardHoldsEvenWhenTheCampaignCallsLater) {
    // 21:30 in New York: the campaign would call, the guard does not.
    clock_.Set(kWednesday10amNewYork + 11 * kHour + 30 * kMinute);
    const std::string contact = Contact("+12025550175", {{"tags", {"lead"}}});
    const std::string id = Running();
    auto pass = Pass();
    EXPECT_EQ(pass.placed, 0);
    EXPECT_EQ(pass.rescheduled, 1);
    // Thursday 08:00 in New York is 13:00 UTC.
    EXPECT_EQ(Entry(id, contact).next_at, kWednesday10amNewYork + 22 * kHour);
    // An organization that turns its guard off is called by the campaign's hours alone.
    GuardOff();
    clock_.Set(Entry(id, contact).next_at);
    EXPECT_EQ(Pass().placed, 1);
}

TEST_F(Dialing, CallingHoursAreTheCalleesOwnAndAStatedZoneWinsOverTheNumbers) {
    // 10:00 in New York is 20:30 in Kolkata: outside 09:00-18:00 there, inside here.
    const std::string here = Contact("+12025550176", {{"tags", {"lead"}}});
    const std::string moved = Contact("+12025550177", {{"tags", {"lead"}}, {"timezone", "Asia/Kolkata"}});
    const std::string id = Running({{"schedule", {{"calling_hours", {{"start", "09:00"}, {"end", "18:00"}}}}}});
    EXPECT_EQ(Pass().placed, 1);
    EXPECT_EQ(Entry(id, here).state, domain::QueueState::kDialing);
    EXPECT_EQ(Entry(id, moved).state, domain::QueueState::kPending);
    // Thursday 09:00 in Kolkata (+05:30) is 03:30 UTC.
    EXPECT_EQ(Entry(id, moved).next_at, kWednesday10amNewYork + 12 * kHour + 30 * kMinute);
}

TEST_F(Dialing, TheDoNotCallListIsReadAtTheMomentOfDialing) {
    const std::string listed = Contact("+12025550178", {{"tags", {"lead"}}});
    const std::string unreachable = Contact("+442079460018", {{"tags", {"lead"}}});
    const std::string id = Running();
    ASSERT_TRUE(services_.contacts.SetDnc(who_, listed, true, Json::object()));
    auto pass = Pass();
    EXPECT_EQ(pass.placed, 0);
    EXPECT_EQ(pass.done, 2);
    EXPECT_EQ(Entry(id, listed).outcome, "dnc");
    EXPECT_EQ(Entry(id, unreachable).outcome, "unreachable");
    EXPECT_TRUE(Calls(id).empty());
    EXPECT_EQ(Status(id), "completed");
}

TEST_F(Dialing, PausedCampaignsPlaceNothingAndStoppedOnesCallNoOneAgain) {
    for (int i = 0; i < 4; ++i) Contact("+1202555018" + std::to_string(i), {{"tags", {"lead"}}});
    const std::string id = Running({{"concurrent_calls", 2}});
    ASSERT_EQ(Pass().placed, 2);
    ASSERT_TRUE(services_.campaigns.Pause(who_, id));
    EndAll(id, CallStatus::kNoAnswer);  // calls in progress finish
    auto pass = Pass();
    EXPECT_EQ(pass.placed, 0);
    EXPECT_EQ(pass.retries, 2);
    clock_.Advance(2 * kHour);
    EXPECT_EQ(Pass().placed, 0);
    ASSERT_TRUE(services_.campaigns.Resume(who_, id));
    EXPECT_EQ(Pass().placed, 2);
    auto stopped = services_.campaigns.Stop(who_, id);
    ASSERT_TRUE(stopped);
    EXPECT_EQ(stopped->stats.contacts_in_progress, 2);
    EXPECT_EQ(stopped->stats.contacts_pending, 0);
    EndAll(id, CallStatus::kBusy);
    pass = Pass();
    EXPECT_EQ(pass.retries, 0);
    EXPECT_EQ(pass.done, 2);
    clock_.Advance(2 * kHour);
    EXPECT_EQ(Pass().placed, 0);
    EXPECT_EQ(Status(id), "stopped");
    EXPECT_EQ(services_.campaigns.Get(who_, id)->stats.contacts_done, 4);
}

TEST_F(Dialing, TheStatsCountsFollowEveryChangeOfTheQueue) {
    for (int i = 0; i < 6; ++i) Contact("+1202555016" + std::to_string(i), {{"tags", {"lead"}}});
    const std::string id = Running({{"concurrent_calls", 2}, {"retry_rules", {{"max_attempts", 2}}}});
    ExpectStatsCountTheQueue(id);
    EXPECT_EQ(services_.campaigns.Get(who_, id)->stats.contacts_pending, 6);
    ASSERT_EQ(Pass().placed, 2);
    ExpectStatsCountTheQueue(id);
    EndAll(id, CallStatus::kNoAnswer);  // retried later: back to pending
    Pass();
    ExpectStatsCountTheQueue(id);
    EndAll(id, CallStatus::kCompleted, "hot_lead");  // done
    Pass();
    ExpectStatsCountTheQueue(id);
    EXPECT_EQ(services_.campaigns.Get(who_, id)->stats.meetings_booked, 2);
    ASSERT_TRUE(services_.campaigns.Pause(who_, id));
    Contact("+12025550169", {{"tags", {"lead"}}});  // joins when the campaign resumes
    ASSERT_TRUE(services_.campaigns.Resume(who_, id));
    ExpectStatsCountTheQueue(id);
    EXPECT_EQ(services_.campaigns.Get(who_, id)->stats.contacts_total, 7);
    ASSERT_TRUE(services_.campaigns.Stop(who_, id));  // what was pending is canceled
    ExpectStatsCountTheQueue(id);
    EndAll(id, CallStatus::kBusy);
    Pass();
    ExpectStatsCountTheQueue(id);
    const auto stats = services_.campaigns.Get(who_, id)->stats;
    EXPECT_EQ(stats.contacts_done, 7);
    EXPECT_EQ(stats.contacts_pending + stats.contacts_in_progress, 0);
}

TEST_F(Dialing, TheOrganizationsCeilingBoundsAllItsCampaigns) {
    for (int i = 0; i < 6; ++i) Contact("+1202555019" + std::to_string(i), {{"tags", {"lead"}}});
    domain::DialerSettings s;
    s.max_concurrent_calls = 3;
    ASSERT_TRUE(store_->Write([&](domain::Repos& r) { return r.campaigns().SaveSettings(who_.org_id, s); }));
    const std::string a = Running({{"name", "A"}});
    const std::string b = Running({{"name", "B"}});
    EXPECT_EQ(Pass().placed, 3);
    EXPECT_EQ(Calls(a).size() + Calls(b).size(), 3u);
}

TEST_F(Dialing, ACampaignWithoutContactsRunsUntilItGetsSome) {
    const std::string id = Running();
    EXPECT_EQ(Pass().completed_campaigns, 0);
    EXPECT_EQ(Status(id), "running");
    Contact("+12025550170", {{"campaign_id", id}});
    EXPECT_EQ(Pass().placed, 1);
    EndAll(id, CallStatus::kCompleted, "interested");
    EXPECT_EQ(Pass().completed_campaigns, 1);
}

TEST_F(Dialing, ACampaignPastItsEndDateEndsItsContacts) {
    const std::string contact = Contact("+12025550179", {{"tags", {"lead"}}});
    const std::string id = Running({{"schedule", {{"end_date", "2026-03-03"}}}});
    EXPECT_EQ(Pass().done, 1);
    EXPECT_EQ(Entry(id, contact).outcome, "schedule_ended");
    EXPECT_EQ(Status(id), "completed");
}

// A campaign row edited by hand into nonsense neither stops the dialer nor is called with
// defaults in its place: it is paused with the reason, and the others go on.
TEST_F(Dialing, ACampaignWhoseStoredSettingsDoNotReadBackIsSetAsideAndTheOthersGoOn) {
    for (int i = 0; i < 3; ++i) Contact("+1202555014" + std::to_string(i), {{"tags", {"lead"}}});
    const std::string broken_shape = Running({{"name", "Shape"}});
    const std::string broken_json = Running({{"name", "Json"}});
    const std::string healthy = Running({{"name", "Healthy"}});
    ASSERT_TRUE(db_->Exec("UPDATE campaigns SET spec = ? WHERE id = ?",
                          {R"({"schedule": {"days": 5}, "concurrent_calls": "many"})", broken_shape}));
    ASSERT_TRUE(db_->Exec("UPDATE campaigns SET spec = ? WHERE id = ?", {"{not json", broken_json}));

    const PassResult pass = Pass();
    EXPECT_EQ(pass.set_aside, 2);
    EXPECT_EQ(pass.placed, 3);
    EXPECT_EQ(Calls(healthy).size(), 3u);
    EXPECT_TRUE(Calls(broken_shape).empty());
    EXPECT_TRUE(Calls(broken_json).empty());
    EXPECT_EQ(Status(broken_shape), "paused");
    EXPECT_EQ(Status(broken_json), "paused");

    // Users see why, and cannot resume or change it until the row is repaired; the stored
    // settings are kept as they are, not replaced by the defaults.
    auto view = services_.campaigns.Get(who_, broken_shape);
    ASSERT_TRUE(view);
    ASSERT_TRUE(view->campaign.spec_problem);
    EXPECT_NE(view->campaign.spec_problem->find("concurrent_calls"), std::string::npos) << *view->campaign.spec_problem;
    EXPECT_NE(view->campaign.spec_problem->find("schedule.days"), std::string::npos) << *view->campaign.spec_problem;
    auto resumed = services_.campaigns.Resume(who_, broken_shape);
    ASSERT_FALSE(resumed);
    EXPECT_EQ(resumed.error().code, ErrorCode::kConflict);
    auto changed = services_.campaigns.Update(who_, broken_json, {{"name", "Renamed"}});
    ASSERT_FALSE(changed);
    EXPECT_EQ(changed.error().code, ErrorCode::kConflict);
    auto stored = db_->Query("SELECT spec FROM campaigns WHERE id = ?", {broken_json});
    ASSERT_TRUE(stored);
    EXPECT_EQ((*stored)[0][0].AsText(), "{not json");
    EXPECT_TRUE(services_.campaigns.Stop(who_, broken_json));
    EXPECT_EQ(Pass().set_aside, 0);
}

TEST_F(Dialing, ACampaignWhoseProfileDoesNotReadBackPlacesNothingAndTheOthersGoOn) {
    for (int i = 0; i < 2; ++i) Contact("+1202555015" + std::to_string(i), {{"tags", {"lead"}}});
    // One profile's document is not JSON; another's has a member of the wrong type.
    const std::pair<std::string, std::string> broken_specs[] = {
        {"prof_unreadable", "[1, 2"}, {"prof_mistyped", R"({"name": "Mistyped", "extract_fields": "budget"})"}};
    std::vector<std::string> broken;
    for (const auto& [id, stored] : broken_specs) {
        domain::Profile other;
        other.id = id;
        other.org_id = who_.org_id;
        other.name = "Other";
        other.spec.name = other.name;
        other.version = 1;
        ASSERT_TRUE(store_->Write([&](domain::Repos& r) { return r.profiles().Insert(other); }));
        broken.push_back(Running({{"name", id}, {"profile_id", id}}));
        ASSERT_TRUE(db_->Exec("UPDATE profiles SET spec = ? WHERE id = ?", {stored, id}));
    }
    const std::string healthy = Running({{"name", "Healthy"}});
    EXPECT_EQ(Pass().placed, 2);
    EXPECT_EQ(Calls(healthy).size(), 2u);
    for (const auto& id : broken) EXPECT_TRUE(Calls(id).empty()) << id;
}

}  // namespace
}  // namespace parley::dialer
