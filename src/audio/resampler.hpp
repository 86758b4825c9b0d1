#pragma once

#include <cstdint>
#include <span>

#include "audio/audio.hpp"

namespace parley::audio {

// Converts mono 16-bit audio from `in_rate` to `out_rate` Hz (speexdsp, band-limited). The output
// has exactly round(in.size() * out_rate / in_rate) samples, aligned in time with the input (the
// filter delay is removed). Equal rates return a copy; a non-positive rate returns empty audio.
Pcm Resample(std::span<const int16_t> in, int in_rate, int out_rate);

}  // namespace parley::audio
