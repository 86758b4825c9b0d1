#pragma once

// What a callee wants besides answering: to stop the calls, be called later, reach a person.
// Pure functions over recognized words; cheap enough to run on every utterance.

#include <date/date.h>

#include <optional>
#include <string>
#include <string_view>

namespace parley::voice {

enum class Intent {
    kNone,
    kOptOut,         // "stop calling me", "take me off your list", "put me on the do not call list"
    kNotInterested,  // "not interested", "no thank you", "we're all set"
    kCallLater,      // "call me back tomorrow", "this isn't a good time"
    kWrongNumber,    // "wrong number", "there's no one here by that name"
    kBusy,           // "i'm busy", "i'm driving"
    kWhoIsThis,      // "who is this", "what is this about", "are you a robot"
    kRepeat,         // "can you repeat that", "say that again", "what"
    kHumanRequest,   // "can i talk to a person"
};

// The strongest intent in the words. When several appear, the first of this order wins: opt-out,
// wrong number, human request, call later, busy, not interested, who is this, repeat. So "not
// interested, take me off your list" is an opt-out and "i'm driving, call me back" a call-later.
// A phrase right after "not" does not count ("i'm not busy").
Intent DetectIntent(std::string_view words);

// For a call-later request, the day the callee named as "yyyy-mm-dd" ("call me back tomorrow",
// "can you call back next week" -> the Monday of next week). nullopt when the words are no
// call-later request or name no day ("call me later").
std::optional<std::string> CallbackWhen(std::string_view words, date::year_month_day today);

std::string_view IntentName(Intent intent);

}  // namespace parley::voice
