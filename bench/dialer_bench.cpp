// The dialer at scale: a campaign of many contacts on SQLite or PostgreSQL.
//
//   parley_dialer_bench [--db PATH|postgres://…] [--contacts 1000000] [--placed 100000] [--audience campaign|tag]
//
// The audience: contacts created with the campaign's id (campaign, the default), or contacts
// carrying a tag the campaign names in contact_tags (tag), as a campaign started through the API
// usually finds them.
// Prints one line of key=value fields:
//   enqueue_per_s       contacts put into the campaign's queue per second by its start
//   schedule_us_per_call wall time of the dialer's passes per call placed, the passes also
//                        closing the attempts that ended (every placed call ends at once here)
//   dialer_cpu_us_per_call  CPU time of this process during the passes, per call placed
//   server_cpu_us_per_call  CPU time of the PostgreSQL server processes serving this bench
//                        during the passes, per call placed (only when they run on this machine)
//   stats_ms             GET /campaigns/:id afterwards (the campaign with its stats), median/max of 5
//   queue_count_ms       counting the queue by state, as the stats did before they kept counts
// The carrier is left out: a placed call is a queued call row, ended by an UPDATE between passes
// (not timed). `bench/voice_calls.py campaign` measures calls started into the sandbox by a real server.

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "dialer/dialer.hpp"
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

double Seconds(Wall::duration d) {
    return std::chrono::duration<double>(d).count();
}

// User and system CPU time of this process, in seconds.
double OwnCpuSeconds() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    return s(u.ru_utime) + s(u.ru_stime);
}

// User and system CPU time of PostgreSQL server processes on this machine, in seconds, from
// /proc/PID/stat. A pid that is not a local `postgres` process counts nothing, so the sum is empty
// when the server runs elsewhere.
std::optional<double> ServerCpuSeconds(const std::vector<long>& pids) {
    double total = 0;
    bool any = false;
    for (long pid : pids) {
        std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
        std::string line;
        if (!std::getline(in, line) || line.find(" (postgres) ") == std::string::npos) continue;
        // Fields after the command (which may hold spaces) start at its closing parenthesis:
        // state is field 3, utime 14 and stime 15.
        std::istringstream rest(line.substr(line.rfind(')') + 2));
        std::string field;
        double ticks = 0;
        for (int i = 3; i <= 15 && rest >> field; ++i) {
            if (i >= 14) ticks += std::stod(field);
        }
        total += ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
        any = true;
    }
    if (!any) return std::nullopt;
    return total;
}

int Die(const std::string& what) {
    std::fprintf(stderr, "dialer_bench: %s\n", what.c_str());
    return 1;
}

// N contacts of the campaign in one statement: +1 212 NXX XXXX, distinct and valid.
std::string ContactsSql(store::Dialect dialect, long n) {
    const std::string values =
        "SELECT 'ct_bench_' || LPAD(CAST(n AS TEXT), 9, '0'), ?, NULL, NULL, "
        "'+1212' || CAST(200 + n / 10000 AS TEXT) || LPAD(CAST(n % 10000 AS TEXT), 4, '0'), 'US', NULL, NULL, "
        "NULL, 'bench', ?, '[]', '{}', 0, 0 ";
    const std::string insert =
        "INSERT INTO contacts (id, org_id, first_name, last_name, phone, phone_region, email, company, timezone, "
        "source, campaign_id, tags, custom_fields, created_at, updated_at) ";
    if (dialect == store::Dialect::kPostgres) {
        return insert + values + "FROM generate_series(0, " + std::to_string(n - 1) + ") AS n";
    }
    // SQLite has no LPAD: printf pads.
    std::string sqlite_values = values;
    for (auto [from, to] :
         {std::pair{std::string("LPAD(CAST(n AS TEXT), 9, '0')"), std::string("printf('%09d', n)")},
          std::pair{std::string("LPAD(CAST(n % 10000 AS TEXT), 4, '0')"), std::string("printf('%04d', n % 10000)")}}) {
        sqlite_values.replace(sqlite_values.find(from), from.size(), to);
    }
    return "WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < " + std::to_string(n - 1) +
           ") " + insert + sqlite_values + "FROM seq";
}

}  // namespace

int main(int argc, char** argv) {
    std::string location;
    long contacts = 1'000'000;
    long placed_target = 100'000;
    std::string audience = "campaign";
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string arg = argv[i];
        if (arg == "--db")
            location = argv[i + 1];
        else if (arg == "--contacts")
            contacts = std::stol(argv[i + 1]);
        else if (arg == "--placed")
            placed_target = std::stol(argv[i + 1]);
        else if (arg == "--audience")
            audience = argv[i + 1];
        else
            return Die("unknown argument " + arg);
    }
    if (audience != "campaign" && audience != "tag") return Die("--audience is campaign or tag, not " + audience);
    const bool by_tag = audience == "tag";
    std::filesystem::path temp;
    if (location.empty()) {
        temp = std::filesystem::temp_directory_path() / ("parley-dialer-bench-" + std::to_string(::getpid()));
        std::filesystem::create_directories(temp);
        location = (temp / "bench.db").string();
    }
    auto db = store::OpenDatabase(location, 4);
    if (!db) return Die(db.error().message);
    if (auto m = store::Migrate(**db); !m) return Die(m.error().message);
    auto store = store::MakeSqlStore(**db, SecretBox::Ephemeral());
    // Wednesday 2026-03-04 15:00 UTC; the campaign calls around the clock.
    ManualClock clock(1'772'636'400'000);
    Launcher launcher;
    domain::NoCalls no_calls;
    domain::ServiceSet services(*store, clock, {.catalog = no_calls, .compiler = no_calls, .launcher = launcher});
    domain::CampaignService& campaigns = services.campaigns;
    auto org = services.keys.CreateOrganization("Bench", domain::Tier::kEnterprise);
    if (!org) return Die(org.error().message);
    domain::Principal who;
    who.org_id = org->first.id;
    who.role = domain::Role::kOwner;
    auto profile = services.profiles.Create(who, {{"name", "Bench"}});
    if (!profile) return Die(profile.error().message);
    if (auto s = campaigns.UpdateSettings(who, {{"legal_hours_guard", {{"enabled", false}}},
                                                {"max_concurrent_calls", domain::kMaxOrganizationCalls}});
        !s) {
        return Die(s.error().message);
    }
    auto campaign = campaigns.Create(who, {{"name", "Million"},
                                           {"profile_id", profile->id},
                                           {"schedule",
                                            {{"calling_hours", {{"start", "00:00"}, {"end", "24:00"}}},
                                             {"days", {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}},
                                             {"timezone", "America/New_York"}}},
                                           {"concurrent_calls", domain::kMaxConcurrentCalls}});
    if (!campaign) return Die(campaign.error().message);
    if (by_tag) {
        auto tagged = campaigns.Update(who, campaign->id, {{"contact_tags", {"million"}}});
        if (!tagged) return Die(tagged.error().message);
    }

    const auto fill_start = Wall::now();
    auto filled = (*db)->Exec(ContactsSql((*db)->dialect(), contacts),
                              {who.org_id, by_tag ? store::Value(nullptr) : store::Value(campaign->id)});
    if (!filled) return Die(filled.error().message);
    if (by_tag) {
        auto tags = (*db)->Exec(
            "INSERT INTO contact_tags (org_id, tag, contact_id) SELECT org_id, 'million', id "
            "FROM contacts WHERE org_id = ?",
            {who.org_id});
        if (!tags) return Die(tags.error().message);
    }
    const double fill_s = Seconds(Wall::now() - fill_start);

    const auto enqueue_start = Wall::now();
    auto started = campaigns.Start(who, campaign->id);
    if (!started) return Die(started.error().message);
    const double enqueue_s = Seconds(Wall::now() - enqueue_start);
    if (started->stats.contacts_total != contacts)
        return Die("queue holds " + std::to_string(started->stats.contacts_total));

    // The server processes of this bench's connections (PostgreSQL); SQLite works in this process.
    std::vector<long> server_pids;
    if ((*db)->dialect() == store::Dialect::kPostgres) {
        auto pids = (*db)->Query("SELECT pid FROM pg_stat_activity WHERE datname = current_database()");
        if (!pids) return Die(pids.error().message);
        for (const auto& row : *pids) server_pids.push_back(static_cast<long>(row[0].AsInt()));
    }
    dialer::Dialer dialer(*store, clock, launcher, {});
    double own_cpu_s = 0;
    double server_cpu_s = 0;
    bool server_cpu_known = !server_pids.empty();
    long placed = 0;
    int passes = 0;
    double pass_s = 0;
    while (placed < placed_target) {
        const auto server0 = ServerCpuSeconds(server_pids);
        const double cpu0 = OwnCpuSeconds();
        const auto t0 = Wall::now();
        auto pass = dialer.RunOnce();
        pass_s += Seconds(Wall::now() - t0);
        own_cpu_s += OwnCpuSeconds() - cpu0;
        const auto server1 = ServerCpuSeconds(server_pids);
        if (server0 && server1)
            server_cpu_s += *server1 - *server0;
        else
            server_cpu_known = false;
        if (!pass) return Die(pass.error().message);
        if (pass->placed == 0) return Die("a pass placed nothing");
        placed += pass->placed;
        ++passes;
        // Every call ends at once, written in a transaction as the runtime would write it; not timed.
        auto ended = (*db)->Transaction([](store::Connection& c) -> Result<void> {
            auto n = c.Exec("UPDATE calls SET status = 'no_answer' WHERE status = 'queued'");
            if (!n) return Fail(std::move(n.error()));
            return {};
        });
        if (!ended) return Die(ended.error().message);
        clock.Advance(1000);
    }
    // GET /campaigns/:id: the campaign with its stats, over the whole queue and the calls placed.
    std::vector<double> stats_ms;
    for (int i = 0; i < 5; ++i) {
        const auto t0 = Wall::now();
        auto view = campaigns.Get(who, campaign->id);
        stats_ms.push_back(Seconds(Wall::now() - t0) * 1000);
        if (!view) return Die(view.error().message);
        if (view->stats.contacts_total != contacts || view->stats.calls != placed) {
            return Die("stats count " + std::to_string(view->stats.contacts_total) + " contacts and " +
                       std::to_string(view->stats.calls) + " calls");
        }
    }
    std::sort(stats_ms.begin(), stats_ms.end());
    // What the stats cost before the queue's counts were kept: counting the queue by state.
    const auto count_start = Wall::now();
    auto counted = (*db)->Query("SELECT state, COUNT(*) FROM campaign_contacts WHERE campaign_id = ? GROUP BY state",
                                {campaign->id});
    const double count_ms = Seconds(Wall::now() - count_start) * 1000;
    if (!counted) return Die(counted.error().message);
    const double per_call = 1e6 / static_cast<double>(placed);
    std::printf(
        "dialer_bench db=%s audience=%s contacts=%ld fill_s=%.1f enqueue_s=%.2f enqueue_per_s=%.0f placed=%ld "
        "passes=%d schedule_s=%.2f schedule_us_per_call=%.1f dialer_cpu_us_per_call=%.1f",
        (*db)->dialect() == store::Dialect::kPostgres ? "postgres" : "sqlite", audience.c_str(), contacts, fill_s,
        enqueue_s, static_cast<double>(contacts) / enqueue_s, placed, passes, pass_s, pass_s * per_call,
        own_cpu_s * per_call);
    if (server_cpu_known) std::printf(" server_cpu_us_per_call=%.1f", server_cpu_s * per_call);
    std::printf(" stats_ms=%.1f/%.1f (median/max of 5) queue_count_ms=%.0f", stats_ms[2], stats_ms[4], count_ms);
    std::printf("\n");
    store.reset();
    db->reset();
    if (!temp.empty()) std::filesystem::remove_all(temp);
    return 0;
}
