#include "voice/understanding/intents.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "voice/understanding/grammar.hpp"

namespace parley::voice {
namespace {

using namespace date::literals;

constexpr date::year_month_day kCallDay = 2025_y / date::June / 11;  // a Wednesday

struct Case {
    const char* words;
    Intent intent;
};

TEST(DetectIntent, RecognizesEachPhraseFamily) {
    const Case cases[] = {
        {"stop calling me", Intent::kOptOut},
        {"take me off your list", Intent::kOptOut},
        {"remove my number", Intent::kOptOut},
        {"do not call me again", Intent::kOptOut},
        {"put me on the do not call list", Intent::kOptOut},
        {"please remove me from your calling list", Intent::kOptOut},
        {"i don't want these calls anymore", Intent::kOptOut},
        {"not interested", Intent::kNotInterested},
        {"no thank you", Intent::kNotInterested},
        {"we're all set", Intent::kNotInterested},
        {"uh i'm not interested", Intent::kNotInterested},
        {"call me later", Intent::kCallLater},
        {"call me back tomorrow", Intent::kCallLater},
        {"this isn't a good time", Intent::kCallLater},
        {"can you call back next week", Intent::kCallLater},
        {"call me on monday", Intent::kCallLater},
        {"call me friday", Intent::kCallLater},
        {"wrong number", Intent::kWrongNumber},
        {"there's no one here by that name", Intent::kWrongNumber},
        {"i'm busy", Intent::kBusy},
        {"i'm driving", Intent::kBusy},
        {"sorry i'm in a meeting", Intent::kBusy},
        {"who is this", Intent::kWhoIsThis},
        {"who's calling", Intent::kWhoIsThis},
        {"what is this about", Intent::kWhoIsThis},
        {"are you a robot", Intent::kWhoIsThis},
        {"can you repeat that", Intent::kRepeat},
        {"say that again", Intent::kRepeat},
        {"what", Intent::kRepeat},
        {"uh what", Intent::kRepeat},
        {"sorry", Intent::kRepeat},
        {"i didn't catch that", Intent::kRepeat},
        {"can i talk to a person", Intent::kHumanRequest},
        {"let me speak to a real human", Intent::kHumanRequest},
        {"representative", Intent::kHumanRequest},
        {"put me through to a human", Intent::kHumanRequest},
        {"how did you get this number", Intent::kWhoIsThis},
        {"he doesn't live here anymore", Intent::kWrongNumber},
        {"we don't need anything", Intent::kNotInterested},
        {"not a good time call me monday", Intent::kCallLater},
    };
    for (const auto& c : cases) EXPECT_EQ(DetectIntent(c.words), c.intent) << c.words;
}

TEST(DetectIntent, OptOutWinsOverNotInterested) {
    EXPECT_EQ(DetectIntent("no thanks take me off your list"), Intent::kOptOut);
    EXPECT_EQ(DetectIntent("i'm not interested stop calling me"), Intent::kOptOut);
    EXPECT_EQ(DetectIntent("not interested and don't call me again"), Intent::kOptOut);
}

TEST(DetectIntent, CallLaterWinsOverBusy) {
    EXPECT_EQ(DetectIntent("i'm driving call me back in an hour"), Intent::kCallLater);
    EXPECT_EQ(DetectIntent("i'm busy right now can you call back tomorrow"), Intent::kCallLater);
}

TEST(DetectIntent, AnswersAndNegatedPhrasesAreNoIntent) {
    for (const char* words : {"", "yes", "fifty thousand", "i'm not busy", "what time works for you", "email please",
                              "next tuesday", "uh um", "that sounds interesting"}) {
        EXPECT_EQ(DetectIntent(words), Intent::kNone) << words;
    }
}

TEST(DetectIntent, EveryGrammarIntentPhraseIsUnderstood) {
    for (const auto& p : GrammarIntentPhrases()) {
        EXPECT_EQ(DetectIntent(p.words), p.intent) << p.words;
    }
}

TEST(CallbackWhen, ReturnsTheDayOfACallLaterRequest) {
    EXPECT_EQ(CallbackWhen("call me back tomorrow", kCallDay), std::optional<std::string>("2025-06-12"));
    EXPECT_EQ(CallbackWhen("can you call back next week", kCallDay), std::optional<std::string>("2025-06-16"));
    EXPECT_EQ(CallbackWhen("call me on friday", kCallDay), std::optional<std::string>("2025-06-13"));
    EXPECT_EQ(CallbackWhen("this isn't a good time try me on the twentieth", kCallDay),
              std::optional<std::string>("2025-06-20"));
}

TEST(CallbackWhen, IsNulloptWithoutADayOrWithoutACallLaterRequest) {
    EXPECT_EQ(CallbackWhen("call me later", kCallDay), std::nullopt);
    EXPECT_EQ(CallbackWhen("tomorrow", kCallDay), std::nullopt);
    EXPECT_EQ(CallbackWhen("stop calling me tomorrow", kCallDay), std::nullopt);
}

TEST(IntentName, NamesEveryIntent) {
    EXPECT_EQ(IntentName(Intent::kOptOut), "opt_out");
    EXPECT_EQ(IntentName(Intent::kHumanRequest), "human_request");
    EXPECT_EQ(IntentName(Intent::kNone), "none");
}

}  // namespace
}  // namespace parley::voice
