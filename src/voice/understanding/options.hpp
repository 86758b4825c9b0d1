#pragma once

// How enum option ids read as words and as numeric ranges. Shared by MatchOption (understanding
// an answer) and the grammar builder (what a callee may say). Internal to parley_understanding.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::voice::options {

// A closed interval; an open end is +-infinity. "under_10k" is [-inf, 10000], "10k_50k" is
// [10000, 50000], "100k_plus" is [100000, inf], "5" is [5, 5].
struct Interval {
    double lo = 0;
    double hi = 0;
};

// The lower-case parts of an id: "10k_50k" -> {"10k", "50k"}, "SmallBusiness" -> {"small",
// "business"}, "q3_2025" -> {"q", "3", "2025"}, "100k+" -> {"100k", "plus"}.
std::vector<std::string> IdParts(std::string_view id);

// The numeric range an id names, when it names one.
std::optional<Interval> AsInterval(std::string_view id);

// Ways to say an option, as space-separated words; the first is how the agent says it. Numbers
// are spelled out ("ten to fifty thousand", "q three twenty twenty five"). Never empty for an id
// with at least one letter or digit.
std::vector<std::string> SpokenForms(std::string_view id);

}  // namespace parley::voice::options
