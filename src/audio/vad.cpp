#include "audio/vad.hpp"

#include <algorithm>

#include "audio/audio.hpp"

namespace parley::audio {

Vad::Vad(VadConfig config) : config_(config), last_db_(kSilenceDbfs) {}

Vad::Event Vad::Process(std::span<const int16_t> frame) {
    if (frame.empty()) return Event::kNone;
    const int frame_ms = std::max(1, static_cast<int>(DurationMs(frame.size())));
    const double db = RmsDbfs(frame);
    last_db_ = db;
    if (!noise_known_) {
        noise_db_ = db;
        noise_known_ = true;
    }

    const bool speech = db >= std::max(config_.min_speech_db, noise_db_ + config_.snr_db);
    if (db < noise_db_) {
        noise_db_ = db;
    } else {
        const double rise = config_.noise_rise_db_per_s * frame_ms / 1000.0;
        noise_db_ = std::min(db, noise_db_ + rise);
    }

    if (!in_speech_) {
        speech_run_ms_ = speech ? speech_run_ms_ + frame_ms : 0;
        if (speech_run_ms_ >= config_.start_ms) {
            in_speech_ = true;
            silence_run_ms_ = 0;
            return Event::kSpeechStart;
        }
        return Event::kNone;
    }
    silence_run_ms_ = speech ? 0 : silence_run_ms_ + frame_ms;
    if (silence_run_ms_ >= config_.end_silence_ms) {
        in_speech_ = false;
        speech_run_ms_ = 0;
        silence_run_ms_ = 0;
        return Event::kSpeechEnd;
    }
    return Event::kNone;
}

void Vad::Reset() {
    in_speech_ = false;
    speech_run_ms_ = 0;
    silence_run_ms_ = 0;
}

}  // namespace parley::audio
