#include "domain/analytics_service.hpp"

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <unordered_map>
#include <utility>

#include "common/time_format.hpp"
#include "domain/call_service.hpp"

namespace parley::domain {
namespace {

using Ms = std::chrono::milliseconds;
constexpr int64_t kDayMs = 86'400'000;

struct DimensionName {
    std::string_view group;  // in group_by
    std::string_view key;    // in a row and in filters
    CallDimension dimension;
};

constexpr DimensionName kDimensionNames[] = {
    {"campaign", "campaign_id", CallDimension::kCampaign},       {"profile", "profile_id", CallDimension::kProfile},
    {"disposition", "disposition", CallDimension::kDisposition}, {"number", "number", CallDimension::kNumber},
    {"direction", "direction", CallDimension::kDirection},       {"status", "status", CallDimension::kStatus},
};

std::string_view KeyOf(CallDimension d) {
    for (const auto& n : kDimensionNames) {
        if (n.dimension == d) return n.key;
    }
    return "";
}

constexpr std::pair<std::string_view, CallMetric> kMetricNames[] = {
    {"calls", CallMetric::kCalls},
    {"answered", CallMetric::kAnswered},
    {"missed", CallMetric::kMissed},
    {"voicemail", CallMetric::kVoicemail},
    {"minutes", CallMetric::kMinutes},
    {"average_duration", CallMetric::kAverageDuration},
    {"cost_cents", CallMetric::kCostCents},
    {"meetings_booked", CallMetric::kMeetingsBooked},
    {"hot_leads", CallMetric::kHotLeads},
    {"qualified", CallMetric::kQualified},
    {"conversion_rate", CallMetric::kConversionRate},
};

std::string_view NameOf(CallMetric m) {
    for (const auto& [name, metric] : kMetricNames) {
        if (metric == m) return name;
    }
    return "";
}

constexpr std::string_view kPresets = "today, yesterday, last_7_days, last_30_days, this_month, last_month";

const date::time_zone* Zone(std::string_view name) {
    if (name.empty() || name.size() > 64) return nullptr;
    try {
        return date::locate_zone(name);
    } catch (const std::exception&) {
        return nullptr;  // date/tz throws for a name it does not know
    }
}

date::local_days LocalDay(const date::time_zone* zone, int64_t ms) {
    return date::floor<date::days>(zone->to_local(date::sys_time<Ms>(Ms(ms))));
}

// The instant a local day begins; a midnight skipped by a clock change begins at the change.
int64_t StartOf(const date::time_zone* zone, date::local_days day) {
    return std::chrono::duration_cast<Ms>(zone->to_sys(day, date::choose::earliest).time_since_epoch()).count();
}

std::string DateText(date::local_days day) {
    const date::year_month_day ymd{day};
    return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                       static_cast<unsigned>(ymd.day()));
}

std::optional<date::local_days> ParseDate(std::string_view text) {
    if (!IsIsoDate(text)) return std::nullopt;
    const int y = std::stoi(std::string(text.substr(0, 4)));
    const unsigned m = static_cast<unsigned>(std::stoi(std::string(text.substr(5, 2))));
    const unsigned d = static_cast<unsigned>(std::stoi(std::string(text.substr(8, 2))));
    const date::year_month_day ymd{date::year{y}, date::month{m}, date::day{d}};
    if (!ymd.ok()) return std::nullopt;
    return date::local_days{ymd};
}

date::local_days MondayOf(date::local_days day) {
    return day - (date::weekday{day} - date::Monday);
}

// [first, last) of a preset, in local days.
std::optional<std::pair<date::local_days, date::local_days>> Preset(std::string_view name, date::local_days today) {
    const date::days one{1};
    const date::year_month_day ymd{today};
    const date::local_days month_start{ymd.year() / ymd.month() / 1};
    if (name == "today") return std::pair{today, today + one};
    if (name == "yesterday") return std::pair{today - one, today};
    if (name == "last_7_days") return std::pair{today - date::days{6}, today + one};
    if (name == "last_30_days") return std::pair{today - date::days{29}, today + one};
    if (name == "this_month") {
        return std::pair{month_start, date::local_days{(ymd.year() / ymd.month() + date::months{1}) / 1}};
    }
    if (name == "last_month") {
        return std::pair{date::local_days{(ymd.year() / ymd.month() - date::months{1}) / 1}, month_start};
    }
    return std::nullopt;
}

Json MetricValue(CallMetric m, const CallTotals& t) {
    switch (m) {
        case CallMetric::kCalls: return t.calls;
        case CallMetric::kAnswered: return t.answered;
        case CallMetric::kMissed: return t.calls - t.answered - t.voicemail;
        case CallMetric::kVoicemail: return t.voicemail;
        case CallMetric::kMinutes: return (t.talk_seconds + 30) / 60;
        case CallMetric::kAverageDuration: return t.answered == 0 ? 0 : (t.talk_seconds + t.answered / 2) / t.answered;
        case CallMetric::kCostCents: return t.cost_cents;
        case CallMetric::kMeetingsBooked: return t.meetings_booked;
        case CallMetric::kHotLeads: return t.hot_leads;
        case CallMetric::kQualified: return t.qualified;
        case CallMetric::kConversionRate:
            if (t.answered == 0) return 0.0;
            return std::round(static_cast<double>(t.meetings_booked) * 10'000.0 / static_cast<double>(t.answered)) /
                   10'000.0;
    }
    return nullptr;
}

Json MetricsOf(const std::vector<CallMetric>& metrics, const CallTotals& t) {
    Json out = Json::object();
    for (auto m : metrics) out[std::string(NameOf(m))] = MetricValue(m, t);
    return out;
}

// A filter's values: a string or a list of 1 to 100 strings of 1 to 64 bytes.
std::vector<std::string> FilterValues(const Json& value, std::string_view key, Checker& check) {
    const std::string field = "filters." + std::string(key);
    std::vector<std::string> out;
    const Json list = value.is_string() ? Json::array({value}) : value;
    if (!list.is_array() || list.empty() || list.size() > 100) {
        check.Add(field, "must be a string or a list of 1 to 100 strings");
        return {};
    }
    for (const auto& v : list) {
        if (!v.is_string() || v.get<std::string>().empty() || v.get<std::string>().size() > 64) {
            check.Add(field, "each value must be a string of 1 to 64 bytes");
            return {};
        }
        out.push_back(v.get<std::string>());
    }
    return out;
}

void CheckFilterValues(CallDimension d, const std::vector<std::string>& values, Checker& check) {
    const std::string field = "filters." + std::string(KeyOf(d));
    for (const auto& v : values) {
        if (d == CallDimension::kDirection && !ParseCallDirection(v)) {
            check.Add(field, "\"" + v + "\" is not a direction: use outbound or inbound");
        } else if (d == CallDimension::kStatus && !ParseCallStatus(v)) {
            check.Add(field, "\"" + v + "\" is not a call status");
        } else if (d == CallDimension::kDisposition &&
                   std::find(std::begin(kDispositions), std::end(kDispositions), v) == std::end(kDispositions)) {
            check.Add(field, "\"" + v + "\" is not a disposition");
        }
    }
}

}  // namespace

Json PeriodJson(const Period& p) {
    const auto* zone = Zone(p.timezone);
    return {{"since", FormatIsoTime(p.since)},
            {"until", FormatIsoTime(p.until)},
            {"timezone", p.timezone},
            {"date_from", DateText(LocalDay(zone, p.since))},
            {"date_to", DateText(LocalDay(zone, p.until - 1))}};
}

std::vector<std::pair<std::string, int64_t>> LocalDays(const Period& p) {
    const auto* zone = Zone(p.timezone);
    std::vector<std::pair<std::string, int64_t>> days;
    const date::local_days last = LocalDay(zone, p.until - 1);
    for (date::local_days day = LocalDay(zone, p.since); day <= last; day += date::days{1}) {
        days.emplace_back(DateText(day), days.empty() ? p.since : StartOf(zone, day));
    }
    return days;
}

bool MetricAddsUp(std::string_view metric) {
    return metric != "average_duration" && metric != "conversion_rate";
}

std::string_view RowKeyOf(std::string_view group) {
    for (const auto& n : kDimensionNames) {
        if (n.group == group) return n.key;
    }
    return group;
}

std::optional<Period> ReadPeriod(const Json& fields, int64_t now, Checker& check) {
    const size_t before = check.errors().size();
    const auto timezone = check.String(fields, "timezone", 64);
    const auto range = check.String(fields, "date_range", 32);
    const auto from = check.String(fields, "date_from", 32);
    const auto to = check.String(fields, "date_to", 32);
    const auto since = check.String(fields, "since", 64);
    const auto until = check.String(fields, "until", 64);
    Period period;
    period.timezone = timezone.value_or("UTC");
    const auto* zone = Zone(period.timezone);
    if (zone == nullptr) {
        check.Add("timezone", "must be a time zone of the IANA database, such as America/New_York");
    }
    const int ways = (range ? 1 : 0) + (from || to ? 1 : 0) + (since || until ? 1 : 0);
    if (ways > 1) check.Add("date_range", "give one of date_range, date_from/date_to or since/until");
    if (check.errors().size() != before) return std::nullopt;

    const date::local_days today = LocalDay(zone, now);
    std::optional<std::pair<date::local_days, date::local_days>> days;
    if (range) {
        days = Preset(*range, today);
        if (!days) check.Add("date_range", "must be one of " + std::string(kPresets));
    } else if (from || to) {
        const auto first = from ? ParseDate(*from) : std::nullopt;
        const auto last = to ? ParseDate(*to) : std::nullopt;
        if (from && !first) check.Add("date_from", "must be a date written YYYY-MM-DD");
        if (to && !last) check.Add("date_to", "must be a date written YYYY-MM-DD");
        if ((from && !first) || (to && !last)) return std::nullopt;
        const date::local_days end = (last ? *last : today) + date::days{1};
        days = std::pair{first ? *first : end - date::days{30}, end};
        if (days->second <= days->first) {
            check.Add("date_to", "must not be before date_from");
            return std::nullopt;
        }
    } else if (since || until) {
        const auto start = since ? ParseIsoTime(*since) : std::nullopt;
        const auto end = until ? ParseIsoTime(*until) : std::optional<int64_t>(now);
        if (since && !start) check.Add("since", "must be an ISO-8601 date or time");
        if (until && !end) check.Add("until", "must be an ISO-8601 date or time");
        if (!end || (since && !start)) return std::nullopt;
        period.since = start ? *start : *end - 30 * kDayMs;
        period.until = *end;
        if (period.until <= period.since) {
            check.Add("until", "must be after since");
            return std::nullopt;
        }
    } else {
        days = Preset("last_30_days", today);
    }
    if (check.errors().size() != before) return std::nullopt;
    if (days) {
        if ((days->second - days->first).count() > kMaxPeriodDays) {
            check.Add("date_from", "a period is at most " + std::to_string(kMaxPeriodDays) + " days");
            return std::nullopt;
        }
        period.since = StartOf(zone, days->first);
        period.until = StartOf(zone, days->second);
    } else if (period.until - period.since > kMaxPeriodDays * kDayMs) {
        check.Add("since", "a period is at most " + std::to_string(kMaxPeriodDays) + " days");
        return std::nullopt;
    }
    return period;
}

Result<AnalyticsQuery> ParseAnalyticsQuery(const Json& body, int64_t now) {
    Checker check;
    if (!body.is_object()) return Fail(ErrorCode::kValidation, "the query must be a JSON object");
    check.RejectUnknownKeys(
        body, {"metrics", "group_by", "filters", "date_range", "date_from", "date_to", "since", "until", "timezone"});
    AnalyticsQuery q;
    if (auto period = ReadPeriod(body, now, check)) q.period = *period;

    if (body.contains("metrics") && !body["metrics"].is_null()) {
        const Json& metrics = body["metrics"];
        if (!metrics.is_array() || metrics.empty() || metrics.size() > std::size(kMetricNames)) {
            check.Add("metrics", "must be a list of 1 to " + std::to_string(std::size(kMetricNames)) + " metrics");
        } else {
            for (const auto& m : metrics) {
                const auto* found = m.is_string()
                                        ? std::find_if(std::begin(kMetricNames), std::end(kMetricNames),
                                                       [&](const auto& n) { return n.first == m.get<std::string>(); })
                                        : std::end(kMetricNames);
                if (found == std::end(kMetricNames)) {
                    check.Add("metrics", m.dump() +
                                             " is not a metric; use calls, answered, missed, voicemail, minutes, "
                                             "average_duration, cost_cents, meetings_booked, hot_leads, "
                                             "qualified, conversion_rate");
                } else if (std::find(q.metrics.begin(), q.metrics.end(), found->second) != q.metrics.end()) {
                    check.Add("metrics", "\"" + std::string(found->first) + "\" is listed twice");
                } else {
                    q.metrics.push_back(found->second);
                }
            }
        }
    }
    if (q.metrics.empty()) {
        for (const auto& n : kMetricNames) q.metrics.push_back(n.second);
    }

    if (body.contains("group_by") && !body["group_by"].is_null()) {
        const Json& group_by = body["group_by"];
        if (!group_by.is_array() || group_by.size() > 3) {
            check.Add("group_by",
                      "must be a list of at most 3 of day, week, campaign, profile, disposition, number, "
                      "direction, status");
        } else {
            for (const auto& g : group_by) {
                const std::string name = g.is_string() ? g.get<std::string>() : g.dump();
                if (std::find(q.group_by.begin(), q.group_by.end(), name) != q.group_by.end()) {
                    check.Add("group_by", "\"" + name + "\" is listed twice");
                    continue;
                }
                const auto* found = std::find_if(std::begin(kDimensionNames), std::end(kDimensionNames),
                                                 [&](const auto& n) { return n.group == name; });
                if (name == "day" || name == "week") {
                    if (q.time) check.Add("group_by", "group by day or by week, not both");
                    q.time = name == "day" ? TimeGrain::kDay : TimeGrain::kWeek;
                } else if (found != std::end(kDimensionNames)) {
                    q.dimensions.push_back(found->dimension);
                } else {
                    check.Add("group_by", name +
                                              " is not a grouping; use day, week, campaign, profile, disposition, "
                                              "number, direction, status");
                    continue;
                }
                q.group_by.push_back(name);
            }
        }
    }

    if (body.contains("filters") && !body["filters"].is_null()) {
        const Json& filters = body["filters"];
        if (!filters.is_object()) {
            check.Add("filters", "must be an object");
        } else {
            for (const auto& [key, value] : filters.items()) {
                const auto* found = std::find_if(std::begin(kDimensionNames), std::end(kDimensionNames),
                                                 [&](const auto& n) { return n.key == key; });
                if (found == std::end(kDimensionNames)) {
                    check.Add("filters." + key,
                              "is not a filter; use campaign_id, profile_id, disposition, number, "
                              "direction, status");
                    continue;
                }
                auto values = FilterValues(value, key, check);
                CheckFilterValues(found->dimension, values, check);
                if (!values.empty()) q.filters.emplace_back(found->dimension, std::move(values));
            }
        }
    }
    if (!check.ok()) return Fail(check.ToError("the analytics query is not valid"));
    return q;
}

Result<Json> AnalyticsService::Query(const Principal& who, const Json& body) {
    auto query = ParseAnalyticsQuery(body, clock_.NowMs());
    if (!query) return Fail(std::move(query.error()));
    return Run(who, *query);
}

Result<Json> AnalyticsService::Run(const Principal& who, const AnalyticsQuery& q) {
    const CallAggregateQuery aggregate{q.period.since, q.period.until, q.time.has_value(), q.dimensions, q.filters};
    auto rows = ReadTx(store_, [&](Repos& r) { return r.calls().Aggregate(who.org_id, aggregate); });
    if (!rows) return Fail(std::move(rows.error()));

    const auto* zone = Zone(q.period.timezone);
    auto time_key = [&](date::local_days day) { return DateText(q.time == TimeGrain::kWeek ? MondayOf(day) : day); };
    std::unordered_map<int64_t, std::string> slice_keys;  // a slice's day or week, worked out once
    using Key = std::pair<std::string, std::vector<std::optional<std::string>>>;
    std::map<Key, CallTotals> groups;
    CallTotals all;
    for (auto& row : *rows) {
        std::string time;
        if (q.time) {
            auto [at, added] = slice_keys.try_emplace(row.slice_start);
            if (added) at->second = time_key(LocalDay(zone, row.slice_start));
            time = at->second;
        }
        groups[Key{std::move(time), std::move(row.keys)}] += row.totals;
        all += row.totals;
        if (groups.size() > kMaxAnalyticsRows) {
            return Fail(ErrorCode::kValidation,
                        "the answer would have more than " + std::to_string(kMaxAnalyticsRows) +
                            " rows: group by less or choose a shorter period",
                        {{"group_by", "too many groups for this period"}});
        }
    }
    // A chart over time shows the days (or weeks) without calls too.
    if (q.time && q.dimensions.empty()) {
        const date::local_days last = LocalDay(zone, q.period.until - 1);
        for (date::local_days day = LocalDay(zone, q.period.since); day <= last; day += date::days{1}) {
            groups.try_emplace(Key{time_key(day), {}});
        }
    }

    Json out_rows = Json::array();
    for (const auto& [key, totals] : groups) {
        Json row = Json::object();
        if (q.time) row[q.time == TimeGrain::kDay ? "day" : "week"] = key.first;
        for (size_t i = 0; i < q.dimensions.size(); ++i) {
            const auto& value = key.second[i];
            row[std::string(KeyOf(q.dimensions[i]))] = value ? Json(*value) : Json(nullptr);
        }
        row.update(MetricsOf(q.metrics, totals));
        out_rows.push_back(std::move(row));
    }
    Json metric_names = Json::array();
    for (auto m : q.metrics) metric_names.push_back(NameOf(m));
    return Json{{"period", PeriodJson(q.period)},
                {"group_by", q.group_by},
                {"metrics", std::move(metric_names)},
                {"rows", std::move(out_rows)},
                {"totals", MetricsOf(q.metrics, all)}};
}

Result<Json> AnalyticsService::DashboardStats(const Principal& who, const Json& params) {
    Checker check;
    const auto period = ReadPeriod(params, clock_.NowMs(), check);
    if (!period) return Fail(check.ToError("the period is not valid"));
    const CallAggregateQuery query{period->since, period->until, false, {}, {}};
    CallTotals totals;
    int64_t callers = 0;
    auto read = store_.Read([&](Repos& r) -> Result<void> {
        auto rows = r.calls().Aggregate(who.org_id, query);
        if (!rows) return Fail(std::move(rows.error()));
        for (const auto& row : *rows) totals += row.totals;
        auto others = r.calls().OtherParties(who.org_id, query);
        if (!others) return Fail(std::move(others.error()));
        callers = *others;
        return {};
    });
    if (!read) return Fail(std::move(read.error()));
    return Json{{"total_calls", totals.calls},
                {"answered_calls", totals.answered},
                {"missed_calls", MetricValue(CallMetric::kMissed, totals)},
                {"voicemail_calls", totals.voicemail},
                {"qualified_calls", totals.qualified},
                {"unique_callers", callers},
                {"total_minutes", MetricValue(CallMetric::kMinutes, totals)},
                {"average_duration", MetricValue(CallMetric::kAverageDuration, totals)},
                {"period", PeriodJson(*period)}};
}

}  // namespace parley::domain
