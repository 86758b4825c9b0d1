#include "audio/audio.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "audio/resampler.hpp"

namespace parley::audio {
namespace {

Pcm Tone(double hz, long ms, int rate, double amplitude = 10000) {
    Pcm out(SamplesForMs(ms, rate));
    for (size_t i = 0; i < out.size(); ++i) {
        out[i] = static_cast<int16_t>(amplitude * std::sin(2 * std::numbers::pi * hz * static_cast<double>(i) / rate));
    }
    return out;
}

// The frequency with the most energy, by probing candidate frequencies (Goertzel-style).
double DominantFrequency(std::span<const int16_t> pcm, int rate) {
    double best_hz = 0;
    double best_power = -1;
    for (double hz = 100; hz < rate / 2.0; hz += 10) {
        double re = 0;
        double im = 0;
        for (size_t i = 0; i < pcm.size(); ++i) {
            const double phase = 2 * std::numbers::pi * hz * static_cast<double>(i) / rate;
            re += pcm[i] * std::cos(phase);
            im += pcm[i] * std::sin(phase);
        }
        const double power = re * re + im * im;
        if (power > best_power) {
            best_power = power;
            best_hz = hz;
        }
    }
    return best_hz;
}

TEST(Audio, ConstantsDescribeTwentyMillisecondFramesAtEightKilohertz) {
    EXPECT_EQ(kFrameSamples, 160);
    EXPECT_EQ(DurationMs(kFrameSamples), kFrameMs);
    EXPECT_EQ(SamplesForMs(1000), 8000u);
    EXPECT_EQ(DurationMs(22050, 22050), 1000);
}

TEST(Audio, SilenceReportsTheFloorLevelNotMinusInfinity) {
    EXPECT_EQ(RmsDbfs(Silence(20)), kSilenceDbfs);
    EXPECT_EQ(RmsDbfs({}), kSilenceDbfs);
}

TEST(Audio, FullScaleSineIsAboutMinusThreeDbfs) {
    EXPECT_NEAR(RmsDbfs(Tone(1000, 20, kSampleRate, 32767)), -3.01, 0.1);
    EXPECT_NEAR(RmsDbfs(Tone(1000, 20, kSampleRate, 3277)), -23.0, 0.1);
}

TEST(Resampler, EqualRatesReturnTheInputUnchanged) {
    const Pcm in = Tone(440, 100, kSampleRate);
    EXPECT_EQ(Resample(in, kSampleRate, kSampleRate), in);
}

TEST(Resampler, DownsamplingKeepsDurationAndToneFrequency) {
    const Pcm in = Tone(1000, 1000, 22050);
    const Pcm out = Resample(in, 22050, kSampleRate);
    EXPECT_EQ(out.size(), 8000u);
    EXPECT_NEAR(DominantFrequency(out, kSampleRate), 1000, 10);
    // Level is kept away from the edges (where the filter settles).
    EXPECT_NEAR(RmsDbfs(std::span(out).subspan(800, 6400)), RmsDbfs(in), 0.5);
}

TEST(Resampler, UpsamplingKeepsDurationAndToneFrequency) {
    const Pcm in = Tone(700, 500, kSampleRate);
    const Pcm out = Resample(in, kSampleRate, 16000);
    EXPECT_EQ(out.size(), 8000u);
    EXPECT_NEAR(DominantFrequency(out, 16000), 700, 10);
}

TEST(Resampler, OutputIsAlignedInTimeWithTheInput) {
    // A click at 500 ms must come out at 500 ms, not delayed by the filter.
    Pcm in(22050, 0);
    for (size_t i = 11025; i < 11025 + 220; ++i) in[i] = 20000;
    const Pcm out = Resample(in, 22050, kSampleRate);
    size_t first_loud = 0;
    while (first_loud < out.size() && std::abs(out[first_loud]) < 5000) ++first_loud;
    EXPECT_NEAR(static_cast<double>(first_loud), 4000.0, 8.0);
}

TEST(Resampler, AudioInPiecesComesOutAsTheWholeWould) {
    Pcm in = Tone(700, 1230, kSampleRate);
    for (size_t i = 0; i < in.size(); i += 97) in[i] = static_cast<int16_t>(in[i] / 2 + 3000);  // not periodic
    StreamResampler stream(kSampleRate, 16000);
    Pcm joined;
    for (size_t at = 0; at < in.size(); at += kFrameSamples) {
        const size_t n = std::min<size_t>(kFrameSamples, in.size() - at);
        const Pcm part = stream.Process(std::span(in).subspan(at, n));
        joined.insert(joined.end(), part.begin(), part.end());
    }
    const Pcm rest = stream.Finish();
    joined.insert(joined.end(), rest.begin(), rest.end());
    EXPECT_EQ(joined, Resample(in, kSampleRate, 16000));
}

TEST(Resampler, RemovesContentAboveTheNewNyquistFrequency) {
    const Pcm in = Tone(6000, 500, 22050);
    const Pcm out = Resample(in, 22050, kSampleRate);
    EXPECT_LT(RmsDbfs(out), RmsDbfs(in) - 40);
}

TEST(Resampler, EmptyInputOrInvalidRateGivesEmptyOutput) {
    EXPECT_TRUE(Resample({}, 22050, kSampleRate).empty());
    const Pcm in = Tone(440, 20, kSampleRate);
    EXPECT_TRUE(Resample(in, 0, kSampleRate).empty());
    EXPECT_TRUE(Resample(in, kSampleRate, -1).empty());
}

}  // namespace
}  // namespace parley::audio
