#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "audio/audio.hpp"
#include "common/error.hpp"

namespace parley::audio {

// Writes an 8 kHz 16-bit stereo WAV: left = callee, right = agent; the shorter side is padded
// with silence. The file is written as `path + ".tmp"`, flushed to disk and renamed, so `path`
// either does not exist or is complete. Replaces an existing file.
Result<void> WriteWav(const std::string& path, std::span<const int16_t> left, std::span<const int16_t> right);

// Reads any WAV (or other libsndfile format): channels are averaged, the rate becomes 8 kHz.
Result<Pcm> ReadWavMono8k(const std::string& path);

// The same for a file held in memory, e.g. an HTTP response body.
Result<Pcm> DecodeAudioMono8k(std::string_view bytes);

// A complete mono 16-bit PCM WAV file image at `rate` Hz.
std::string EncodeWav(std::span<const int16_t> mono, int rate);

}  // namespace parley::audio
