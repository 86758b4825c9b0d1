#include "voice/understanding/sentiment.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <vector>

#include "voice/understanding/lexical.hpp"

namespace parley::voice {
namespace {

using lexical::OneOf;

struct Weighted {
    std::string_view words;  // after ExpandContractions
    double weight;
};

// Phrases come before their words so "not interested" or "no thank you" are read whole.
constexpr Weighted kLexicon[] = {
    {"stop calling", -2.5},
    {"leave me alone", -2.5},
    {"waste of time", -2},
    {"go away", -2},
    {"shut up", -2.5},
    {"not interested", -1},
    {"do not call", -1.5},
    {"take me off", -1.5},
    {"no thank you", 0.2},
    {"no thanks", 0},
    {"thank you", 1},
    {"sounds good", 1.5},
    {"sounds great", 2},
    {"of course", 0.5},
    {"my pleasure", 1.5},
    {"not bad", 0.75},
    {"good", 1},
    {"great", 2},
    {"excellent", 2},
    {"awesome", 2},
    {"amazing", 2},
    {"wonderful", 2},
    {"fantastic", 2},
    {"perfect", 2},
    {"nice", 1},
    {"love", 2},
    {"lovely", 1.5},
    {"happy", 1.5},
    {"glad", 1.5},
    {"pleased", 1.5},
    {"thanks", 1},
    {"appreciate", 1.5},
    {"helpful", 1.5},
    {"interested", 1},
    {"interesting", 1},
    {"excited", 1.5},
    {"cool", 1},
    {"enjoy", 1.5},
    {"satisfied", 1},
    {"brilliant", 2},
    {"pleasure", 1},
    {"absolutely", 0.5},
    {"definitely", 0.5},
    {"sure", 0.3},
    {"fine", 0.3},
    {"fair", 0.5},
    {"useful", 1},
    {"works", 0.5},
    {"bad", -1.5},
    {"terrible", -2.5},
    {"awful", -2.5},
    {"horrible", -2.5},
    {"hate", -2.5},
    {"annoying", -2},
    {"annoyed", -2},
    {"angry", -2},
    {"upset", -1.5},
    {"frustrated", -1.5},
    {"frustrating", -1.5},
    {"stupid", -2},
    {"ridiculous", -2},
    {"scam", -2.5},
    {"spam", -2},
    {"waste", -1.5},
    {"useless", -2},
    {"worst", -2.5},
    {"worse", -1.5},
    {"poor", -1},
    {"disappointed", -1.5},
    {"unhappy", -1.5},
    {"sad", -1},
    {"rude", -2},
    {"bother", -1},
    {"bothering", -1.5},
    {"harass", -2.5},
    {"harassing", -2.5},
    {"harassment", -2.5},
    {"sue", -2},
    {"lawsuit", -2},
    {"complaint", -1},
    {"damn", -1.5},
    {"hell", -1},
    {"crap", -1.5},
    {"problem", -0.5},
    {"expensive", -0.5},
    {"confused", -0.5},
    {"wrong", -0.5},
    {"unfortunately", -0.5},
};

constexpr std::string_view kNegators[] = {"not", "never", "no", "hardly", "barely", "without", "nothing"};
constexpr std::string_view kIntensifiers[] = {"very", "really", "so", "extremely", "super", "incredibly", "totally"};

// How far a negation or an intensifier reaches, in words.
constexpr int kNegationReach = 3;
constexpr int kIntensifierReach = 2;
constexpr double kIntensifierBoost = 1.5;
// A negated positive word turns negative at this share of its weight; a negated negative word
// turns mildly positive ("not bad").
constexpr double kNegatedPositive = -0.8;
constexpr double kNegatedNegative = -0.5;
// score = raw / sqrt(raw^2 + kNormalization): bounded, and one "good" lands near 0.25.
constexpr double kNormalization = 15;
constexpr double kLabelThreshold = 0.15;

const std::vector<Weighted>& LexiconLongestFirst() {
    static const std::vector<Weighted> sorted = [] {
        std::vector<Weighted> v(std::begin(kLexicon), std::end(kLexicon));
        auto count = [](std::string_view s) { return std::count(s.begin(), s.end(), ' '); };
        std::stable_sort(v.begin(), v.end(),
                         [&](const Weighted& a, const Weighted& b) { return count(a.words) > count(b.words); });
        return v;
    }();
    return sorted;
}

double ScoreUtterance(std::string_view utterance) {
    const auto words = lexical::ExpandContractions(lexical::Tokens(utterance));
    double raw = 0;
    int negation = 0;
    int intensity = 0;
    for (std::size_t i = 0; i < words.size();) {
        const Weighted* hit = nullptr;
        for (const auto& entry : LexiconLongestFirst()) {
            if (lexical::StartsWith(words, i, entry.words)) {
                hit = &entry;
                break;
            }
        }
        if (hit != nullptr) {
            double w = hit->weight;
            if (intensity > 0) w *= kIntensifierBoost;
            if (negation > 0) w *= w > 0 ? kNegatedPositive : kNegatedNegative;
            raw += w;
            negation = 0;
            intensity = 0;
            i += static_cast<std::size_t>(std::count(hit->words.begin(), hit->words.end(), ' ')) + 1;
            continue;
        }
        if (OneOf(kNegators, words[i])) {
            negation = kNegationReach + 1;
        } else if (OneOf(kIntensifiers, words[i])) {
            intensity = kIntensifierReach + 1;
        }
        negation = std::max(0, negation - 1);
        intensity = std::max(0, intensity - 1);
        ++i;
    }
    return raw;
}

}  // namespace

SentimentScore ScoreSentiment(std::span<const std::string> callee_utterances) {
    double raw = 0;
    for (const auto& u : callee_utterances) raw += ScoreUtterance(u);
    const double score = raw / std::sqrt(raw * raw + kNormalization);
    Sentiment label = Sentiment::kNeutral;
    if (score >= kLabelThreshold) label = Sentiment::kPositive;
    if (score <= -kLabelThreshold) label = Sentiment::kNegative;
    return {label, score};
}

std::string_view SentimentName(Sentiment sentiment) {
    switch (sentiment) {
        case Sentiment::kPositive: return "positive";
        case Sentiment::kNeutral: return "neutral";
        case Sentiment::kNegative: return "negative";
    }
    return "neutral";
}

}  // namespace parley::voice
