#pragma once

// What a callee's recognized words mean as the answer to one question. Input is what a speech
// recognizer returns: lower-case words, usually without punctuation, numbers spelled out, with
// hesitations ("uh", "um"). Text transcribers' digits and punctuation are understood as well.
// Every function is pure and cheap enough to run on each utterance.

#include <date/date.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace parley::voice {

enum class AnswerKind { kYesNo, kNumber, kDate, kEnum, kText, kTime };

// What the current question expects. `options` holds the option ids of a kEnum field as the
// profile defines them ("10k_50k", "Enterprise", "q3_2025", "email").
struct Expectation {
    AnswerKind kind = AnswerKind::kText;
    std::vector<std::string> options;
};

// Yes or no. Uncertainty ("maybe", "not sure", "i don't know", "not really sure") is nullopt, and
// it outranks everything else; otherwise any negation ("no", "nope", "not really", "i don't think
// so") makes the answer false even beside a yes ("yeah no"). Phrases that only look negative
// ("no problem", "why not", "i don't mind") are yes.
std::optional<bool> ParseYesNo(std::string_view words);

// One number: "fifty thousand", "twenty five k", "about ten thousand dollars", "one point five
// million", "a hundred and twenty", "50,000", "$50k". nullopt when there is no number or more than
// one ("between ten and fifty", "three kids and two dogs"): a range is not a single value.
std::optional<double> ParseNumber(std::string_view words);

// A calendar date as "yyyy-mm-dd". Understands "today", "tomorrow", weekdays ("friday", "on
// friday", "next tuesday"), "march third", "the fifteenth", "the third of march", "in two weeks",
// "in three months", "next week" (its Monday), "next month" (its 1st), "end of the month",
// "january twenty first twenty twenty seven". A date without a year, a bare weekday and a bare
// ordinal day resolve to the next occurrence on or after `today`. "next <weekday>" is that day of
// the next Monday-to-Sunday week. Dates after "not" are ignored; two different dates are nullopt.
std::optional<std::string> ParseDate(std::string_view words, date::year_month_day today);

// A time of day as "HH:MM" (24 h): "two pm", "at two", "two thirty in the afternoon", "ten a m",
// "half past three", "quarter to five", "noon", "14:30". Without "am"/"pm" or a part of the day, an
// hour is read as business hours: 8..11 morning, 12 noon, 1..7 afternoon/evening (13..19 h).
// Two different times are nullopt.
std::optional<std::string> ParseTimeOfDay(std::string_view words);

// Which option the words name. Option ids are split into words ("10k_50k", "100k_plus", "q3_2025",
// "SmallBusiness"); "k" means thousand and "m" million. When options are numeric ranges, the answer
// may be a range ("between ten and fifty thousand", "ten to fifty k"), a bound ("under ten
// thousand", "over a hundred k") or a plain number ("about thirty thousand"), which is mapped to
// the range containing it; a number on a shared bound belongs to the range it starts. Word
// options match case-insensitively, with plurals, split compounds ("e mail") and fillers around
// them; an option right after a negation ("not email") does not count. "the second one" picks by
// position. nullopt when nothing matches or two options do.
std::optional<std::string> MatchOption(std::string_view words, std::span<const std::string> options);

// NOLINTNEXTLINE(bugprone-exception-escape): nlohmann::json moves and destroys without throwing
struct ParsedValue {
    bool ok = false;
    nlohmann::ordered_json value = nullptr;  // bool, number, "yyyy-mm-dd", "HH:MM", option id or text
};

// The typed value of an answer for the field type. kText returns the trimmed words (empty: not ok).
ParsedValue ParseAnswer(std::string_view words, const Expectation& expectation, date::year_month_day today);

}  // namespace parley::voice
