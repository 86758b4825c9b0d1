#include <algorithm>
#include <bit>
#include <cstring>
#include <nlohmann/json.hpp>

#include "audio/resampler.hpp"
#include "audio/wav.hpp"
#include "common/text.hpp"
#include "voice/engines/http_client.hpp"
#include "voice/engines/tts.hpp"

namespace parley::voice {
namespace {

constexpr std::string_view kPath = "audio/speech";
constexpr double kNaturalWpm = 175;
constexpr double kMinSpeed = 0.25;  // the range OpenAI's endpoint accepts
constexpr double kMaxSpeed = 4.0;
// An answer's bound: about six minutes of 24 kHz audio.
constexpr size_t kMaxAnswerBytes = size_t{16} << 20;

static_assert(std::endian::native == std::endian::little, "pcm answers are read as little-endian samples");

class HttpTts final : public TtsEngine {
public:
    HttpTts(HttpSpeechConfig config, std::string name, const std::vector<std::string>& voices)
        : config_(std::move(config)), name_(std::move(name)) {
        for (const auto& voice : voices.empty() ? std::vector<std::string>{config_.voice} : voices) {
            voices_.push_back(BuiltinVoice{
                .id = name_ + ":" + voice, .engine = name_, .name = voice, .language = "", .gender = "unknown"});
        }
    }

    std::string_view Name() const override { return name_; }
    bool Streams() const override { return true; }
    const std::vector<BuiltinVoice>& Voices() const override { return voices_; }

    Result<audio::Pcm> Synthesize(std::string_view text, const SpeechStyle& style) override {
        audio::Pcm whole;
        auto spoken = SynthesizeStream(
            text, style, [&](audio::Pcm piece) { whole.insert(whole.end(), piece.begin(), piece.end()); });
        if (!spoken) return Fail(std::move(spoken.error()));
        return whole;
    }

    Result<void> SynthesizeStream(std::string_view text, const SpeechStyle& style, const AudioSink& sink) override {
        const std::string& voice = style.voice.empty() ? config_.voice : style.voice;
        if (voice.empty()) return Fail(ErrorCode::kValidation, "http TTS: no voice configured");
        if (Trim(text).empty()) return {};
        nlohmann::json request = {
            {"model", config_.model}, {"input", std::string(text)}, {"voice", voice}, {"response_format", "pcm"}};
        if (style.rate_wpm > 0) request["speed"] = std::clamp(style.rate_wpm / kNaturalWpm, kMinSpeed, kMaxSpeed);

        audio::StreamResampler resampler(config_.sample_rate, audio::kSampleRate);
        std::string pending;  // bytes not yet converted: an odd byte, or a whole WAV answer
        size_t received = 0;
        bool wav = false;
        bool not_audio = false;  // a text or JSON answer (a login page, an error): kept for the message
        const auto convert = [&](bool all) {
            const size_t samples = pending.size() / 2;
            std::vector<int16_t> raw(samples);
            if (samples > 0) std::memcpy(raw.data(), pending.data(), samples * 2);  // data() may be null
            pending.erase(0, samples * 2);
            auto out = resampler.Process(raw);
            if (all) {
                auto rest = resampler.Finish();
                out.insert(out.end(), rest.begin(), rest.end());
            }
            if (!out.empty()) sink(std::move(out));
        };
        auto response = internal::PostJsonStream(
            config_, kPath, request.dump(), "http TTS", [&](std::string_view piece, std::string_view type) {
                received += piece.size();
                if (received > kMaxAnswerBytes) return false;
                pending += piece;
                not_audio = not_audio || type.starts_with("text/") || type.starts_with("application/json");
                if (not_audio) return true;
                if (received == pending.size() && pending.size() < 4) return true;  // not yet known: raw or WAV?
                wav = wav || (received == pending.size() && pending.starts_with("RIFF"));
                if (!wav) convert(false);
                return true;
            });
        if (!response) {
            if (received > kMaxAnswerBytes) {
                return Fail(ErrorCode::kUnavailable, "http TTS: the answer is longer than 16 MB of audio");
            }
            return Fail(std::move(response.error()));
        }
        if (response->status < 200 || response->status >= 300) {
            return Fail(internal::HttpStatusError(*response, "http TTS", internal::JoinUrl(config_.base_url, kPath)));
        }
        if (received == 0) return Fail(ErrorCode::kUnavailable, "http TTS: the answer holds no audio");
        if (not_audio) {
            return Fail(ErrorCode::kUnavailable, "http TTS: the answer is not audio but " + response->content_type +
                                                     ": " + pending.substr(0, 200));
        }
        if (wav) {  // a server that ignores "pcm": its file is read whole
            auto pcm = audio::DecodeAudioMono8k(pending);
            if (!pcm) return Fail(ErrorCode::kUnavailable, "http TTS: the answer is not audio: " + pcm.error().message);
            if (!pcm->empty()) sink(std::move(*pcm));
            return {};
        }
        convert(true);
        return {};
    }

private:
    HttpSpeechConfig config_;
    std::string name_;
    std::vector<BuiltinVoice> voices_;
};

}  // namespace

std::unique_ptr<TtsEngine> MakeHttpTts(HttpSpeechConfig config, std::string name,
                                       const std::vector<std::string>& voices) {
    return std::make_unique<HttpTts>(std::move(config), std::move(name), voices);
}

}  // namespace parley::voice
