#pragma once

// Call statistics of an organization over a period, summed by the database: seed 001's
// "Dashboard Stats" and "Analytics API". Saved reports (seed 000) run the same query.

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "domain/entities.hpp"
#include "domain/repos.hpp"
#include "domain/validation.hpp"

namespace parley::domain {

// A half-open period [since, until) and the time zone whose local days it is counted in.
struct Period {
    int64_t since = 0;
    int64_t until = 0;
    std::string timezone = "UTC";
};

// Reads the period in `fields` (a JSON object of strings): `date_range` (today, yesterday,
// last_7_days, last_30_days, this_month, last_month; the last N days end with today),
// `date_from`/`date_to` (local dates, both included; either alone runs to today or starts 29 days
// before), or `since`/`until` (ISO-8601 instants); `timezone` (IANA, UTC by default) decides where
// a day begins, so a day of a daylight-saving change has 23 or 25 hours. None of them: the last
// 30 days. At most kMaxPeriodDays long.
std::optional<Period> ReadPeriod(const Json& fields, int64_t now, Checker& check);

inline constexpr int kMaxPeriodDays = 3660;

// The period as answers show it: {since, until, timezone, date_from, date_to}.
Json PeriodJson(const Period& p);

// Each local day of the period in order: its date ("2026-12-05") and the instant it begins
// (the first, the period's start).
std::vector<std::pair<std::string, int64_t>> LocalDays(const Period& p);

// The fields ReadPeriod reads, as a query string or a body names them.
inline constexpr std::array<std::string_view, 6> kPeriodFields = {"date_range", "date_from", "date_to",
                                                                  "since",      "until",     "timezone"};

// The key a run's rows give a group_by name: campaign_id and profile_id for campaign and
// profile, the name itself for the others.
std::string_view RowKeyOf(std::string_view group);

// Whether a metric's value for several groups together is the sum of theirs (calls, minutes,
// cost...); not so for average_duration and conversion_rate.
bool MetricAddsUp(std::string_view metric);

enum class CallMetric {
    kCalls,
    kAnswered,
    kMissed,
    kVoicemail,
    kMinutes,
    kAverageDuration,
    kCostCents,
    kMeetingsBooked,
    kHotLeads,
    kQualified,
    kConversionRate,
};

enum class TimeGrain { kDay, kWeek };

// One analytics query (POST /api/v1/analytics/query, and a saved report's definition).
struct AnalyticsQuery {
    Period period;
    std::vector<CallMetric> metrics;        // in the order asked; every metric when none was
    std::vector<std::string> group_by;      // as asked: day, week, campaign, profile, ...
    std::optional<TimeGrain> time;          // day or week among them
    std::vector<CallDimension> dimensions;  // the others, in order
    std::vector<std::pair<CallDimension, std::vector<std::string>>> filters;
};

// The answer has at most this many rows; a query that would have more is refused.
inline constexpr size_t kMaxAnalyticsRows = 10'000;

// {metrics?, group_by?, filters?, and the period's fields}; every problem is reported at once.
Result<AnalyticsQuery> ParseAnalyticsQuery(const Json& body, int64_t now);

class AnalyticsService {
public:
    AnalyticsService(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

    // Seed 001 "Dashboard Stats": total_calls (answered, missed and voicemail calls), answered_calls,
    // missed_calls (no answer, busy, failed), voicemail_calls, qualified_calls, unique_callers (the
    // different numbers on the other end), total_minutes, average_duration (seconds per answered
    // call), with the period. `params` holds the query string's period fields.
    Result<Json> DashboardStats(const Principal& who, const Json& params);

    // Seed 001 "Analytics API": {period, group_by, metrics, rows, totals}.
    Result<Json> Query(const Principal& who, const Json& body);
    Result<Json> Run(const Principal& who, const AnalyticsQuery& query);

private:
    Store& store_;
    const Clock& clock_;
};

}  // namespace parley::domain
