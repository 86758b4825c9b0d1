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

using lexical::OneOf;
using lexical::StartsWith;
using lexical::WordCount;
using lexical::WordSpan;

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
