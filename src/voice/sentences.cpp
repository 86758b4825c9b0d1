#include "voice/sentences.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "common/text.hpp"

namespace parley::voice {
namespace {

constexpr std::array<std::string_view, 16> kTitles = {"mr", "mrs", "ms",  "dr",  "st",  "jr",     "sr",   "vs",
                                                      "no", "co",  "inc", "ltd", "etc", "approx", "dept", "prof"};

bool IsSpace(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

// Whether the period at `at` ends an abbreviation rather than a sentence.
bool Abbreviation(std::string_view text, size_t at) {
    size_t start = at;
    while (start > 0 && !IsSpace(text[start - 1])) --start;
    std::string_view word = text.substr(start, at - start);
    while (!word.empty() && (word.front() == '(' || word.front() == '"' || word.front() == '\'')) word.remove_prefix(1);
    if (word.size() == 1 && std::isalpha(static_cast<unsigned char>(word[0]))) return true;
    if (word.find('.') != std::string_view::npos) return true;
    const std::string lower = ToLower(word);
    return std::find(kTitles.begin(), kTitles.end(), lower) != kTitles.end();
}

bool Closer(char c) {
    return c == '"' || c == '\'' || c == ')' || c == ']';
}

}  // namespace

std::vector<std::string> SentenceSplitter::Add(std::string_view piece) {
    pending_ += piece;
    std::vector<std::string> out;
    size_t start = 0;
    size_t i = scanned_;
    for (; i < pending_.size(); ++i) {
        const char c = pending_[i];
        if (c != '.' && c != '!' && c != '?') continue;
        size_t end = i + 1;
        while (end < pending_.size() && (Closer(pending_[end]) || pending_[end] == c)) ++end;
        if (end == pending_.size()) break;  // what follows decides: wait for it
        if (!IsSpace(pending_[end]) || (c == '.' && Abbreviation(pending_, i))) {
            i = end - 1;
            continue;
        }
        const std::string_view sentence = Trim(std::string_view(pending_).substr(start, end - start));
        if (!sentence.empty()) out.emplace_back(sentence);
        start = end;
        i = end - 1;
    }
    pending_.erase(0, start);
    scanned_ = i - start;
    return out;
}

std::string SentenceSplitter::Finish() {
    std::string rest(Trim(pending_));
    pending_.clear();
    scanned_ = 0;
    return rest;
}

std::vector<std::string> SplitSentences(std::string_view text) {
    SentenceSplitter splitter;
    auto out = splitter.Add(text);
    if (auto rest = splitter.Finish(); !rest.empty()) out.push_back(std::move(rest));
    return out;
}

}  // namespace parley::voice
