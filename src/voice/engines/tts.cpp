#include "voice/engines/tts.hpp"

#include <algorithm>

#include "common/text.hpp"

namespace parley::voice {

TtsEngine::~TtsEngine() = default;

Result<void> TtsEngine::SynthesizeStream(std::string_view text, const SpeechStyle& style, const AudioSink& sink) {
    auto pcm = Synthesize(text, style);
    if (!pcm) return Fail(std::move(pcm.error()));
    if (!pcm->empty()) sink(std::move(*pcm));
    return {};
}

std::vector<BuiltinVoice> FilterVoices(std::span<const BuiltinVoice> voices, const VoiceFilter& filter) {
    const std::string language = ToLower(filter.language);
    const std::string gender = ToLower(filter.gender);
    std::vector<BuiltinVoice> out;
    for (const auto& voice : voices) {
        if (!filter.engine.empty() && voice.engine != filter.engine) continue;
        if (!gender.empty() && voice.gender != gender) continue;
        if (!language.empty()) {
            const std::string voice_language = ToLower(voice.language);
            const bool same = voice_language == language;
            const bool narrower = voice_language.size() > language.size() && voice_language.starts_with(language) &&
                                  voice_language[language.size()] == '-';
            if (!same && !narrower) continue;
        }
        out.push_back(voice);
    }
    return out;
}

void TtsRegistry::Add(std::unique_ptr<TtsEngine> engine) {
    if (!engine) return;
    auto same = std::find_if(engines_.begin(), engines_.end(),
                             [&](const auto& existing) { return existing->Name() == engine->Name(); });
    if (same != engines_.end()) {
        *same = std::move(engine);
    } else {
        engines_.push_back(std::move(engine));
    }
}

TtsEngine* TtsRegistry::Find(std::string_view engine) const {
    for (const auto& e : engines_) {
        if (e->Name() == engine) return e.get();
    }
    return nullptr;
}

Result<audio::Pcm> TtsRegistry::Synthesize(std::string_view engine, const SpeechStyle& style,
                                           std::string_view text) const {
    TtsEngine* e = Find(engine);
    if (e == nullptr) return Fail(ErrorCode::kValidation, "unknown TTS engine: " + std::string(engine));
    return e->Synthesize(text, style);
}

Result<void> TtsRegistry::SynthesizeStream(std::string_view engine, const SpeechStyle& style, std::string_view text,
                                           const TtsEngine::AudioSink& sink) const {
    TtsEngine* e = Find(engine);
    if (e == nullptr) return Fail(ErrorCode::kValidation, "unknown TTS engine: " + std::string(engine));
    return e->SynthesizeStream(text, style, sink);
}

Result<audio::Pcm> TtsRegistry::SynthesizeWithVoiceId(std::string_view voice_id, const SpeechStyle& style,
                                                      std::string_view text) const {
    const size_t colon = voice_id.find(':');
    if (colon == std::string_view::npos) {
        return Fail(ErrorCode::kValidation, "voice id must be <engine>:<voice>: " + std::string(voice_id));
    }
    SpeechStyle with_voice = style;
    with_voice.voice = std::string(voice_id.substr(colon + 1));
    return Synthesize(voice_id.substr(0, colon), with_voice, text);
}

std::vector<BuiltinVoice> TtsRegistry::Voices() const {
    std::vector<BuiltinVoice> out;
    for (const auto& e : engines_) {
        const auto& voices = e->Voices();
        out.insert(out.end(), voices.begin(), voices.end());
    }
    return out;
}

std::vector<std::string_view> TtsRegistry::EngineNames() const {
    std::vector<std::string_view> out;
    out.reserve(engines_.size());
    for (const auto& e : engines_) out.push_back(e->Name());
    return out;
}

}  // namespace parley::voice
