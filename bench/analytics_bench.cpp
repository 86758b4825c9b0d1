// Call statistics at scale: dashboard stats and analytics queries over many calls, on SQLite or
// PostgreSQL.
//
//   parley_analytics_bench [--db PATH|postgres://…] [--calls 1000000] [--runs 7]
//
// Fills one organization with `--calls` calls spread over 90 days (10 campaigns, 5 profiles,
// 8 numbers of its own, every status and disposition), then times each query `--runs` times
// after one run that is not counted, and prints one line of key=value fields: the fill time and,
// per query, the median and the slowest run in milliseconds:
//   stats_30d      GET /dashboard/stats of the last 30 days (a third of the calls)
//   stats_90d      the same over all 90 days
//   by_day_90d     POST /analytics/query grouped by day over 90 days, every metric
//   by_campaign    the same grouped by campaign and disposition
//   filtered       grouped by day, one campaign and answered statuses only

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "domain/no_calls.hpp"
#include "domain/service_set.hpp"
#include "store/db.hpp"
#include "store/sql_repos.hpp"

namespace {

using namespace parley;
using Wall = std::chrono::steady_clock;

class Launcher final : public domain::CallLauncher {
public:
    Result<void> CheckReachable(std::string_view) const override { return {}; }
    std::string CallerId() const override { return "+12025550100"; }
    void Wake() override {}
    bool Hangup(std::string_view) override { return false; }
};

int Die(const std::string& what) {
    std::fprintf(stderr, "analytics_bench: %s\n", what.c_str());
    return 1;
}

constexpr int64_t kDayMs = 86'400'000;

// Calls [first, first + n) of the organization, created over the 90 days before `end`.
std::vector<domain::Call> Calls(const std::string& org_id, int64_t first, int64_t n, int64_t end,
                                std::mt19937_64& rng) {
    using domain::CallStatus;
    auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
    constexpr CallStatus statuses[] = {CallStatus::kCompleted, CallStatus::kCompleted, CallStatus::kCompleted,
                                       CallStatus::kNoAnswer,  CallStatus::kBusy,      CallStatus::kVoicemail,
                                       CallStatus::kFailed,    CallStatus::kCanceled};
    constexpr const char* answered[] = {"hot_lead", "interested", "not_interested", "callback_requested"};
    std::vector<domain::Call> out;
    out.reserve(static_cast<size_t>(n));
    for (int64_t i = first; i < first + n; ++i) {
        domain::Call c;
        c.id = "call_bench_" + std::to_string(100'000'000 + i);
        c.org_id = org_id;
        c.created_at = c.updated_at = end - pick(1, 90 * kDayMs);
        c.campaign_id = "cmp_bench_" + std::to_string(pick(0, 9));
        c.profile_id = "prof_bench_" + std::to_string(pick(0, 4));
        c.profile_version = 1;
        c.from_number = "+1212555010" + std::to_string(pick(0, 7));
        c.to_number = "+1415" + std::to_string(2'000'000 + pick(0, 7'999'999));
        c.status = statuses[pick(0, std::size(statuses) - 1)];
        std::string disposition;
        if (c.status == CallStatus::kCompleted) {
            disposition = answered[pick(0, std::size(answered) - 1)];
            c.talk_duration_seconds = static_cast<int>(pick(5, 600));
            c.cost_cents = static_cast<int>(pick(1, 300));
        } else if (c.status != CallStatus::kCanceled) {
            disposition = std::string(domain::ToString(c.status));
        }
        if (!disposition.empty()) {
            c.analysis = {{"disposition", disposition},
                          {"meeting_booked", disposition == "hot_lead" && pick(0, 1) == 0}};
        }
        out.push_back(std::move(c));
    }
    return out;
}

struct Timing {
    double median_ms = 0;
    double max_ms = 0;
};

template <class F>
Timing Time(int runs, F&& run) {
    run();  // not counted: warms the caches
    std::vector<double> ms;
    for (int i = 0; i < runs; ++i) {
        const auto start = Wall::now();
        run();
        ms.push_back(std::chrono::duration<double, std::milli>(Wall::now() - start).count());
    }
    std::sort(ms.begin(), ms.end());
    return {ms[ms.size() / 2], ms.back()};
}

}  // namespace

int main(int argc, char** argv) {
    std::string location;
    int64_t calls = 1'000'000;
    int runs = 7;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string arg = argv[i];
        if (arg == "--db") {
            location = argv[i + 1];
        } else if (arg == "--calls") {
            calls = std::stol(argv[i + 1]);
        } else if (arg == "--runs") {
            runs = std::max(1, std::stoi(argv[i + 1]));
        } else {
            return Die("unknown argument " + arg);
        }
    }
    std::filesystem::path temp;
    if (location.empty()) {
        temp = std::filesystem::temp_directory_path() / ("parley-analytics-bench-" + std::to_string(::getpid()));
        std::filesystem::create_directories(temp);
        location = (temp / "bench.db").string();
    }
    auto db = store::OpenDatabase(location, 4);
    if (!db) return Die(db.error().message);
    if (auto m = store::Migrate(**db); !m) return Die(m.error().message);
    auto store = store::MakeSqlStore(**db, SecretBox::Ephemeral());
    // Wednesday 2026-03-04 15:00 UTC.
    ManualClock clock(1'772'636'400'000);
    Launcher launcher;
    domain::NoCalls no_calls;
    domain::ServiceSet services(*store, clock, {.catalog = no_calls, .compiler = no_calls, .launcher = launcher});
    auto org = services.keys.CreateOrganization("Bench", domain::Tier::kEnterprise);
    if (!org) return Die(org.error().message);
    domain::Principal who;
    who.org_id = org->first.id;

    const auto fill_start = Wall::now();
    std::mt19937_64 rng(42);
    constexpr int64_t kPerTransaction = 20'000;
    for (int64_t first = 0; first < calls; first += kPerTransaction) {
        const auto batch = Calls(who.org_id, first, std::min(kPerTransaction, calls - first), clock.NowMs(), rng);
        auto written = store->Write([&](domain::Repos& r) { return r.calls().InsertMany(batch); });
        if (!written) return Die(written.error().message);
    }
    if ((*db)->dialect() == store::Dialect::kPostgres) {
        if (auto analyzed = (*db)->Exec("ANALYZE calls"); !analyzed) return Die(analyzed.error().message);
    }
    const double fill_s = std::chrono::duration<double>(Wall::now() - fill_start).count();

    bool failed = false;
    auto check = [&](const Result<domain::Json>& result) {
        if (!result && !failed) {
            std::fprintf(stderr, "analytics_bench: %s\n", result.error().message.c_str());
            failed = true;
        }
    };
    auto& analytics = services.analytics;
    const Timing stats_30d = Time(runs, [&] {
        check(analytics.DashboardStats(who, {{"date_range", "last_30_days"}}));
    });
    const Timing stats_90d = Time(runs, [&] {
        check(analytics.DashboardStats(who, {{"date_from", "2025-12-01"}, {"date_to", "2026-03-04"}}));
    });
    const Timing by_day = Time(runs, [&] {
        check(analytics.Query(who, {{"date_from", "2025-12-01"},
                                    {"date_to", "2026-03-04"},
                                    {"timezone", "America/New_York"},
                                    {"group_by", {"day"}}}));
    });
    const Timing by_campaign = Time(runs, [&] {
        check(analytics.Query(
            who, {{"date_from", "2025-12-01"}, {"date_to", "2026-03-04"}, {"group_by", {"campaign", "disposition"}}}));
    });
    const Timing filtered = Time(runs, [&] {
        check(analytics.Query(who, {{"date_from", "2025-12-01"},
                                    {"date_to", "2026-03-04"},
                                    {"group_by", {"day"}},
                                    {"filters", {{"campaign_id", "cmp_bench_3"}, {"status", {"completed"}}}}}));
    });
    if (failed) return 1;
    std::printf(
        "analytics_bench db=%s calls=%lld fill_s=%.1f stats_30d_ms=%.0f/%.0f stats_90d_ms=%.0f/%.0f "
        "by_day_90d_ms=%.0f/%.0f by_campaign_ms=%.0f/%.0f filtered_ms=%.0f/%.0f (median/max of %d)\n",
        (*db)->dialect() == store::Dialect::kPostgres ? "postgres" : "sqlite", static_cast<long long>(calls), fill_s,
        stats_30d.median_ms, stats_30d.max_ms, stats_90d.median_ms, stats_90d.max_ms, by_day.median_ms, by_day.max_ms,
        by_campaign.median_ms, by_campaign.max_ms, filtered.median_ms, filtered.max_ms, runs);
    db->reset();
    if (!temp.empty()) std::filesystem::remove_all(temp);
    return 0;
}
