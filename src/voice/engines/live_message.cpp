#include "voice/engines/live_message.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "voice/engines/stt.hpp"

namespace parley::voice::internal {

namespace {

// At most this much of a server's own words is quoted in an error.
constexpr size_t kQuoted = 200;

bool True(const nlohmann::json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_boolean() && it->get<bool>();
}

}  // namespace

Result<LiveMessage> ParseLiveMessage(std::string_view text) {
    const auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    const auto type = j.is_object() ? j.find("type") : j.end();
    if (!j.is_object() || type == j.end() || !type->is_string()) {
        return Fail(ErrorCode::kUnavailable, "the recognizer sent a message that is not a JSON object with a \"type\"");
    }
    LiveMessage m;
    const auto& kind = type->get_ref<const std::string&>();
    if (kind == "Error") {
        std::string why;
        for (const char* key : {"description", "message", "err_msg"}) {
            if (const auto it = j.find(key); it != j.end() && it->is_string()) {
                why = it->get<std::string>().substr(0, kQuoted);
                break;
            }
        }
        return Fail(ErrorCode::kUnavailable, "the recognizer reported an error" + (why.empty() ? "" : ": " + why));
    }
    if (kind == "Metadata") {
        m.kind = LiveMessage::Kind::kMetadata;
        return m;
    }
    if (kind != "Results") return m;
    const auto channel = j.find("channel");
    const nlohmann::json* alternative = nullptr;
    if (channel != j.end() && channel->is_object()) {
        const auto alternatives = channel->find("alternatives");
        if (alternatives != channel->end() && alternatives->is_array() && !alternatives->empty() &&
            (*alternatives)[0].is_object()) {
            alternative = &(*alternatives)[0];
        }
    }
    const auto transcript = alternative != nullptr ? alternative->find("transcript") : j.end();
    if (alternative == nullptr || transcript == alternative->end() || !transcript->is_string()) {
        return Fail(ErrorCode::kUnavailable,
                    "the recognizer sent Results without channel.alternatives[0].transcript as a string");
    }
    m.kind = LiveMessage::Kind::kResults;
    m.transcript = NormalizeTranscript(transcript->get<std::string>());
    if (const auto c = alternative->find("confidence"); c != alternative->end() && c->is_number()) {
        m.confidence = std::clamp(c->get<double>(), 0.0, 1.0);
    } else if (!m.transcript.empty()) {
        m.confidence = 1;
    }
    m.is_final = True(j, "is_final");
    m.speech_final = True(j, "speech_final");
    return m;
}

}  // namespace parley::voice::internal
