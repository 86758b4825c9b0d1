#include "audio/resampler.hpp"

#include <speex/speex_resampler.h>

#include <algorithm>
#include <memory>

namespace parley::audio {
namespace {

// 0..10; 6 keeps aliasing of 22.05/16 kHz -> 8 kHz well below audibility at low CPU cost.
constexpr int kQuality = 6;

struct ResamplerDeleter {
    void operator()(SpeexResamplerState* state) const { speex_resampler_destroy(state); }
};

}  // namespace

Pcm Resample(std::span<const int16_t> in, int in_rate, int out_rate) {
    if (in_rate <= 0 || out_rate <= 0) return {};
    if (in_rate == out_rate) return Pcm(in.begin(), in.end());
    if (in.empty()) return {};

    int err = 0;
    std::unique_ptr<SpeexResamplerState, ResamplerDeleter> state(speex_resampler_init(
        1, static_cast<spx_uint32_t>(in_rate), static_cast<spx_uint32_t>(out_rate), kQuality, &err));
    if (!state || err != RESAMPLER_ERR_SUCCESS) return {};
    speex_resampler_skip_zeros(state.get());

    const size_t expected =
        (in.size() * static_cast<size_t>(out_rate) + static_cast<size_t>(in_rate) / 2) / static_cast<size_t>(in_rate);
    Pcm out(expected + 64);
    size_t produced = 0;

    // Feeds `data`, growing the output as needed; the resampler may consume input in pieces.
    auto feed = [&](const int16_t* data, size_t count) {
        while (count > 0 && produced < expected) {
            auto in_len = static_cast<spx_uint32_t>(count);
            auto out_len = static_cast<spx_uint32_t>(out.size() - produced);
            speex_resampler_process_int(state.get(), 0, data, &in_len, out.data() + produced, &out_len);
            produced += out_len;
            data += in_len;
            count -= in_len;
            if (in_len == 0 && out_len == 0) break;
        }
    };
    feed(in.data(), in.size());
    // Flush the filter's delay line with zeros so the tail of the input comes out.
    const Pcm zeros(static_cast<size_t>(speex_resampler_get_input_latency(state.get())) + 16, 0);
    feed(zeros.data(), zeros.size());

    out.resize(expected);  // any sample the flush did not produce stays silent
    return out;
}

}  // namespace parley::audio
