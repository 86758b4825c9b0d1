#include <flite.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <mutex>

#include "audio/resampler.hpp"
#include "common/text.hpp"
#include "voice/engines/tts.hpp"

// The voice libraries declare their entry points in no header.
extern "C" {
cst_voice* register_cmu_us_kal(const char* voxdir);
void unregister_cmu_us_kal(cst_voice* voice);
cst_voice* register_cmu_us_kal16(const char* voxdir);
void unregister_cmu_us_kal16(cst_voice* voice);
cst_voice* register_cmu_us_slt(const char* voxdir);
void unregister_cmu_us_slt(cst_voice* voice);
cst_voice* register_cmu_us_rms(const char* voxdir);
void unregister_cmu_us_rms(cst_voice* voice);
cst_voice* register_cmu_us_awb(const char* voxdir);
void unregister_cmu_us_awb(cst_voice* voice);
}

namespace parley::voice {
namespace {

constexpr std::string_view kEngine = "flite";
constexpr std::string_view kDefaultVoice = "slt";
// flite speaks at roughly this rate with duration_stretch 1; rate_wpm is relative to it.
constexpr double kNaturalWpm = 175;
constexpr int kMinRate = 80;
constexpr int kMaxRate = 450;

struct VoiceLibrary {
    std::string_view key;
    std::string_view name;
    std::string_view gender;
    cst_voice* (*reg)(const char*);
    void (*unreg)(cst_voice*);
};

constexpr VoiceLibrary kLibraries[] = {
    {"kal", "Kal (diphone, 8 kHz)", "male", register_cmu_us_kal, unregister_cmu_us_kal},
    {"kal16", "Kal (diphone, 16 kHz)", "male", register_cmu_us_kal16, unregister_cmu_us_kal16},
    {"slt", "SLT (clustergen)", "female", register_cmu_us_slt, unregister_cmu_us_slt},
    {"rms", "RMS (clustergen)", "male", register_cmu_us_rms, unregister_cmu_us_rms},
    {"awb", "AWB (clustergen, Scottish)", "male", register_cmu_us_awb, unregister_cmu_us_awb},
};
constexpr size_t kVoiceCount = std::size(kLibraries);

// The voice objects are process-wide singletons inside the flite libraries and synthesis reads
// features we set on them, so every flite call in the process holds this lock.
std::mutex g_mutex;

// The clustergen voices (slt, rms, awb) excite unvoiced sounds with noise from the C library's
// rand(), so a line's samples depended on whatever had drawn from it before (another line, a SIP
// stack, another thread), and the recognizer heard one line differently from run to run ("the
// voicemail of sam" once as "a white male"). Seeded from the words and the take, under g_mutex,
// a line's audio is a function of its voice, style, words and take.
unsigned SeedFor(std::string_view words, unsigned take) {
    uint64_t h = 1469598103934665603ULL;  // FNV-1a
    for (const char c : words) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    return static_cast<unsigned>(h ^ (h >> 32)) + take;
}

int g_users = 0;
cst_voice* g_voices[kVoiceCount] = {};
float g_natural_f0[kVoiceCount] = {};

struct WaveDeleter {
    void operator()(cst_wave* wave) const { delete_wave(wave); }
};

class FliteTts final : public TtsEngine {
public:
    FliteTts() {
        std::lock_guard lock(g_mutex);
        if (g_users++ == 0) {
            flite_init();
            for (size_t i = 0; i < kVoiceCount; ++i) {
                g_voices[i] = kLibraries[i].reg(nullptr);
                if (g_voices[i] != nullptr) {
                    g_natural_f0[i] = get_param_float(g_voices[i]->features, "int_f0_target_mean", 100.0f);
                }
            }
        }
        for (size_t i = 0; i < kVoiceCount; ++i) {
            if (g_voices[i] == nullptr) continue;
            voices_.push_back(BuiltinVoice{.id = std::string(kEngine) + ":" + std::string(kLibraries[i].key),
                                           .engine = std::string(kEngine),
                                           .name = std::string(kLibraries[i].name),
                                           .language = "en-us",
                                           .gender = std::string(kLibraries[i].gender)});
        }
    }

    ~FliteTts() override {
        std::lock_guard lock(g_mutex);
        if (--g_users > 0) return;
        for (size_t i = 0; i < kVoiceCount; ++i) {
            if (g_voices[i] != nullptr) kLibraries[i].unreg(g_voices[i]);
            g_voices[i] = nullptr;
        }
    }

    std::string_view Name() const override { return kEngine; }
    const std::vector<BuiltinVoice>& Voices() const override { return voices_; }

    Result<audio::Pcm> Synthesize(std::string_view text, const SpeechStyle& style) override {
        const std::string key = style.voice.empty() ? std::string(kDefaultVoice) : ToLower(style.voice);
        const auto* library = std::find_if(std::begin(kLibraries), std::end(kLibraries),
                                           [&](const VoiceLibrary& l) { return l.key == key; });
        if (library == std::end(kLibraries)) return Fail(ErrorCode::kValidation, "unknown flite voice: " + style.voice);
        if (Trim(text).empty()) return audio::Pcm{};
        const auto index = static_cast<size_t>(library - std::begin(kLibraries));
        const std::string input(text);

        const float stretch = style.rate_wpm > 0
                                  ? static_cast<float>(kNaturalWpm / std::clamp(style.rate_wpm, kMinRate, kMaxRate))
                                  : 1.0f;
        // pitch 50 is the voice's own mean F0; 0 and 100 are half an octave below and above.
        const int pitch = style.pitch ? std::clamp(*style.pitch, 0, 100) : 50;
        const auto f0_factor = static_cast<float>(std::exp2((pitch - 50) / 100.0));

        audio::Pcm raw;
        int rate_hz = 0;
        {
            std::lock_guard lock(g_mutex);
            cst_voice* voice = g_voices[index];
            if (voice == nullptr) return Fail(ErrorCode::kUnavailable, "flite voice failed to load: " + key);
            feat_set_float(voice->features, "duration_stretch", stretch);
            feat_set_float(voice->features, "int_f0_target_mean", g_natural_f0[index] * f0_factor);
            std::srand(SeedFor(input, style.take));
            std::unique_ptr<cst_wave, WaveDeleter> wave(flite_text_to_wave(input.c_str(), voice));
            if (!wave) return Fail(ErrorCode::kInternal, "flite synthesis failed");
            rate_hz = wave->sample_rate;
            const int channels = std::max(1, wave->num_channels);
            raw.reserve(static_cast<size_t>(std::max(0, wave->num_samples)));
            for (int i = 0; i < wave->num_samples; ++i) raw.push_back(wave->samples[i * channels]);
        }
        return audio::Resample(raw, rate_hz, audio::kSampleRate);
    }

private:
    std::vector<BuiltinVoice> voices_;
};

}  // namespace

std::unique_ptr<TtsEngine> MakeFliteTts() {
    return std::make_unique<FliteTts>();
}

}  // namespace parley::voice
