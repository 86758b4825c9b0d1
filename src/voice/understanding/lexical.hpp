#pragma once

// Word-level helpers shared by the understanding parsers: tokenizing recognizer output, reading
// spoken numbers and ordinals, and saying numbers as words. Internal to parley_understanding.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace parley::voice::lexical {

using Words = std::vector<std::string>;
using WordSpan = std::span<const std::string>;

// Lower-cased words of an utterance. Splits at whitespace, hyphens and punctuation; keeps
// apostrophes inside words ("don't"), digit groups ("50,000" -> "50000", "1.5", "2:30", "2025-07-01") and joins
// dotted abbreviations ("a.m." -> "am"). "+" becomes the word "plus"; "$" and "%" are dropped.
Words Tokenize(std::string_view text);

// Hesitation sounds and recognizer markers that carry no meaning ("uh", "um", "<sil>", "[noise]").
bool IsFiller(std::string_view word);

// Tokenize, then drop fillers.
Words Tokens(std::string_view text);

// Replaces contractions with their long forms so phrase tables need one spelling:
// "don't" -> "do not", "i'm" -> "i am", "can't" -> "can not", "that's" -> "that is".
Words ExpandContractions(WordSpan words);

// Whether `word` is one of `set`.
inline bool OneOf(std::span<const std::string_view> set, std::string_view word) {
    for (auto w : set) {
        if (w == word) return true;
    }
    return false;
}

// The words of a space-separated phrase.
inline std::size_t WordCount(std::string_view phrase) {
    std::size_t n = 1;
    for (char c : phrase) n += c == ' ';
    return n;
}

// True when words[pos..] starts with the space-separated phrase.
bool StartsWith(WordSpan words, std::size_t pos, std::string_view phrase);
// Position of the first occurrence of the phrase, if any.
std::optional<std::size_t> Find(WordSpan words, std::string_view phrase);
bool Contains(WordSpan words, std::string_view phrase);

// "one".."nine" and "zero" (0..9), "ten".."nineteen" (10..19), "twenty".."ninety".
std::optional<int> UnitValue(std::string_view word);
std::optional<int> TeenValue(std::string_view word);
std::optional<int> TensValue(std::string_view word);
// "thousand"/"k" 1e3, "million"/"m" 1e6, "billion" 1e9.
std::optional<double> ScaleValue(std::string_view word);

// A whole number 0..99 said as words ("seven", "fifteen", "forty two") at words[pos].
struct SmallRead {
    int value = 0;
    std::size_t end = 0;
};
std::optional<SmallRead> ReadSmall(WordSpan words, std::size_t pos);

// A number said as words or digits starting at words[pos]: "a hundred and twenty", "fifty
// thousand", "twenty five k", "one point five million", "50k", "1.5 million", "twenty twenty seven"
// (year style, 2027). Reads as far as the words still form one number.
struct NumberRead {
    double value = 0;
    std::size_t end = 0;
    double last_scale = 1;  // multiplier of the final group: 1000 for "fifty thousand", 1 for "fifty"
    bool year_style = false;
};
std::optional<NumberRead> ReadNumber(WordSpan words, std::size_t pos);

// A digit token with an optional suffix: "50000" (50000, ""), "50k" (50, "k"), "3rd" (3, "rd"),
// "10am" (10, "am"). Colons are not numbers ("2:30" -> nullopt).
struct DigitToken {
    double value = 0;
    std::string_view suffix;
    bool has_fraction = false;
};
std::optional<DigitToken> ParseDigitToken(std::string_view word);

// An ordinal 1..31 at words[pos]: "first", "twenty first", "thirty first", "3rd", "21st".
std::optional<SmallRead> ReadOrdinal(WordSpan words, std::size_t pos);

// 1..12 for "january".."december" (and "jan", "feb", "sept", ...).
std::optional<unsigned> MonthValue(std::string_view word);
// 0 (sunday) .. 6 (saturday), the C encoding of date::weekday.
std::optional<unsigned> WeekdayValue(std::string_view word);

// English words for a number: 120 -> "one hundred twenty", 1.5 -> "one point five".
std::string CardinalWords(long long n);
std::string NumberWords(double value);
// 2027 -> "twenty twenty seven", 2005 -> "two thousand five", 1999 -> "nineteen ninety nine".
std::string YearWords(int year);
// 3 -> "third", 21 -> "twenty first".
std::string OrdinalWords(int n);

}  // namespace parley::voice::lexical
