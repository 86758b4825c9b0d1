#include "domain/schedule.hpp"

#include <gtest/gtest.h>

namespace parley::domain {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

constexpr std::array<bool, 7> kWeekdays{false, true, true, true, true, true, false};

std::vector<std::string> Fields(const Result<Schedule>& r) {
    std::vector<std::string> fields;
    if (!r) {
        for (const auto& d : r.error().details) fields.push_back(d.field);
    }
    return fields;
}

// ----- reading a schedule -----

TEST(ParseSchedule, ReadsEveryField) {
    const auto s = ParseSchedule(Json{{"start_date", "2026-03-25"},
                                      {"end_date", "2026-04-30"},
                                      {"calling_hours", {{"start", "09:30"}, {"end", "24:00"}}},
                                      {"days", {"mon", "wed", "sat"}},
                                      {"timezone", "Europe/London"}});
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->start_date, std::chrono::year{2026} / 3 / 25);
    EXPECT_EQ(s->end_date, std::chrono::year{2026} / 4 / 30);
    EXPECT_EQ(s->hours.start, minutes{9 * 60 + 30});
    EXPECT_EQ(s->hours.end, hours{24});
    EXPECT_EQ(s->days, (std::array<bool, 7>{false, true, false, true, false, false, true}));
    EXPECT_EQ(s->timezone, "Europe/London");
}

TEST(ParseSchedule, NullsAndAbsentFieldsKeepTheDefaults) {
    const auto s = ParseSchedule(Json{{"start_date", nullptr}, {"end_date", nullptr}, {"timezone", "UTC"}});
    ASSERT_TRUE(s);
    EXPECT_FALSE(s->start_date);
    EXPECT_FALSE(s->end_date);
    EXPECT_EQ(s->hours.start, hours{9});
    EXPECT_EQ(s->hours.end, hours{18});
    EXPECT_EQ(s->days, kWeekdays);
    EXPECT_EQ(s->timezone, "UTC");
}

TEST(ParseSchedule, NamesTheFieldOfEachProblem) {
    auto fields_of = [](Json schedule) { return Fields(ParseSchedule(schedule)); };
    using V = std::vector<std::string>;
    EXPECT_EQ(fields_of({{"calling_hours", {{"start", "25:00"}, {"end", "18:00"}}}}), V{"calling_hours.start"});
    EXPECT_EQ(fields_of({{"calling_hours", {{"start", "9:00"}, {"end", "18:00"}}}}), V{"calling_hours.start"});
    EXPECT_EQ(fields_of({{"calling_hours", {{"start", "09:00"}, {"end", "18:60"}}}}), V{"calling_hours.end"});
    EXPECT_EQ(fields_of({{"calling_hours", {{"start", "18:00"}, {"end", "09:00"}}}}), V{"calling_hours"});
    EXPECT_EQ(fields_of({{"calling_hours", {{"start", "09:00"}, {"end", "09:00"}}}}), V{"calling_hours"});
    EXPECT_EQ(fields_of({{"calling_hours", "9-5"}}), V{"calling_hours"});
    EXPECT_EQ(fields_of({{"calling_hours", {{"start", "09:00"}, {"stop", "17:00"}}}}), V{"calling_hours.stop"});
    EXPECT_EQ(fields_of({{"days", {"mon", "funday"}}}), V{"days"});
    EXPECT_EQ(fields_of({{"days", {"Mon"}}}), V{"days"});
    EXPECT_EQ(fields_of({{"days", {"mon", "mon"}}}), V{"days"});
    EXPECT_EQ(fields_of({{"days", Json::array()}}), V{"days"});
    EXPECT_EQ(fields_of({{"days", "mon"}}), V{"days"});
    EXPECT_EQ(fields_of({{"timezone", "Mars/Base"}}), V{"timezone"});
    EXPECT_EQ(fields_of({{"timezone", 5}}), V{"timezone"});
    EXPECT_EQ(fields_of({{"start_date", "2026-04-02"}, {"end_date", "2026-04-01"}}), V{"end_date"});
    EXPECT_EQ(fields_of({{"start_date", "2026-02-30"}}), V{"start_date"});
    EXPECT_EQ(fields_of({{"end_date", "tomorrow"}}), V{"end_date"});
    EXPECT_EQ(fields_of({{"hours", "9-5"}}), V{"hours"});

    const auto funday = ParseSchedule(Json{{"days", {"funday"}}});
    ASSERT_FALSE(funday);
    EXPECT_EQ(funday.error().code, ErrorCode::kValidation);
    EXPECT_NE(funday.error().details.at(0).message.find("\"funday\" is not a day"), std::string::npos);
    EXPECT_EQ(Fields(ParseSchedule(Json::array())), V{"schedule"});
}

TEST(ParseSchedule, ReportsEveryProblemTogether) {
    const auto r = ParseSchedule(Json{{"start_date", "2026-04-02"},
                                      {"end_date", "2026-04-01"},
                                      {"calling_hours", {{"start", "25:00"}, {"end", "18:00"}}},
                                      {"days", {"funday"}},
                                      {"timezone", "Mars/Base"}});
    EXPECT_EQ(Fields(r), (std::vector<std::string>{"end_date", "calling_hours.start", "days", "timezone"}));
}

TEST(ScheduleJson, ShowsEveryMemberWithDaysMondayFirst) {
    const auto s =
        ParseSchedule(Json{{"days", {"sun", "sat", "mon"}}, {"calling_hours", {{"start", "08:05"}, {"end", "24:00"}}}});
    ASSERT_TRUE(s);
    EXPECT_EQ(ToJson(*s), Json({{"start_date", nullptr},
                                {"end_date", nullptr},
                                {"calling_hours", {{"start", "08:05"}, {"end", "24:00"}}},
                                {"days", {"mon", "sat", "sun"}},
                                {"timezone", "UTC"}}));
    EXPECT_EQ(ToJson(*ParseSchedule(ToJson(*s))), ToJson(*s));
}

}  // namespace
}  // namespace parley::domain
