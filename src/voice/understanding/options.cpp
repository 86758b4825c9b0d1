#include "voice/understanding/options.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <utility>

#include "voice/understanding/lexical.hpp"

namespace parley::voice::options {
namespace {

using lexical::OneOf;

constexpr double kInf = std::numeric_limits<double>::infinity();

constexpr bool IsLower(char c) {
    return c >= 'a' && c <= 'z';
}
constexpr bool IsUpper(char c) {
    return c >= 'A' && c <= 'Z';
}
constexpr bool IsAlpha(char c) {
    return IsLower(c) || IsUpper(c);
}
constexpr bool IsDigit(char c) {
    return c >= '0' && c <= '9';
}

// Letters right after digits that belong to the number: "10k", "1.5m", "3rd".
bool IsNumberSuffix(std::string_view id, std::size_t i) {
    std::size_t j = i;
    while (j < id.size() && IsAlpha(id[j])) ++j;
    std::string suffix;
    for (std::size_t k = i; k < j; ++k) suffix += static_cast<char>(IsUpper(id[k]) ? id[k] - 'A' + 'a' : id[k]);
    static constexpr std::string_view kSuffixes[] = {"k", "m", "mm", "b", "bn", "st", "nd", "rd", "th"};
    return OneOf(kSuffixes, suffix);
}

// A part that is a number: its value with any "k"/"m" suffix applied, and that multiplier.
struct PartNumber {
    double value = 0;
    double scale = 1;
    bool ordinal = false;
};

std::optional<PartNumber> NumberOfPart(std::string_view part) {
    auto d = lexical::ParseDigitToken(part);
    if (!d) return std::nullopt;
    if (d->suffix.empty()) return PartNumber{d->value, 1, false};
    if (d->suffix == "st" || d->suffix == "nd" || d->suffix == "rd" || d->suffix == "th") {
        return PartNumber{d->value, 1, true};
    }
    double scale = 0;
    if (d->suffix == "k") scale = 1e3;
    if (d->suffix == "m" || d->suffix == "mm") scale = 1e6;
    if (d->suffix == "b" || d->suffix == "bn") scale = 1e9;
    if (scale == 0) return std::nullopt;
    return PartNumber{d->value * scale, scale, false};
}

double NaturalScale(double v) {
    for (double s : {1e9, 1e6, 1e3}) {
        const double tenths = v / s * 10;
        if (v >= s && std::fabs(tenths - std::round(tenths)) < 1e-9) return s;
    }
    return 1;
}

std::string ScaleName(double s) {
    if (s == 1e9) return "billion";
    if (s == 1e6) return "million";
    return "thousand";
}

// "one hundred thousand" -> "a hundred thousand": how people usually say it.
std::optional<std::string> WithA(const std::string& words) {
    if (words.starts_with("one hundred") || words.starts_with("one thousand") || words.starts_with("one million")) {
        return "a" + words.substr(3);
    }
    return std::nullopt;
}

void Add(std::vector<std::string>& forms, std::string form) {
    if (form.empty()) return;
    if (std::find(forms.begin(), forms.end(), form) == forms.end()) forms.push_back(std::move(form));
}

// How people say an amount: 1500000 is "one point five million", 250000 "two hundred fifty thousand".
std::string Say(double v) {
    const double s = NaturalScale(v);
    if (s > 1 && v / s != std::trunc(v / s)) return lexical::NumberWords(v / s) + " " + ScaleName(s);
    return lexical::NumberWords(v);
}

// Spoken variants of one amount: "one hundred thousand", "a hundred thousand", "one hundred k".
std::vector<std::string> AmountVariants(double v) {
    std::vector<std::string> out;
    const auto full = Say(v);
    Add(out, full);
    Add(out, lexical::NumberWords(v));
    if (auto a = WithA(full)) Add(out, *a);
    if (NaturalScale(v) == 1e3) Add(out, lexical::NumberWords(v / 1e3) + " k");
    return out;
}

std::vector<std::string> RangeForms(const Interval& iv) {
    std::vector<std::string> forms;
    auto say = [](double v) { return Say(v); };
    const bool has_lo = std::isfinite(iv.lo);
    const bool has_hi = std::isfinite(iv.hi);
    if (has_lo && has_hi && iv.lo == iv.hi) {
        for (auto& v : AmountVariants(iv.lo)) Add(forms, v);
        return forms;
    }
    if (has_lo && has_hi) {
        const double s = NaturalScale(iv.lo) == NaturalScale(iv.hi) ? NaturalScale(iv.hi) : 1;
        if (s > 1) Add(forms, say(iv.lo / s) + " to " + say(iv.hi / s) + " " + ScaleName(s));
        Add(forms, say(iv.lo) + " to " + say(iv.hi));
        if (s > 1) Add(forms, "between " + say(iv.lo / s) + " and " + say(iv.hi / s) + " " + ScaleName(s));
        Add(forms, "between " + say(iv.lo) + " and " + say(iv.hi));
        if (s == 1e3) {
            Add(forms, say(iv.lo / s) + " to " + say(iv.hi / s) + " k");
            Add(forms, say(iv.lo / s) + " k to " + say(iv.hi / s) + " k");
        }
        Add(forms, "from " + say(iv.lo) + " to " + say(iv.hi));
        return forms;
    }
    if (has_lo) {
        const auto amounts = AmountVariants(iv.lo);
        for (const auto* prefix : {"over ", "more than ", "above ", "at least "}) {
            for (const auto& a : amounts) Add(forms, prefix + a);
        }
        for (const auto* suffix : {" plus", " or more"}) {
            for (const auto& a : amounts) Add(forms, a + suffix);
        }
        return forms;
    }
    if (has_hi) {
        const auto amounts = AmountVariants(iv.hi);
        for (const auto* prefix : {"under ", "less than ", "below ", "up to "}) {
            for (const auto& a : amounts) Add(forms, prefix + a);
        }
    }
    return forms;
}

std::string Join(const std::vector<std::string>& words) {
    std::string out;
    for (const auto& w : words) {
        if (w.empty()) continue;
        if (!out.empty()) out += ' ';
        out += w;
    }
    return out;
}

std::vector<std::string> WordForms(std::string_view id) {
    const auto parts = IdParts(id);
    std::vector<std::string> words;
    std::optional<std::size_t> year_at;
    std::optional<std::size_t> quarter_at;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const auto& p = parts[i];
        if (auto n = NumberOfPart(p)) {
            const bool whole = n->value == std::trunc(n->value);
            if (n->ordinal && whole) {
                words.push_back(lexical::OrdinalWords(static_cast<int>(n->value)));
            } else if (p.size() == 4 && whole && n->scale == 1 && n->value >= 1900 && n->value < 2100) {
                words.push_back(lexical::YearWords(static_cast<int>(n->value)));
                year_at = i;
            } else {
                words.push_back(lexical::NumberWords(n->value));
            }
            if (i > 0 && parts[i - 1] == "q" && n->value >= 1 && n->value <= 4 && whole) quarter_at = i - 1;
        } else {
            words.push_back(p);
        }
    }
    std::vector<std::string> forms;
    Add(forms, Join(words));
    if (quarter_at) {
        // "q3" is said "q three" or "third quarter".
        auto alt = words;
        const int q = static_cast<int>(NumberOfPart(parts[*quarter_at + 1])->value);
        alt[*quarter_at] = lexical::OrdinalWords(q);
        alt[*quarter_at + 1] = "quarter";
        Add(forms, Join(alt));
        if (year_at && *year_at == *quarter_at + 2) {
            auto with_of = alt;
            with_of[*year_at] = "of " + with_of[*year_at];
            Add(forms, Join(with_of));
        }
        if (year_at) {
            auto short_q = words;
            short_q[*year_at].clear();
            Add(forms, Join(short_q));
            alt[*year_at].clear();
            Add(forms, Join(alt));
        }
    }
    static constexpr std::pair<std::string_view, std::string_view> kSynonyms[] = {
        {"email", "e mail"}, {"phone", "telephone"},  {"phone", "phone call"}, {"text", "text message"},
        {"text", "texting"}, {"sms", "text message"}, {"sms", "text"},         {"video", "video call"},
    };
    if (parts.size() == 1) {
        for (const auto& [word, synonym] : kSynonyms) {
            if (parts[0] == word) Add(forms, std::string(synonym));
        }
    }
    return forms;
}

}  // namespace

std::vector<std::string> IdParts(std::string_view id) {
    std::vector<std::string> parts;
    std::string cur;
    auto flush = [&] {
        if (!cur.empty()) parts.push_back(std::exchange(cur, {}));
    };
    for (std::size_t i = 0; i < id.size(); ++i) {
        const char c = id[i];
        const char prev = i > 0 ? id[i - 1] : '\0';
        if (c == '+') {
            flush();
            parts.emplace_back("plus");
        } else if (c == '.' && IsDigit(prev) && i + 1 < id.size() && IsDigit(id[i + 1]) && !cur.empty()) {
            cur += c;
        } else if (c == ',' && IsDigit(prev) && i + 1 < id.size() && IsDigit(id[i + 1]) && !cur.empty()) {
            continue;  // "10,000"
        } else if (IsAlpha(c) || IsDigit(c)) {
            if (!cur.empty()) {
                const bool camel = IsLower(prev) && IsUpper(c);
                const bool letter_digit = IsAlpha(prev) && IsDigit(c);
                const bool digit_letter = IsDigit(prev) && IsAlpha(c) && !IsNumberSuffix(id, i);
                if (camel || letter_digit || digit_letter) flush();
            }
            cur += static_cast<char>(IsUpper(c) ? c - 'A' + 'a' : c);
        } else {
            flush();
        }
    }
    flush();
    return parts;
}

std::optional<Interval> AsInterval(std::string_view id) {
    static constexpr std::string_view kLower[] = {"over", "above", "plus",    "more",   "gt",     "gte",
                                                  "min",  "least", "greater", "higher", "atleast"};
    static constexpr std::string_view kUpper[] = {"under", "below", "less", "lt",   "lte",
                                                  "max",   "fewer", "upto", "most", "lower"};
    static constexpr std::string_view kNeutral[] = {
        "to",  "than", "or",    "and", "between", "from",   "at",     "the",       "dollars", "usd",   "eur",
        "per", "year", "years", "yr",  "month",   "months", "people", "employees", "users",   "seats", "staff"};
    const auto parts = IdParts(id);
    std::vector<PartNumber> numbers;
    bool lower = false;
    bool upper = false;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const auto& p = parts[i];
        if (auto n = NumberOfPart(p)) {
            if (n->ordinal) return std::nullopt;
            numbers.push_back(*n);
        } else if (auto s = lexical::ScaleValue(p); s && p.size() > 1 && !numbers.empty()) {
            numbers.back().value *= *s;
            numbers.back().scale = *s;
        } else if (p == "up") {
            (i + 1 < parts.size() && parts[i + 1] == "to" ? upper : lower) = true;
        } else if (OneOf(kLower, p)) {
            lower = true;
        } else if (OneOf(kUpper, p)) {
            upper = true;
        } else if (!OneOf(kNeutral, p)) {
            return std::nullopt;
        }
    }
    if (numbers.size() == 1) {
        if (lower && upper) return std::nullopt;
        const double v = numbers[0].value;
        if (lower) return Interval{v, kInf};
        if (upper) return Interval{-kInf, v};
        return Interval{v, v};
    }
    if (numbers.size() == 2 && !lower && !upper) {
        double a = numbers[0].value;
        double b = numbers[1].value;
        // "10_50k": the scale of the upper bound applies to a bare lower bound.
        if (numbers[0].scale == 1 && numbers[1].scale > 1 && a * numbers[1].scale <= b) a *= numbers[1].scale;
        if (a > b) std::swap(a, b);
        return Interval{a, b};
    }
    return std::nullopt;
}

std::vector<std::string> SpokenForms(std::string_view id) {
    if (auto iv = AsInterval(id)) {
        auto forms = RangeForms(*iv);
        if (!forms.empty()) return forms;
    }
    return WordForms(id);
}

}  // namespace parley::voice::options
