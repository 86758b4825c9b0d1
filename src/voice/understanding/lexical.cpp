#include "voice/understanding/lexical.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <limits>
#include <utility>

namespace parley::voice::lexical {
namespace {

constexpr bool IsAlpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool IsDigit(char c) {
    return c >= '0' && c <= '9';
}
constexpr char Lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

constexpr std::string_view kUnits[] = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"};
constexpr std::string_view kTeens[] = {"ten",     "eleven",  "twelve",    "thirteen", "fourteen",
                                       "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"};
constexpr std::string_view kTens[] = {"",      "",      "twenty",  "thirty", "forty",
                                      "fifty", "sixty", "seventy", "eighty", "ninety"};
constexpr std::string_view kOrdinals[] = {"",          "first",     "second",      "third",      "fourth",
                                          "fifth",     "sixth",     "seventh",     "eighth",     "ninth",
                                          "tenth",     "eleventh",  "twelfth",     "thirteenth", "fourteenth",
                                          "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth"};
constexpr std::string_view kTensOrdinals[] = {"",         "",         "twentieth",  "thirtieth", "fortieth",
                                              "fiftieth", "sixtieth", "seventieth", "eightieth", "ninetieth"};

template <std::size_t N>
std::optional<int> IndexOf(const std::string_view (&table)[N], std::string_view word) {
    for (std::size_t i = 0; i < N; ++i) {
        if (!table[i].empty() && table[i] == word) return static_cast<int>(i);
    }
    return std::nullopt;
}

std::string Below100(int n) {
    if (n < 10) return std::string(kUnits[static_cast<std::size_t>(n)]);
    if (n < 20) return std::string(kTeens[static_cast<std::size_t>(n - 10)]);
    std::string out(kTens[static_cast<std::size_t>(n / 10)]);
    if (n % 10 != 0) {
        out += ' ';
        out += kUnits[static_cast<std::size_t>(n % 10)];
    }
    return out;
}

std::string Below1000(int n) {
    std::string out;
    if (n >= 100) {
        out = std::string(kUnits[static_cast<std::size_t>(n / 100)]) + " hundred";
        n %= 100;
        if (n == 0) return out;
        out += ' ';
    }
    return out + Below100(n);
}

}  // namespace

Words Tokenize(std::string_view text) {
    Words out;
    std::string cur;
    auto flush = [&] {
        if (!cur.empty()) out.push_back(std::exchange(cur, {}));
    };
    const std::size_t n = text.size();
    for (std::size_t i = 0; i < n; ++i) {
        const char c = text[i];
        const char prev = i > 0 ? text[i - 1] : '\0';
        const char next = i + 1 < n ? text[i + 1] : '\0';
        if (IsAlpha(c) || IsDigit(c)) {
            cur += Lower(c);
        } else if (c == '<' || c == '[') {
            // Recognizer markers such as <sil> or [noise] are not words.
            flush();
            const char close = c == '<' ? '>' : ']';
            while (i < n && text[i] != close) ++i;
        } else if (c == '\'') {
            if (!cur.empty() && IsAlpha(prev) && IsAlpha(next)) {
                cur += '\'';
            } else {
                flush();
            }
        } else if (static_cast<unsigned char>(c) == 0xE2 && i + 3 < n && text[i + 1] == '\x80' &&
                   text[i + 2] == '\x99') {
            // A typographic apostrophe (U+2019) inside a word, as text transcribers write it.
            if (!cur.empty() && IsAlpha(text[i + 3])) {
                cur += '\'';
            } else {
                flush();
            }
            i += 2;
        } else if (c == ',' && IsDigit(prev) && IsDigit(next) && !cur.empty()) {
            continue;
        } else if ((c == '.' || c == ':' || c == '-') && IsDigit(prev) && IsDigit(next) && !cur.empty()) {
            cur += c;
        } else if (c == '.' && IsAlpha(prev) && IsAlpha(next) && (i < 2 || !IsAlpha(text[i - 2]))) {
            continue;  // "a.m." -> "am", "e.g." -> "eg"
        } else if (c == '+') {
            flush();
            out.emplace_back("plus");
        } else {
            flush();
        }
    }
    flush();
    return out;
}

bool IsFiller(std::string_view word) {
    static constexpr std::string_view kFillers[] = {"uh", "um",  "umm", "uhm", "er", "erm",
                                                    "ah", "hmm", "hm",  "mm",  "eh", "uhh"};
    for (auto f : kFillers) {
        if (f == word) return true;
    }
    return false;
}

Words Tokens(std::string_view text) {
    Words words = Tokenize(text);
    std::erase_if(words, [](const std::string& w) { return IsFiller(w); });
    return words;
}

Words ExpandContractions(WordSpan words) {
    Words out;
    out.reserve(words.size() + 4);
    auto ends_with = [](std::string_view w, std::string_view s) { return w.size() > s.size() && w.ends_with(s); };
    for (const auto& w : words) {
        std::string_view v = w;
        if (v == "can't" || v == "cannot") {
            out.emplace_back("can");
            out.emplace_back("not");
        } else if (v == "won't") {
            out.emplace_back("will");
            out.emplace_back("not");
        } else if (v == "ain't") {
            out.emplace_back("is");
            out.emplace_back("not");
        } else if (ends_with(v, "n't")) {
            out.emplace_back(v.substr(0, v.size() - 3));
            out.emplace_back("not");
        } else if (ends_with(v, "'m")) {
            out.emplace_back(v.substr(0, v.size() - 2));
            out.emplace_back("am");
        } else if (ends_with(v, "'re")) {
            out.emplace_back(v.substr(0, v.size() - 3));
            out.emplace_back("are");
        } else if (ends_with(v, "'ll")) {
            out.emplace_back(v.substr(0, v.size() - 3));
            out.emplace_back("will");
        } else if (ends_with(v, "'ve")) {
            out.emplace_back(v.substr(0, v.size() - 3));
            out.emplace_back("have");
        } else if (ends_with(v, "'d")) {
            out.emplace_back(v.substr(0, v.size() - 2));
            out.emplace_back("would");
        } else if (v == "let's") {
            out.emplace_back("let");
            out.emplace_back("us");
        } else if (ends_with(v, "'s")) {
            static constexpr std::string_view kIsBases[] = {"that", "there", "it",   "what",  "who",
                                                            "he",   "she",   "here", "where", "how"};
            const auto base = v.substr(0, v.size() - 2);
            bool is_verb = false;
            for (auto b : kIsBases) is_verb = is_verb || b == base;
            if (is_verb) {
                out.emplace_back(base);
                out.emplace_back("is");
            } else {
                out.push_back(w);
            }
        } else {
            out.push_back(w);
        }
    }
    return out;
}

bool StartsWith(WordSpan words, std::size_t pos, std::string_view phrase) {
    std::size_t i = pos;
    while (!phrase.empty()) {
        const auto space = phrase.find(' ');
        const auto token = phrase.substr(0, space);
        if (i >= words.size() || words[i] != token) return false;
        ++i;
        phrase = space == std::string_view::npos ? std::string_view() : phrase.substr(space + 1);
    }
    return true;
}

std::optional<std::size_t> Find(WordSpan words, std::string_view phrase) {
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (StartsWith(words, i, phrase)) return i;
    }
    return std::nullopt;
}

bool Contains(WordSpan words, std::string_view phrase) {
    return Find(words, phrase).has_value();
}

std::optional<int> UnitValue(std::string_view word) {
    return IndexOf(kUnits, word);
}

std::optional<int> TeenValue(std::string_view word) {
    auto i = IndexOf(kTeens, word);
    if (!i) return std::nullopt;
    return *i + 10;
}

std::optional<int> TensValue(std::string_view word) {
    auto i = IndexOf(kTens, word);
    if (!i) return std::nullopt;
    return *i * 10;
}

std::optional<double> ScaleValue(std::string_view word) {
    if (word == "thousand" || word == "k" || word == "grand") return 1e3;
    if (word == "million" || word == "m") return 1e6;
    if (word == "billion") return 1e9;
    return std::nullopt;
}

std::optional<SmallRead> ReadSmall(WordSpan words, std::size_t pos) {
    if (pos >= words.size()) return std::nullopt;
    if (auto tens = TensValue(words[pos])) {
        if (pos + 1 < words.size()) {
            if (auto unit = UnitValue(words[pos + 1]); unit && *unit > 0) return SmallRead{*tens + *unit, pos + 2};
        }
        return SmallRead{*tens, pos + 1};
    }
    if (auto teen = TeenValue(words[pos])) return SmallRead{*teen, pos + 1};
    if (auto unit = UnitValue(words[pos])) return SmallRead{*unit, pos + 1};
    return std::nullopt;
}

std::optional<DigitToken> ParseDigitToken(std::string_view word) {
    if (word.empty() || !IsDigit(word.front())) return std::nullopt;
    std::size_t i = 0;
    bool dot = false;
    while (i < word.size() && (IsDigit(word[i]) || (word[i] == '.' && !dot))) {
        dot = dot || word[i] == '.';
        ++i;
    }
    const auto number = word.substr(0, i);
    const auto suffix = word.substr(i);
    for (char c : suffix) {
        if (!IsAlpha(c)) return std::nullopt;
    }
    if (number.back() == '.') return std::nullopt;
    double value = 0;
    auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec != std::errc() || ptr != number.data() + number.size()) return std::nullopt;
    return DigitToken{value, suffix, dot};
}

namespace {

struct Group {
    double value = 0;
    std::size_t end = 0;
    bool plain_small = false;  // a bare 10..99 with no "hundred": the first half of a year said in pairs
};

std::optional<Group> ReadGroup(WordSpan words, std::size_t i) {
    const std::size_t n = words.size();
    if (i >= n) return std::nullopt;
    double base = 0;
    std::size_t j = 0;
    if (words[i] == "a" && i + 1 < n && words[i + 1] == "hundred") {
        base = 100;
        j = i + 2;
    } else if (words[i] == "hundred") {
        base = 100;  // "hundred k": recognizers often lose the "a"
        j = i + 1;
    } else {
        auto small = ReadSmall(words, i);
        if (!small) return std::nullopt;
        if (small->end < n && words[small->end] == "hundred" && small->value > 0) {
            base = small->value * 100.0;
            j = small->end + 1;
        } else {
            return Group{static_cast<double>(small->value), small->end, small->value >= 10};
        }
    }
    if (j < n && words[j] == "and") {
        if (auto rest = ReadSmall(words, j + 1)) return Group{base + rest->value, rest->end, false};
        return Group{base, j, false};
    }
    if (auto rest = ReadSmall(words, j)) return Group{base + rest->value, rest->end, false};
    return Group{base, j, false};
}

bool IsBigScale(std::string_view w) {
    return w == "thousand" || w == "million" || w == "billion";
}

}  // namespace

std::optional<NumberRead> ReadNumber(WordSpan words, std::size_t pos) {
    const std::size_t n = words.size();
    double total = 0;
    double last_scale = std::numeric_limits<double>::infinity();
    double final_scale = 1;
    bool any = false;
    bool only_plain_small = false;
    std::size_t i = pos;
    std::size_t before_and = pos;  // where to stop if an "and" after a scale leads nowhere
    while (i < n) {
        double group = 0;
        std::size_t j = i;
        double scale = 1;
        bool plain_small = false;
        bool from_digits = false;
        if (words[i] == "half" && i + 2 < n && words[i + 1] == "a" && IsBigScale(words[i + 2])) {
            group = 0.5;
            j = i + 2;
        } else if (words[i] == "a" && i + 1 < n && IsBigScale(words[i + 1])) {
            group = 1;
            j = i + 1;
        } else if (auto d = ParseDigitToken(words[i])) {
            if (!d->suffix.empty()) {
                auto s = ScaleValue(d->suffix);
                if (!s && (d->suffix == "mm" || d->suffix == "bn")) s = d->suffix == "mm" ? 1e6 : 1e9;
                if (!s && d->suffix == "b") s = 1e9;
                if (!s) break;
                scale = *s;
            }
            group = d->value;
            j = i + 1;
            from_digits = true;
        } else if (auto g = ReadGroup(words, i)) {
            group = g->value;
            j = g->end;
            plain_small = g->plain_small;
        } else {
            break;
        }
        if (!from_digits && StartsWith(words, j, "and a half")) {
            group += 0.5;
            j += 3;
            plain_small = false;
        }
        if (!from_digits && j + 1 < n && words[j] == "point" && UnitValue(words[j + 1])) {
            double place = 0.1;
            ++j;
            while (j < n) {
                auto digit = words[j] == "oh" ? std::optional<int>(0) : UnitValue(words[j]);
                if (!digit) break;
                group += *digit * place;
                place /= 10;
                ++j;
            }
            plain_small = false;
        }
        if (scale == 1 && j < n) {
            if (auto s = ScaleValue(words[j])) {
                scale = *s;
                ++j;
            }
        }
        if (scale > 1) {
            if (scale >= last_scale) break;
            total += group * scale;
            last_scale = scale;
            final_scale = scale;
            any = true;
            only_plain_small = false;
            i = j;
            before_and = i;
            if (StartsWith(words, i, "and a half")) {
                total += 0.5 * scale;
                i += 3;
                before_and = i;
                break;
            }
            if (i < n && words[i] == "and") ++i;
            continue;
        }
        total += group;
        final_scale = 1;
        only_plain_small = !any && plain_small;
        any = true;
        i = j;
        before_and = i;
        break;
    }
    if (!any) return std::nullopt;
    i = before_and;
    NumberRead read{total, i, final_scale, false};
    if (only_plain_small && i < n) {
        // Years said in pairs: "twenty twenty seven", "nineteen ninety", "twenty oh five".
        if (auto second = ReadSmall(words, i); second && second->value >= 10) {
            read.value = total * 100 + second->value;
            read.end = second->end;
            read.year_style = true;
        } else if (words[i] == "oh" && i + 1 < n) {
            if (auto unit = UnitValue(words[i + 1]); unit && *unit > 0) {
                read.value = total * 100 + *unit;
                read.end = i + 2;
                read.year_style = true;
            }
        }
    }
    return read;
}

std::optional<SmallRead> ReadOrdinal(WordSpan words, std::size_t pos) {
    if (pos >= words.size()) return std::nullopt;
    const auto& w = words[pos];
    if (auto tens = TensValue(w); tens && pos + 1 < words.size()) {
        if (auto unit = IndexOf(kOrdinals, words[pos + 1]); unit && *unit >= 1 && *unit <= 9) {
            return SmallRead{*tens + *unit, pos + 2};
        }
    }
    if (auto v = IndexOf(kOrdinals, w)) return SmallRead{*v, pos + 1};
    if (auto v = IndexOf(kTensOrdinals, w)) return SmallRead{*v * 10, pos + 1};
    if (auto d = ParseDigitToken(w); d && !d->has_fraction) {
        if (d->suffix == "st" || d->suffix == "nd" || d->suffix == "rd" || d->suffix == "th") {
            return SmallRead{static_cast<int>(d->value), pos + 1};
        }
    }
    return std::nullopt;
}

std::optional<unsigned> MonthValue(std::string_view word) {
    static constexpr std::string_view kMonths[] = {"january",   "february", "march",    "april",
                                                   "may",       "june",     "july",     "august",
                                                   "september", "october",  "november", "december"};
    static constexpr std::string_view kShort[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                                  "jul", "aug", "sep", "oct", "nov", "dec"};
    for (unsigned i = 0; i < 12; ++i) {
        if (kMonths[i] == word || kShort[i] == word) return i + 1;
    }
    if (word == "sept") return 9;
    return std::nullopt;
}

std::optional<unsigned> WeekdayValue(std::string_view word) {
    static constexpr std::string_view kDays[] = {"sunday",   "monday", "tuesday", "wednesday",
                                                 "thursday", "friday", "saturday"};
    for (unsigned i = 0; i < 7; ++i) {
        if (word == kDays[i]) return i;
        if (word.size() == kDays[i].size() + 1 && word.starts_with(kDays[i]) && word.back() == 's') return i;
    }
    return std::nullopt;
}

std::string CardinalWords(long long n) {
    if (n < 0) return "minus " + CardinalWords(-n);
    if (n == 0) return "zero";
    static constexpr std::pair<long long, std::string_view> kScales[] = {
        {1'000'000'000, "billion"}, {1'000'000, "million"}, {1'000, "thousand"}};
    std::string out;
    for (const auto& [value, name] : kScales) {
        if (n >= value) {
            if (!out.empty()) out += ' ';
            out += CardinalWords(n / value);
            out += ' ';
            out += name;
            n %= value;
        }
    }
    if (n > 0) {
        if (!out.empty()) out += ' ';
        out += Below1000(static_cast<int>(n));
    }
    return out;
}

std::string NumberWords(double value) {
    if (!std::isfinite(value)) return {};
    const double whole = std::trunc(value);
    if (whole == value && std::fabs(value) < 1e15) return CardinalWords(static_cast<long long>(value));
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.6f", std::fabs(value - whole));
    std::string digits(buffer + 2);  // after "0."
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    std::string out = CardinalWords(static_cast<long long>(whole));
    if (value < 0 && whole == 0) out = "minus " + out;
    out += " point";
    for (char d : digits) {
        out += ' ';
        out += kUnits[static_cast<std::size_t>(d - '0')];
    }
    return out;
}

std::string YearWords(int year) {
    if (year >= 2000 && year <= 2009) {
        return year == 2000 ? "two thousand"
                            : "two thousand " + std::string(kUnits[static_cast<std::size_t>(year % 10)]);
    }
    if (year >= 1100 && year <= 2099) {
        const int hi = year / 100;
        const int lo = year % 100;
        if (lo == 0) return Below100(hi) + " hundred";
        if (lo < 10) return Below100(hi) + " oh " + Below100(lo);
        return Below100(hi) + " " + Below100(lo);
    }
    return CardinalWords(year);
}

std::string OrdinalWords(int n) {
    if (n > 0 && n < 20) return std::string(kOrdinals[static_cast<std::size_t>(n)]);
    if (n >= 20 && n < 100) {
        if (n % 10 == 0) return std::string(kTensOrdinals[static_cast<std::size_t>(n / 10)]);
        return std::string(kTens[static_cast<std::size_t>(n / 10)]) + " " +
               std::string(kOrdinals[static_cast<std::size_t>(n % 10)]);
    }
    return CardinalWords(n) + "th";
}

}  // namespace parley::voice::lexical
