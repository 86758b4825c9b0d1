#pragma once

// A campaign's schedule: the days and hours it calls, read and checked once for every way a
// schedule comes in (the campaigns API), and used by the dialer's calling window.

#include <chrono>
#include <optional>
#include <string>

#include "common/error.hpp"
#include "domain/entities.hpp"

namespace parley::domain {

// Reads a schedule object as the campaign API stores it:
//   {"start_date": "2026-03-25" | null, "end_date": "2026-04-30" | null,
//    "calling_hours": {"start": "09:00", "end": "18:00"}, "days": ["mon", "tue", ...],
//    "timezone": "Europe/London"}
// Absent members keep Schedule's defaults (09:00-18:00, Monday to Friday, UTC, no dates).
// Fails with kValidation naming every bad field relative to the schedule ("calling_hours.start");
// prefix them ("schedule.") when the schedule sits inside a larger body.
Result<Schedule> ParseSchedule(const Json& schedule);

// The schedule as the API shows it (every member present, days Monday first).
Json ToJson(const Schedule& schedule);

// "2026-03-25"
std::string FormatIsoDate(const std::chrono::year_month_day& ymd);
// "HH:MM" on a 24-hour clock, 00:00 to 24:00, as minutes after midnight.
std::optional<std::chrono::minutes> ParseClock(const Json& value);
// "09:30"
std::string FormatClock(std::chrono::minutes m);

}  // namespace parley::domain
