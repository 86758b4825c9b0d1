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

struct StreamResampler::State {
    std::unique_ptr<SpeexResamplerState, ResamplerDeleter> speex;
};

StreamResampler::StreamResampler(int in_rate, int out_rate) : in_rate_(in_rate), out_rate_(out_rate) {
    int err = 0;
    state_ = new State;
    state_->speex.reset(speex_resampler_init(1, static_cast<spx_uint32_t>(std::max(1, in_rate)),
                                             static_cast<spx_uint32_t>(std::max(1, out_rate)), kQuality, &err));
    if (state_->speex && err == RESAMPLER_ERR_SUCCESS) {
        speex_resampler_skip_zeros(state_->speex.get());
    } else {
        state_->speex.reset();
    }
}

StreamResampler::~StreamResampler() {
    delete state_;
}

void StreamResampler::Feed(const int16_t* data, size_t count, Pcm& out) {
    while (count > 0) {
        const size_t room = count * static_cast<size_t>(out_rate_) / static_cast<size_t>(in_rate_) + 64;
        const size_t before = out.size();
        out.resize(before + room);
        auto in_len = static_cast<spx_uint32_t>(count);
        auto out_len = static_cast<spx_uint32_t>(room);
        speex_resampler_process_int(state_->speex.get(), 0, data, &in_len, out.data() + before, &out_len);
        out.resize(before + out_len);
        data += in_len;
        count -= in_len;
        if (in_len == 0 && out_len == 0) break;
    }
}

Pcm StreamResampler::Process(std::span<const int16_t> in) {
    if (!state_->speex) return {};
    if (in_rate_ == out_rate_) return Pcm(in.begin(), in.end());
    Pcm out;
    Feed(in.data(), in.size(), out);
    consumed_ += in.size();
    produced_ += out.size();
    return out;
}

Pcm StreamResampler::Finish() {
    if (!state_->speex || in_rate_ == out_rate_) return {};
    const size_t expected = (consumed_ * static_cast<size_t>(out_rate_) + static_cast<size_t>(in_rate_) / 2) /
                            static_cast<size_t>(in_rate_);
    if (produced_ >= expected) return {};
    Pcm out;
    const Pcm zeros(static_cast<size_t>(speex_resampler_get_input_latency(state_->speex.get())) + 16, 0);
    Feed(zeros.data(), zeros.size(), out);
    out.resize(expected - produced_);  // any sample the flush did not produce stays silent
    produced_ = expected;
    return out;
}

}  // namespace parley::audio
