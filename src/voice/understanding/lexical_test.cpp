#include "voice/understanding/lexical.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace parley::voice::lexical {
namespace {

TEST(Tokenize, LowerCasesAndSplitsLikeARecognizerWouldSpeak) {
    EXPECT_EQ(Tokenize("Yes, I'm sure."), (Words{"yes", "i'm", "sure"}));
    EXPECT_EQ(Tokenize("$50,000 or 1.5m"), (Words{"50000", "or", "1.5m"}));
    EXPECT_EQ(Tokenize("ten a.m. at 2:30pm"), (Words{"ten", "am", "at", "2:30pm"}));
    EXPECT_EQ(Tokenize("twenty-five 100k+"), (Words{"twenty", "five", "100k", "plus"}));
    EXPECT_EQ(Tokenize("<sil> yes [noise] no"), (Words{"yes", "no"}));
    EXPECT_EQ(Tokenize("don\xE2\x80\x99t"), (Words{"don't"}));
    EXPECT_EQ(Tokenize("  "), Words{});
}

TEST(Tokens, DropsHesitations) {
    EXPECT_EQ(Tokens("uh um well yes"), (Words{"well", "yes"}));
}

TEST(ExpandContractions, SpellsOutTheLongForm) {
    EXPECT_EQ(
        ExpandContractions(Words{"i'm", "not", "sure", "that's", "it", "can't", "won't", "don't", "john's"}),
        (Words{"i", "am", "not", "sure", "that", "is", "it", "can", "not", "will", "not", "do", "not", "john's"}));
}

TEST(ReadNumber, StopsWhereTheNumberEnds) {
    const Words words = {"fifty", "thousand", "and", "then", "some"};
    auto r = ReadNumber(words, 0);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->value, 50000);
    EXPECT_EQ(r->end, 2u);
    EXPECT_EQ(r->last_scale, 1000);
    EXPECT_FALSE(ReadNumber(words, 3));
}

TEST(NumberWords, SpellsNumbersOut) {
    EXPECT_EQ(CardinalWords(0), "zero");
    EXPECT_EQ(CardinalWords(120), "one hundred twenty");
    EXPECT_EQ(CardinalWords(1'250'000), "one million two hundred fifty thousand");
    EXPECT_EQ(NumberWords(1.5), "one point five");
    EXPECT_EQ(YearWords(2027), "twenty twenty seven");
    EXPECT_EQ(YearWords(2005), "two thousand five");
    EXPECT_EQ(YearWords(1900), "nineteen hundred");
    EXPECT_EQ(YearWords(1905), "nineteen oh five");
    EXPECT_EQ(OrdinalWords(21), "twenty first");
    EXPECT_EQ(OrdinalWords(30), "thirtieth");
}

TEST(SpelledNumbersRoundTrip, ReadNumberReadsWhatCardinalWordsSays) {
    for (long long n : {0LL, 7LL, 13LL, 40LL, 99LL, 100LL, 101LL, 999LL, 1000LL, 1001LL, 12345LL, 100000LL, 999999LL,
                        1000000LL, 2500000LL, 123456789LL}) {
        const auto words = Tokenize(CardinalWords(n));
        auto r = ReadNumber(words, 0);
        ASSERT_TRUE(r) << n;
        EXPECT_EQ(r->value, static_cast<double>(n)) << CardinalWords(n);
        EXPECT_EQ(r->end, words.size()) << CardinalWords(n);
    }
}

}  // namespace
}  // namespace parley::voice::lexical
