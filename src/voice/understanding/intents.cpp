#include "voice/understanding/intents.hpp"

#include <algorithm>
#include <iterator>
#include <vector>

#include "voice/understanding/answers.hpp"
#include "voice/understanding/lexical.hpp"

namespace parley::voice {
namespace {

using lexical::WordSpan;

struct IntentPattern {
    Intent intent;
    // Words after ExpandContractions ("do not", "i am"); "*" stands for zero to three words.
    std::string_view pattern;
};

// In priority order: the first intent with a matching pattern wins.
constexpr IntentPattern kPatterns[] = {
    {Intent::kOptOut, "stop calling"},
    {Intent::kOptOut, "stop * calling"},
    {Intent::kOptOut, "quit calling"},
    {Intent::kOptOut, "stop contacting"},
    {Intent::kOptOut, "stop bothering"},
    {Intent::kOptOut, "do not call"},
    {Intent::kOptOut, "do not ever call"},
    {Intent::kOptOut, "do not * call me again"},
    {Intent::kOptOut, "do not want * calls"},
    {Intent::kOptOut, "do not want you to call"},
    {Intent::kOptOut, "never call"},
    {Intent::kOptOut, "never * call * again"},
    {Intent::kOptOut, "take me off"},
    {Intent::kOptOut, "take us off"},
    {Intent::kOptOut, "take my number off"},
    {Intent::kOptOut, "take * off * list"},
    {Intent::kOptOut, "remove me"},
    {Intent::kOptOut, "remove us"},
    {Intent::kOptOut, "remove my number"},
    {Intent::kOptOut, "remove my name"},
    {Intent::kOptOut, "remove this number"},
    {Intent::kOptOut, "remove * from * list"},
    {Intent::kOptOut, "off your list"},
    {Intent::kOptOut, "off your calling list"},
    {Intent::kOptOut, "unsubscribe"},
    {Intent::kOptOut, "opt out"},
    {Intent::kOptOut, "lose my number"},
    {Intent::kOptOut, "no more calls"},
    {Intent::kOptOut, "do not call list"},
    {Intent::kOptOut, "not * call me again"},

    {Intent::kWrongNumber, "wrong number"},
    {Intent::kWrongNumber, "wrong person"},
    {Intent::kWrongNumber, "no one here by that name"},
    {Intent::kWrongNumber, "nobody here by that name"},
    {Intent::kWrongNumber, "no one by that name"},
    {Intent::kWrongNumber, "nobody by that name"},
    {Intent::kWrongNumber, "no one * named"},
    {Intent::kWrongNumber, "nobody * named"},
    {Intent::kWrongNumber, "does not live here"},
    {Intent::kWrongNumber, "no longer lives here"},
    {Intent::kWrongNumber, "does not work here"},
    {Intent::kWrongNumber, "no longer works here"},
    {Intent::kWrongNumber, "you have the wrong"},
    {Intent::kWrongNumber, "got the wrong"},
    {Intent::kWrongNumber, "never heard of"},

    {Intent::kHumanRequest, "talk to * person"},
    {Intent::kHumanRequest, "speak to * person"},
    {Intent::kHumanRequest, "speak with * person"},
    {Intent::kHumanRequest, "talk with * person"},
    {Intent::kHumanRequest, "talk to * human"},
    {Intent::kHumanRequest, "speak to * human"},
    {Intent::kHumanRequest, "speak with * human"},
    {Intent::kHumanRequest, "talk to someone"},
    {Intent::kHumanRequest, "speak to someone"},
    {Intent::kHumanRequest, "speak with someone"},
    {Intent::kHumanRequest, "talk to somebody"},
    {Intent::kHumanRequest, "speak to somebody"},
    {Intent::kHumanRequest, "talk to * manager"},
    {Intent::kHumanRequest, "speak to * manager"},
    {Intent::kHumanRequest, "representative"},
    {Intent::kHumanRequest, "operator"},
    {Intent::kHumanRequest, "real person please"},
    {Intent::kHumanRequest, "get me a real person"},
    {Intent::kHumanRequest, "want a real person"},
    {Intent::kHumanRequest, "transfer me"},
    {Intent::kHumanRequest, "put me through to"},
    {Intent::kHumanRequest, "connect me to"},

    {Intent::kCallLater, "call me back"},
    {Intent::kCallLater, "call us back"},
    {Intent::kCallLater, "call back"},
    {Intent::kCallLater, "call me later"},
    {Intent::kCallLater, "call later"},
    {Intent::kCallLater, "call again later"},
    {Intent::kCallLater, "call another time"},
    {Intent::kCallLater, "try me later"},
    {Intent::kCallLater, "try me again"},
    {Intent::kCallLater, "try again later"},
    {Intent::kCallLater, "try back"},
    {Intent::kCallLater, "another time"},
    {Intent::kCallLater, "some other time"},
    {Intent::kCallLater, "not a good time"},
    {Intent::kCallLater, "not a great time"},
    {Intent::kCallLater, "not the best time"},
    {Intent::kCallLater, "not a convenient time"},
    {Intent::kCallLater, "bad time"},
    {Intent::kCallLater, "get back to me"},
    {Intent::kCallLater, "reach me later"},
    {Intent::kCallLater, "ring me back"},
    {Intent::kCallLater, "give me a call"},
    {Intent::kCallLater, "give me a ring"},
    {Intent::kCallLater, "catch me later"},
    {Intent::kCallLater, "talk later"},
    {Intent::kCallLater, "do this later"},
    {Intent::kCallLater, "call me tomorrow"},
    {Intent::kCallLater, "call me tonight"},
    {Intent::kCallLater, "call me next"},
    {Intent::kCallLater, "call me on"},
    {Intent::kCallLater, "call me in"},
    {Intent::kCallLater, "call me at"},
    {Intent::kCallLater, "call me after"},
    {Intent::kCallLater, "call me around"},
    {Intent::kCallLater, "call me this"},
    {Intent::kCallLater, "call me again"},
    {Intent::kCallLater, "call me some other"},

    {Intent::kBusy, "i am busy"},
    {Intent::kBusy, "we are busy"},
    {Intent::kBusy, "busy right now"},
    {Intent::kBusy, "busy at the moment"},
    {Intent::kBusy, "kind of busy"},
    {Intent::kBusy, "a little busy"},
    {Intent::kBusy, "a bit busy"},
    {Intent::kBusy, "pretty busy"},
    {Intent::kBusy, "really busy"},
    {Intent::kBusy, "very busy"},
    {Intent::kBusy, "i am driving"},
    {Intent::kBusy, "driving right now"},
    {Intent::kBusy, "i am at work"},
    {Intent::kBusy, "in a meeting"},
    {Intent::kBusy, "can not talk"},
    {Intent::kBusy, "in the middle of something"},
    {Intent::kBusy, "i am working"},
    {Intent::kBusy, "with a customer"},

    {Intent::kNotInterested, "not interested"},
    {Intent::kNotInterested, "no thank you"},
    {Intent::kNotInterested, "no thanks"},
    {Intent::kNotInterested, "all set"},
    {Intent::kNotInterested, "we are good"},
    {Intent::kNotInterested, "we are fine"},
    {Intent::kNotInterested, "we are covered"},
    {Intent::kNotInterested, "do not need"},
    {Intent::kNotInterested, "no need"},
    {Intent::kNotInterested, "not looking for"},
    {Intent::kNotInterested, "not for me"},
    {Intent::kNotInterested, "not for us"},
    {Intent::kNotInterested, "i will pass"},
    {Intent::kNotInterested, "going to pass"},
    {Intent::kNotInterested, "already have"},
    {Intent::kNotInterested, "not buying"},
    {Intent::kNotInterested, "no interest"},
    {Intent::kNotInterested, "do not want"},

    {Intent::kWhoIsThis, "who is this"},
    {Intent::kWhoIsThis, "who is calling"},
    {Intent::kWhoIsThis, "who is it"},
    {Intent::kWhoIsThis, "who are you"},
    {Intent::kWhoIsThis, "who is speaking"},
    {Intent::kWhoIsThis, "who am i speaking"},
    {Intent::kWhoIsThis, "who am i talking"},
    {Intent::kWhoIsThis, "who do you work for"},
    {Intent::kWhoIsThis, "who do you represent"},
    {Intent::kWhoIsThis, "what is this about"},
    {Intent::kWhoIsThis, "what is this regarding"},
    {Intent::kWhoIsThis, "what is this in regards"},
    {Intent::kWhoIsThis, "what is this for"},
    {Intent::kWhoIsThis, "what is this call"},
    {Intent::kWhoIsThis, "what company"},
    {Intent::kWhoIsThis, "where are you calling from"},
    {Intent::kWhoIsThis, "why are you calling"},
    {Intent::kWhoIsThis, "why did you call"},
    {Intent::kWhoIsThis, "how did you get my number"},
    {Intent::kWhoIsThis, "how did you get this number"},
    {Intent::kWhoIsThis, "is this a real person"},
    {Intent::kWhoIsThis, "is this a person"},
    {Intent::kWhoIsThis, "what is your name"},
    {Intent::kWhoIsThis, "are you a robot"},
    {Intent::kWhoIsThis, "is this a robot"},
    {Intent::kWhoIsThis, "are you a real person"},
    {Intent::kWhoIsThis, "are you human"},
    {Intent::kWhoIsThis, "are you a computer"},
    {Intent::kWhoIsThis, "is this a recording"},
    {Intent::kWhoIsThis, "am i talking to a"},

    {Intent::kRepeat, "repeat"},
    {Intent::kRepeat, "say that again"},
    {Intent::kRepeat, "say it again"},
    {Intent::kRepeat, "say again"},
    {Intent::kRepeat, "one more time"},
    {Intent::kRepeat, "did not catch"},
    {Intent::kRepeat, "did not hear"},
    {Intent::kRepeat, "did not get that"},
    {Intent::kRepeat, "can not hear"},
    {Intent::kRepeat, "could not hear"},
    {Intent::kRepeat, "speak up"},
    {Intent::kRepeat, "what was the question"},
    {Intent::kRepeat, "what did you say"},
    {Intent::kRepeat, "come again"},
    {Intent::kRepeat, "missed that"},
    {Intent::kRepeat, "breaking up"},
};

// Whole replies that ask for a repeat; inside longer sentences these words mean other things.
constexpr std::string_view kRepeatReplies[] = {"what",
                                               "what what",
                                               "huh",
                                               "sorry",
                                               "sorry what",
                                               "pardon",
                                               "pardon me",
                                               "excuse me",
                                               "say what",
                                               "what was that",
                                               "what is that",
                                               "i am sorry",
                                               "sorry what was that",
                                               "i am sorry what",
                                               "what sorry",
                                               "eh what"};

constexpr std::string_view kWhoReplies[] = {"who", "what is this", "who is that", "hello who is this"};

// Does the pattern match at words[i..]? "*" skips zero to three words.
bool MatchAt(WordSpan words, std::size_t i, std::string_view pattern) {
    if (pattern.empty()) return true;
    const auto space = pattern.find(' ');
    const auto token = pattern.substr(0, space);
    const auto rest = space == std::string_view::npos ? std::string_view() : pattern.substr(space + 1);
    if (token == "*") {
        for (std::size_t skip = 0; skip <= 3 && i + skip <= words.size(); ++skip) {
            if (MatchAt(words, i + skip, rest)) return true;
        }
        return false;
    }
    return i < words.size() && words[i] == token && MatchAt(words, i + 1, rest);
}

bool Matches(WordSpan words, std::string_view pattern) {
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (!MatchAt(words, i, pattern)) continue;
        // "i'm not busy": a phrase right after "not" means its opposite. Patterns that start
        // with a negation themselves are exempt.
        const bool negated = i > 0 && words[i - 1] == "not" && !pattern.starts_with("not ");
        if (!negated) return true;
    }
    return false;
}

}  // namespace

Intent DetectIntent(std::string_view text) {
    const auto words = lexical::ExpandContractions(lexical::Tokens(text));
    if (words.empty()) return Intent::kNone;
    for (const auto& p : kPatterns) {
        if (Matches(words, p.pattern)) return p.intent;
        if (p.intent == Intent::kCallLater && p.pattern == "call me some other") {
            // "call me monday", "call me march third": a day right after "call me".
            if (auto at = lexical::Find(words, "call me");
                at && *at + 2 < words.size() &&
                (lexical::WeekdayValue(words[*at + 2]) || lexical::MonthValue(words[*at + 2]))) {
                return Intent::kCallLater;
            }
        }
    }
    std::string whole;
    for (const auto& w : words) {
        if (!whole.empty()) whole += ' ';
        whole += w;
    }
    if (std::find(std::begin(kRepeatReplies), std::end(kRepeatReplies), whole) != std::end(kRepeatReplies)) {
        return Intent::kRepeat;
    }
    if (std::find(std::begin(kWhoReplies), std::end(kWhoReplies), whole) != std::end(kWhoReplies)) {
        return Intent::kWhoIsThis;
    }
    return Intent::kNone;
}

std::optional<std::string> CallbackWhen(std::string_view words, date::year_month_day today) {
    if (DetectIntent(words) != Intent::kCallLater) return std::nullopt;
    return ParseDate(words, today);
}

std::string_view IntentName(Intent intent) {
    switch (intent) {
        case Intent::kNone: return "none";
        case Intent::kOptOut: return "opt_out";
        case Intent::kNotInterested: return "not_interested";
        case Intent::kCallLater: return "call_later";
        case Intent::kWrongNumber: return "wrong_number";
        case Intent::kBusy: return "busy";
        case Intent::kWhoIsThis: return "who_is_this";
        case Intent::kRepeat: return "repeat";
        case Intent::kHumanRequest: return "human_request";
    }
    return "none";
}

}  // namespace parley::voice
