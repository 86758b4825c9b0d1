#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace parley::audio {

// The pipeline's audio format everywhere: mono, 8 kHz, signed 16-bit, 20 ms frames.
inline constexpr int kSampleRate = 8000;
inline constexpr int kFrameMs = 20;
inline constexpr int kFrameSamples = kSampleRate * kFrameMs / 1000;
static_assert(kFrameSamples == 160);

using Pcm = std::vector<int16_t>;

// The level reported for digital silence (an all-zero frame), instead of minus infinity.
inline constexpr double kSilenceDbfs = -100.0;

// Duration of `samples` samples at `rate` Hz, rounded down to whole milliseconds.
long DurationMs(size_t samples, int rate = kSampleRate);

// Number of samples in `ms` milliseconds at `rate` Hz.
size_t SamplesForMs(long ms, int rate = kSampleRate);

// RMS level relative to a full-scale square wave, in dBFS: 0 for full scale, about -3 for a
// full-scale sine, kSilenceDbfs for an empty or all-zero frame (never lower).
double RmsDbfs(std::span<const int16_t> samples);

// `ms` milliseconds of digital silence.
Pcm Silence(long ms, int rate = kSampleRate);

}  // namespace parley::audio
