#include "audio/silence_trimmer.hpp"

#include <gtest/gtest.h>

namespace parley::audio {
namespace {

// `quiet` samples of near-silence, then `loud` of sound, then `tail` of near-silence.
Pcm Sentence(size_t quiet, size_t loud, size_t tail) {
    Pcm pcm(quiet, 3);
    pcm.insert(pcm.end(), loud, 5000);
    pcm.insert(pcm.end(), tail, -2);
    return pcm;
}

Pcm TrimInPieces(const Pcm& audio, size_t piece, size_t max_lead, size_t max_trail) {
    SilenceTrimmer trimmer(max_lead, max_trail);
    Pcm out;
    for (size_t at = 0; at < audio.size(); at += piece) {
        const auto part = trimmer.Push(std::span(audio).subspan(at, std::min(piece, audio.size() - at)));
        out.insert(out.end(), part.begin(), part.end());
    }
    const auto rest = trimmer.Finish();
    out.insert(out.end(), rest.begin(), rest.end());
    return out;
}

TEST(SilenceTrimmer, CutsThePaddingAtBothEndsWhateverThePieces) {
    const Pcm padded = Sentence(1680, 4000, 1900);  // 210 ms before, 500 ms of sound, 237 ms after
    for (size_t piece : {1ul, 7ul, 160ul, 5000ul, 100000ul}) {
        const Pcm out = TrimInPieces(padded, piece, 160, 1600);
        ASSERT_EQ(out.size(), 160u + 4000u + 1600u) << "pieces of " << piece;
        EXPECT_EQ(out[159], 3);
        EXPECT_EQ(out[160], 5000);
        EXPECT_EQ(out[4159], 5000);
        EXPECT_EQ(out[4160], -2);
    }
}

TEST(SilenceTrimmer, KeepsQuietInsideTheSentenceAndShortPaddingWhole) {
    Pcm words = Sentence(40, 800, 3000);  // a long pause between two words
    const Pcm second = Sentence(0, 800, 100);
    words.insert(words.end(), second.begin(), second.end());
    EXPECT_EQ(TrimInPieces(words, 64, 160, 1600), words);
}

TEST(SilenceTrimmer, SilenceAloneGivesNothingAndTheTrimmerCanBeUsedAgain) {
    SilenceTrimmer trimmer(160, 1600);
    EXPECT_TRUE(trimmer.Push(Pcm(8000, 0)).empty());
    EXPECT_TRUE(trimmer.Finish().empty());
    EXPECT_EQ(trimmer.Push(Sentence(10, 5, 0)).size(), 15u);
    EXPECT_TRUE(trimmer.Finish().empty());
}

}  // namespace
}  // namespace parley::audio
