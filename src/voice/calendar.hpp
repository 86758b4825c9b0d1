#pragma once

// The team calendar every brain books meetings in, so a scripted call and a model-driven call
// offer the same slots and accept the same times. Days are UTC calendar days.

#include <date/date.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/entities.hpp"

namespace parley::voice {

inline constexpr int kMeetingMinutes = 30;
inline constexpr int kFirstMeetingHour = 9;
inline constexpr int kLastMeetingHour = 17;  // the last meeting starts at 17:00 and ends by 17:30
inline constexpr int kMaxMeetingDaysAhead = 30;
// The rule CheckMeeting applies, in words a model or a person can act on.
inline constexpr std::string_view kOpenHoursRule =
    "meetings start on weekdays (Monday to Friday) between 09:00 and 17:00, from tomorrow up to 30 days ahead";

// A meeting time the calendar accepts.
struct MeetingSlot {
    date::sys_days day;
    int hour = 0;
    int minute = 0;
    std::string date;  // "yyyy-mm-dd"
    std::string time;  // "HH:MM"
};

// The UTC calendar day of a Unix time in milliseconds.
date::sys_days DayOf(int64_t unix_ms);
// "yyyy-mm-dd"
std::string IsoDate(date::sys_days day);
// The day a "yyyy-mm-dd" text names; nullopt when it names no real day.
std::optional<date::sys_days> ParseIsoDay(const std::string& iso);
bool IsWeekday(date::sys_days day);
// "Tuesday, November 24 at 2 PM", "... at 2:30 PM"
std::string SpokenSlot(date::sys_days day, int hour, int minute);
// "Tuesday, November 24"; the text itself when it is no date.
std::string SpokenDate(const std::string& iso);

// The slots offered first: the next two weekdays after `today`, at 10 AM and at 2 PM, as
// [{"date", "time", "spoken"}].
domain::Json OpenSlots(date::sys_days today);

// A meeting at `iso_date` ("yyyy-mm-dd") and `hh_mm` ("HH:MM", 24 h) when the calendar is open
// then (kOpenHoursRule, seen from `today`); nullopt when it is not or the texts are no such
// date and time.
std::optional<MeetingSlot> CheckMeeting(date::sys_days today, const std::string& iso_date, std::string_view hh_mm);

}  // namespace parley::voice
