#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>

#include "audio/audio.hpp"
#include "audio/wav.hpp"
#include "voice/engines/http_client.hpp"
#include "voice/engines/stt.hpp"

namespace parley::voice {
namespace {

constexpr std::string_view kEngine = "http";
constexpr std::string_view kPath = "audio/transcriptions";

class HttpStt final : public SttEngine {
public:
    explicit HttpStt(HttpSpeechConfig config) : config_(std::move(config)) {}

    std::string_view Name() const override { return kEngine; }
    bool OnThisNode() const override { return false; }

    Result<Recognition> Recognize(std::span<const int16_t> pcm_8k, const RecognizeOptions&) override {
        std::vector<internal::MultipartField> fields = {
            {.name = "file",
             .value = audio::EncodeWav(pcm_8k, audio::kSampleRate),
             .filename = "audio.wav",
             .content_type = "audio/wav"},
            {.name = "model", .value = config_.model},
            {.name = "response_format", .value = "json"},
        };
        auto response = internal::PostMultipart(config_, kPath, fields, "http STT");
        if (!response) return Fail(std::move(response.error()));
        const std::string url = internal::JoinUrl(config_.base_url, kPath);
        if (response->status < 200 || response->status >= 300) {
            return Fail(internal::HttpStatusError(*response, "http STT", url));
        }
        const auto json = nlohmann::json::parse(response->body, nullptr, /*allow_exceptions=*/false);
        if (!json.is_object() || !json.contains("text") || !json["text"].is_string()) {
            return Fail(ErrorCode::kUnavailable, "http STT: " + url + " did not answer JSON with a \"text\" string");
        }
        Recognition out;
        out.text = NormalizeTranscript(json["text"].get<std::string>());
        out.confidence = out.text.empty() ? 0.0 : SegmentConfidence(json).value_or(1.0);
        return out;
    }

private:
    // exp of the mean avg_logprob of the segments, when the server reports them (verbose_json).
    static std::optional<double> SegmentConfidence(const nlohmann::json& json) {
        const auto segments = json.find("segments");
        if (segments == json.end() || !segments->is_array() || segments->empty()) return std::nullopt;
        double sum = 0;
        int count = 0;
        for (const auto& segment : *segments) {
            if (!segment.is_object()) continue;
            const auto logprob = segment.find("avg_logprob");
            if (logprob == segment.end() || !logprob->is_number()) continue;
            sum += logprob->get<double>();
            ++count;
        }
        if (count == 0) return std::nullopt;
        return std::clamp(std::exp(sum / count), 0.0, 1.0);
    }

    HttpSpeechConfig config_;
};

}  // namespace

std::unique_ptr<SttEngine> MakeHttpStt(HttpSpeechConfig config) {
    return std::make_unique<HttpStt>(std::move(config));
}

}  // namespace parley::voice
