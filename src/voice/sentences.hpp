#pragma once

// The sentences of what the agent says, so each can be spoken as soon as it is known: the first
// sentence plays while the rest is still being written by a chat model or synthesized.

#include <string>
#include <string_view>
#include <vector>

namespace parley::voice {

// Cuts text that arrives in pieces into sentences. A sentence ends at '.', '!' or '?' (and any
// closing quotes or brackets) followed by white space; a period after a single letter, a word
// with a period inside ("a.m.", "e.g.") or a title such as "Mr" or "Dr" ends none.
class SentenceSplitter {
public:
    // Takes the next piece; returns the sentences it completed, trimmed, in order.
    std::vector<std::string> Add(std::string_view piece);
    // The text after the last complete sentence, trimmed (empty when none); the splitter is then
    // empty again.
    std::string Finish();

private:
    std::string pending_;
    size_t scanned_ = 0;  // pending_[0, scanned_) holds no sentence end
};

// Every sentence of a whole text, trimmed; empty pieces are left out.
std::vector<std::string> SplitSentences(std::string_view text);

}  // namespace parley::voice
