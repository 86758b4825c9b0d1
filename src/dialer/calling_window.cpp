#include "dialer/calling_window.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>

#include "common/time_format.hpp"
#include "dialer/callee_zone.hpp"
#include "domain/schedule.hpp"

namespace parley::dialer {
namespace {

using date::choose;
using date::local_days;
using date::local_seconds;
using date::sys_seconds;
using std::chrono::minutes;
using std::chrono::seconds;

// A schedule's calendar date as the first moment of that day, local time.
local_days LocalDays(const std::chrono::year_month_day& ymd) {
    return local_days{date::days{std::chrono::sys_days{ymd}.time_since_epoch().count()}};
}
// The calendar date of a local day.
std::chrono::year_month_day CalendarDate(local_days day) {
    return std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{day.time_since_epoch().count()}}};
}

constexpr minutes kEndOfDay{24 * 60};
// By date::weekday::c_encoding().
constexpr std::array<std::string_view, 7> kShortDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 7> kLongDays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                       "Thursday", "Friday", "Saturday"};

std::string FormatHours(const CallingHours& hours) {
    return domain::FormatClock(hours.start) + "-" + domain::FormatClock(hours.end);
}

// "Sat 2026-01-10 22:00 EST (America/New_York)"
std::string DescribeLocal(const date::time_zone& zone, sys_seconds t) {
    const auto info = zone.get_info(t);
    const local_seconds local{(t + info.offset).time_since_epoch()};
    const auto day = date::floor<date::days>(local);
    const auto time = date::floor<minutes>(local - day);
    return fmt::format("{} {} {} {} ({})", kShortDays[date::weekday(day).c_encoding()],
                       domain::FormatIsoDate(CalendarDate(day)), domain::FormatClock(time), info.abbrev, zone.name());
}

// [start, end) of a local day.
bool Inside(const CallingHours& hours, seconds time_of_day) {
    return time_of_day >= hours.start && time_of_day < hours.end;
}

// The rules of one evaluation with the campaign dates turned into instants and the calling hours
// narrowed by the guard.
struct Rules {
    const date::time_zone& zone;  // the callee's
    const std::array<bool, 7>& days;
    CallingHours window;               // calling hours ∩ guard
    std::optional<sys_seconds> first;  // the first instant of start_date
    std::optional<sys_seconds> stop;   // the first instant after end_date

    bool Allows(sys_seconds t) const {
        if ((first && t < *first) || (stop && t >= *stop)) return false;
        const auto local = zone.to_local(t);
        const auto day = date::floor<date::days>(local);
        return days[date::weekday(day).c_encoding()] && Inside(window, local - day);
    }
};

// The earliest instant >= `from` that `rules` allow, looked for over kSearchDays callee-local
// days. The allowed set changes from "no" to "yes" only where the local clock reaches the
// window's opening time (each time it does: twice on a fall-back day, at the jump when the
// opening time is skipped), where the clocks change, or where the campaign's first day begins;
// those instants are tried in order. All candidates of day D+1 lie at or after the first
// instant of D+1, so once a day's candidates below that bound are tried, none later can be
// earlier.
std::optional<sys_seconds> NextAllowed(const Rules& rules, sys_seconds from) {
    if (rules.window.start >= rules.window.end) return std::nullopt;
    if (std::none_of(rules.days.begin(), rules.days.end(), [](bool d) { return d; })) return std::nullopt;
    if (rules.first && from < *rules.first) from = *rules.first;
    if (rules.stop && from >= *rules.stop) return std::nullopt;

    const date::time_zone& zone = rules.zone;
    std::vector<sys_seconds> pending;
    pending.reserve(8);
    pending.push_back(from);
    auto next_change = zone.get_info(from).end;
    // From the day before: on a day whose midnight is repeated, an instant after `from` can fall
    // on the previous local date.
    const auto first_day = date::floor<date::days>(zone.to_local(from)) - date::days{1};
    for (int i = 0; i <= kSearchDays + 1; ++i) {
        const local_days day = first_day + date::days{i};
        const sys_seconds next_day = zone.to_sys(day + date::days{1}, choose::earliest);
        if (rules.days[date::weekday(day).c_encoding()]) {
            pending.push_back(zone.to_sys(day + rules.window.start, choose::earliest));
            pending.push_back(zone.to_sys(day + rules.window.start, choose::latest));
        }
        while (next_change < next_day) {
            pending.push_back(next_change);
            next_change = zone.get_info(next_change).end;
        }
        std::sort(pending.begin(), pending.end());
        auto it = pending.begin();
        for (; it != pending.end() && *it < next_day; ++it) {
            if (*it >= from && rules.Allows(*it)) return *it;
        }
        pending.erase(pending.begin(), it);
        if (rules.stop && next_day >= *rules.stop) break;
    }
    return std::nullopt;
}

}  // namespace

std::string_view ReasonCodeName(ReasonCode code) {
    switch (code) {
        case ReasonCode::kBeforeStartDate: return "before_start_date";
        case ReasonCode::kAfterEndDate: return "after_end_date";
        case ReasonCode::kDayNotAllowed: return "day_not_allowed";
        case ReasonCode::kOutsideCallingHours: return "outside_calling_hours";
        case ReasonCode::kOutsideLegalHours: return "outside_legal_hours";
    }
    return "outside_calling_hours";
}

WindowVerdict Evaluate(const Schedule& schedule, const date::time_zone& callee_zone, const LegalHoursGuard& guard,
                       sys_seconds now) {
    const date::time_zone* campaign_zone = FindZone(schedule.timezone);
    // ParseSchedule admits only known zones; a Schedule built by hand with another is read as UTC.
    assert(campaign_zone != nullptr);
    if (campaign_zone == nullptr) campaign_zone = date::locate_zone("UTC");

    Rules rules{callee_zone, schedule.days, schedule.hours, std::nullopt, std::nullopt};
    if (guard.enabled) {
        rules.window.start = std::max(rules.window.start, guard.hours.start);
        rules.window.end = std::min(rules.window.end, guard.hours.end);
    }
    if (schedule.start_date) rules.first = campaign_zone->to_sys(LocalDays(*schedule.start_date), choose::earliest);
    if (schedule.end_date) {
        rules.stop = campaign_zone->to_sys(LocalDays(*schedule.end_date) + date::days{1}, choose::earliest);
    }

    const auto local = callee_zone.to_local(now);
    const auto day = date::floor<date::days>(local);
    const auto time_of_day = local - day;
    const auto weekday = date::weekday(day).c_encoding();

    std::array<bool, 5> refused{};
    refused[0] = rules.first && now < *rules.first;
    refused[1] = rules.stop && now >= *rules.stop;
    refused[2] = !schedule.days[weekday];
    refused[3] = !Inside(schedule.hours, time_of_day);
    refused[4] = guard.enabled && !Inside(guard.hours, time_of_day);

    WindowVerdict verdict;
    verdict.allowed = std::none_of(refused.begin(), refused.end(), [](bool r) { return r; });
    if (verdict.allowed) {
        verdict.next_allowed = now;
        return verdict;
    }
    const std::string there = "; for the callee it is " + DescribeLocal(callee_zone, now);
    if (refused[0]) {
        verdict.reasons.push_back({ReasonCode::kBeforeStartDate, "the campaign starts on " +
                                                                     domain::FormatIsoDate(*schedule.start_date) +
                                                                     " (" + schedule.timezone + ")" + there});
    }
    if (refused[1]) {
        verdict.reasons.push_back({ReasonCode::kAfterEndDate, "the campaign ended on " +
                                                                  domain::FormatIsoDate(*schedule.end_date) + " (" +
                                                                  schedule.timezone + ")" + there});
    }
    if (refused[2]) {
        verdict.reasons.push_back(
            {ReasonCode::kDayNotAllowed, "the campaign does not call on " + std::string(kLongDays[weekday]) + there});
    }
    if (refused[3]) {
        verdict.reasons.push_back({ReasonCode::kOutsideCallingHours,
                                   "the campaign calls from " + domain::FormatClock(schedule.hours.start) + " to " +
                                       domain::FormatClock(schedule.hours.end) + " callee local time" + there});
    }
    if (refused[4]) {
        verdict.reasons.push_back(
            {ReasonCode::kOutsideLegalHours, "no call is placed outside " + FormatHours(guard.hours) +
                                                 " callee local time (the organization's legal-hours guard)" + there});
    }
    verdict.next_allowed = NextAllowed(rules, now);
    return verdict;
}

LegalHoursGuard GuardOf(const domain::DialerSettings& s) {
    LegalHoursGuard guard;
    guard.enabled = s.legal_hours_guard;
    if (auto start = domain::ParseClock(s.legal_hours_start)) guard.hours.start = *start;
    if (auto end = domain::ParseClock(s.legal_hours_end)) guard.hours.end = *end;
    return guard;
}

std::string LocalDate(const date::time_zone& zone, date::sys_seconds t) {
    return domain::FormatIsoDate(CalendarDate(date::floor<date::days>(zone.to_local(t))));
}

date::sys_seconds NextLocalDay(const date::time_zone& zone, date::sys_seconds t) {
    const auto day = date::floor<date::days>(zone.to_local(t));
    return zone.to_sys(day + date::days{1}, date::choose::earliest);
}

}  // namespace parley::dialer
