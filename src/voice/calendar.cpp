#include "voice/calendar.hpp"

#include <array>
#include <chrono>
#include <cstdio>

#include "common/time_format.hpp"

namespace parley::voice {
namespace {

constexpr std::array<std::string_view, 7> kWeekdays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                       "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> kMonths = {"January",   "February", "March",    "April",
                                                      "May",       "June",     "July",     "August",
                                                      "September", "October",  "November", "December"};
constexpr int kFirstSlotHour = 10;
constexpr int kSecondSlotHour = 14;

std::string TwoDigits(int n) {
    return (n < 10 ? "0" : "") + std::to_string(n);
}

// "HH:MM" on a 24-hour clock.
bool ParseClock(std::string_view text, int& hour, int& minute) {
    auto digit = [&](size_t i) { return text[i] >= '0' && text[i] <= '9'; };
    if (text.size() != 5 || text[2] != ':' || !digit(0) || !digit(1) || !digit(3) || !digit(4)) return false;
    hour = (text[0] - '0') * 10 + (text[1] - '0');
    minute = (text[3] - '0') * 10 + (text[4] - '0');
    return hour < 24 && minute < 60;
}

}  // namespace

date::sys_days DayOf(int64_t unix_ms) {
    return date::floor<date::days>(date::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(unix_ms)));
}

std::string IsoDate(date::sys_days day) {
    const date::year_month_day ymd(day);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
    return buf;
}

std::optional<date::sys_days> ParseIsoDay(const std::string& iso) {
    if (!IsIsoDate(iso)) return std::nullopt;
    int y = 0;
    unsigned m = 0, d = 0;
    if (std::sscanf(iso.c_str(), "%d-%u-%u", &y, &m, &d) != 3) return std::nullopt;
    const date::year_month_day ymd{date::year(y), date::month(m), date::day(d)};
    if (!ymd.ok()) return std::nullopt;
    return date::sys_days(ymd);
}

bool IsWeekday(date::sys_days day) {
    const auto wd = date::weekday(day).c_encoding();
    return wd != 0 && wd != 6;
}

std::string SpokenSlot(date::sys_days day, int hour, int minute) {
    const date::year_month_day ymd(day);
    const date::weekday wd(day);
    std::string s = std::string(kWeekdays[wd.c_encoding()]) + ", " +
                    std::string(kMonths[static_cast<unsigned>(ymd.month()) - 1]) + " " +
                    std::to_string(static_cast<unsigned>(ymd.day())) + " at " +
                    std::to_string(hour % 12 == 0 ? 12 : hour % 12);
    if (minute != 0) s += ":" + TwoDigits(minute);
    return s + (hour < 12 ? " AM" : " PM");
}

std::string SpokenDate(const std::string& iso) {
    auto parsed = ParseIsoDay(iso);
    if (!parsed) return iso;
    const date::year_month_day ymd(*parsed);
    return std::string(kWeekdays[date::weekday(*parsed).c_encoding()]) + ", " +
           std::string(kMonths[static_cast<unsigned>(ymd.month()) - 1]) + " " +
           std::to_string(static_cast<unsigned>(ymd.day()));
}

domain::Json OpenSlots(date::sys_days today) {
    domain::Json slots = domain::Json::array();
    date::sys_days d = today;
    while (slots.size() < 2) {
        d += date::days{1};
        if (!IsWeekday(d)) continue;
        const int hour = slots.empty() ? kFirstSlotHour : kSecondSlotHour;
        slots.push_back({{"date", IsoDate(d)}, {"time", TwoDigits(hour) + ":00"}, {"spoken", SpokenSlot(d, hour, 0)}});
    }
    return slots;
}

std::optional<MeetingSlot> CheckMeeting(date::sys_days today, const std::string& iso_date, std::string_view hh_mm) {
    const auto day = ParseIsoDay(iso_date);
    int hour = 0;
    int minute = 0;
    if (!day || !ParseClock(hh_mm, hour, minute)) return std::nullopt;
    const bool open = IsWeekday(*day) && *day > today && *day <= today + date::days{kMaxMeetingDaysAhead} &&
                      hour >= kFirstMeetingHour &&
                      (hour < kLastMeetingHour || (hour == kLastMeetingHour && minute == 0));
    if (!open) return std::nullopt;
    return MeetingSlot{*day, hour, minute, iso_date, std::string(hh_mm)};
}

}  // namespace parley::voice
