#include "audio/vad.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "audio/audio.hpp"
#include "voice/engines/tts.hpp"

namespace parley::voice {
namespace {

struct Events {
    long start_ms = -1;
    long end_ms = -1;
    int starts = 0;
    int ends = 0;
};

Events Feed(audio::Vad& vad, const audio::Pcm& audio) {
    Events events;
    for (size_t at = 0; at + audio::kFrameSamples <= audio.size(); at += audio::kFrameSamples) {
        const auto event = vad.Process(std::span(audio).subspan(at, audio::kFrameSamples));
        const long end_of_frame_ms = audio::DurationMs(at + audio::kFrameSamples);
        if (event == audio::Vad::Event::kSpeechStart) {
            ++events.starts;
            if (events.start_ms < 0) events.start_ms = end_of_frame_ms;
        } else if (event == audio::Vad::Event::kSpeechEnd) {
            ++events.ends;
            if (events.end_ms < 0) events.end_ms = end_of_frame_ms;
        }
    }
    return events;
}

// Deterministic white noise at roughly `db` dBFS RMS.
void AddNoise(audio::Pcm& audio, double db) {
    const double amplitude = 32768.0 * std::pow(10.0, db / 20.0) * std::sqrt(3.0);
    unsigned state = 12345;
    for (auto& s : audio) {
        state = state * 1103515245u + 12345u;
        const double u = static_cast<double>((state >> 8) & 0xffff) / 65535.0 * 2 - 1;
        s = static_cast<int16_t>(std::clamp(s + u * amplitude, -32768.0, 32767.0));
    }
}

struct Padded {
    audio::Pcm audio;
    long onset_ms;   // first clearly audible sample of the speech
    long offset_ms;  // last clearly audible sample
};

Padded SpeechBetweenSilences(long lead_ms, long tail_ms) {
    auto tts = MakeFliteTts();
    auto speech = tts->Synthesize("please stop calling me", {});
    EXPECT_TRUE(speech);
    Padded out{audio::Silence(lead_ms), 0, 0};
    out.audio.insert(out.audio.end(), speech->begin(), speech->end());
    const audio::Pcm tail = audio::Silence(tail_ms);
    out.audio.insert(out.audio.end(), tail.begin(), tail.end());
    size_t first = 0;
    while (first < out.audio.size() && std::abs(out.audio[first]) < 300) ++first;
    size_t last = out.audio.size() - 1;
    while (last > 0 && std::abs(out.audio[last]) < 300) --last;
    out.onset_ms = audio::DurationMs(first);
    out.offset_ms = audio::DurationMs(last);
    return out;
}

TEST(Vad, FindsStartAndEndOfSpeechPaddedWithSilence) {
    const Padded input = SpeechBetweenSilences(700, 1000);
    audio::Vad vad(audio::VadConfig{});
    const Events events = Feed(vad, input.audio);
    EXPECT_EQ(events.starts, 1);
    EXPECT_EQ(events.ends, 1);
    EXPECT_GE(events.start_ms, input.onset_ms);
    EXPECT_LE(events.start_ms - input.onset_ms, 100);
    EXPECT_GE(events.end_ms, input.offset_ms + 500);
    EXPECT_LE(events.end_ms, input.offset_ms + 500 + 100);
    EXPECT_FALSE(vad.InSpeech());
}

TEST(Vad, StaysInSpeechUntilTheSilenceIsLongEnough) {
    const Padded input = SpeechBetweenSilences(300, 0);
    audio::Vad vad(audio::VadConfig{.end_silence_ms = 2000});
    const Events events = Feed(vad, input.audio);
    EXPECT_EQ(events.starts, 1);
    EXPECT_EQ(events.ends, 0);
    EXPECT_TRUE(vad.InSpeech());
    vad.Reset();
    EXPECT_FALSE(vad.InSpeech());
}

TEST(Vad, IgnoresSilenceAndLowLevelNoise) {
    audio::Vad vad(audio::VadConfig{});
    EXPECT_EQ(Feed(vad, audio::Silence(2000)).starts, 0);
    audio::Pcm noise = audio::Silence(3000);
    AddNoise(noise, -55);
    EXPECT_EQ(Feed(vad, noise).starts, 0);
}

TEST(Vad, FindsSpeechInSteadyNoiseAboveTheSpeechThreshold) {
    // -38 dBFS of line noise is louder than min_speech_db; the adaptive floor must learn it.
    Padded input = SpeechBetweenSilences(1500, 1500);
    AddNoise(input.audio, -38);
    audio::Vad vad(audio::VadConfig{});
    const Events events = Feed(vad, input.audio);
    EXPECT_EQ(events.starts, 1);
    EXPECT_LE(events.start_ms - input.onset_ms, 100);
    EXPECT_GE(events.start_ms, input.onset_ms);
    EXPECT_EQ(events.ends, 1);
}

TEST(Vad, ShortClicksDoNotStartSpeech) {
    audio::Pcm audio = audio::Silence(1000);
    for (size_t i = 4000; i < 4000 + audio::kFrameSamples; ++i) audio[i] = 20000;  // one 20 ms click
    audio::Vad vad(audio::VadConfig{.start_ms = 60});
    EXPECT_EQ(Feed(vad, audio).starts, 0);
}

}  // namespace
}  // namespace parley::voice
