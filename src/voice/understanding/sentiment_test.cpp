#include "voice/understanding/sentiment.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace parley::voice {
namespace {

SentimentScore Score(std::vector<std::string> utterances) {
    return ScoreSentiment(utterances);
}

TEST(ScoreSentiment, LabelsFriendlyHostileAndFlatCalls) {
    EXPECT_EQ(Score({"yes that sounds great", "thank you so much"}).label, Sentiment::kPositive);
    EXPECT_EQ(Score({"this is a scam", "stop calling me"}).label, Sentiment::kNegative);
    EXPECT_EQ(Score({"fifty thousand", "next tuesday", "email"}).label, Sentiment::kNeutral);
}

TEST(ScoreSentiment, NegationFlipsTheWordAfterIt) {
    EXPECT_EQ(Score({"not bad"}).label, Sentiment::kPositive);
    EXPECT_EQ(Score({"i'm not happy"}).label, Sentiment::kNegative);
    EXPECT_EQ(Score({"i am not very happy with this"}).label, Sentiment::kNegative);
    EXPECT_LT(Score({"not good"}).score, 0);
    EXPECT_GT(Score({"good"}).score, 0);
}

TEST(ScoreSentiment, IntensifiersStrengthen) {
    EXPECT_GT(Score({"really good"}).score, Score({"good"}).score);
    EXPECT_LT(Score({"very bad"}).score, Score({"bad"}).score);
}

TEST(ScoreSentiment, ScoreStaysWithinMinusOneAndOne) {
    const auto hostile = Score(std::vector<std::string>(50, "you are terrible stop calling this is a scam"));
    const auto happy = Score(std::vector<std::string>(50, "great wonderful thank you"));
    EXPECT_GT(hostile.score, -1.0);
    EXPECT_LT(happy.score, 1.0);
    EXPECT_LT(hostile.score, -0.9);
    EXPECT_GT(happy.score, 0.9);
}

TEST(ScoreSentiment, NothingSaidIsNeutralZero) {
    const auto s = Score({});
    EXPECT_EQ(s.label, Sentiment::kNeutral);
    EXPECT_EQ(s.score, 0);
    EXPECT_EQ(SentimentName(s.label), "neutral");
}

}  // namespace
}  // namespace parley::voice
