#pragma once

// Word error counting for recognition-accuracy measurements (tests and the engines probe).

#include <string>
#include <string_view>
#include <vector>

namespace parley::voice {

// The whitespace-separated words of a transcript, in order.
std::vector<std::string> TranscriptWords(std::string_view text);

// Word errors of `hypothesis` against `reference`: the fewest substitutions, deletions and
// insertions of whole words that turn one into the other (the numerator of the word error rate).
// Words are compared exactly, so both should be normalized the same way (NormalizeTranscript).
int WordErrors(std::string_view reference, std::string_view hypothesis);

}  // namespace parley::voice
