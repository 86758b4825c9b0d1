#include "voice/engines/word_errors.hpp"

#include <gtest/gtest.h>

namespace parley::voice {
namespace {

TEST(TranscriptWords, SplitsOnAnyRunOfWhitespace) {
    EXPECT_EQ(TranscriptWords("  yes\tplease \n thanks "), (std::vector<std::string>{"yes", "please", "thanks"}));
    EXPECT_TRUE(TranscriptWords("").empty());
    EXPECT_TRUE(TranscriptWords(" \t ").empty());
}

TEST(WordErrors, CountsSubstitutionsDeletionsAndInsertions) {
    EXPECT_EQ(WordErrors("thursday at two pm", "thursday at two pm"), 0);
    EXPECT_EQ(WordErrors("thursday at two pm", "tuesday at two pm"), 1);      // substitution
    EXPECT_EQ(WordErrors("thursday at two pm", "thursday two pm"), 1);        // deletion
    EXPECT_EQ(WordErrors("thursday at two pm", "uh thursday at two pm"), 1);  // insertion
    EXPECT_EQ(WordErrors("yes sure go ahead", "sure go ahead yes"), 2);       // a move is two edits
    EXPECT_EQ(WordErrors("no thanks", ""), 2);
    EXPECT_EQ(WordErrors("", "no thanks"), 2);
    EXPECT_EQ(WordErrors("", ""), 0);
}

TEST(WordErrors, ComparesWholeWordsExactly) {
    EXPECT_EQ(WordErrors("fifty thousand", "fifteen thousand"), 1);
    EXPECT_EQ(WordErrors("Yes", "yes"), 1);  // callers normalize first
    EXPECT_EQ(WordErrors("two  hundred", "two hundred"), 0);
}

}  // namespace
}  // namespace parley::voice
