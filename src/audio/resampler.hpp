#pragma once

#include <cstdint>
#include <span>

#include "audio/audio.hpp"

namespace parley::audio {

// Converts mono 16-bit audio from `in_rate` to `out_rate` Hz (speexdsp, band-limited). The output
// has exactly round(in.size() * out_rate / in_rate) samples, aligned in time with the input (the
// filter delay is removed). Equal rates return a copy; a non-positive rate returns empty audio.
Pcm Resample(std::span<const int16_t> in, int in_rate, int out_rate);

// Resample for audio that arrives in pieces: the pieces' outputs, joined, equal Resample of the
// whole (the filter keeps its state between pieces). Not thread-safe.
class StreamResampler {
public:
    StreamResampler(int in_rate, int out_rate);
    ~StreamResampler();
    StreamResampler(const StreamResampler&) = delete;
    StreamResampler& operator=(const StreamResampler&) = delete;

    // The output the input so far allows, without what the filter still holds.
    Pcm Process(std::span<const int16_t> in);
    // The rest of the output: the filter's delay line flushed, cut to the length Resample gives.
    Pcm Finish();

private:
    void Feed(const int16_t* data, size_t count, Pcm& out);

    int in_rate_;
    int out_rate_;
    struct State;
    State* state_ = nullptr;
    size_t consumed_ = 0;  // input samples
    size_t produced_ = 0;  // output samples
};

}  // namespace parley::audio
