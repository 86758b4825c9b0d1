#include "voice/sentences.hpp"

#include <gtest/gtest.h>

namespace parley::voice {
namespace {

using Sentences = std::vector<std::string>;

TEST(SplitSentences, CutsAtTheEndOfEachSentence) {
    EXPECT_EQ(SplitSentences("Great, thank you. What is your budget range?"),
              (Sentences{"Great, thank you.", "What is your budget range?"}));
    EXPECT_EQ(SplitSentences("  Which works better for you?  Another weekday time is fine too.  "),
              (Sentences{"Which works better for you?", "Another weekday time is fine too."}));
    EXPECT_EQ(SplitSentences("Wow!! Really?! \"Yes.\" (Sure.) Done"),
              (Sentences{"Wow!!", "Really?!", "\"Yes.\"", "(Sure.)", "Done"}));
    EXPECT_EQ(SplitSentences("One.\nTwo."), (Sentences{"One.", "Two."}));
    EXPECT_TRUE(SplitSentences("").empty());
    EXPECT_TRUE(SplitSentences("   ").empty());
}

TEST(SplitSentences, AbbreviationsAndNumbersEndNoSentence) {
    EXPECT_EQ(SplitSentences("Dr. Smith will call at 10 a.m. tomorrow. Is that fine?"),
              (Sentences{"Dr. Smith will call at 10 a.m. tomorrow.", "Is that fine?"}));
    EXPECT_EQ(SplitSentences("The price is 2.5 thousand. J. Doe and Mrs. Lee agree."),
              (Sentences{"The price is 2.5 thousand.", "J. Doe and Mrs. Lee agree."}));
    EXPECT_EQ(SplitSentences("Our site is parley.example.com, e.g. for docs."),
              (Sentences{"Our site is parley.example.com, e.g. for docs."}));
}

TEST(SentenceSplitter, GivesEachSentenceAsSoonAsItIsKnownWhateverThePieces) {
    const std::string text = "Sure. Let me check the calendar! I have Monday at 10 a.m. or Tuesday. Which one?";
    const Sentences whole = SplitSentences(text);
    ASSERT_EQ(whole.size(), 4u);
    for (size_t piece = 1; piece <= text.size(); ++piece) {
        SentenceSplitter splitter;
        Sentences got;
        for (size_t at = 0; at < text.size(); at += piece) {
            for (auto& s : splitter.Add(text.substr(at, piece))) got.push_back(std::move(s));
        }
        if (auto rest = splitter.Finish(); !rest.empty()) got.push_back(rest);
        EXPECT_EQ(got, whole) << "pieces of " << piece;
    }
}

TEST(SentenceSplitter, WaitsForWhatFollowsAPeriod) {
    SentenceSplitter splitter;
    EXPECT_TRUE(splitter.Add("It costs 2.").empty());  // "2.5" or the end of a sentence?
    EXPECT_TRUE(splitter.Add("5 thousand").empty());
    EXPECT_EQ(splitter.Add(". And").front(), "It costs 2.5 thousand.");
    EXPECT_EQ(splitter.Finish(), "And");
    EXPECT_EQ(splitter.Finish(), "");
    EXPECT_EQ(splitter.Add("Again. ").front(), "Again.");  // usable after Finish
}

}  // namespace
}  // namespace parley::voice
