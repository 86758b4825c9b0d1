#include <espeak-ng/speak_lib.h>

#include <algorithm>
#include <map>
#include <mutex>

#include "audio/resampler.hpp"
#include "common/text.hpp"
#include "voice/engines/tts.hpp"

namespace parley::voice {
namespace {

constexpr std::string_view kEngine = "espeak-ng";
constexpr std::string_view kDefaultVoice = "en-us";
constexpr int kMinRate = 80;  // espeak-ng's accepted range of words per minute
constexpr int kMaxRate = 450;

// espeak-ng is one global synthesizer: every call into it, in any engine object, holds this lock.
// It is initialized once and never terminated: espeak-ng 1.51's espeak_Terminate can hang
// waiting for its internal thread, and initializing again after it is not reliable.
std::mutex g_mutex;
bool g_initialized = false;
int g_rate_hz = 0;                // espeak's output rate, or <= 0 when initialization failed
audio::Pcm* g_capture = nullptr;  // where the synth callback appends; set only while synthesizing

int OnSamples(short* samples, int count, espeak_EVENT*) {
    if (g_capture != nullptr && samples != nullptr && count > 0)
        g_capture->insert(g_capture->end(), samples, samples + count);
    return 0;  // continue
}

std::string GenderName(unsigned char gender) {
    if (gender == 1) return "male";
    if (gender == 2) return "female";
    return "unknown";
}

class EspeakTts final : public TtsEngine {
public:
    EspeakTts() {
        std::lock_guard lock(g_mutex);
        if (!g_initialized) {
            g_initialized = true;
            g_rate_hz = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, nullptr, 0);
            if (g_rate_hz > 0) espeak_SetSynthCallback(OnSamples);
        }
        if (g_rate_hz <= 0) return;
        default_rate_ = espeak_GetParameter(espeakRATE, 0);
        default_pitch_ = espeak_GetParameter(espeakPITCH, 0);
        ListVoices();
    }

    std::string_view Name() const override { return kEngine; }
    const std::vector<BuiltinVoice>& Voices() const override { return voices_; }

    Result<audio::Pcm> Synthesize(std::string_view text, const SpeechStyle& style) override {
        const std::string key = style.voice.empty() ? std::string(kDefaultVoice) : ToLower(style.voice);
        const auto voice = identifiers_.find(key);
        if (voice == identifiers_.end()) {
            return Fail(ErrorCode::kValidation, "unknown espeak-ng voice: " + style.voice);
        }
        if (Trim(text).empty()) return audio::Pcm{};
        const std::string utf8(text);
        const int rate = style.rate_wpm > 0 ? std::clamp(style.rate_wpm, kMinRate, kMaxRate) : default_rate_;
        const int pitch = style.pitch ? std::clamp(*style.pitch, 0, 100) : default_pitch_;

        audio::Pcm raw;
        int rate_hz = 0;
        {
            std::lock_guard lock(g_mutex);
            if (g_rate_hz <= 0)
                return Fail(ErrorCode::kUnavailable, "espeak-ng failed to initialize (voice data missing?)");
            rate_hz = g_rate_hz;
            if (espeak_SetVoiceByName(voice->second.c_str()) != EE_OK) {
                return Fail(ErrorCode::kInternal, "espeak-ng cannot load voice " + key);
            }
            espeak_SetParameter(espeakRATE, rate, 0);
            espeak_SetParameter(espeakPITCH, pitch, 0);
            g_capture = &raw;
            const espeak_ERROR rc =
                espeak_Synth(utf8.c_str(), utf8.size() + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, nullptr, nullptr);
            g_capture = nullptr;
            if (rc != EE_OK) return Fail(ErrorCode::kInternal, "espeak-ng synthesis failed");
        }
        return audio::Resample(raw, rate_hz, audio::kSampleRate);
    }

private:
    // Called with g_mutex held. A voice's id is its first language ("en-us"); when two voices
    // share one, the later gets the last part of its identifier ("yue-latn-jyutping").
    void ListVoices() {
        const espeak_VOICE** list = espeak_ListVoices(nullptr);
        for (size_t i = 0; list != nullptr && list[i] != nullptr; ++i) {
            const espeak_VOICE* v = list[i];
            if (v->identifier == nullptr || v->languages == nullptr || v->languages[0] == '\0') continue;
            // languages: a priority byte, a NUL-terminated tag, repeated; an empty tag ends it.
            const std::string language = ToLower(v->languages + 1);
            std::string key = language;
            if (key.empty() || identifiers_.contains(key)) {
                const std::string_view identifier = v->identifier;
                key = ToLower(identifier.substr(identifier.rfind('/') + 1));
            }
            if (key.empty() || identifiers_.contains(key)) continue;
            identifiers_.emplace(key, v->identifier);
            voices_.push_back(BuiltinVoice{.id = std::string(kEngine) + ":" + key,
                                           .engine = std::string(kEngine),
                                           .name = v->name != nullptr ? v->name : key,
                                           .language = language,
                                           .gender = GenderName(v->gender)});
        }
    }

    std::vector<BuiltinVoice> voices_;
    std::map<std::string, std::string, std::less<>> identifiers_;  // voice key -> espeak identifier
    int default_rate_ = 175;
    int default_pitch_ = 50;
};

}  // namespace

std::unique_ptr<TtsEngine> MakeEspeakTts() {
    return std::make_unique<EspeakTts>();
}

}  // namespace parley::voice
