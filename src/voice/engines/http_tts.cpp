#include <algorithm>
#include <nlohmann/json.hpp>

#include "audio/wav.hpp"
#include "common/text.hpp"
#include "voice/engines/http_client.hpp"
#include "voice/engines/tts.hpp"

namespace parley::voice {
namespace {

constexpr std::string_view kEngine = "http";
constexpr std::string_view kPath = "audio/speech";
constexpr double kNaturalWpm = 175;
constexpr double kMinSpeed = 0.25;  // the range OpenAI's endpoint accepts
constexpr double kMaxSpeed = 4.0;

class HttpTts final : public TtsEngine {
public:
    explicit HttpTts(HttpSpeechConfig config) : config_(std::move(config)) {
        voices_.push_back(BuiltinVoice{.id = std::string(kEngine) + ":" + config_.voice,
                                       .engine = std::string(kEngine),
                                       .name = config_.voice,
                                       .language = "",
                                       .gender = "unknown"});
    }

    std::string_view Name() const override { return kEngine; }
    const std::vector<BuiltinVoice>& Voices() const override { return voices_; }

    Result<audio::Pcm> Synthesize(std::string_view text, const SpeechStyle& style) override {
        const std::string& voice = style.voice.empty() ? config_.voice : style.voice;
        if (voice.empty()) return Fail(ErrorCode::kValidation, "http TTS: no voice configured");
        if (Trim(text).empty()) return audio::Pcm{};
        nlohmann::json request = {
            {"model", config_.model}, {"input", std::string(text)}, {"voice", voice}, {"response_format", "wav"}};
        if (style.rate_wpm > 0) request["speed"] = std::clamp(style.rate_wpm / kNaturalWpm, kMinSpeed, kMaxSpeed);

        auto response = internal::PostJson(config_, kPath, request.dump(), "http TTS");
        if (!response) return Fail(std::move(response.error()));
        if (response->status < 200 || response->status >= 300) {
            return Fail(internal::HttpStatusError(*response, "http TTS", internal::JoinUrl(config_.base_url, kPath)));
        }
        auto pcm = audio::DecodeAudioMono8k(response->body);
        if (!pcm) return Fail(ErrorCode::kUnavailable, "http TTS: the answer is not audio: " + pcm.error().message);
        return pcm;
    }

private:
    HttpSpeechConfig config_;
    std::vector<BuiltinVoice> voices_;
};

}  // namespace

std::unique_ptr<TtsEngine> MakeHttpTts(HttpSpeechConfig config) {
    return std::make_unique<HttpTts>(std::move(config));
}

}  // namespace parley::voice
