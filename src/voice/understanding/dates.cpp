// Dates in an answer (ParseDate, answers.hpp): "next tuesday", "march third", "in two weeks".

#include <algorithm>
#include <cstdio>

#include "voice/understanding/answers.hpp"
#include "voice/understanding/lexical.hpp"

namespace parley::voice {
namespace {

using lexical::OneOf;
using lexical::StartsWith;
using lexical::WordCount;
using lexical::WordSpan;

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

}  // namespace

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

}  // namespace parley::voice
