#include "domain/billing.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "common/ids.hpp"
#include "common/secret_box.hpp"
#include "common/time_format.hpp"
#include "domain/call_lifecycle.hpp"
#include "store/sql_repos.hpp"
#include "store/test_database.hpp"

namespace parley::domain {
namespace {

int64_t Instant(std::string_view iso) {
    auto t = ParseIsoTime(iso);
    if (!t) throw std::invalid_argument(std::string(iso));
    return *t;
}

// One carrier minute costs 60 cents, each recognized minute 30, a call's brain 5, and 1,000
// characters of speech 10: a call of `seconds` talk costs seconds + seconds / 2 + 5 cents plus
// its speech.
PriceTable TestPrices() {
    PriceTable p;
    p.per_minute_cents = {{"sandbox", 60.0}, {"pocketsphinx", 30.0}};
    p.per_1k_chars_cents = {{"flite", 10.0}};
    p.per_call_cents = {{"scripted", 5.0}};
    return p;
}

CallOutcome Talked(double seconds) {
    CallOutcome o;
    o.status = CallStatus::kCompleted;
    o.reason = "hung up";
    o.usage = CallUsage{.carrier = "sandbox",
                        .stt = "pocketsphinx",
                        .tts = "flite",
                        .brain = "scripted",
                        .connected = true,
                        .talk_seconds = seconds,
                        .stt_audio_seconds = seconds,
                        .tts_chars = 0};
    return o;
}

// A database of each dialect with two organizations, on a clock the test moves.
class Billing : public ::testing::TestWithParam<store::Dialect> {
protected:
    void SetUp() override {
        database_ = std::make_unique<store::TestDatabase>(GetParam(), 8);
        if (database_->db() == nullptr) GTEST_SKIP() << database_->skip_reason();
        ASSERT_TRUE(store::Migrate(*database_->db()));
        store_ = store::MakeSqlStore(*database_->db(), SecretBox::Ephemeral());
        ASSERT_TRUE(store_->Write([](Repos& r) -> Result<void> {
            for (const char* id : {"org_a", "org_b"}) {
                if (auto org = r.organizations().Insert({id, id, Tier::kStandard, 0}); !org) return org;
            }
            return {};
        }));
        service_ = std::make_unique<BillingService>(*store_, clock_);
        owner_.org_id = "org_a";
        owner_.key_id = "key_owner";
        owner_.role = Role::kOwner;
        other_.org_id = "org_b";
    }

    // A call of org_a, queued now and ended now with `outcome`; its id.
    std::string EndCall(const CallOutcome& outcome, const std::string& org = "org_a") {
        Profile profile;
        profile.id = "prof_1";
        Call call = QueuedCall(org, profile, "+12025550100", "+12025550101", {}, "api", clock_.NowMs());
        EXPECT_TRUE(store_->Write([&](Repos& r) { return r.calls().Insert(call); }));
        auto closed =
            WriteTx(*store_, [&](Repos& r) { return CloseCall(r, call, outcome, TestPrices(), clock_.NowMs()); });
        EXPECT_TRUE(closed && *closed);
        return call.id;
    }

    Json Balance(const Principal& who) {
        auto b = service_->Balance(who);
        EXPECT_TRUE(b) << b.error().message;
        return b ? *b : Json();
    }

    std::vector<LedgerEntry> History(const Principal& who, std::optional<std::string_view> kind = std::nullopt) {
        auto page = service_->History(who, kind, PageRequest{.limit = 100});
        EXPECT_TRUE(page) << page.error().message;
        return page ? page->items : std::vector<LedgerEntry>{};
    }

    // The organization's money events in the outbox (not its calls' events), oldest first.
    std::vector<OutboxEvent> MoneyEvents(const std::string& org = "org_a") {
        auto events = ReadTx(*store_, [&](Repos& r) { return r.webhooks().EventsAfter(org, 0, "", 1000); });
        EXPECT_TRUE(events);
        std::vector<OutboxEvent> out;
        if (events) {
            for (auto& e : *events) {
                if (!e.type.starts_with("call.")) out.push_back(std::move(e));
            }
        }
        return out;
    }
    std::vector<std::string> Events(const std::string& org = "org_a") {
        std::vector<std::string> types;
        for (const auto& e : MoneyEvents(org)) types.push_back(e.type);
        return types;
    }

    void Settings(const Json& patch) {
        auto s = service_->UpdateSettings(owner_, patch);
        ASSERT_TRUE(s) << s.error().message;
    }

    std::optional<Error> Refusal(const std::string& org = "org_a") {
        auto r = ReadTx(*store_, [&](Repos& repos) { return SpendingRefusal(repos, org, clock_.NowMs()); });
        EXPECT_TRUE(r);
        return r ? *r : std::nullopt;
    }

    ManualClock clock_{Instant("2026-12-05T10:00:00Z")};
    std::unique_ptr<store::TestDatabase> database_;
    std::unique_ptr<Store> store_;
    std::unique_ptr<BillingService> service_;
    Principal owner_;
    Principal other_;
};

INSTANTIATE_TEST_SUITE_P(Databases, Billing, ::testing::Values(store::Dialect::kSqlite, store::Dialect::kPostgres),
                         [](const auto& info) {
                             return info.param == store::Dialect::kSqlite ? "sqlite" : "postgres";
                         });

TEST_P(Billing, ACallIsChargedOnceWhenItEndsWithItsComponents) {
    EXPECT_EQ(Balance(owner_)["balance_cents"], 0);
    // 120 s: carrier 120, recognizer 60, brain 5 cents.
    const std::string id = EndCall(Talked(120));
    const auto entries = History(owner_);
    ASSERT_EQ(entries.size(), 1u);
    const LedgerEntry& e = entries[0];
    EXPECT_TRUE(e.id.starts_with("txn_"));
    EXPECT_EQ(e.kind, LedgerKind::kCallCharge);
    EXPECT_EQ(e.amount_cents, -185);
    EXPECT_EQ(e.balance_after_cents, -185);
    EXPECT_EQ(e.call_id, id);
    // The components are the call's cost_breakdown without its zeros (no speech was synthesized).
    EXPECT_EQ(e.components, Json({{"sandbox", 120}, {"pocketsphinx", 60}, {"scripted", 5}}));
    auto call = ReadTx(*store_, [&](Repos& r) { return r.calls().Get("org_a", id); });
    ASSERT_TRUE(call && *call);
    EXPECT_EQ((*call)->cost_cents, 185);

    // Ending it again (a retry, another node, a restart) changes nothing; neither does charging
    // it directly, which the database's unique index refuses.
    auto again =
        WriteTx(*store_, [&](Repos& r) { return CloseCall(r, **call, Talked(500), TestPrices(), clock_.NowMs()); });
    ASSERT_TRUE(again);
    EXPECT_FALSE(*again);
    Call changed = **call;
    changed.cost_cents = 999;
    ASSERT_TRUE(store_->Write([&](Repos& r) { return ChargeCall(r, changed, clock_.NowMs()); }));
    EXPECT_EQ(History(owner_).size(), 1u);
    const Json b = Balance(owner_);
    EXPECT_EQ(b["balance_cents"], -185);
    EXPECT_EQ(b["month"], Json({{"period", "2026-12"},
                                {"calls", 1},
                                {"spent_cents", 185},
                                {"limit_cents", nullptr},
                                {"remaining_cents", nullptr}}));
    // A call that cost nothing (busy, no answer) writes no entry; other organizations see nothing.
    CallOutcome busy;
    busy.status = CallStatus::kBusy;
    busy.usage = CallUsage{.carrier = "sandbox", .stt = "pocketsphinx", .tts = "flite", .brain = "scripted"};
    EndCall(busy);
    EXPECT_EQ(History(owner_).size(), 1u);
    EXPECT_TRUE(History(other_).empty());
    EXPECT_EQ(Balance(other_)["balance_cents"], 0);
}

TEST_P(Billing, PurchasesAndAdjustmentsMoveTheBalanceAndBadOnesChangeNothing) {
    auto bought = service_->Purchase(owner_, {{"amount_cents", 5000}, {"reference", "INV-7"}});
    ASSERT_TRUE(bought) << bought.error().message;
    EXPECT_EQ(bought->balance_after_cents, 5000);
    EXPECT_EQ(bought->description, "credit purchase");
    EXPECT_EQ(bought->created_by, "key_owner");
    clock_.Advance(1000);
    EndCall(Talked(60));  // 60 + 30 + 5 = 95
    clock_.Advance(1000);
    auto refund = service_->Adjust(owner_, {{"amount_cents", -250}, {"reason", "refund of a duplicate purchase"}});
    ASSERT_TRUE(refund) << refund.error().message;
    EXPECT_EQ(refund->balance_after_cents, 4655);

    for (const Json& bad : {Json::object(), Json{{"amount_cents", 0}}, Json{{"amount_cents", -5}},
                            Json{{"amount_cents", kMaxPurchaseCents + 1}}, Json{{"amount_cents", "100"}},
                            Json{{"amount_cents", 100}, {"price", 1}}, Json{{"amount_cents", 100}, {"description", ""}},
                            Json{{"amount_cents", 100}, {"reference", std::string(129, 'x')}}, Json::array()}) {
        auto refused = service_->Purchase(owner_, bad);
        ASSERT_FALSE(refused) << bad.dump();
        EXPECT_EQ(refused.error().code, ErrorCode::kValidation) << bad.dump();
    }
    for (const Json& bad : {Json{{"amount_cents", 0}, {"reason", "x"}}, Json{{"amount_cents", 10}},
                            Json{{"amount_cents", 10}, {"reason", ""}}, Json{{"reason", "x"}}}) {
        auto refused = service_->Adjust(owner_, bad);
        ASSERT_FALSE(refused) << bad.dump();
        EXPECT_EQ(refused.error().code, ErrorCode::kValidation) << bad.dump();
    }
    const auto entries = History(owner_);
    ASSERT_EQ(entries.size(), 3u);
    EXPECT_EQ(entries[0].kind, LedgerKind::kAdjustment);
    EXPECT_EQ(entries[0].description, "refund of a duplicate purchase");
    EXPECT_EQ(entries[1].kind, LedgerKind::kCallCharge);
    EXPECT_EQ(entries[1].balance_after_cents, 4905);
    EXPECT_EQ(entries[2].kind, LedgerKind::kPurchase);
    EXPECT_EQ(entries[2].reference, "INV-7");
    EXPECT_EQ(Balance(owner_)["balance_cents"], 4655);
    // Only this month's call charges count as spending.
    EXPECT_EQ(Balance(owner_)["month"]["spent_cents"], 95);

    const auto purchases = History(owner_, "purchase");
    ASSERT_EQ(purchases.size(), 1u);
    EXPECT_EQ(purchases[0].amount_cents, 5000);
    auto wrong = service_->History(owner_, "refund", PageRequest{.limit = 10});
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, ErrorCode::kValidation);
    ASSERT_EQ(wrong.error().details.size(), 1u);
    EXPECT_EQ(wrong.error().details[0].field, "type");
}

TEST_P(Billing, APrepaidOrganizationMayStartCallsOnlyAboveZero) {
    EXPECT_FALSE(Refusal());  // postpaid by default: the balance may go below zero
    EndCall(Talked(60));
    EXPECT_FALSE(Refusal());
    Settings({{"prepaid", true}});
    auto refused = Refusal();
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->code, ErrorCode::kInsufficientCredits);
    EXPECT_NE(refused->message.find("-95 cents"), std::string::npos) << refused->message;
    EXPECT_EQ(Balance(owner_)["can_place_calls"], false);
    EXPECT_EQ(Balance(owner_)["refusal"], refused->message);
    ASSERT_TRUE(service_->Purchase(owner_, {{"amount_cents", 95}}));
    EXPECT_TRUE(Refusal());  // exactly zero is not above zero
    ASSERT_TRUE(service_->Purchase(owner_, {{"amount_cents", 1}}));
    EXPECT_FALSE(Refusal());
    EXPECT_EQ(Balance(owner_)["can_place_calls"], true);
    EXPECT_FALSE(Refusal("org_b"));
}

TEST_P(Billing, EachThresholdAndLimitEventIsSentOncePerCrossing) {
    Settings({{"low_balance_threshold_cents", 500}, {"monthly_limit_cents", 1000}});
    ASSERT_TRUE(service_->Purchase(owner_, {{"amount_cents", 1000}}));
    EndCall(Talked(200));  // 305: balance 695, spent 305 (30%)
    EXPECT_TRUE(Events().empty());
    EndCall(Talked(300));  // 455: balance 240 (below 500), spent 760 (76%)
    EXPECT_EQ(Events(), std::vector<std::string>({"credits.low"}));
    EndCall(Talked(30));  // 50: balance 190, spent 810 (81%)
    EXPECT_EQ(Events(), std::vector<std::string>({"credits.low", "billing.limit_warning"}));
    EndCall(Talked(30));  // 50: spent 860; nothing crossed
    EXPECT_EQ(Events().size(), 2u);
    ASSERT_TRUE(service_->Purchase(owner_, {{"amount_cents", 2000}}));  // balance 2140
    EndCall(Talked(100));                                               // 155: spent 1015, limit reached
    EXPECT_EQ(Events(), std::vector<std::string>({"credits.low", "billing.limit_warning", "billing.limit_reached"}));
    auto refused = Refusal();
    ASSERT_TRUE(refused);
    EXPECT_NE(refused->message.find("monthly spending limit of 1000 cents"), std::string::npos) << refused->message;
    // A call that was already running still ends and is charged, but crosses nothing again.
    EndCall(Talked(20));
    EXPECT_EQ(Events().size(), 3u);
    // A charge back below the threshold after a purchase took it above is a new crossing.
    EndCall(Talked(1000));  // 1505: balance 2140 - 155 - 35 - 1505 = 445
    EXPECT_EQ(Events().back(), "credits.low");
    EXPECT_EQ(Events().size(), 4u);

    // The event's data: the balance and threshold; the month, limit, spending and percent.
    const auto events = MoneyEvents();
    ASSERT_EQ(events.size(), 4u);
    const Json reached = Json::parse(events[2].body);
    EXPECT_EQ(reached["data"],
              Json({{"period", "2026-12"}, {"limit_cents", 1000}, {"spent_cents", 1015}, {"percent", 101}}));
    const Json low = Json::parse(events[0].body);
    EXPECT_EQ(low["data"], Json({{"balance_cents", 240}, {"threshold_cents", 500}}));

    // A new month starts the spending again: calls may start, and the limit is crossed anew.
    clock_.Set(Instant("2027-01-01T00:00:05Z"));
    EXPECT_FALSE(Refusal());
    EXPECT_EQ(Balance(owner_)["month"]["spent_cents"], 0);
    ASSERT_TRUE(service_->Purchase(owner_, {{"amount_cents", 10000}}));
    EndCall(Talked(560));  // 845: 84.5% of January's limit
    EXPECT_EQ(Events().back(), "billing.limit_warning");
    EXPECT_EQ(Balance(owner_)["month"], Json({{"period", "2027-01"},
                                              {"calls", 1},
                                              {"spent_cents", 845},
                                              {"limit_cents", 1000},
                                              {"remaining_cents", 155}}));
    // Raising the limit lets calls start again within the month.
    EndCall(Talked(200));
    ASSERT_TRUE(Refusal());
    Settings({{"monthly_limit_cents", 5000}});
    EXPECT_FALSE(Refusal());
    Settings({{"monthly_limit_cents", nullptr}, {"low_balance_threshold_cents", nullptr}});
    auto s = service_->Settings(owner_);
    ASSERT_TRUE(s);
    EXPECT_EQ(*s,
              Json({{"prepaid", false}, {"low_balance_threshold_cents", nullptr}, {"monthly_limit_cents", nullptr}}));
    EXPECT_TRUE(Events("org_b").empty());
}

TEST_P(Billing, SettingsRefuseBadValuesAndChangeNothing) {
    Settings({{"prepaid", true}, {"monthly_limit_cents", 700}});
    for (const Json& bad : {Json{{"prepaid", "yes"}}, Json{{"prepaid", nullptr}}, Json{{"monthly_limit_cents", 0}},
                            Json{{"monthly_limit_cents", -1}}, Json{{"low_balance_threshold_cents", -1}},
                            Json{{"low_balance_threshold_cents", 1.5}}, Json{{"limit", 5}},
                            Json{{"monthly_limit_cents", kMaxBillingSettingCents + 1LL}}, Json::array()}) {
        auto refused = service_->UpdateSettings(owner_, bad);
        ASSERT_FALSE(refused) << bad.dump();
        EXPECT_EQ(refused.error().code, ErrorCode::kValidation) << bad.dump();
    }
    auto s = service_->Settings(owner_);
    ASSERT_TRUE(s);
    EXPECT_EQ(*s, Json({{"prepaid", true}, {"low_balance_threshold_cents", nullptr}, {"monthly_limit_cents", 700}}));
}

TEST_P(Billing, UsageSumsChargesByLocalDayAndComponent) {
    // New York: 2026-12-05 02:00 UTC is still the 4th there.
    clock_.Set(Instant("2026-12-05T02:00:00Z"));
    EndCall(Talked(60));  // 60 + 30 + 5
    clock_.Set(Instant("2026-12-05T15:00:00Z"));
    EndCall(Talked(120));  // 120 + 60 + 5
    EndCall(Talked(120), "org_b");
    auto usage = service_->Usage(
        owner_, {{"date_from", "2026-12-03"}, {"date_to", "2026-12-05"}, {"timezone", "America/New_York"}});
    ASSERT_TRUE(usage) << usage.error().message;
    EXPECT_EQ((*usage)["calls"], 2);
    EXPECT_EQ((*usage)["cost_cents"], 280);
    EXPECT_EQ((*usage)["components"], Json({{"pocketsphinx", 90}, {"sandbox", 180}, {"scripted", 10}}));
    const Json days = (*usage)["days"];
    ASSERT_EQ(days.size(), 3u);
    EXPECT_EQ(days[0], Json({{"date", "2026-12-03"}, {"calls", 0}, {"cost_cents", 0}, {"components", Json::object()}}));
    EXPECT_EQ(days[1], Json({{"date", "2026-12-04"},
                             {"calls", 1},
                             {"cost_cents", 95},
                             {"components", {{"pocketsphinx", 30}, {"sandbox", 60}, {"scripted", 5}}}}));
    EXPECT_EQ(days[2]["date"], "2026-12-05");
    EXPECT_EQ(days[2]["cost_cents"], 185);
    // In UTC both calls fall on the 5th.
    auto utc = service_->Usage(owner_, {{"date_from", "2026-12-05"}, {"date_to", "2026-12-05"}});
    ASSERT_TRUE(utc);
    ASSERT_EQ((*utc)["days"].size(), 1u);
    EXPECT_EQ((*utc)["days"][0]["calls"], 2);
    auto bad = service_->Usage(owner_, {{"timezone", "Mars/Olympus"}});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::kValidation);
}

TEST(TierCallLimit, IsSeedTwosTable) {
    EXPECT_EQ(TierCallLimit(Tier::kStandard), 10);
    EXPECT_EQ(TierCallLimit(Tier::kProfessional), 50);
    EXPECT_EQ(TierCallLimit(Tier::kEnterprise), std::nullopt);
}

TEST_P(Billing, TheTierCapsTheOrganizationsCeiling) {
    auto ceiling = [&](const std::string& org, int setting) {
        auto c = ReadTx(*store_, [&](Repos& r) { return CallCeiling(r, org, setting); });
        EXPECT_TRUE(c);
        return c ? *c : -1;
    };
    EXPECT_EQ(ceiling("org_a", 100), 10);
    EXPECT_EQ(ceiling("org_a", 3), 3);
    ASSERT_TRUE(store_->Write([](Repos& r) {
        return r.organizations().Insert({"org_pro", "p", Tier::kProfessional, 0});
    }));
    ASSERT_TRUE(store_->Write([](Repos& r) {
        return r.organizations().Insert({"org_ent", "e", Tier::kEnterprise, 0});
    }));
    EXPECT_EQ(ceiling("org_pro", 100), 50);
    EXPECT_EQ(ceiling("org_ent", 100), 100);
    EXPECT_EQ(ceiling("org_ent", 5000), 5000);
}

// Many calls ending at once on PostgreSQL, eight transactions at a time, each ended twice as a
// retry would, with purchases among them: every call is charged once, the balance is the sum of
// the ledger to the cent, and the postings form one order in which each began at the balance
// the one before left. (Two real nodes: tests/integration/billing_test.cpp.)
TEST_P(Billing, ConcurrentChargesReconcileToTheCent) {
    if (GetParam() != store::Dialect::kPostgres) GTEST_SKIP() << "SQLite has one writer";
    constexpr int kThreads = 8;
    constexpr int kCallsEach = 25;
    std::vector<std::vector<Call>> calls(kThreads);
    Profile profile;
    profile.id = "prof_1";
    for (int t = 0; t < kThreads; ++t) {
        for (int i = 0; i < kCallsEach; ++i) {
            calls[t].push_back(QueuedCall("org_a", profile, "+12025550100", "+12025550101", {}, "api", clock_.NowMs()));
        }
        ASSERT_TRUE(store_->Write([&](Repos& r) { return r.calls().InsertMany(calls[t]); }));
    }
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            Store& node = *store_;
            for (int i = 0; i < kCallsEach; ++i) {
                const int64_t now = clock_.NowMs();
                // Each call twice, as a retry would: the second changes nothing.
                for (int attempt = 0; attempt < 2; ++attempt) {
                    for (int tries = 0;; ++tries) {
                        auto closed = WriteTx(node, [&](Repos& r) {
                            return CloseCall(r, calls[t][i], Talked(10 + t * 7 + i), TestPrices(), now);
                        });
                        if (closed) break;
                        if (closed.error().code != ErrorCode::kUnavailable || tries > 20) {
                            ++failures;
                            break;
                        }
                    }
                }
                if (i % 5 == 0) {
                    LedgerEntry e;
                    e.id = NewId("txn_", now);
                    e.org_id = "org_a";
                    e.kind = LedgerKind::kPurchase;
                    e.amount_cents = 100 + t;
                    e.description = "credit purchase";
                    e.created_at = now;
                    if (!WriteTx(node, [&](Repos& r) { return PostEntry(r, e, now); })) ++failures;
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    ASSERT_EQ(failures.load(), 0);

    // The test's own sum of what it did.
    int64_t expected = 0;
    std::map<std::string, int64_t> cost_of;
    for (int t = 0; t < kThreads; ++t) {
        for (int i = 0; i < kCallsEach; ++i) {
            const int64_t seconds = 10 + t * 7 + i;
            const int64_t cost = seconds + (seconds * 30 + 30) / 60 + 5;  // carrier, recognizer (rounded), brain
            cost_of[calls[t][i].id] = cost;
            expected -= cost;
            if (i % 5 == 0) expected += 100 + t;
        }
    }
    std::vector<LedgerEntry> all;
    std::optional<std::string> after;
    for (;;) {
        auto page = ReadTx(*store_, [&](Repos& r) {
            return r.billing().History("org_a", std::nullopt, PageRequest{.limit = 100, .after_id = after});
        });
        ASSERT_TRUE(page);
        all.insert(all.end(), page->items.begin(), page->items.end());
        if (!page->has_more) break;
        after = page->items.back().id;
    }
    ASSERT_EQ(all.size(), static_cast<size_t>(kThreads * kCallsEach + kThreads * (kCallsEach / 5)));
    int64_t sum = 0;
    for (const auto& e : all) {
        sum += e.amount_cents;
        if (e.call_id) {
            EXPECT_EQ(-e.amount_cents, cost_of[*e.call_id]) << *e.call_id;
            cost_of.erase(*e.call_id);
        }
    }
    EXPECT_TRUE(cost_of.empty()) << cost_of.size() << " calls were not charged";
    EXPECT_EQ(sum, expected);
    EXPECT_EQ(Balance(owner_)["balance_cents"], expected);
    EXPECT_EQ(Balance(owner_)["month"]["calls"], kThreads * kCallsEach);
    // In the order the postings took, each began at the balance the one before left: the
    // balances before them (and the final one) are the balances after them (and zero).
    std::multiset<int64_t> before{expected};
    std::multiset<int64_t> after_each{0};
    for (const auto& e : all) {
        before.insert(e.balance_after_cents - e.amount_cents);
        after_each.insert(e.balance_after_cents);
    }
    EXPECT_EQ(before, after_each);
}

}  // namespace
}  // namespace parley::domain
