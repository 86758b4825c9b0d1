#pragma once

#include <string>
#include <vector>

namespace parley::voice {

// An OpenAI-compatible endpoint the operator configured (the engines file). Its chat models are
// brains "<name>/<model>"; its transcription and speech models are the "http" engines.
struct EndpointConfig {
    std::string name;
    std::string base_url;
    std::string api_key;
    std::vector<std::string> chat_models;
    std::string transcription_model;  // empty: none
    std::string speech_model;         // empty: none
    std::string speech_voice;
};

}  // namespace parley::voice
