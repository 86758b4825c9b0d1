#include "voice/understanding/answers.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <limits>
#include <utility>

#include "common/text.hpp"
#include "voice/understanding/lexical.hpp"
#include "voice/understanding/options.hpp"

namespace parley::voice {
namespace {

using lexical::StartsWith;
using lexical::WordSpan;

template <std::size_t N>
bool OneOf(const std::string_view (&set)[N], std::string_view word) {
    return std::find(std::begin(set), std::end(set), word) != std::end(set);
}

std::size_t WordCount(std::string_view phrase) {
    return static_cast<std::size_t>(std::count(phrase.begin(), phrase.end(), ' ')) + 1;
}

// ---------------------------------------------------------------------------------------------
// Yes / no

enum class Polarity { kYes, kNo, kUnsure };

struct PolarPhrase {
    std::string_view words;  // after ExpandContractions
    Polarity polarity;
};

// Matched longest first; a matched phrase hides its words from shorter phrases, which is how "no
// problem" stays a yes and "of course not" a no.
constexpr PolarPhrase kPolarPhrases[] = {
    {"not really sure", Polarity::kUnsure},
    {"not sure", Polarity::kUnsure},
    {"do not know", Polarity::kUnsure},
    {"no idea", Polarity::kUnsure},
    {"not certain", Polarity::kUnsure},
    {"maybe", Polarity::kUnsure},
    {"perhaps", Polarity::kUnsure},
    {"possibly", Polarity::kUnsure},
    {"depends", Polarity::kUnsure},
    {"unsure", Polarity::kUnsure},
    {"hard to say", Polarity::kUnsure},
    {"can not say", Polarity::kUnsure},
    {"who knows", Polarity::kUnsure},
    {"not positive", Polarity::kUnsure},
    {"kind of", Polarity::kUnsure},
    {"sort of", Polarity::kUnsure},
    {"do not remember", Polarity::kUnsure},
    {"not that i know of", Polarity::kUnsure},

    {"no problem", Polarity::kYes},
    {"not a problem", Polarity::kYes},
    {"no worries", Polarity::kYes},
    {"why not", Polarity::kYes},
    {"do not mind", Polarity::kYes},
    {"would not mind", Polarity::kYes},
    {"no doubt", Polarity::kYes},
    {"can not complain", Polarity::kYes},
    {"of course not", Polarity::kNo},
    {"absolutely not", Polarity::kNo},
    {"definitely not", Polarity::kNo},
    {"certainly not", Polarity::kNo},
    {"not at all", Polarity::kNo},
    {"not really", Polarity::kNo},
    {"i do not think so", Polarity::kNo},
    {"do not think so", Polarity::kNo},
    {"i guess not", Polarity::kNo},
    {"no way", Polarity::kNo},
    {"not yet", Polarity::kNo},
    {"no", Polarity::kNo},
    {"nope", Polarity::kNo},
    {"nah", Polarity::kNo},
    {"not", Polarity::kNo},
    {"never", Polarity::kNo},
    {"negative", Polarity::kNo},
    {"incorrect", Polarity::kNo},
    {"wrong", Polarity::kNo},
    {"none", Polarity::kNo},
    {"uh uh", Polarity::kNo},

    {"that is right", Polarity::kYes},
    {"that is correct", Polarity::kYes},
    {"you bet", Polarity::kYes},
    {"for sure", Polarity::kYes},
    {"of course", Polarity::kYes},
    {"i think so", Polarity::kYes},
    {"i guess so", Polarity::kYes},
    {"i believe so", Polarity::kYes},
    {"sounds good", Polarity::kYes},
    {"go ahead", Polarity::kYes},
    {"all right", Polarity::kYes},
    {"uh huh", Polarity::kYes},
    {"mm hmm", Polarity::kYes},
    {"mhm", Polarity::kYes},
    {"yes", Polarity::kYes},
    {"yeah", Polarity::kYes},
    {"yep", Polarity::kYes},
    {"yup", Polarity::kYes},
    {"ya", Polarity::kYes},
    {"yah", Polarity::kYes},
    {"sure", Polarity::kYes},
    {"surely", Polarity::kYes},
    {"absolutely", Polarity::kYes},
    {"definitely", Polarity::kYes},
    {"certainly", Polarity::kYes},
    {"correct", Polarity::kYes},
    {"right", Polarity::kYes},
    {"exactly", Polarity::kYes},
    {"okay", Polarity::kYes},
    {"ok", Polarity::kYes},
    {"alright", Polarity::kYes},
    {"affirmative", Polarity::kYes},
    {"indeed", Polarity::kYes},
    {"totally", Polarity::kYes},
    {"true", Polarity::kYes},
    {"yessir", Polarity::kYes},
    {"please", Polarity::kYes},
    {"fine", Polarity::kYes},
    {"agreed", Polarity::kYes},
    {"precisely", Polarity::kYes},
    {"gladly", Polarity::kYes},
    {"happy to", Polarity::kYes},
    {"uh huh yes", Polarity::kYes},
    {"yes please", Polarity::kYes},
    {"that is it", Polarity::kYes},
    {"love to", Polarity::kYes},
    {"would love", Polarity::kYes},
};

// Short answers that are a yes only when they are the whole reply ("i do", "it is").
constexpr std::string_view kWholeYes[] = {"i do",   "we do", "i am",    "we are",     "it is",    "i have", "we have",
                                          "i will", "i can", "i would", "that is me", "speaking", "i guess"};

const std::vector<PolarPhrase>& PolarPhrasesLongestFirst() {
    static const std::vector<PolarPhrase> sorted = [] {
        std::vector<PolarPhrase> v(std::begin(kPolarPhrases), std::end(kPolarPhrases));
        std::stable_sort(v.begin(), v.end(), [](const PolarPhrase& a, const PolarPhrase& b) {
            return WordCount(a.words) > WordCount(b.words);
        });
        return v;
    }();
    return sorted;
}

std::string JoinWords(WordSpan words) {
    std::string out;
    for (const auto& w : words) {
        if (!out.empty()) out += ' ';
        out += w;
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Numbers

struct NumberRun {
    std::size_t start = 0;
    lexical::NumberRead read;
};

std::vector<NumberRun> NumberRuns(WordSpan words) {
    std::vector<NumberRun> runs;
    for (std::size_t i = 0; i < words.size();) {
        if (auto r = lexical::ReadNumber(words, i)) {
            runs.push_back({i, *r});
            i = r->end;
        } else {
            ++i;
        }
    }
    return runs;
}

// ---------------------------------------------------------------------------------------------
// Dates

using date::days;
using date::months;
using date::sys_days;
using date::year_month_day;
using date::years;

std::string Iso(const year_month_day& d) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                  static_cast<unsigned>(d.day()));
    return buffer;
}

year_month_day AddDays(const year_month_day& d, int n) {
    return year_month_day{sys_days{d} + days{n}};
}

// Calendar months later, on the same day or the month's last day when it is shorter.
year_month_day AddMonths(const year_month_day& d, int n) {
    const auto ym = date::year_month{d.year(), d.month()} + months{n};
    const auto last = date::year_month_day_last{ym.year(), date::month_day_last{ym.month()}}.day();
    return year_month_day{ym.year(), ym.month(), std::min(d.day(), last)};
}

year_month_day LastDayOfMonth(const year_month_day& d) {
    return year_month_day{date::year_month_day_last{d.year(), date::month_day_last{d.month()}}};
}

unsigned MondayIndex(const year_month_day& d) {
    return (date::weekday{sys_days{d}}.c_encoding() + 6) % 7;
}

// The given weekday (0 = Sunday) on or after `from`.
year_month_day OnOrAfter(const year_month_day& from, unsigned weekday) {
    const auto diff = date::weekday{weekday} - date::weekday{sys_days{from}};
    return year_month_day{sys_days{from} + diff};
}

// The given weekday (0 = Sunday) in the Monday-to-Sunday week after the one holding `today`.
year_month_day InNextWeek(const year_month_day& today, unsigned weekday) {
    const auto next_monday = AddDays(today, 7 - static_cast<int>(MondayIndex(today)));
    return AddDays(next_monday, static_cast<int>((weekday + 6) % 7));
}

// The first (month, day) on or after today; nullopt when no year up to eight ahead has it.
std::optional<year_month_day> NextMonthDay(const year_month_day& today, unsigned month, unsigned day) {
    for (int k = 0; k < 9; ++k) {
        const year_month_day d{today.year() + years{k}, date::month{month}, date::day{day}};
        if (d.ok() && sys_days{d} >= sys_days{today}) return d;
    }
    return std::nullopt;
}

std::optional<year_month_day> NextDayOfMonth(const year_month_day& today, unsigned day) {
    const date::year_month ym{today.year(), today.month()};
    for (int k = 0; k < 13; ++k) {
        const auto m = ym + months{k};
        const year_month_day d{m.year(), m.month(), date::day{day}};
        if (d.ok() && sys_days{d} >= sys_days{today}) return d;
    }
    return std::nullopt;
}

struct DateHit {
    year_month_day value;
    std::size_t end = 0;
    int priority = 0;  // explicit calendar dates 3, relative phrases 2, weekdays 1
};

class DateReader {
public:
    DateReader(WordSpan words, year_month_day today) : w_(words), today_(today) {}

    std::optional<DateHit> At(std::size_t i) const {
        if (auto hit = IsoToken(i)) return hit;
        if (auto hit = EndOfMonth(i)) return hit;
        if (auto hit = Relative(i)) return hit;
        if (auto hit = Offset(i)) return hit;
        if (auto hit = MonthFirst(i)) return hit;
        if (auto hit = DayFirst(i)) return hit;
        if (auto hit = Weekday(i)) return hit;
        return std::nullopt;
    }

private:
    bool Is(std::size_t i, std::string_view word) const { return i < w_.size() && w_[i] == word; }
    bool Has(std::size_t i, std::string_view phrase) const { return StartsWith(w_, i, phrase); }

    // "2025-07-01", as text transcribers may write it.
    std::optional<DateHit> IsoToken(std::size_t i) const {
        if (i >= w_.size()) return std::nullopt;
        const auto& t = w_[i];
        if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
        int y = 0;
        unsigned m = 0;
        unsigned d = 0;
        for (std::size_t k = 0; k < 10; ++k) {
            if (k == 4 || k == 7) continue;
            if (t[k] < '0' || t[k] > '9') return std::nullopt;
            const int digit = t[k] - '0';
            if (k < 4)
                y = y * 10 + digit;
            else if (k < 7)
                m = m * 10 + static_cast<unsigned>(digit);
            else
                d = d * 10 + static_cast<unsigned>(digit);
        }
        const year_month_day value{date::year{y}, date::month{m}, date::day{d}};
        if (!value.ok()) return std::nullopt;
        return DateHit{value, i + 1, 3};
    }

    // "the end of june": that month's last day, this year's if it has not passed.
    std::optional<DateHit> EndOfMonth(std::size_t i) const {
        std::size_t j = Is(i, "the") ? i + 1 : i;
        if (!Has(j, "end of")) return std::nullopt;
        j += 2;
        if (j >= w_.size()) return std::nullopt;
        auto month = lexical::MonthValue(w_[j]);
        if (!month) return std::nullopt;
        const auto first =
            date::month{*month} == today_.month() ? std::optional(today_) : NextMonthDay(today_, *month, 1);
        if (!first) return std::nullopt;
        return DateHit{LastDayOfMonth(*first), j + 1, 3};
    }

    std::optional<DateHit> Relative(std::size_t i) const {
        struct Fixed {
            std::string_view phrase;
            int days;
        };
        static constexpr Fixed kFixed[] = {{"the day after tomorrow", 2},
                                           {"day after tomorrow", 2},
                                           {"later today", 0},
                                           {"today", 0},
                                           {"tonight", 0},
                                           {"this morning", 0},
                                           {"this afternoon", 0},
                                           {"this evening", 0},
                                           {"tomorrow", 1},
                                           {"tmrw", 1},
                                           {"yesterday", -1}};
        for (const auto& f : kFixed) {
            if (Has(i, f.phrase)) return DateHit{AddDays(today_, f.days), i + WordCount(f.phrase), 2};
        }
        // "next week" is its Monday, unless a weekday follows ("next week tuesday").
        if (Has(i, "next week")) {
            if (i + 2 < w_.size()) {
                if (auto wd = lexical::WeekdayValue(w_[i + 2])) return DateHit{InNextWeek(today_, *wd), i + 3, 2};
            }
            return DateHit{InNextWeek(today_, 1), i + 2, 2};
        }
        const date::year_month this_month{today_.year(), today_.month()};
        auto first_of = [](date::year_month ym) { return year_month_day{ym.year(), ym.month(), date::day{1}}; };
        for (auto phrase : {"next month", "beginning of next month", "start of next month", "early next month"}) {
            if (Has(i, phrase)) return DateHit{first_of(this_month + months{1}), i + WordCount(phrase), 2};
        }
        if (Has(i, "next year"))
            return DateHit{year_month_day{today_.year() + years{1}, date::January, date::day{1}}, i + 2, 2};
        for (auto phrase : {"end of the month", "end of this month", "end of month", "the end of the month"}) {
            if (Has(i, phrase)) return DateHit{LastDayOfMonth(today_), i + WordCount(phrase), 2};
        }
        if (Has(i, "end of next month")) return DateHit{LastDayOfMonth(first_of(this_month + months{1})), i + 4, 2};
        for (auto phrase : {"end of the week", "end of this week", "end of week"}) {
            if (Has(i, phrase)) {
                // The Friday of this week, or today when that Friday has passed.
                auto friday = AddDays(today_, 4 - static_cast<int>(MondayIndex(today_)));
                if (sys_days{friday} < sys_days{today_}) friday = today_;
                return DateHit{friday, i + WordCount(phrase), 2};
            }
        }
        if (Has(i, "end of next week")) return DateHit{InNextWeek(today_, 5), i + 4, 2};
        if (Has(i, "end of the year") || Has(i, "end of this year")) {
            return DateHit{year_month_day{today_.year(), date::December, date::day{31}}, i + 4, 2};
        }
        if (Has(i, "next weekend")) return DateHit{InNextWeek(today_, 6), i + 2, 2};
        for (auto phrase : {"this weekend", "the weekend", "weekend"}) {
            if (Has(i, phrase)) {
                const auto d = MondayIndex(today_) == 6 ? today_ : OnOrAfter(today_, 6);
                return DateHit{d, i + WordCount(phrase), 2};
            }
        }
        return std::nullopt;
    }

    // "in two weeks", "within three days", "two weeks from now", "a month from today".
    std::optional<DateHit> Offset(std::size_t i) const {
        const bool lead = Is(i, "in") || Is(i, "within");
        std::size_t j = lead ? i + 1 : i;
        int count = 0;
        if (Has(j, "a couple of") || Has(j, "a couple")) {
            count = 2;
            j += Has(j, "a couple of") ? 3 : 2;
        } else if (Has(j, "couple of")) {
            count = 2;
            j += 2;
        } else if (Has(j, "a few")) {
            count = 3;
            j += 2;
        } else if (Is(j, "a") || Is(j, "an")) {
            count = 1;
            j += 1;
        } else if (auto n = lexical::ReadNumber(w_, j);
                   n && !n->year_style && n->value >= 1 && n->value <= 1000 && n->value == std::trunc(n->value)) {
            count = static_cast<int>(n->value);
            j = n->end;
        } else {
            return std::nullopt;
        }
        if (j >= w_.size()) return std::nullopt;
        const auto& unit = w_[j];
        year_month_day base = today_;
        std::size_t end = j + 1;
        if (Has(j + 1, "from now") || Has(j + 1, "from today")) {
            end = j + 3;
        } else if (Is(j + 1, "later")) {
            end = j + 2;
        } else if (Is(j + 1, "from")) {
            // "a week from friday", "two days from tomorrow": counted from another day.
            auto anchor = Relative(j + 2);
            if (!anchor) anchor = Weekday(j + 2);
            if (!anchor) return std::nullopt;
            base = anchor->value;
            end = anchor->end;
        } else if (!lead) {
            return std::nullopt;
        }
        if (unit == "day" || unit == "days") return DateHit{AddDays(base, count), end, 2};
        if (unit == "week" || unit == "weeks") return DateHit{AddDays(base, 7 * count), end, 2};
        if (unit == "month" || unit == "months") return DateHit{AddMonths(base, count), end, 2};
        if (unit == "year" || unit == "years") return DateHit{AddMonths(base, 12 * count), end, 2};
        return std::nullopt;
    }

    // A year said after a date: "twenty twenty seven", "two thousand twenty six", "2027".
    std::optional<std::pair<int, std::size_t>> Year(std::size_t i) const {
        if (Is(i, "of") || Is(i, "in")) ++i;
        auto n = lexical::ReadNumber(w_, i);
        if (!n || n->value != std::trunc(n->value) || n->value < 1900 || n->value >= 2100) return std::nullopt;
        return std::pair{static_cast<int>(n->value), n->end};
    }

    // A day of the month: "third", "the third", "twenty first", "3rd", "twenty one", "3".
    std::optional<lexical::SmallRead> Day(std::size_t i, bool allow_cardinal) const {
        if (Is(i, "the")) ++i;
        if (auto o = lexical::ReadOrdinal(w_, i); o && o->value >= 1 && o->value <= 31) return o;
        if (!allow_cardinal) return std::nullopt;
        if (auto s = lexical::ReadSmall(w_, i); s && s->value >= 1 && s->value <= 31) return s;
        if (i < w_.size()) {
            if (auto d = lexical::ParseDigitToken(w_[i]);
                d && d->suffix.empty() && !d->has_fraction && d->value >= 1 && d->value <= 31) {
                return lexical::SmallRead{static_cast<int>(d->value), i + 1};
            }
        }
        return std::nullopt;
    }

    std::optional<DateHit> Resolve(unsigned month, unsigned day, std::optional<std::pair<int, std::size_t>> year,
                                   std::size_t end) const {
        if (year) {
            const year_month_day d{date::year{year->first}, date::month{month}, date::day{day}};
            if (!d.ok()) return std::nullopt;
            return DateHit{d, year->second, 3};
        }
        auto d = NextMonthDay(today_, month, day);
        if (!d) return std::nullopt;
        return DateHit{*d, end, 3};
    }

    std::optional<DateHit> MonthFirst(std::size_t i) const {
        const std::size_t start = Is(i, "in") || Is(i, "of") ? i + 1 : i;
        if (start >= w_.size()) return std::nullopt;
        auto month = lexical::MonthValue(w_[start]);
        if (!month) return std::nullopt;
        // "march twenty twenty seven": a month and a year is that month's first day.
        if (auto y = Year(start + 1); y && !Day(start + 1, false)) {
            auto day_then_year = Day(start + 1, true);
            if (!day_then_year || !Year(day_then_year->end)) {
                return DateHit{year_month_day{date::year{y->first}, date::month{*month}, date::day{1}}, y->second, 3};
            }
        }
        if (auto day = Day(start + 1, true))
            return Resolve(*month, static_cast<unsigned>(day->value), Year(day->end), day->end);
        // A month alone: "in march", or the month as the whole answer. Its first day, or today
        // when that is the current month.
        if (start > i || w_.size() == 1) {
            if (date::month{*month} == today_.month()) return DateHit{today_, start + 1, 3};
            auto d = NextMonthDay(today_, *month, 1);
            if (!d) return std::nullopt;
            return DateHit{*d, start + 1, 3};
        }
        return std::nullopt;
    }

    // "the third of march", "third march", "the fifteenth", "on the fifteenth".
    std::optional<DateHit> DayFirst(std::size_t i) const {
        const bool article = Is(i, "the");
        auto day = Day(i, false);
        if (!day) return std::nullopt;
        std::size_t j = day->end;
        if (Is(j, "of")) ++j;
        if (j < w_.size()) {
            if (auto month = lexical::MonthValue(w_[j])) {
                return Resolve(*month, static_cast<unsigned>(day->value), Year(j + 1), j + 1);
            }
        }
        // A bare ordinal needs "the" before it, or to be the whole answer ("fifteenth", "on the
        // fifteenth"); "first thing monday" is no date of the month.
        static constexpr std::string_view kNotDays[] = {"week", "weekend", "quarter", "time",  "half",
                                                        "one",  "thing",   "option",  "choice"};
        if (day->end < w_.size() && OneOf(kNotDays, w_[day->end])) return std::nullopt;
        const bool whole = (i == 0 || (i == 1 && w_[0] == "on")) && day->end == w_.size();
        if (!article && !whole) return std::nullopt;
        auto d = NextDayOfMonth(today_, static_cast<unsigned>(day->value));
        if (!d) return std::nullopt;
        return DateHit{*d, day->end, 3};
    }

    std::optional<DateHit> Weekday(std::size_t i) const {
        bool next = false;
        std::size_t j = i;
        if (Is(j, "next")) {
            next = true;
            ++j;
        } else if (Has(j, "this coming")) {
            j += 2;
        } else if (Is(j, "this") || Is(j, "on") || Is(j, "coming")) {
            ++j;
        }
        if (j >= w_.size()) return std::nullopt;
        auto wd = lexical::WeekdayValue(w_[j]);
        if (!wd) return std::nullopt;
        std::size_t end = j + 1;
        if (Has(end, "next week")) {
            next = true;
            end += 2;
        }
        if (Has(end, "after next")) {
            return DateHit{AddDays(InNextWeek(today_, *wd), next ? 0 : 7), end + 2, 1};
        }
        return DateHit{next ? InNextWeek(today_, *wd) : OnOrAfter(today_, *wd), end, 1};
    }

    WordSpan w_;
    year_month_day today_;
};

// ---------------------------------------------------------------------------------------------
// Times

struct TimeHit {
    int minutes = 0;  // since midnight
    bool strong = false;
    std::size_t end = 0;
};

enum class DayPart { kNone, kAm, kPm, kNight };

class TimeReader {
public:
    explicit TimeReader(WordSpan words) : w_(words) {}

    std::optional<TimeHit> At(std::size_t i) const {
        if (Is(i, "noon") || Is(i, "midday")) return TimeHit{12 * 60, true, i + 1};
        if (Is(i, "midnight")) return TimeHit{0, true, i + 1};
        if (auto hit = Relative(i)) return hit;
        return Clock(i);
    }

private:
    bool Is(std::size_t i, std::string_view word) const { return i < w_.size() && w_[i] == word; }
    bool Has(std::size_t i, std::string_view phrase) const { return StartsWith(w_, i, phrase); }

    // An hour 0..23 said as a word or digits.
    std::optional<lexical::SmallRead> Hour(std::size_t i) const {
        if (auto s = lexical::ReadSmall(w_, i); s && s->value >= 1 && s->value <= 23) return s;
        return std::nullopt;
    }

    std::pair<DayPart, std::size_t> Part(std::size_t i) const {
        if (Is(i, "am")) return {DayPart::kAm, i + 1};
        if (Is(i, "pm")) return {DayPart::kPm, i + 1};
        struct Named {
            std::string_view phrase;
            DayPart part;
        };
        static constexpr Named kParts[] = {{"in the morning", DayPart::kAm},     {"this morning", DayPart::kAm},
                                           {"tomorrow morning", DayPart::kAm},   {"morning", DayPart::kAm},
                                           {"in the afternoon", DayPart::kPm},   {"this afternoon", DayPart::kPm},
                                           {"tomorrow afternoon", DayPart::kPm}, {"afternoon", DayPart::kPm},
                                           {"in the evening", DayPart::kPm},     {"this evening", DayPart::kPm},
                                           {"tomorrow evening", DayPart::kPm},   {"evening", DayPart::kPm},
                                           {"tonight", DayPart::kNight},         {"at night", DayPart::kNight},
                                           {"tomorrow night", DayPart::kNight},  {"night", DayPart::kNight}};
        for (const auto& p : kParts) {
            if (Has(i, p.phrase)) return {p.part, i + WordCount(p.phrase)};
        }
        return {DayPart::kNone, i};
    }

    static std::optional<int> To24(int hour, int minute, DayPart part) {
        if (minute < 0 || minute > 59 || hour < 0 || hour > 23) return std::nullopt;
        switch (part) {
            case DayPart::kAm:
                if (hour > 12) return std::nullopt;
                if (hour == 12) hour = 0;
                break;
            case DayPart::kPm:
                if (hour < 12) hour += 12;
                break;
            case DayPart::kNight:
                if (hour == 12) {
                    hour = 0;
                } else if (hour >= 5 && hour < 12) {
                    hour += 12;
                }
                break;
            case DayPart::kNone:
                // Business hours: 1..7 is afternoon or early evening.
                if (hour >= 1 && hour <= 7) hour += 12;
                break;
        }
        return hour * 60 + minute;
    }

    // "half past two", "quarter to five", "ten past three", "twenty five to six".
    std::optional<TimeHit> Relative(std::size_t i) const {
        int offset = 0;
        std::size_t j = i;
        if (Is(j, "half")) {
            offset = 30;
            ++j;
        } else if (Is(j, "quarter") || Has(j, "a quarter")) {
            offset = 15;
            j += Is(j, "a") ? 2 : 1;
        } else if (auto s = lexical::ReadSmall(w_, j); s && (s->value == 5 || s->value == 10 || s->value == 20 ||
                                                             s->value == 25 || Is(s->end, "minutes"))) {
            offset = s->value;
            j = Is(s->end, "minutes") ? s->end + 1 : s->end;
        } else {
            return std::nullopt;
        }
        int sign = 0;
        if (Is(j, "past") || Is(j, "after")) sign = 1;
        if (Is(j, "to") || Is(j, "till") || Is(j, "til") || Is(j, "before") || Is(j, "of")) sign = -1;
        if (sign == 0 || (offset == 30 && sign < 0)) return std::nullopt;
        auto hour = Hour(j + 1);
        if (!hour || hour->value < 1 || hour->value > 12) return std::nullopt;
        auto [part, end] = Part(hour->end);
        auto base = To24(hour->value, 0, part);
        if (!base) return std::nullopt;
        return TimeHit{(*base + sign * offset + 24 * 60) % (24 * 60), true, end};
    }

    // "two", "two thirty pm", "ten oh five", "three o'clock", "fourteen hundred", "2:30", "10am".
    std::optional<TimeHit> Clock(std::size_t i) const {
        if (i >= w_.size()) return std::nullopt;
        int hour = 0;
        int minute = 0;
        bool has_minute = false;
        std::size_t j = i;
        DayPart digit_part = DayPart::kNone;
        if (auto digits = DigitTime(w_[i], hour, minute, has_minute, digit_part)) {
            j = i + 1;
            if (!*digits) return std::nullopt;
        } else if (auto h = Hour(i)) {
            hour = h->value;
            j = h->end;
            if (Is(j, "o'clock") || Is(j, "oclock") || Has(j, "o clock")) {
                has_minute = true;
                j += Is(j, "o") ? 2 : 1;
            } else if (Is(j, "oh") && j + 1 < w_.size() && lexical::UnitValue(w_[j + 1])) {
                minute = *lexical::UnitValue(w_[j + 1]);
                has_minute = true;
                j += 2;
            } else if (Is(j, "hundred") && hour >= 1) {
                has_minute = true;
                ++j;
                if (Is(j, "hours")) ++j;
            } else if (auto m = lexical::ReadSmall(w_, j); m && m->value >= 10) {
                minute = m->value;
                has_minute = true;
                j = m->end;
            }
        } else {
            return std::nullopt;
        }
        // "two weeks", "two thousand", "in two": a count, not a time.
        static constexpr std::string_view kCounted[] = {
            "day",   "days",   "week",    "weeks",   "month",     "months",  "year", "years",
            "hour",  "hours",  "minute",  "minutes", "thousand",  "million", "k",    "dollars",
            "bucks", "people", "percent", "times",   "employees", "of"};
        if (j < w_.size() && OneOf(kCounted, w_[j]) && !(has_minute && w_[j] == "hours")) return std::nullopt;
        if (i > 0 && (w_[i - 1] == "in" || w_[i - 1] == "within" || w_[i - 1] == "for")) return std::nullopt;
        auto [part, end] = Part(j);
        if (digit_part != DayPart::kNone) part = digit_part;
        if (part == DayPart::kNone) end = j;
        auto value = To24(hour, minute, part);
        if (!value) return std::nullopt;
        static constexpr std::string_view kLeads[] = {"at",     "around", "about", "by", "after",
                                                      "before", "until",  "till",  "say"};
        const bool lead = i > 0 && OneOf(kLeads, w_[i - 1]);
        return TimeHit{*value, has_minute || part != DayPart::kNone || lead, end};
    }

    // Digits: "2", "14:30", "2:30pm", "10am". nullopt: not a digit token; false: digits but no time.
    static std::optional<bool> DigitTime(std::string_view w, int& hour, int& minute, bool& has_minute, DayPart& part) {
        if (w.empty() || w.front() < '0' || w.front() > '9') return std::nullopt;
        std::size_t i = 0;
        auto read_int = [&](int& out) {
            std::size_t start = i;
            out = 0;
            while (i < w.size() && w[i] >= '0' && w[i] <= '9' && i - start < 3) out = out * 10 + (w[i++] - '0');
            return i - start;
        };
        if (read_int(hour) > 2) return false;
        if (i < w.size() && w[i] == ':') {
            ++i;
            if (read_int(minute) != 2) return false;
            has_minute = true;
        }
        const auto suffix = w.substr(i);
        if (suffix == "am") {
            part = DayPart::kAm;
        } else if (suffix == "pm") {
            part = DayPart::kPm;
        } else if (!suffix.empty()) {
            return false;
        }
        return true;
    }

    WordSpan w_;
};

// ---------------------------------------------------------------------------------------------
// Options

constexpr double kInf = std::numeric_limits<double>::infinity();

bool SameValue(double a, double b) {
    if (std::isinf(a) || std::isinf(b)) return a == b;
    return std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(a));
}

// What range the answer names: a plain number is a point, "under ten thousand" is (-inf, 10000],
// "ten to fifty thousand" is [10000, 50000].
std::optional<options::Interval> AnswerInterval(WordSpan words, bool drop_trailing_one) {
    auto runs = NumberRuns(words);
    // "the ten to fifty one": "one" after a number names an option, it is not a digit of it.
    if (drop_trailing_one && !runs.empty()) {
        auto& last = runs.back();
        if (last.read.end - last.start >= 2 && words[last.read.end - 1] == "one") {
            auto shorter = std::vector<std::string>(words.begin() + static_cast<long>(last.start),
                                                    words.begin() + static_cast<long>(last.read.end - 1));
            auto r = lexical::ReadNumber(shorter, 0);
            if (!r || r->end != shorter.size()) return std::nullopt;
            r->end += last.start;
            last.read = *r;
        } else {
            return std::nullopt;
        }
    }
    // A lone "one" after "the", "that" or an ordinal is a pronoun ("that one", "the first one").
    std::erase_if(runs, [&](const NumberRun& r) {
        if (r.read.end - r.start != 1 || words[r.start] != "one" || r.start == 0) return false;
        const auto& before = words[r.start - 1];
        return before == "the" || before == "that" || before == "this" || before == "which" || before == "last" ||
               lexical::ReadOrdinal(words, r.start - 1).has_value();
    });
    if (runs.size() == 1) {
        const auto& r = runs[0];
        const double v = r.read.value;
        const std::size_t from = r.start >= 4 ? r.start - 4 : 0;
        const auto before = JoinWords(words.subspan(from, r.start - from));
        const auto after = JoinWords(words.subspan(r.read.end, std::min<std::size_t>(3, words.size() - r.read.end)));
        auto ends_with = [&](std::string_view phrase) {
            return before == phrase || before.ends_with(" " + std::string(phrase)) ||
                   before.find(std::string(phrase) + " ") != std::string::npos;
        };
        auto starts_with = [&](std::string_view phrase) {
            return after == phrase || after.starts_with(std::string(phrase) + " ");
        };
        for (auto p : {"no more than", "not more than", "no greater than", "not over"}) {
            if (ends_with(p)) return options::Interval{-kInf, v};
        }
        for (auto p : {"no less than", "not less than", "no fewer than", "not under"}) {
            if (ends_with(p)) return options::Interval{v, kInf};
        }
        for (auto p : {"under", "below", "less than", "fewer than", "up to", "at most", "lower than", "max", "maximum",
                       "shy of", "not even"}) {
            if (ends_with(p)) return options::Interval{-kInf, v};
        }
        for (auto p : {"over", "above", "more than", "greater than", "at least", "north of", "upwards of",
                       "in excess of", "higher than", "minimum", "beyond", "excess of"}) {
            if (ends_with(p)) return options::Interval{v, kInf};
        }
        for (auto p : {"plus", "or more", "or above", "or over", "and up", "and above", "or higher", "or greater",
                       "and over", "at least", "minimum"}) {
            if (starts_with(p)) return options::Interval{v, kInf};
        }
        for (auto p : {"or less", "or fewer", "or under", "or below", "and under", "and below", "or lower", "at most",
                       "max", "tops"}) {
            if (starts_with(p)) return options::Interval{-kInf, v};
        }
        return options::Interval{v, v};
    }
    if (runs.size() == 2) {
        const auto between = words.subspan(runs[0].read.end, runs[1].start - runs[0].read.end);
        static constexpr std::string_view kLinks[] = {"to", "and", "through", "till", "until", "or", "dash"};
        if (between.size() != 1 || !OneOf(kLinks, between[0])) return std::nullopt;
        double a = runs[0].read.value;
        const double b = runs[1].read.value;
        // "ten to fifty thousand": the second number's scale applies to the first.
        if (runs[0].read.last_scale == 1 && runs[1].read.last_scale > 1 && a * runs[1].read.last_scale <= b) {
            a *= runs[1].read.last_scale;
        }
        return options::Interval{std::min(a, b), std::max(a, b)};
    }
    return std::nullopt;
}

std::optional<std::size_t> PickInterval(const options::Interval& answer,
                                        const std::vector<std::optional<options::Interval>>& ranges) {
    // "ten to fifty" for "10k_50k": a range that equals an option once its implied scale is
    // added is that option, before any option that merely contains the bare numbers.
    if (answer.lo < answer.hi && std::isfinite(answer.lo) && std::isfinite(answer.hi)) {
        for (double scale : {1.0, 1e3, 1e6}) {
            std::optional<std::size_t> equal;
            bool twice = false;
            for (std::size_t i = 0; i < ranges.size(); ++i) {
                if (!ranges[i] || !SameValue(ranges[i]->lo, answer.lo * scale) ||
                    !SameValue(ranges[i]->hi, answer.hi * scale)) {
                    continue;
                }
                twice = twice || equal.has_value();
                equal = i;
            }
            if (equal && !twice) return equal;
        }
    }
    std::vector<std::size_t> containing;
    for (std::size_t i = 0; i < ranges.size(); ++i) {
        if (!ranges[i]) continue;
        const auto& r = *ranges[i];
        const bool lo_ok = r.lo <= answer.lo || SameValue(r.lo, answer.lo);
        const bool hi_ok = answer.hi <= r.hi || SameValue(r.hi, answer.hi);
        if (lo_ok && hi_ok) containing.push_back(i);
    }
    if (containing.size() == 1) return containing[0];
    if (containing.size() > 1 && SameValue(answer.lo, answer.hi)) {
        // A value on a shared bound belongs to the range it starts: 50000 is "50k_100k".
        std::vector<std::size_t> starting;
        for (auto i : containing) {
            if (SameValue(ranges[i]->lo, answer.lo)) starting.push_back(i);
        }
        if (starting.size() == 1) return starting[0];
    }
    return std::nullopt;
}

// A word of the answer, with any number phrase folded into one term holding its value.
struct Term {
    std::string word;
    std::optional<double> number;
};

std::vector<Term> Terms(WordSpan words) {
    std::vector<Term> out;
    for (std::size_t i = 0; i < words.size();) {
        if (auto r = lexical::ReadNumber(words, i)) {
            out.push_back({JoinWords(words.subspan(i, r->end - i)), r->value});
            i = r->end;
        } else {
            out.push_back({words[i], std::nullopt});
            ++i;
        }
    }
    return out;
}

bool SameWord(std::string_view a, std::string_view b) {
    if (a == b) return true;
    auto plural = [](std::string_view one, std::string_view many) {
        if (one.size() < 3) return false;
        if (many.size() == one.size() + 1) return many.starts_with(one) && many.back() == 's';
        if (many.size() == one.size() + 2) return many.starts_with(one) && many.ends_with("es");
        return false;
    };
    return plural(a, b) || plural(b, a);
}

// How many answer terms starting at `at` stand for the option term: one, two ("e mail" for
// "email"), or none.
std::size_t MatchTerm(const Term& option_term, const std::vector<Term>& answer, std::size_t at) {
    if (at >= answer.size()) return 0;
    const auto& a = answer[at];
    if (option_term.number || a.number) {
        return option_term.number && a.number && SameValue(*option_term.number, *a.number) ? 1 : 0;
    }
    if (SameWord(option_term.word, a.word)) return 1;
    if (at + 1 < answer.size() && !answer[at + 1].number && SameWord(option_term.word, a.word + answer[at + 1].word)) {
        return 2;
    }
    return 0;
}

struct WordHit {
    std::size_t option = 0;
    std::size_t start = 0;
    std::size_t end = 0;
    std::size_t terms = 0;
};

// The option's terms in order in the answer, at most one stray word between two of them.
std::optional<WordHit> MatchForm(const std::vector<Term>& form, const std::vector<Term>& answer, std::size_t start) {
    if (form.empty()) return std::nullopt;
    std::size_t used = MatchTerm(form[0], answer, start);
    if (used == 0) return std::nullopt;
    std::size_t pos = start + used;
    for (std::size_t k = 1; k < form.size(); ++k) {
        std::size_t n = MatchTerm(form[k], answer, pos);
        if (n == 0) {
            n = MatchTerm(form[k], answer, pos + 1);
            if (n == 0) return std::nullopt;
            ++pos;
        }
        pos += n;
    }
    return WordHit{0, start, pos, form.size()};
}

// "not email", "i don't use email": the option is named only to be ruled out. A bare "no" before
// it is not counted: "no, email" answers with email.
bool NegatedAt(const std::vector<Term>& answer, std::size_t start) {
    static constexpr std::string_view kNegations[] = {"not",     "don't",  "never",  "doesn't", "isn't",
                                                      "without", "except", "didn't", "nothing"};
    static constexpr std::string_view kBridges[] = {"really", "use", "want",    "like", "prefer", "have", "do",
                                                    "by",     "via", "through", "an",   "a",      "the"};
    if (start >= 1 && OneOf(kNegations, answer[start - 1].word)) return true;
    return start >= 2 && OneOf(kBridges, answer[start - 1].word) && OneOf(kNegations, answer[start - 2].word);
}

// "the second one", "option three", "the last one".
std::optional<std::size_t> PickByPosition(WordSpan words, std::size_t count) {
    auto names_a_choice = [&](std::size_t j) {
        return j < words.size() && (words[j] == "one" || words[j] == "option" || words[j] == "choice");
    };
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (words[i] == "last" && names_a_choice(i + 1)) return count - 1;
        if (auto o = lexical::ReadOrdinal(words, i); o && names_a_choice(o->end)) {
            if (o->value < 1 || static_cast<std::size_t>(o->value) > count) return std::nullopt;
            return static_cast<std::size_t>(o->value - 1);
        }
        if ((words[i] == "option" || words[i] == "choice" || words[i] == "number") && i + 1 < words.size()) {
            if (auto s = lexical::ReadSmall(words, i + 1);
                s && s->value >= 1 && static_cast<std::size_t>(s->value) <= count) {
                return static_cast<std::size_t>(s->value - 1);
            }
        }
    }
    return std::nullopt;
}

std::optional<std::size_t> PickByWords(const std::vector<Term>& answer, std::span<const std::string> ids,
                                       const std::vector<bool>& eligible) {
    std::vector<WordHit> hits;
    for (std::size_t o = 0; o < ids.size(); ++o) {
        if (!eligible[o]) continue;
        for (const auto& spoken : options::SpokenForms(ids[o])) {
            const auto form = Terms(lexical::Tokenize(spoken));
            for (std::size_t s = 0; s < answer.size(); ++s) {
                auto hit = MatchForm(form, answer, s);
                if (!hit || NegatedAt(answer, s)) continue;
                hit->option = o;
                hits.push_back(*hit);
            }
        }
    }
    // A match inside a longer match of another option does not count: "very satisfied" is not
    // also "satisfied".
    std::vector<std::size_t> chosen;
    for (const auto& h : hits) {
        const bool covered = std::any_of(hits.begin(), hits.end(), [&](const WordHit& other) {
            return other.option != h.option && other.start <= h.start && h.end <= other.end && other.terms > h.terms;
        });
        if (!covered && std::find(chosen.begin(), chosen.end(), h.option) == chosen.end()) chosen.push_back(h.option);
    }
    if (chosen.size() == 1) return chosen[0];
    return std::nullopt;
}

std::optional<std::size_t> PickByYesNo(std::string_view text, std::span<const std::string> ids) {
    auto yes_no = ParseYesNo(text);
    if (!yes_no) return std::nullopt;
    std::optional<std::size_t> found;
    for (std::size_t o = 0; o < ids.size(); ++o) {
        const auto parts = options::IdParts(ids[o]);
        if (parts.size() != 1) continue;
        const bool is_yes = parts[0] == "yes" || parts[0] == "true" || parts[0] == "y";
        const bool is_no = parts[0] == "no" || parts[0] == "false" || parts[0] == "n";
        if ((*yes_no && is_yes) || (!*yes_no && is_no)) {
            if (found) return std::nullopt;
            found = o;
        }
    }
    return found;
}

}  // namespace

std::optional<bool> ParseYesNo(std::string_view text) {
    const auto words = lexical::ExpandContractions(lexical::Tokenize(text));
    // "uh huh" is a yes although "uh" alone is a hesitation: match phrases before dropping fillers.
    std::vector<bool> used(words.size(), false);
    bool yes = false;
    bool no = false;
    bool unsure = false;
    for (const auto& phrase : PolarPhrasesLongestFirst()) {
        const auto n = WordCount(phrase.words);
        for (std::size_t i = 0; i + n <= words.size(); ++i) {
            if (!StartsWith(words, i, phrase.words)) continue;
            if (std::any_of(used.begin() + static_cast<long>(i), used.begin() + static_cast<long>(i + n),
                            [](bool u) { return u; })) {
                continue;
            }
            std::fill(used.begin() + static_cast<long>(i), used.begin() + static_cast<long>(i + n), true);
            yes = yes || phrase.polarity == Polarity::kYes;
            no = no || phrase.polarity == Polarity::kNo;
            unsure = unsure || phrase.polarity == Polarity::kUnsure;
        }
    }
    if (unsure) return std::nullopt;
    if (no) return false;
    if (yes) return true;
    std::vector<std::string> content;
    for (const auto& w : words) {
        if (!lexical::IsFiller(w)) content.push_back(w);
    }
    const auto whole = JoinWords(content);
    if (OneOf(kWholeYes, whole)) return true;
    return std::nullopt;
}

std::optional<double> ParseNumber(std::string_view text) {
    const auto words = lexical::Tokens(text);
    const auto runs = NumberRuns(words);
    if (runs.size() != 1) return std::nullopt;
    return runs[0].read.value;
}

std::optional<std::string> ParseDate(std::string_view text, date::year_month_day today) {
    if (!today.ok()) return std::nullopt;
    const auto words = lexical::Tokens(text);
    const DateReader reader(words, today);
    std::vector<DateHit> hits;
    for (std::size_t i = 0; i < words.size();) {
        auto hit = reader.At(i);
        if (!hit) {
            ++i;
            continue;
        }
        const bool negated = (i >= 1 && words[i - 1] == "not") ||
                             (i >= 2 && words[i - 2] == "not" &&
                              (words[i - 1] == "on" || words[i - 1] == "this" || words[i - 1] == "the"));
        if (!negated) hits.push_back(*hit);
        i = std::max(hit->end, i + 1);
    }
    if (hits.empty()) return std::nullopt;
    int best = 0;
    for (const auto& h : hits) best = std::max(best, h.priority);
    std::optional<year_month_day> value;
    for (const auto& h : hits) {
        if (h.priority != best) continue;
        if (value && *value != h.value) return std::nullopt;
        value = h.value;
    }
    return Iso(*value);
}

std::optional<std::string> ParseTimeOfDay(std::string_view text) {
    auto words = lexical::Tokens(text);
    // Recognizers spell "a.m." as two letters.
    for (std::size_t i = 0; i + 1 < words.size(); ++i) {
        if ((words[i] == "a" || words[i] == "p") && words[i + 1] == "m") {
            words[i] += 'm';
            words.erase(words.begin() + static_cast<long>(i + 1));
        }
    }
    const TimeReader reader(words);
    std::vector<TimeHit> hits;
    for (std::size_t i = 0; i < words.size();) {
        if (auto hit = reader.At(i)) {
            hits.push_back(*hit);
            i = std::max(hit->end, i + 1);
        } else if (auto n = lexical::ReadNumber(words, i)) {
            i = n->end;  // a number that is no time: skip it whole, not word by word
        } else {
            ++i;
        }
    }
    const bool any_strong = std::any_of(hits.begin(), hits.end(), [](const TimeHit& h) { return h.strong; });
    std::optional<int> value;
    for (const auto& h : hits) {
        if (any_strong && !h.strong) continue;
        if (value && *value != h.minutes) return std::nullopt;
        value = h.minutes;
    }
    if (!value) return std::nullopt;
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "%02d:%02d", *value / 60 % 24, *value % 60);
    return std::string(buffer);
}

std::optional<std::string> MatchOption(std::string_view text, std::span<const std::string> ids) {
    if (ids.empty()) return std::nullopt;
    const auto words = lexical::Tokens(text);
    if (words.empty()) return std::nullopt;
    if (auto i = PickByPosition(words, ids.size())) return ids[*i];

    std::vector<std::optional<options::Interval>> ranges;
    std::size_t range_count = 0;
    for (const auto& id : ids) {
        ranges.push_back(options::AsInterval(id));
        if (ranges.back()) ++range_count;
    }
    const bool range_mode = range_count >= 2;
    std::optional<std::size_t> by_range;
    if (range_mode) {
        if (auto answer = AnswerInterval(words, false)) by_range = PickInterval(*answer, ranges);
        if (!by_range) {
            if (auto answer = AnswerInterval(words, true)) by_range = PickInterval(*answer, ranges);
        }
    }
    std::vector<bool> eligible(ids.size(), true);
    if (range_mode) {
        for (std::size_t i = 0; i < ids.size(); ++i) eligible[i] = !ranges[i].has_value();
    }
    auto by_words = PickByWords(Terms(words), ids, eligible);
    if (!by_words && !by_range) by_words = PickByYesNo(text, ids);
    if (by_range && by_words && *by_range != *by_words) return std::nullopt;
    if (by_range) return ids[*by_range];
    if (by_words) return ids[*by_words];
    return std::nullopt;
}

ParsedValue ParseAnswer(std::string_view text, const Expectation& expectation, date::year_month_day today) {
    ParsedValue out;
    switch (expectation.kind) {
        case AnswerKind::kYesNo:
            if (auto v = ParseYesNo(text)) out = {true, *v};
            break;
        case AnswerKind::kNumber:
            if (auto v = ParseNumber(text)) {
                const bool whole = *v == std::trunc(*v) && std::fabs(*v) < 9e15;
                out = {true, whole ? nlohmann::ordered_json(static_cast<long long>(*v)) : nlohmann::ordered_json(*v)};
            }
            break;
        case AnswerKind::kDate:
            if (auto v = ParseDate(text, today)) out = {true, *v};
            break;
        case AnswerKind::kTime:
            if (auto v = ParseTimeOfDay(text)) out = {true, *v};
            break;
        case AnswerKind::kEnum:
            if (auto v = MatchOption(text, expectation.options)) out = {true, *v};
            break;
        case AnswerKind::kText:
            if (const auto trimmed = Trim(text); !trimmed.empty()) out = {true, std::string(trimmed)};
            break;
    }
    return out;
}

}  // namespace parley::voice
