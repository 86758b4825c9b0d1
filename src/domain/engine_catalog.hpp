#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "domain/entities.hpp"

namespace parley::domain {

// A voice that ships with a speech engine on this machine, e.g. "flite:slt".
struct BuiltinVoice {
    std::string id;  // "<engine>:<voice>"
    std::string engine;
    std::string name;
    std::string language;
    std::string gender;  // male, female or unknown
};

// A brain a profile can use: the embedded "scripted" one, or a chat model of an
// OpenAI-compatible endpoint the operator configured ("<endpoint>/<model>").
struct ModelInfo {
    std::string id;
    std::string provider;
    std::string kind;      // "scripted" or "openai"
    std::string base_url;  // empty for embedded brains
    bool streaming = false;
    bool tools = false;
};

// What speech engines and brains this installation has. Implemented by the voice runtime;
// the domain only asks.
class EngineCatalog {
public:
    virtual ~EngineCatalog() = default;
    virtual const std::vector<BuiltinVoice>& BuiltinVoices() const = 0;
    virtual std::vector<ModelInfo> Models() const = 0;
    // Speech-to-text engines: "pocketsphinx", and "<endpoint>" for each configured endpoint
    // with a transcription model.
    virtual std::vector<std::string> SttEngines() const = 0;
    // Text-to-speech engines: "espeak-ng", "flite", and configured endpoints.
    virtual std::vector<std::string> TtsEngines() const = 0;

    const BuiltinVoice* FindVoice(std::string_view id) const {
        for (const auto& v : BuiltinVoices()) {
            if (v.id == id) return &v;
        }
        return nullptr;
    }
};

// What a profile's spec refers to, loaded for compiling it.
struct CompileInput {
    const ProfileSpec& spec;
    std::string organization_name;
    std::vector<CustomField> fields;         // the organization's definitions
    std::vector<VoicePreset> voice_presets;  // the organization's presets
};

// Turns a profile's spec into the dialogue plan its calls run, checking that everything it
// names exists: kUnprocessable with one detail per wrong field.
class ProfileCompiler {
public:
    virtual ~ProfileCompiler() = default;
    virtual Result<Json> Compile(const CompileInput& input) const = 0;
};

}  // namespace parley::domain
