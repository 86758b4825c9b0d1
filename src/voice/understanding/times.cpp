// Times of day in an answer (ParseTimeOfDay, answers.hpp): "two thirty in the afternoon", "noon".

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

}  // namespace

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

}  // namespace parley::voice
