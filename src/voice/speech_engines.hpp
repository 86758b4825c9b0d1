#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "domain/call_lifecycle.hpp"
#include "domain/engine_catalog.hpp"
#include "voice/endpoint_config.hpp"
#include "voice/engines/stt.hpp"
#include "voice/engines/tts.hpp"
#include "voice/plan.hpp"
#include "voice/understanding/grammar.hpp"

namespace parley::voice {

// The engines file (--engines, PARLEY_ENGINES): {"endpoints": [{"name", "base_url", "api_key",
// "chat_models", "transcription_model", "speech_model", "speech_voice", "speech_voices", "speech_sample_rate"}],
// "prices": {"<engine or carrier>": {"per_minute_cents" | "per_1k_chars_cents" | "per_call_cents": n}}}
// (seed 000's cost_breakdown is per engine and carrier).
struct EnginesConfig {
    std::vector<EndpointConfig> endpoints;
    // Streaming recognizers over WebSocket (MakeLiveStt), each a profile's "stt" by its name.
    std::vector<std::pair<std::string, LiveSttConfig>> live_recognizers;
    domain::PriceTable prices;
};
Result<EnginesConfig> ParseEnginesConfig(std::string_view json_text);

// Every speech engine and brain of this process: espeak-ng, flite and pocketsphinx embedded,
// plus the configured endpoints. Also the domain's view of them (EngineCatalog).
class SpeechEngines final : public domain::EngineCatalog {
public:
    // `sphinx_decoders`: how many recognitions may run at once.
    SpeechEngines(EnginesConfig config, int sphinx_decoders);

    const std::vector<domain::BuiltinVoice>& BuiltinVoices() const override { return voices_; }
    std::vector<domain::ModelInfo> Models() const override;
    std::vector<std::string> SttEngines() const override;
    std::vector<std::string> TtsEngines() const override;

    const TtsRegistry& tts() const { return tts_; }
    SttEngine* Stt(std::string_view name) const;
    const domain::PriceTable& prices() const { return config_.prices; }
    // The configured OpenAI-compatible endpoints, whose chat models are brains.
    const std::vector<EndpointConfig>& endpoints() const { return config_.endpoints; }
    // The words pocketsphinx knows (its en-us dictionary), for building per-step grammars.
    const Lexicon& lexicon() const { return lexicon_; }

    ~SpeechEngines() override;
    SpeechEngines(const SpeechEngines&) = delete;
    SpeechEngines& operator=(const SpeechEngines&) = delete;

    // Speech with a cache: agents say the same questions on every call of a profile.
    Result<std::shared_ptr<const audio::Pcm>> Speak(std::string_view engine, const SpeechStyle& style,
                                                    std::string_view text);
    // The same, handing the audio to `sink` as it is made: a cached line at once and whole, any
    // other as the engine synthesizes it (TtsEngine::SynthesizeStream); the whole is then cached.
    Result<void> Speak(std::string_view engine, const SpeechStyle& style, std::string_view text,
                       const TtsEngine::AudioSink& sink);
    // Synthesizes the sentences of a plan's fixed lines (PlannedLines) into the cache, one at a
    // time on a thread of its own. Once per plan and voice; cheap to call for every call.
    // Sentences already cached are skipped.
    void PrepareLines(const Plan& plan);
    // Lines waiting to be synthesized ahead (for tests and /metrics).
    size_t LinesToPrepare() const;
    // Readies the recognizer `stt` (loads its models) in the background; see SttEngine::Prepare.
    void PrepareRecognizer(std::string_view stt);

private:
    EnginesConfig config_;
    TtsRegistry tts_;
    std::map<std::string, std::unique_ptr<SttEngine>, std::less<>> stt_;
    std::vector<domain::BuiltinVoice> voices_;
    Lexicon lexicon_;
    std::mutex cache_mutex_;
    std::map<std::string, std::shared_ptr<const audio::Pcm>> cache_;

    void PrepareInBackground();
    struct Line {
        std::string engine;
        SpeechStyle style;
        std::string text;
    };
    mutable std::mutex prepare_mutex_;
    std::condition_variable prepare_cv_;
    std::deque<Line> to_prepare_;           // guarded by prepare_mutex_
    std::set<std::string> prepared_plans_;  // guarded by prepare_mutex_: digests of plan and voice
    bool stopping_ = false;                 // guarded by prepare_mutex_
    std::thread preparer_;                  // started by the first PrepareLines
};

}  // namespace parley::voice
