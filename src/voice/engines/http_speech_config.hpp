#pragma once

#include <string>

namespace parley::voice {

// An OpenAI-compatible speech endpoint (hosted or local), e.g. base_url "https://api.openai.com/v1".
struct HttpSpeechConfig {
    std::string base_url;     // without the trailing /audio/... path
    std::string api_key;      // sent as "Authorization: Bearer <api_key>"; empty: no header
    std::string model;        // e.g. "tts-1", "whisper-1"
    std::string voice;        // TTS voice used when the SpeechStyle names none, e.g. "alloy"
    long timeout_ms = 15000;  // whole request; connecting gets at most kHttpConnectTimeoutMs of it
    int sample_rate = 24000;  // TTS: the rate of raw "pcm" answers (OpenAI's is 24 kHz)
};

inline constexpr long kHttpConnectTimeoutMs = 5000;

}  // namespace parley::voice
