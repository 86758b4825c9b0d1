#pragma once

// When a campaign may call a callee: its schedule (dates, days, calling hours) kept in the
// callee's local time, intersected with the legal-hours guard. Pure logic: no clock of its own,
// no I/O besides the time-zone database.

#include <date/date.h>
#include <date/tz.h>

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "domain/entities.hpp"
#include "domain/schedule.hpp"

namespace parley::dialer {

using domain::CallingHours;
using domain::Schedule;

// The organization's guard: no call outside these hours of the callee's local time, whatever a
// campaign's calling hours say. On by default.
struct LegalHoursGuard {
    bool enabled = true;
    CallingHours hours{std::chrono::hours{8}, std::chrono::hours{21}};
};

// Why a call may not be placed now. The wire names are ReasonCodeName's.
enum class ReasonCode {
    kBeforeStartDate,      // "before_start_date"
    kAfterEndDate,         // "after_end_date"
    kDayNotAllowed,        // "day_not_allowed"
    kOutsideCallingHours,  // "outside_calling_hours"
    kOutsideLegalHours,    // "outside_legal_hours": the guard
};

std::string_view ReasonCodeName(ReasonCode code);

struct Reason {
    ReasonCode code = ReasonCode::kOutsideCallingHours;
    std::string message;  // for people; names the callee's local time and zone
};

struct WindowVerdict {
    bool allowed = false;
    // Every rule that refuses a call now, in ReasonCode order; empty when allowed.
    std::vector<Reason> reasons;
    // The earliest instant >= now at which a call is allowed (now itself when allowed). Nothing
    // when there is none: the campaign is over, no day is allowed, the calling hours and the
    // guard do not overlap, or no moment within kSearchDays days is allowed.
    std::optional<date::sys_seconds> next_allowed;
};

// How many days past now (or past the start date) next_allowed is looked for.
inline constexpr int kSearchDays = 14;

// Whether `schedule` lets a call to a callee in `callee_zone` start at `now`, and if not, when.
// Days and calling hours are the callee's local weekday and wall-clock time; start_date and
// end_date are days of the campaign's zone (from the first instant of start_date to the first
// instant after end_date). Wall-clock time is taken as it reads: on a spring-forward day a start
// inside the skipped hour opens the window when the clocks jump; on a fall-back day the repeated
// hour is inside the window each time the clock shows a time inside it. schedule.timezone must
// be a known zone (ParseSchedule sees to it).
WindowVerdict Evaluate(const Schedule& schedule, const date::time_zone& callee_zone, const LegalHoursGuard& guard,
                       date::sys_seconds now);

// The guard an organization's dialer settings describe.
LegalHoursGuard GuardOf(const domain::DialerSettings& settings);

// The local date in `zone` at `t`, "2026-03-25".
std::string LocalDate(const date::time_zone& zone, date::sys_seconds t);

// The first instant of the local day after the one `t` falls on in `zone`.
date::sys_seconds NextLocalDay(const date::time_zone& zone, date::sys_seconds t);

}  // namespace parley::dialer
