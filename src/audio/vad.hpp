#pragma once

#include <cstdint>
#include <span>

namespace parley::audio {

struct VadConfig {
    // Speech must last this long before kSpeechStart (barge-in reacts after it; keep <= 80 ms).
    int start_ms = 60;
    // Silence after speech that ends an utterance (kSpeechEnd).
    int end_silence_ms = 500;
    // A frame quieter than this is never speech, whatever the noise floor.
    double min_speech_db = -45;
    // A frame counts as speech when it is this much louder than the estimated noise floor.
    double snr_db = 12;
    // How fast the noise floor may rise (dB per second) while frames are louder than it; it
    // falls at once to a quieter frame. Slow enough that a sentence does not become "noise".
    double noise_rise_db_per_s = 3;
};

// Energy-based voice activity detection with endpointing, for 20 ms frames at 8 kHz.
//
// Each frame's RMS level is compared with max(min_speech_db, noise floor + snr_db). The noise
// floor starts at the first frame's level (a call opens with line noise, not speech), follows
// quieter frames down at once and creeps up slowly otherwise, so a rise in line noise stops
// looking like speech after a while but speech (with its pauses) does not.
// Process() does not allocate. Not thread-safe: one Vad per audio stream.
class Vad {
public:
    enum class Event { kNone, kSpeechStart, kSpeechEnd };

    explicit Vad(VadConfig config = {});

    // Feeds one frame (normally kFrameSamples; other sizes are measured by their own length).
    // kSpeechStart: start_ms of consecutive speech frames were seen while not in speech.
    // kSpeechEnd: end_silence_ms of non-speech frames followed speech.
    Event Process(std::span<const int16_t> frame);

    bool InSpeech() const { return in_speech_; }
    // Quiet since the last speech frame of the current utterance (0 while not in speech).
    int SilenceMs() const { return in_speech_ ? silence_run_ms_ : 0; }

    // The level of the last frame and the current noise-floor estimate, in dBFS.
    double LastLevelDb() const { return last_db_; }
    double NoiseFloorDb() const { return noise_db_; }

    // Forgets the current utterance; the noise floor is kept (it describes the line, not speech).
    void Reset();

private:
    VadConfig config_;
    double noise_db_ = 0;
    bool noise_known_ = false;
    double last_db_;
    bool in_speech_ = false;
    int speech_run_ms_ = 0;
    int silence_run_ms_ = 0;
};

}  // namespace parley::audio
