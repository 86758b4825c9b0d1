#include "voice/calendar.hpp"

#include <gtest/gtest.h>

namespace parley::voice {
namespace {

using domain::Json;

// Wednesday, March 5, 2025.
const date::sys_days kWednesday{date::year{2025} / 3 / 5};

TEST(Calendar, OffersTheNextTwoWeekdaysAtTenAndTwo) {
    EXPECT_EQ(OpenSlots(kWednesday),
              (Json{{{"date", "2025-03-06"}, {"time", "10:00"}, {"spoken", "Thursday, March 6 at 10 AM"}},
                    {{"date", "2025-03-07"}, {"time", "14:00"}, {"spoken", "Friday, March 7 at 2 PM"}}}));
    // From a Friday the weekend is skipped.
    const Json from_friday = OpenSlots(kWednesday + date::days{2});
    EXPECT_EQ(from_friday[0]["date"], "2025-03-10");
    EXPECT_EQ(from_friday[1]["date"], "2025-03-11");
}

TEST(Calendar, AcceptsMeetingsOnWeekdaysFromNineToFiveWithinThirtyDays) {
    const auto booked = CheckMeeting(kWednesday, "2025-03-10", "14:30");
    ASSERT_TRUE(booked);
    EXPECT_EQ(booked->date, "2025-03-10");
    EXPECT_EQ(booked->time, "14:30");
    EXPECT_EQ(SpokenSlot(booked->day, booked->hour, booked->minute), "Monday, March 10 at 2:30 PM");
    EXPECT_TRUE(CheckMeeting(kWednesday, "2025-03-06", "09:00"));
    EXPECT_TRUE(CheckMeeting(kWednesday, "2025-03-06", "17:00"));
    EXPECT_TRUE(CheckMeeting(kWednesday, "2025-04-04", "10:00"));  // 30 days ahead

    EXPECT_FALSE(CheckMeeting(kWednesday, "2025-03-08", "10:00"));  // Saturday
    EXPECT_FALSE(CheckMeeting(kWednesday, "2025-03-09", "10:00"));  // Sunday
    EXPECT_FALSE(CheckMeeting(kWednesday, "2025-03-05", "16:00"));  // today
    EXPECT_FALSE(CheckMeeting(kWednesday, "2025-03-04", "10:00"));  // past
    EXPECT_FALSE(CheckMeeting(kWednesday, "2025-04-07", "10:00"));  // 33 days ahead
    EXPECT_FALSE(CheckMeeting(kWednesday, "2025-03-06", "08:59"));
    EXPECT_FALSE(CheckMeeting(kWednesday, "2025-03-06", "17:30"));
    EXPECT_FALSE(CheckMeeting(kWednesday, "2025-03-06", "2 PM"));
    EXPECT_FALSE(CheckMeeting(kWednesday, "2025-03-06", "25:00"));
    EXPECT_FALSE(CheckMeeting(kWednesday, "2025-3-6", "10:00"));
    EXPECT_FALSE(CheckMeeting(kWednesday, "2025-02-30", "10:00"));
}

TEST(Calendar, SpeaksDates) {
    EXPECT_EQ(SpokenDate("2025-03-07"), "Friday, March 7");
    EXPECT_EQ(SpokenDate("soon"), "soon");
    EXPECT_EQ(IsoDate(DayOf(1741186800000)), "2025-03-05");  // 2025-03-05T15:00Z
}

}  // namespace
}  // namespace parley::voice
