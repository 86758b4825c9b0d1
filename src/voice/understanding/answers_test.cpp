#include "voice/understanding/answers.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace parley::voice {
namespace {

using namespace date::literals;

// A Wednesday.
constexpr date::year_month_day kToday = 2025_y / date::June / 11;

TEST(ParseYesNo, UnderstandsAffirmativePhrasings) {
    for (const char* words : {"yes",
                              "yeah sure",
                              "that's right",
                              "absolutely",
                              "uh yeah",
                              "um yes please",
                              "sure thing",
                              "of course",
                              "yep",
                              "yup",
                              "uh huh",
                              "mhm",
                              "i do",
                              "no problem",
                              "why not",
                              "correct",
                              "okay",
                              "Yes.",
                              "yeah i think so",
                              "i don't mind",
                              "that is correct",
                              "definitely",
                              "sounds good",
                              "go ahead",
                              "i'd love to",
                              "i guess"}) {
        EXPECT_EQ(ParseYesNo(words), std::optional<bool>(true)) << words;
    }
}

TEST(ParseYesNo, UnderstandsNegativePhrasings) {
    for (const char* words :
         {"no", "nope", "not really", "i don't think so", "i do not think so", "no thank you", "nah", "absolutely not",
          "of course not", "no not at all", "i'm not", "never", "uh no", "not yet", "no way"}) {
        EXPECT_EQ(ParseYesNo(words), std::optional<bool>(false)) << words;
    }
}

TEST(ParseYesNo, NegationWinsOverAYes) {
    EXPECT_EQ(ParseYesNo("yeah no"), std::optional<bool>(false));
    EXPECT_EQ(ParseYesNo("yes i mean no"), std::optional<bool>(false));
}

TEST(ParseYesNo, UncertaintyAndUnrelatedWordsAreNoAnswer) {
    for (const char* words : {"", "uh", "um uh", "i don't know", "maybe", "not really sure", "i'm not sure", "what",
                              "the weather is nice", "perhaps later", "i have no idea", "kind of"}) {
        EXPECT_EQ(ParseYesNo(words), std::nullopt) << words;
    }
}

TEST(ParseNumber, ReadsSpokenAndWrittenNumbers) {
    struct Case {
        const char* words;
        double value;
    };
    const Case cases[] = {
        {"fifty thousand", 50000},
        {"twenty five k", 25000},
        {"about ten thousand dollars", 10000},
        {"one point five million", 1.5e6},
        {"a hundred and twenty", 120},
        {"two hundred fifty", 250},
        {"three", 3},
        {"zero", 0},
        {"50000", 50000},
        {"50,000", 50000},
        {"$50k", 50000},
        {"1.5 million", 1.5e6},
        {"uh um around seventy five thousand", 75000},
        {"nineteen hundred", 1900},
        {"one thousand two hundred", 1200},
        {"one thousand and five", 1005},
        {"two million five hundred thousand", 2.5e6},
        {"half a million", 5e5},
        {"a million and a half", 1.5e6},
        {"one and a half million", 1.5e6},
        {"ninety nine", 99},
        {"twenty twenty seven", 2027},
        {"one hundred thousand dollars a year", 100000},
        {"it's about a thousand", 1000},
        {"we have forty two employees", 42},
        {"a hundred k", 100000},
        {"hundred k", 100000},
        {"three hundred and sixty five", 365},
    };
    for (const auto& c : cases) {
        auto v = ParseNumber(c.words);
        ASSERT_TRUE(v) << c.words;
        EXPECT_DOUBLE_EQ(*v, c.value) << c.words;
    }
}

TEST(ParseNumber, RejectsWordsWithoutExactlyOneNumber) {
    for (const char* words : {"no", "", "uh", "i don't know", "between ten and fifty thousand", "ten to twenty",
                              "three kids and two dogs", "a lot", "hundreds", "yes please", "k"}) {
        EXPECT_EQ(ParseNumber(words), std::nullopt) << words;
    }
}

TEST(ParseDate, ResolvesRelativeAndCalendarDates) {
    struct Case {
        const char* words;
        const char* iso;
    };
    const Case cases[] = {
        {"today", "2025-06-11"},
        {"tomorrow", "2025-06-12"},
        {"uh tomorrow i guess", "2025-06-12"},
        {"the day after tomorrow", "2025-06-13"},
        {"friday", "2025-06-13"},
        {"on friday", "2025-06-13"},
        {"this friday", "2025-06-13"},
        {"wednesday", "2025-06-11"},
        {"next tuesday", "2025-06-17"},
        {"next friday", "2025-06-20"},
        {"tuesday next week", "2025-06-17"},
        {"march third", "2026-03-03"},
        {"march the third", "2026-03-03"},
        {"the third of march", "2026-03-03"},
        {"june twentieth", "2025-06-20"},
        {"june eleventh", "2025-06-11"},
        {"june tenth", "2026-06-10"},
        {"december twenty fifth", "2025-12-25"},
        {"february twenty ninth", "2028-02-29"},
        {"the fifteenth", "2025-06-15"},
        {"on the fifth", "2025-07-05"},
        {"fifth", "2025-07-05"},
        {"the thirty first", "2025-07-31"},
        {"in two weeks", "2025-06-25"},
        {"in three months", "2025-09-11"},
        {"in a week", "2025-06-18"},
        {"in ten days", "2025-06-21"},
        {"in a couple of weeks", "2025-06-25"},
        {"two weeks from now", "2025-06-25"},
        {"next week", "2025-06-16"},
        {"next month", "2025-07-01"},
        {"end of the month", "2025-06-30"},
        {"end of next month", "2025-07-31"},
        {"this weekend", "2025-06-14"},
        {"january twenty first twenty twenty seven", "2027-01-21"},
        {"january twenty one twenty twenty seven", "2027-01-21"},
        {"march third two thousand twenty six", "2026-03-03"},
        {"March 3rd, 2026.", "2026-03-03"},
        {"march twenty twenty six", "2026-03-01"},
        {"in march", "2026-03-01"},
        {"not monday tuesday", "2025-06-17"},
        {"how about tuesday the seventeenth", "2025-06-17"},
        {"a week from friday", "2025-06-20"},
        {"two days from tomorrow", "2025-06-14"},
        {"the end of june", "2025-06-30"},
        {"end of may", "2026-05-31"},
        {"monday after next", "2025-06-23"},
        {"2025-07-01", "2025-07-01"},
    };
    for (const auto& c : cases) EXPECT_EQ(ParseDate(c.words, kToday), std::optional<std::string>(c.iso)) << c.words;
}

TEST(ParseDate, MonthsAreClampedToTheirLastDay) {
    EXPECT_EQ(ParseDate("in one month", 2025_y / date::January / 31), std::optional<std::string>("2025-02-28"));
}

TEST(ParseDate, RejectsWordsThatNameNoSingleDate) {
    for (const char* words : {"", "i don't know", "maybe", "february thirtieth", "monday or tuesday", "twelve",
                              "the first one", "may i ask who is calling", "fifty thousand", "two weeks"}) {
        EXPECT_EQ(ParseDate(words, kToday), std::nullopt) << words;
    }
}

TEST(ParseTimeOfDay, ReadsClockTimes) {
    struct Case {
        const char* words;
        const char* hhmm;
    };
    const Case cases[] = {
        {"two pm", "14:00"},
        {"at two", "14:00"},
        {"two thirty in the afternoon", "14:30"},
        {"ten a m", "10:00"},
        {"ten a.m.", "10:00"},
        {"ten p m", "22:00"},
        {"twelve a m", "00:00"},
        {"noon", "12:00"},
        {"twelve noon", "12:00"},
        {"midnight", "00:00"},
        {"half past three", "15:30"},
        {"quarter to five", "16:45"},
        {"quarter past nine", "09:15"},
        {"ten past eleven", "11:10"},
        {"ten oh five", "10:05"},
        {"three o'clock", "15:00"},
        {"nine", "09:00"},
        {"seven", "19:00"},
        {"eight", "08:00"},
        {"twelve thirty", "12:30"},
        {"eleven at night", "23:00"},
        {"six in the morning", "06:00"},
        {"nine in the evening", "21:00"},
        {"fourteen hundred", "14:00"},
        {"2:30pm", "14:30"},
        {"14:30", "14:30"},
        {"10am", "10:00"},
        {"tomorrow at ten", "10:00"},
        {"uh around four thirty", "16:30"},
        {"call me at three in two days", "15:00"},
    };
    for (const auto& c : cases) EXPECT_EQ(ParseTimeOfDay(c.words), std::optional<std::string>(c.hhmm)) << c.words;
}

TEST(ParseTimeOfDay, RejectsCountsVagueAndCompetingTimes) {
    for (const char* words : {"", "i don't know", "in two weeks", "morning", "three or four", "fifty thousand",
                              "two thousand", "yes", "two pm or three pm", "zero", "between two and three"}) {
        EXPECT_EQ(ParseTimeOfDay(words), std::nullopt) << words;
    }
}

const std::vector<std::string> kRevenue = {"under_10k", "10k_50k", "50k_100k", "100k_plus"};

TEST(MatchOption, MapsRangesBoundsAndNumbersToRangeOptions) {
    struct Case {
        const char* words;
        const char* option;
    };
    const Case cases[] = {
        {"about thirty thousand", "10k_50k"},
        {"between ten and fifty thousand", "10k_50k"},
        {"ten to fifty k", "10k_50k"},
        {"the ten to fifty thousand one", "10k_50k"},
        {"under ten thousand", "under_10k"},
        {"less than five thousand dollars", "under_10k"},
        {"over a hundred thousand", "100k_plus"},
        {"more than a hundred k", "100k_plus"},
        {"a hundred thousand plus", "100k_plus"},
        {"fifty thousand", "50k_100k"},
        {"uh seventy five thousand a year", "50k_100k"},
        {"$250k", "100k_plus"},
        {"five hundred k", "100k_plus"},
        {"uh the second one", "10k_50k"},
        {"the last one", "100k_plus"},
        {"hundred k or more", "100k_plus"},
        {"a little under ten grand", "under_10k"},
        {"somewhere between fifty and a hundred thousand", "50k_100k"},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(MatchOption(c.words, kRevenue), std::optional<std::string>(c.option)) << c.words;
    }
}

TEST(MatchOption, RangeAnswersSpanningTwoOptionsAreAmbiguous) {
    for (const char* words : {"more than fifty thousand", "forty to sixty thousand", "under a hundred thousand"}) {
        EXPECT_EQ(MatchOption(words, kRevenue), std::nullopt) << words;
    }
}

TEST(MatchOption, ABareRangeTakesTheScaleThatMakesItAnOption) {
    EXPECT_EQ(MatchOption("ten to fifty", kRevenue), std::optional<std::string>("10k_50k"));
    EXPECT_EQ(MatchOption("fifty to a hundred", kRevenue), std::optional<std::string>("50k_100k"));
}

TEST(MatchOption, CountRangesWithoutScale) {
    const std::vector<std::string> sizes = {"1_10", "11_50", "51_200", "201_plus"};
    EXPECT_EQ(MatchOption("about forty", sizes), std::optional<std::string>("11_50"));
    EXPECT_EQ(MatchOption("ten", sizes), std::optional<std::string>("1_10"));
    EXPECT_EQ(MatchOption("two hundred", sizes), std::optional<std::string>("51_200"));
    EXPECT_EQ(MatchOption("five hundred people", sizes), std::optional<std::string>("201_plus"));
    EXPECT_EQ(MatchOption("just me", sizes), std::nullopt);
}

TEST(MatchOption, MatchesWordOptionsWithPluralsCompoundsAndFillers) {
    const std::vector<std::string> channels = {"email", "phone", "text"};
    struct Case {
        const char* words;
        const char* option;
    };
    const Case cases[] = {
        {"email", "email"},
        {"by email please", "email"},
        {"emails", "email"},
        {"uh e mail", "email"},
        {"EMAIL", "email"},
        {"give me a phone call", "phone"},
        {"text message is best", "text"},
        {"not email phone", "phone"},
        {"i'd say phone i guess", "phone"},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(MatchOption(c.words, channels), std::optional<std::string>(c.option)) << c.words;
    }
}

TEST(MatchOption, UnrelatedNegatedOrTwoOptionsIsNoMatch) {
    const std::vector<std::string> channels = {"email", "phone", "text"};
    for (const char* words :
         {"email or phone", "not email", "i don't use email", "the weather is nice today", "", "uh um"}) {
        EXPECT_EQ(MatchOption(words, channels), std::nullopt) << words;
    }
    EXPECT_EQ(MatchOption("email", std::vector<std::string>{}), std::nullopt);
}

TEST(MatchOption, SplitsCamelCaseAndQuarterIds) {
    const std::vector<std::string> tiers = {"Enterprise", "SmallBusiness", "Individual"};
    EXPECT_EQ(MatchOption("we're an enterprise", tiers), std::optional<std::string>("Enterprise"));
    EXPECT_EQ(MatchOption("small business", tiers), std::optional<std::string>("SmallBusiness"));
    EXPECT_EQ(MatchOption("we are small businesses", tiers), std::optional<std::string>("SmallBusiness"));

    const std::vector<std::string> quarters = {"q3_2025", "q4_2025", "q1_2026"};
    EXPECT_EQ(MatchOption("q three twenty twenty five", quarters), std::optional<std::string>("q3_2025"));
    EXPECT_EQ(MatchOption("third quarter of twenty twenty five", quarters), std::optional<std::string>("q3_2025"));
    EXPECT_EQ(MatchOption("probably the fourth quarter", quarters), std::optional<std::string>("q4_2025"));
    EXPECT_EQ(MatchOption("q one", quarters), std::optional<std::string>("q1_2026"));
    EXPECT_EQ(MatchOption("next year sometime", quarters), std::nullopt);
}

TEST(MatchOption, LongerOptionWinsOverTheOptionInsideIt) {
    const std::vector<std::string> scale = {"very_satisfied", "satisfied", "not_satisfied"};
    EXPECT_EQ(MatchOption("very satisfied", scale), std::optional<std::string>("very_satisfied"));
    EXPECT_EQ(MatchOption("satisfied", scale), std::optional<std::string>("satisfied"));
    EXPECT_EQ(MatchOption("i'm not satisfied", scale), std::optional<std::string>("not_satisfied"));
    EXPECT_EQ(MatchOption("uh i am very satisfied thanks", scale), std::optional<std::string>("very_satisfied"));
}

TEST(MatchOption, YesNoOptionsAcceptYesNoPhrasings) {
    const std::vector<std::string> yes_no = {"yes", "no"};
    EXPECT_EQ(MatchOption("yeah sure", yes_no), std::optional<std::string>("yes"));
    EXPECT_EQ(MatchOption("nope", yes_no), std::optional<std::string>("no"));
}

TEST(ParseAnswer, ReturnsTheTypedValueForEachKind) {
    auto yes = ParseAnswer("yeah", {AnswerKind::kYesNo, {}}, kToday);
    EXPECT_TRUE(yes.ok);
    EXPECT_EQ(yes.value, true);

    auto count = ParseAnswer("fifty thousand", {AnswerKind::kNumber, {}}, kToday);
    EXPECT_TRUE(count.ok);
    EXPECT_TRUE(count.value.is_number_integer());
    EXPECT_EQ(count.value, 50000);

    auto fraction = ParseAnswer("one point five", {AnswerKind::kNumber, {}}, kToday);
    EXPECT_TRUE(fraction.ok);
    EXPECT_DOUBLE_EQ(fraction.value.get<double>(), 1.5);

    auto day = ParseAnswer("next tuesday", {AnswerKind::kDate, {}}, kToday);
    EXPECT_EQ(day.value, "2025-06-17");

    auto time = ParseAnswer("two pm", {AnswerKind::kTime, {}}, kToday);
    EXPECT_EQ(time.value, "14:00");

    auto option = ParseAnswer("about thirty thousand", {AnswerKind::kEnum, kRevenue}, kToday);
    EXPECT_EQ(option.value, "10k_50k");

    auto text = ParseAnswer("  acme widgets  ", {AnswerKind::kText, {}}, kToday);
    EXPECT_TRUE(text.ok);
    EXPECT_EQ(text.value, "acme widgets");
}

TEST(ParseAnswer, IsNotOkWhenTheWordsDoNotFitTheKind) {
    EXPECT_FALSE(ParseAnswer("no", {AnswerKind::kNumber, {}}, kToday).ok);
    EXPECT_FALSE(ParseAnswer("   ", {AnswerKind::kText, {}}, kToday).ok);
    EXPECT_FALSE(ParseAnswer("i don't know", {AnswerKind::kDate, {}}, kToday).ok);
    EXPECT_FALSE(ParseAnswer("maybe", {AnswerKind::kYesNo, {}}, kToday).ok);
    EXPECT_FALSE(ParseAnswer("purple", {AnswerKind::kEnum, kRevenue}, kToday).ok);
}

}  // namespace
}  // namespace parley::voice
