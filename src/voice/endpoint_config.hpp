#pragma once

#include <string>
#include <vector>

namespace parley::voice {

// An OpenAI-compatible endpoint the operator configured (the engines file). Its chat models are
// brains "<name>/<model>"; its transcription and speech models are engines named <name>.
struct EndpointConfig {
    std::string name;
    std::string base_url;
    std::string api_key;
    std::vector<std::string> chat_models;
    std::string transcription_model;  // empty: none
    std::string speech_model;         // empty: none
    std::string speech_voice;
    std::vector<std::string> speech_voices;  // the voices profiles may name; empty: speech_voice
    int speech_sample_rate = 24000;          // the rate of the speech model's raw "pcm" audio
};

}  // namespace parley::voice
