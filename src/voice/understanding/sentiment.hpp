#pragma once

// How the callee felt over a call, from what they said. A small lexicon with negation ("not bad"
// leans positive, "not happy" negative) and intensifiers ("very", "really").

#include <span>
#include <string>
#include <string_view>

namespace parley::voice {

enum class Sentiment { kPositive, kNeutral, kNegative };

struct SentimentScore {
    Sentiment label = Sentiment::kNeutral;
    double score = 0;  // -1 (hostile) .. 1 (delighted); 0 when nothing was said
};

// Labels: score >= 0.15 positive, <= -0.15 negative, neutral between.
SentimentScore ScoreSentiment(std::span<const std::string> callee_utterances);

std::string_view SentimentName(Sentiment sentiment);

}  // namespace parley::voice
