#include "domain/analytics_service.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <array>
#include <map>
#include <random>
#include <set>

#include "common/secret_box.hpp"
#include "common/time_format.hpp"
#include "domain/render.hpp"
#include "domain/report_service.hpp"
#include "store/sql_repos.hpp"
#include "store/temp_store.hpp"
#include "store/test_database.hpp"

namespace parley::domain {
namespace {

constexpr int64_t kHour = 3'600'000;
constexpr int64_t kDay = 24 * kHour;

int64_t At(std::string_view iso) {
    auto t = ParseIsoTime(iso);
    if (!t) throw std::invalid_argument(std::string(iso));
    return *t;
}

// New York's offset from UTC in 2026, written out rather than asked of a time-zone library:
// daylight time from 2026-03-08 07:00 UTC to 2026-11-01 06:00 UTC.
int64_t NewYorkOffset(int64_t t) {
    static const int64_t spring = At("2026-03-08T07:00:00Z");
    static const int64_t fall = At("2026-11-01T06:00:00Z");
    return t >= spring && t < fall ? -4 * kHour : -5 * kHour;
}

// The date `days` after 1970-01-01 as YYYY-MM-DD, by civil-from-days arithmetic.
std::string DateOfDay(int64_t days) {
    const int64_t z = days + 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int64_t d = doy - (153 * mp + 2) / 5 + 1;
    const int64_t m = mp < 10 ? mp + 3 : mp - 9;
    const int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    return fmt::format("{:04}-{:02}-{:02}", y, m, d);
}

// The New York day of `t`, counted from 1970-01-01 (every call here is after it).
int64_t NewYorkDay(int64_t t) {
    return (t + NewYorkOffset(t)) / kDay;
}

std::string NewYorkDate(int64_t t) {
    return DateOfDay(NewYorkDay(t));
}

// The Monday on or before the New York date of `t` (1970-01-01 was a Thursday).
std::string NewYorkWeek(int64_t t) {
    const int64_t day = NewYorkDay(t);
    return DateOfDay(day - (day + 3) % 7);
}

// What the test itself counts for a set of calls, from each call as generated.
struct Expected {
    int64_t calls = 0, answered = 0, voicemail = 0, missed = 0, talk = 0, cost = 0, meetings = 0, hot = 0,
            qualified = 0;
    std::set<std::string> callers;

    void Add(const Call& c) {
        using enum CallStatus;
        if (c.status == kQueued || c.status == kRinging || c.status == kCanceled) return;
        ++calls;
        if (c.status == kCompleted || c.status == kInProgress) {
            ++answered;
        } else if (c.status == kVoicemail) {
            ++voicemail;
        } else {
            ++missed;
        }
        talk += c.talk_duration_seconds;
        cost += c.cost_cents;
        const auto disposition = c.Disposition().value_or("");
        meetings += c.MeetingBooked() ? 1 : 0;
        hot += disposition == "hot_lead" ? 1 : 0;
        qualified += disposition == "hot_lead" || disposition == "interested" || c.MeetingBooked() ? 1 : 0;
        callers.insert(c.direction == CallDirection::kOutbound ? c.to_number : c.from_number);
    }
    void ExpectRow(const Json& row, const std::string& where) const {
        EXPECT_EQ(row["calls"], calls) << where;
        EXPECT_EQ(row["answered"], answered) << where;
        EXPECT_EQ(row["voicemail"], voicemail) << where;
        EXPECT_EQ(row["missed"], missed) << where;
        EXPECT_EQ(row["minutes"], (talk + 30) / 60) << where;
        EXPECT_EQ(row["average_duration"], answered == 0 ? 0 : (talk + answered / 2) / answered) << where;
        EXPECT_EQ(row["cost_cents"], cost) << where;
        EXPECT_EQ(row["meetings_booked"], meetings) << where;
        EXPECT_EQ(row["hot_leads"], hot) << where;
        EXPECT_EQ(row["qualified"], qualified) << where;
        const double rate = answered == 0 ? 0.0 : static_cast<double>(meetings) / static_cast<double>(answered);
        EXPECT_NEAR(row["conversion_rate"].get<double>(), rate, 0.00005) << where;
    }
};

constexpr std::array kCampaigns = {"cmp_a", "cmp_b", "cmp_c", "cmp_d", ""};
constexpr std::array kProfiles = {"prof_1", "prof_2", "prof_3"};
constexpr std::array kNumbers = {"+12025550101", "+12025550102", "+12025550103", "+12025550104"};

// Calls of one organization: most from mid-February to mid-April 2026 (New York's spring change
// on March 8), a tenth around the fall change on November 1.
std::vector<Call> Generate(const std::string& org_id, int n, uint64_t seed) {
    std::mt19937_64 rng(seed);
    auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
    const int64_t spring_from = At("2026-02-15T00:00:00Z");
    const int64_t spring_to = At("2026-04-15T00:00:00Z");
    const int64_t fall_from = At("2026-10-25T00:00:00Z");
    const int64_t fall_to = At("2026-11-08T00:00:00Z");
    constexpr std::array statuses = {CallStatus::kCompleted, CallStatus::kCompleted,  CallStatus::kCompleted,
                                     CallStatus::kNoAnswer,  CallStatus::kBusy,       CallStatus::kVoicemail,
                                     CallStatus::kFailed,    CallStatus::kInProgress, CallStatus::kQueued,
                                     CallStatus::kRinging,   CallStatus::kCanceled};
    constexpr std::array answered_dispositions = {"hot_lead",           "interested",  "not_interested",
                                                  "callback_requested", "dnc_request", "wrong_number"};
    std::vector<Call> calls;
    calls.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        Call c;
        c.id = "call_" + org_id + "_" + std::to_string(1'000'000 + i);
        c.org_id = org_id;
        c.created_at = pick(0, 9) == 0 ? pick(fall_from, fall_to - 1) : pick(spring_from, spring_to - 1);
        c.updated_at = c.created_at;
        const auto campaign = kCampaigns[static_cast<size_t>(pick(0, kCampaigns.size() - 1))];
        if (*campaign != '\0') c.campaign_id = campaign;
        c.profile_id = kProfiles[static_cast<size_t>(pick(0, kProfiles.size() - 1))];
        c.profile_version = 1;
        c.direction = pick(0, 99) < 85 ? CallDirection::kOutbound : CallDirection::kInbound;
        const std::string ours = kNumbers[static_cast<size_t>(pick(0, kNumbers.size() - 1))];
        const std::string theirs = "+1415555" + std::to_string(1'000 + pick(0, 2'999));
        c.from_number = c.direction == CallDirection::kOutbound ? ours : theirs;
        c.to_number = c.direction == CallDirection::kOutbound ? theirs : ours;
        c.status = statuses[static_cast<size_t>(pick(0, statuses.size() - 1))];
        std::optional<std::string> disposition;
        bool meeting = false;
        switch (c.status) {
            case CallStatus::kCompleted:
                disposition = answered_dispositions[static_cast<size_t>(pick(0, answered_dispositions.size() - 1))];
                meeting = *disposition == "hot_lead" && pick(0, 1) == 0;
                break;
            case CallStatus::kVoicemail: disposition = "voicemail"; break;
            case CallStatus::kNoAnswer: disposition = "no_answer"; break;
            case CallStatus::kBusy: disposition = "busy"; break;
            case CallStatus::kFailed: disposition = "failed"; break;
            default: break;
        }
        if (disposition) c.analysis = {{"disposition", *disposition}, {"meeting_booked", meeting}};
        if (c.status == CallStatus::kCompleted || c.status == CallStatus::kInProgress) {
            c.talk_duration_seconds = static_cast<int>(pick(5, 900));
        }
        c.cost_cents =
            c.status == CallStatus::kCanceled || c.status == CallStatus::kQueued ? 0 : static_cast<int>(pick(0, 400));
        calls.push_back(std::move(c));
    }
    return calls;
}

// The generated calls in a database of each dialect.
struct CallSet {
    explicit CallSet(store::Dialect dialect) : database(dialect) {
        if (database.db() == nullptr) return;
        if (auto migrated = store::Migrate(*database.db()); !migrated) {
            throw std::runtime_error(migrated.error().message);
        }
        store = store::MakeSqlStore(*database.db(), SecretBox::Ephemeral());
        calls = Generate("org_main", 100'000, 7);
        others = Generate("org_other", 3'000, 8);
        auto written = store->Write([&](Repos& r) -> Result<void> {
            for (const char* id : {"org_main", "org_other"}) {
                if (auto org = r.organizations().Insert({id, id, Tier::kEnterprise, 0}); !org) return org;
            }
            if (auto done = r.calls().InsertMany(calls); !done) return done;
            return r.calls().InsertMany(others);
        });
        if (!written) throw std::runtime_error(written.error().message);
    }
    store::TestDatabase database;
    std::unique_ptr<Store> store;
    std::vector<Call> calls;
    std::vector<Call> others;
};

// The service over a store, on a clock that reads 2026-03-10 15:00 UTC.
class AnalyticsTest {
protected:
    void Open(Store& store) {
        service_ = std::make_unique<AnalyticsService>(store, clock_);
        main_.org_id = "org_main";
        other_.org_id = "org_other";
    }
    Json Query(const Json& body, const Principal& who) {
        auto result = service_->Query(who, body);
        EXPECT_TRUE(result) << body.dump() << ": " << result.error().message;
        return result ? *result : Json();
    }
    Error QueryError(const Json& body) {
        auto result = service_->Query(main_, body);
        EXPECT_FALSE(result) << body.dump();
        return result ? Error{} : result.error();
    }

    ManualClock clock_{At("2026-03-10T15:00:00Z")};
    std::unique_ptr<AnalyticsService> service_;
    Principal main_;
    Principal other_;
};

// 100,000 calls of one organization and 3,000 of another, on SQLite and PostgreSQL.
class Analytics : public AnalyticsTest, public ::testing::TestWithParam<store::Dialect> {
protected:
    void SetUp() override {
        set_ = std::make_unique<CallSet>(GetParam());
        if (!set_->store) GTEST_SKIP() << set_->database.skip_reason();
        Open(*set_->store);
    }
    const std::vector<Call>& calls() const { return set_->calls; }
    const std::vector<Call>& others() const { return set_->others; }

    std::unique_ptr<CallSet> set_;
};

// The rules of a query, which need no calls.
class AnalyticsRules : public AnalyticsTest, public ::testing::Test {
protected:
    void SetUp() override { Open(temp_.store()); }
    store::TempSqliteStore temp_{"analytics"};
};

INSTANTIATE_TEST_SUITE_P(Databases, Analytics, ::testing::Values(store::Dialect::kSqlite, store::Dialect::kPostgres),
                         [](const auto& info) {
                             return info.param == store::Dialect::kSqlite ? "sqlite" : "postgres";
                         });

bool HasField(const Error& e, const std::string& field) {
    return std::any_of(e.details.begin(), e.details.end(), [&](const FieldError& f) { return f.field == field; });
}

// Seed 001's dashboard stats and analytics queries over the generated calls, each value checked
// against the test's own count (one test: the calls are written once per process).
TEST_P(Analytics, EveryStatAndEveryGroupEqualsTheTestsOwnCount) {
    // Every stat of seed 001's dashboard for a period of New York days, and for the two days of
    // 2026 whose length is not 24 hours, checked against the test's own count of the calls.
    {
        struct Case {
            std::string from, to, since, until;
        };
        const std::vector<Case> cases = {
            {"2026-02-20", "2026-04-10", "2026-02-20T05:00:00.000Z", "2026-04-11T04:00:00.000Z"},
            {"2026-03-08", "2026-03-08", "2026-03-08T05:00:00.000Z", "2026-03-09T04:00:00.000Z"},  // 23 hours
            {"2026-11-01", "2026-11-01", "2026-11-01T04:00:00.000Z", "2026-11-02T05:00:00.000Z"},  // 25 hours
        };
        for (const auto& c : cases) {
            auto stats = service_->DashboardStats(
                main_, {{"date_from", c.from}, {"date_to", c.to}, {"timezone", "America/New_York"}});
            ASSERT_TRUE(stats) << stats.error().message;
            EXPECT_EQ((*stats)["period"]["since"], c.since);
            EXPECT_EQ((*stats)["period"]["until"], c.until);
            EXPECT_EQ((*stats)["period"]["date_from"], c.from);
            EXPECT_EQ((*stats)["period"]["date_to"], c.to);
            Expected want;
            for (const auto& call : calls()) {
                const std::string day = NewYorkDate(call.created_at);
                if (day >= c.from && day <= c.to) want.Add(call);
            }
            ASSERT_GT(want.calls, 100) << c.from;
            const Json& s = *stats;
            EXPECT_EQ(s["total_calls"], want.calls) << c.from;
            EXPECT_EQ(s["answered_calls"], want.answered);
            EXPECT_EQ(s["missed_calls"], want.missed);
            EXPECT_EQ(s["voicemail_calls"], want.voicemail);
            EXPECT_EQ(s["qualified_calls"], want.qualified);
            EXPECT_EQ(s["unique_callers"], want.callers.size());
            EXPECT_EQ(s["total_minutes"], (want.talk + 30) / 60);
            EXPECT_EQ(s["average_duration"], (want.talk + want.answered / 2) / want.answered);
        }

        // Another organization's calls are its own.
        auto theirs = service_->DashboardStats(other_, {{"since", "2026-01-01"}, {"until", "2027-01-01"}});
        ASSERT_TRUE(theirs);
        Expected want;
        for (const auto& call : others()) want.Add(call);
        EXPECT_EQ((*theirs)["total_calls"], want.calls);
        EXPECT_EQ((*theirs)["unique_callers"], want.callers.size());

        // A period without calls.
        auto empty = service_->DashboardStats(main_, {{"date_from", "2027-01-01"}, {"date_to", "2027-01-31"}});
        ASSERT_TRUE(empty);
        for (const char* key : {"total_calls", "answered_calls", "missed_calls", "voicemail_calls", "qualified_calls",
                                "unique_callers", "total_minutes", "average_duration"}) {
            EXPECT_EQ((*empty)[key], 0) << key;
        }
    }

    // Grouped by New York day over March 2026: a row for every day, calls or not, each equal to the
    // test's own count; the 23-hour day counts only its 23 hours.
    {
        const Json answer = Query({{"date_from", "2026-03-01"},
                                   {"date_to", "2026-04-30"},
                                   {"timezone", "America/New_York"},
                                   {"group_by", {"day"}}},
                                  main_);
        ASSERT_EQ(answer["rows"].size(), 61u) << answer.dump().substr(0, 500);
        std::map<std::string, Expected> want;
        Expected total;
        for (const auto& call : calls()) {
            const std::string day = NewYorkDate(call.created_at);
            if (day < "2026-03-01" || day > "2026-04-30") continue;
            want[day].Add(call);
            total.Add(call);
        }
        for (const auto& row : answer["rows"]) {
            const std::string day = row["day"];
            want[day].ExpectRow(row, day);  // the days after April 14 have no calls: zeros
        }
        EXPECT_EQ(answer["rows"][60]["day"], "2026-04-30");
        EXPECT_EQ(answer["rows"][60]["calls"], 0);
        total.ExpectRow(answer["totals"], "totals");
        EXPECT_EQ(answer["metrics"].size(), 11u);
    }

    // Grouped by week and campaign, filtered by direction and status, and by number and
    // disposition over two instants: every group the test counts, and no other.
    {
        const Json weekly = Query({{"date_from", "2026-02-16"},
                                   {"date_to", "2026-04-12"},
                                   {"timezone", "America/New_York"},
                                   {"group_by", {"week", "campaign"}},
                                   {"filters", {{"direction", "outbound"}, {"status", {"completed", "voicemail"}}}}},
                                  main_);
        std::map<std::pair<std::string, std::string>, Expected> want;
        for (const auto& call : calls()) {
            const std::string day = NewYorkDate(call.created_at);
            if (day < "2026-02-16" || day > "2026-04-12") continue;
            if (call.direction != CallDirection::kOutbound) continue;
            if (call.status != CallStatus::kCompleted && call.status != CallStatus::kVoicemail) continue;
            want[{NewYorkWeek(call.created_at), call.campaign_id.value_or("(none)")}].Add(call);
        }
        ASSERT_EQ(weekly["rows"].size(), want.size()) << weekly["rows"].dump().substr(0, 400);
        for (const auto& row : weekly["rows"]) {
            const std::string campaign =
                row["campaign_id"].is_null() ? "(none)" : row["campaign_id"].get<std::string>();
            const auto key = std::pair{row["week"].get<std::string>(), campaign};
            ASSERT_TRUE(want.contains(key)) << row.dump();
            want[key].ExpectRow(row, row.dump());
        }

        const Json by_number = Query({{"since", "2026-03-01T12:00:00Z"},
                                      {"until", "2026-03-20T18:30:00Z"},
                                      {"group_by", {"number", "disposition"}},
                                      {"metrics", {"calls", "cost_cents", "hot_leads"}},
                                      {"filters", {{"campaign_id", {"cmp_a", "cmp_c"}}, {"profile_id", "prof_2"}}}},
                                     main_);
        std::map<std::pair<std::string, std::string>, Expected> by;
        const int64_t since = At("2026-03-01T12:00:00Z");
        const int64_t until = At("2026-03-20T18:30:00Z");
        for (const auto& call : calls()) {
            if (call.created_at < since || call.created_at >= until) continue;
            if (call.campaign_id != "cmp_a" && call.campaign_id != "cmp_c") continue;
            if (call.profile_id != "prof_2") continue;
            const std::string ours = call.direction == CallDirection::kOutbound ? call.from_number : call.to_number;
            by[{ours, call.Disposition().value_or("(none)")}].Add(call);
        }
        ASSERT_EQ(by_number["rows"].size(), by.size());
        for (const auto& row : by_number["rows"]) {
            EXPECT_EQ(row.size(), 5u) << row.dump();  // the two groups and the three metrics asked
            const std::string disposition =
                row["disposition"].is_null() ? "(none)" : row["disposition"].get<std::string>();
            const auto& w = by[{row["number"].get<std::string>(), disposition}];
            EXPECT_EQ(row["calls"], w.calls) << row.dump();
            EXPECT_EQ(row["cost_cents"], w.cost) << row.dump();
            EXPECT_EQ(row["hot_leads"], w.hot) << row.dump();
        }

        // The other organization sees only its own calls, grouped the same way.
        const Json theirs =
            Query({{"since", "2026-01-01"}, {"until", "2027-01-01"}, {"group_by", {"direction"}}}, other_);
        Expected outbound;
        for (const auto& call : others()) {
            if (call.direction == CallDirection::kOutbound) outbound.Add(call);
        }
        ASSERT_EQ(theirs["rows"].size(), 2u);
        EXPECT_EQ(theirs["rows"][1]["direction"], "outbound");
        outbound.ExpectRow(theirs["rows"][1], "other organization");
    }
}

TEST_F(AnalyticsRules, PresetsCountLocalDaysEndingToday) {
    // The clock reads 2026-03-10 15:00 UTC: 11:00 in New York, 00:00 on the 11th in Tokyo.
    auto period = [&](const std::string& range, const std::string& zone) {
        return Query({{"date_range", range}, {"timezone", zone}, {"metrics", {"calls"}}}, main_)["period"];
    };
    EXPECT_EQ(period("today", "America/New_York")["date_from"], "2026-03-10");
    EXPECT_EQ(period("today", "Asia/Tokyo")["date_from"], "2026-03-11");
    EXPECT_EQ(period("yesterday", "America/New_York")["date_to"], "2026-03-09");
    const Json week = period("last_7_days", "America/New_York");
    EXPECT_EQ(week["date_from"], "2026-03-04");
    EXPECT_EQ(week["date_to"], "2026-03-10");
    EXPECT_EQ(week["since"], "2026-03-04T05:00:00.000Z");
    EXPECT_EQ(week["until"], "2026-03-11T04:00:00.000Z");  // a 23-hour day inside
    EXPECT_EQ(period("last_30_days", "UTC")["date_from"], "2026-02-09");
    EXPECT_EQ(period("this_month", "UTC")["date_to"], "2026-03-31");
    const Json last_month = period("last_month", "UTC");
    EXPECT_EQ(last_month["date_from"], "2026-02-01");
    EXPECT_EQ(last_month["date_to"], "2026-02-28");
    // Nothing asked: the last 30 days.
    EXPECT_EQ(Query(Json::object(), main_)["period"]["date_from"], "2026-02-09");
}

TEST_F(AnalyticsRules, ABadQueryIsRefusedWithEveryProblemNamed) {
    auto e =
        QueryError({{"timezone", "Mars/Olympus"}, {"metrics", {"calls", "profit"}}, {"group_by", {"day", "week"}}});
    EXPECT_EQ(e.code, ErrorCode::kValidation);
    EXPECT_TRUE(HasField(e, "timezone"));
    EXPECT_TRUE(HasField(e, "metrics"));
    EXPECT_TRUE(HasField(e, "group_by"));
    EXPECT_TRUE(HasField(QueryError({{"date_from", "2026-02-30"}}), "date_from"));
    EXPECT_TRUE(HasField(QueryError({{"date_from", "2026-03-02"}, {"date_to", "2026-03-01"}}), "date_to"));
    EXPECT_TRUE(HasField(QueryError({{"date_range", "last_year"}}), "date_range"));
    EXPECT_TRUE(HasField(QueryError({{"date_range", "today"}, {"since", "2026-01-01"}}), "date_range"));
    EXPECT_TRUE(HasField(QueryError({{"since", "2026-03-02"}, {"until", "2026-03-01"}}), "until"));
    EXPECT_TRUE(HasField(QueryError({{"date_from", "2000-01-01"}, {"date_to", "2026-01-01"}}), "date_from"));
    EXPECT_TRUE(HasField(QueryError({{"filters", {{"colour", "red"}}}}), "filters.colour"));
    EXPECT_TRUE(HasField(QueryError({{"filters", {{"direction", "sideways"}}}}), "filters.direction"));
    EXPECT_TRUE(HasField(QueryError({{"filters", {{"disposition", {"hot_lead", "great"}}}}}), "filters.disposition"));
    EXPECT_TRUE(HasField(QueryError({{"filters", {{"campaign_id", Json::array()}}}}), "filters.campaign_id"));
    EXPECT_TRUE(HasField(QueryError({{"group_by", {"campaign", "campaign"}}}), "group_by"));
    EXPECT_TRUE(HasField(QueryError({{"group_by", {"colour"}}}), "group_by"));
    EXPECT_TRUE(HasField(QueryError({{"colour", "red"}}), "colour"));
}

}  // namespace
}  // namespace parley::domain

namespace parley::domain {
namespace {

// Saved reports over an empty database: what they keep, and the refusals.
class Reports : public AnalyticsRules {
protected:
    void SetUp() override {
        AnalyticsRules::SetUp();
        reports_ = std::make_unique<ReportService>(temp_.store(), clock_, *service_);
        auto orgs = temp_.store().Write([](Repos& r) -> Result<void> {
            for (const char* id : {"org_main", "org_other"}) {
                if (auto org = r.organizations().Insert({id, id, Tier::kEnterprise, 0}); !org) return org;
            }
            return {};
        });
        ASSERT_TRUE(orgs);
    }
    std::unique_ptr<ReportService> reports_;
};

TEST_F(Reports, AReportKeepsItsQueryAndRunsOverItsPeriodOrAnother) {
    auto created = reports_->Create(main_, {{"name", "Weekly meetings"},
                                            {"description", "Booked meetings per campaign"},
                                            {"date_range", "last_7_days"},
                                            {"timezone", "America/New_York"},
                                            {"group_by", {"day"}},
                                            {"metrics", {"calls", "meetings_booked"}}});
    ASSERT_TRUE(created) << created.error().message;
    EXPECT_TRUE(created->id.starts_with("rpt_"));
    const Json shown = ToJson(*created);
    EXPECT_EQ(shown["group_by"], Json({"day"}));
    EXPECT_EQ(shown["date_range"], "last_7_days");

    auto run = reports_->Execute(main_, created->id, nullptr);
    ASSERT_TRUE(run) << run.error().message;
    EXPECT_EQ((*run)["report"]["name"], "Weekly meetings");
    EXPECT_EQ((*run)["period"]["date_from"], "2026-03-04");
    EXPECT_EQ((*run)["rows"].size(), 7u);  // a row for each day, none with calls
    auto yesterday = reports_->Execute(main_, created->id, {{"date_range", "yesterday"}});
    ASSERT_TRUE(yesterday);
    EXPECT_EQ((*yesterday)["period"]["date_from"], "2026-03-09");
    EXPECT_EQ((*yesterday)["period"]["timezone"], "America/New_York");  // the report's own
    EXPECT_EQ(reports_->Execute(main_, created->id, {{"group_by", {"week"}}}).error().code, ErrorCode::kValidation);

    // New dates replace the old ones whole; null takes a field back to its default.
    auto changed = reports_->Update(main_, created->id, {{"since", "2026-03-01T00:00:00Z"}, {"metrics", nullptr}});
    ASSERT_TRUE(changed) << changed.error().message;
    EXPECT_FALSE(changed->definition.contains("date_range"));
    EXPECT_EQ(changed->definition["timezone"], "America/New_York");
    EXPECT_FALSE(changed->definition.contains("metrics"));
    EXPECT_EQ((*reports_->Execute(main_, created->id, nullptr))["metrics"].size(), 11u);
    // A change that would not run is refused and changes nothing.
    auto bad = reports_->Update(main_, created->id, {{"metrics", {"profit"}}, {"name", ""}});
    ASSERT_FALSE(bad);
    EXPECT_TRUE(HasField(bad.error(), "metrics"));
    EXPECT_TRUE(HasField(bad.error(), "name"));
    EXPECT_EQ(reports_->Get(main_, created->id)->name, "Weekly meetings");

    EXPECT_EQ(reports_->Create(main_, {{"name", "Weekly meetings"}}).error().code, ErrorCode::kDuplicate);
    EXPECT_TRUE(reports_->Create(other_, {{"name", "Weekly meetings"}}));  // another organization's name
    EXPECT_EQ(reports_->Get(other_, created->id).error().code, ErrorCode::kNotFound);
    EXPECT_EQ(reports_->Delete(other_, created->id).error().code, ErrorCode::kNotFound);
    auto missing = reports_->Create(main_, {{"metrics", {"calls"}}});
    ASSERT_FALSE(missing);
    EXPECT_TRUE(HasField(missing.error(), "name"));
    ASSERT_TRUE(reports_->Delete(main_, created->id));
    EXPECT_EQ(reports_->Execute(main_, created->id, nullptr).error().code, ErrorCode::kNotFound);
}

// RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled; UTF-8
// passes as it is; a null is an empty field; lines end with CRLF.
TEST(ReportCsv, QuotesWhatMustBeQuotedAndKeepsUtf8) {
    const Json run = {
        {"group_by", {"campaign", "number"}},
        {"metrics", {"calls", "conversion_rate"}},
        {"rows",
         {{{"campaign_id", "a,b"}, {"number", "say \"hi\""}, {"calls", 3}, {"conversion_rate", 0.25}},
          {{"campaign_id", "line\nbreak"}, {"number", "Z\u00fcrich \u260e"}, {"calls", 0}, {"conversion_rate", 0}},
          {{"campaign_id", nullptr}, {"number", "+12025550101"}, {"calls", 12}, {"conversion_rate", 1}}}}};
    std::string csv;
    WriteReportCsv(run, [&](std::string piece) { csv += piece; });
    EXPECT_EQ(csv,
              "campaign_id,number,calls,conversion_rate\r\n"
              "\"a,b\",\"say \"\"hi\"\"\",3,0.25\r\n"
              "\"line\nbreak\",Z\u00fcrich \u260e,0,0\r\n"
              ",+12025550101,12,1\r\n");
}

}  // namespace
}  // namespace parley::domain
