#include "voice/engines/word_errors.hpp"

#include <algorithm>
#include <numeric>

namespace parley::voice {

std::vector<std::string> TranscriptWords(std::string_view text) {
    std::vector<std::string> out;
    size_t at = 0;
    while (at < text.size()) {
        const size_t start = text.find_first_not_of(" \t\r\n", at);
        if (start == std::string_view::npos) break;
        const size_t end = std::min(text.find_first_of(" \t\r\n", start), text.size());
        out.emplace_back(text.substr(start, end - start));
        at = end;
    }
    return out;
}

int WordErrors(std::string_view reference, std::string_view hypothesis) {
    const auto r = TranscriptWords(reference);
    const auto h = TranscriptWords(hypothesis);
    // One row of the edit-distance table at a time: row[j] = distance(r[0..i), h[0..j)).
    std::vector<int> row(h.size() + 1);
    std::iota(row.begin(), row.end(), 0);
    for (size_t i = 1; i <= r.size(); ++i) {
        int diagonal = row[0];
        row[0] = static_cast<int>(i);
        for (size_t j = 1; j <= h.size(); ++j) {
            const int above = row[j];
            row[j] = std::min({above + 1, row[j - 1] + 1, diagonal + (r[i - 1] == h[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[h.size()];
}

}  // namespace parley::voice
