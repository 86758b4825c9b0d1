#include "domain/schedule.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "common/text.hpp"
#include "common/time_format.hpp"
#include "domain/validation.hpp"

namespace parley::domain {
namespace {

using std::chrono::minutes;

// By date::weekday::c_encoding().
constexpr std::array<std::string_view, 7> kDayNames = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
// The order days are listed in messages, as the campaign API lists them.
constexpr std::string_view kDayChoices = "mon, tue, wed, thu, fri, sat, sun";

// "YYYY-MM-DD", a real date.
std::optional<std::chrono::year_month_day> ParseDate(const std::string& text) {
    if (!IsIsoDate(text)) return std::nullopt;
    const int y = std::stoi(text.substr(0, 4));
    const auto m = static_cast<unsigned>(std::stoi(text.substr(5, 2)));
    const auto d = static_cast<unsigned>(std::stoi(text.substr(8, 2)));
    const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
    if (!ymd.ok()) return std::nullopt;
    return ymd;
}

}  // namespace

std::optional<minutes> ParseClock(const Json& value) {
    if (!value.is_string()) return std::nullopt;
    const auto& s = value.get_ref<const std::string&>();
    auto digit = [&](size_t i) { return s[i] >= '0' && s[i] <= '9'; };
    if (s.size() != 5 || s[2] != ':' || !digit(0) || !digit(1) || !digit(3) || !digit(4)) return std::nullopt;
    const int h = (s[0] - '0') * 10 + (s[1] - '0');
    const int m = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
    return minutes{h * 60 + m};
}

std::string FormatIsoDate(const std::chrono::year_month_day& ymd) {
    return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                       static_cast<unsigned>(ymd.day()));
}

std::string FormatClock(minutes m) {
    return fmt::format("{:02d}:{:02d}", m.count() / 60, m.count() % 60);
}

Result<Schedule> ParseSchedule(const Json& input) {
    if (!input.is_object()) {
        return Fail(ErrorCode::kValidation, "schedule is not valid", {{"schedule", "must be an object"}});
    }
    Checker checker;
    checker.RejectUnknownKeys(input, {"start_date", "end_date", "calling_hours", "days", "timezone"});
    Schedule schedule;

    auto read_date = [&](std::string_view key, std::optional<std::chrono::year_month_day>& out) {
        const auto it = input.find(key);
        if (it == input.end() || it->is_null()) return;
        const auto ymd = it->is_string() ? ParseDate(it->get_ref<const std::string&>()) : std::nullopt;
        if (!ymd) {
            checker.Add(key, "must be a date written YYYY-MM-DD");
            return;
        }
        out = ymd;
    };
    read_date("start_date", schedule.start_date);
    read_date("end_date", schedule.end_date);
    if (schedule.start_date && schedule.end_date && *schedule.end_date < *schedule.start_date) {
        checker.Add("end_date", "must not be before start_date");
    }

    if (const auto it = input.find("calling_hours"); it != input.end() && !it->is_null()) {
        if (!it->is_object()) {
            checker.Add("calling_hours", "must be an object {start, end} of HH:MM times");
        } else {
            for (const auto& [key, value] : it->items()) {
                if (key != "start" && key != "end") checker.Add("calling_hours." + key, "is not a known field");
            }
            bool both = true;
            for (auto [key, out] : {std::pair{"start", &schedule.hours.start}, std::pair{"end", &schedule.hours.end}}) {
                const auto v = it->find(key);
                if (v == it->end()) continue;
                if (auto m = ParseClock(*v)) {
                    *out = *m;
                } else {
                    checker.Add(std::string("calling_hours.") + key, "must be a 24-hour time written HH:MM");
                    both = false;
                }
            }
            if (both && schedule.hours.start >= schedule.hours.end) {
                checker.Add("calling_hours", "end must be later than start");
            }
        }
    }

    if (const auto it = input.find("days"); it != input.end() && !it->is_null()) {
        const std::string message = "must be an array of distinct values from: " + std::string(kDayChoices);
        if (!it->is_array()) {
            checker.Add("days", message);
        } else {
            std::array<bool, 7> days{};
            bool ok = true;
            for (const auto& v : *it) {
                const auto found = v.is_string()
                                       ? std::find(kDayNames.begin(), kDayNames.end(), v.get_ref<const std::string&>())
                                       : kDayNames.end();
                if (found == kDayNames.end()) {
                    checker.Add("days",
                                (v.is_string() ? "\"" + v.get<std::string>() + "\" is not a day; " : "") + message);
                    ok = false;
                    break;
                }
                auto& day = days[static_cast<size_t>(found - kDayNames.begin())];
                if (day) {
                    checker.Add("days", "\"" + v.get<std::string>() + "\" is listed twice; " + message);
                    ok = false;
                    break;
                }
                day = true;
            }
            if (ok && std::none_of(days.begin(), days.end(), [](bool d) { return d; })) {
                checker.Add("days", "must name at least one day");
                ok = false;
            }
            if (ok) schedule.days = days;
        }
    }

    if (const auto it = input.find("timezone"); it != input.end() && !it->is_null()) {
        if (!it->is_string() || !IsKnownTimeZone(it->get_ref<const std::string&>())) {
            checker.Add("timezone", "must be an IANA time zone such as Europe/London");
        } else {
            schedule.timezone = it->get<std::string>();
        }
    }

    if (!checker.ok()) return Fail(checker.ToError("schedule is not valid"));
    return schedule;
}

Json ToJson(const Schedule& s) {
    Json days = Json::array();
    for (size_t i = 1; i <= 7; ++i) {  // Monday first, as the API lists days
        if (s.days[i % 7]) days.push_back(kDayNames[i % 7]);
    }
    auto date_or_null = [](const std::optional<std::chrono::year_month_day>& d) {
        return d ? Json(FormatIsoDate(*d)) : Json(nullptr);
    };
    return Json{{"start_date", date_or_null(s.start_date)},
                {"end_date", date_or_null(s.end_date)},
                {"calling_hours", {{"start", FormatClock(s.hours.start)}, {"end", FormatClock(s.hours.end)}}},
                {"days", std::move(days)},
                {"timezone", s.timezone}};
}

}  // namespace parley::domain
