#include "voice/speech_engines.hpp"

#include <spdlog/spdlog.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "audio/silence_trimmer.hpp"
#include "common/crypto.hpp"
#include "voice/agent_lines.hpp"
#include "voice/sentences.hpp"

namespace parley::voice {
namespace {

constexpr size_t kMaxCachedUtterances = 4096;
constexpr size_t kMaxPreparedPlans = 1024;  // plans whose lines were prepared, remembered
constexpr size_t kMaxVoicesPerEndpoint = 256;
constexpr size_t kMaxLinesToPrepare = 2048;  // sentences waiting to be synthesized ahead
// Quiet kept before a sentence's first sound (30 ms) and after its last (150 ms: with the next
// sentence's, a natural pause between sentences).
constexpr size_t kMaxLeadSamples = 240;
constexpr size_t kMaxTrailSamples = 1200;

}  // namespace

Result<EnginesConfig> ParseEnginesConfig(std::string_view json_text) {
    const auto j = nlohmann::json::parse(json_text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return Fail(ErrorCode::kValidation, "the engines file is not a JSON object");
    EnginesConfig config;
    try {
        const nlohmann::json endpoints = j.contains("endpoints") ? j["endpoints"] : nlohmann::json::array();
        const nlohmann::json prices = j.contains("prices") ? j["prices"] : nlohmann::json::object();
        if (!endpoints.is_array() || !prices.is_object()) {
            return Fail(ErrorCode::kValidation,
                        R"(the engines file needs "endpoints" as an array and "prices" as an object)");
        }
        std::set<std::string, std::less<>> names;
        // An engine's name: not a built-in engine's, not another's, without a "/".
        const auto name_ok = [&](const std::string& name) {
            return !name.empty() && name != "pocketsphinx" && name != "espeak-ng" && name != "flite" &&
                   name != "scripted" && name.find('/') == std::string::npos && names.insert(name).second;
        };
        const nlohmann::json live = j.contains("live_recognizers") ? j["live_recognizers"] : nlohmann::json::array();
        if (!live.is_array())
            return Fail(ErrorCode::kValidation, R"(the engines file needs "live_recognizers" as an array)");
        for (const auto& e : live) {
            LiveSttConfig rc;
            const auto name = e.at("name").get<std::string>();
            rc.url = e.at("url").get<std::string>();
            rc.api_key = e.value("api_key", "");
            rc.model = e.value("model", "");
            rc.language = e.value("language", "en-US");
            rc.endpointing_ms = e.value("endpointing_ms", 300);
            rc.ca_file = e.value("ca_file", "");
            rc.final_timeout_ms = e.value("final_timeout_ms", 3000L);
            if (!name_ok(name)) {
                return Fail(ErrorCode::kValidation, "live recognizer name \"" + name + "\" is empty, taken or has a /");
            }
            if (auto url = CheckLiveSttUrl(rc.url); !url) {
                return Fail(ErrorCode::kValidation, "live recognizer " + name + ": " + url.error().message);
            }
            if (!rc.ca_file.empty() && !std::ifstream(rc.ca_file)) {
                return Fail(ErrorCode::kValidation, "live recognizer " + name + ": cannot read ca_file " + rc.ca_file);
            }
            if (rc.final_timeout_ms < 100 || rc.final_timeout_ms > 60000) {
                return Fail(ErrorCode::kValidation,
                            "live recognizer " + name + ": final_timeout_ms must be from 100 to 60000");
            }
            if (rc.endpointing_ms < 10 || rc.endpointing_ms > 5000) {
                return Fail(ErrorCode::kValidation,
                            "live recognizer " + name + ": endpointing_ms must be from 10 to 5000");
            }
            config.live_recognizers.emplace_back(name, std::move(rc));
        }
        for (const auto& e : endpoints) {
            EndpointConfig ep;
            ep.name = e.at("name").get<std::string>();
            ep.base_url = e.at("base_url").get<std::string>();
            ep.api_key = e.value("api_key", "");
            ep.chat_models = e.value("chat_models", std::vector<std::string>{});
            ep.transcription_model = e.value("transcription_model", "");
            ep.speech_model = e.value("speech_model", "");
            ep.speech_voice = e.value("speech_voice", "alloy");
            ep.speech_sample_rate = e.value("speech_sample_rate", 24000);
            ep.speech_voices = e.value("speech_voices", std::vector<std::string>{});
            if (!name_ok(ep.name)) {
                return Fail(ErrorCode::kValidation, "endpoint name \"" + ep.name + "\" is empty, taken or has a /");
            }
            // A voice is named "<endpoint>:<voice>" in profiles, so a voice's own name cannot be
            // empty or hold the colon.
            if (ep.speech_voices.size() > kMaxVoicesPerEndpoint) {
                return Fail(ErrorCode::kValidation, "endpoint " + ep.name + ": speech_voices holds more than " +
                                                        std::to_string(kMaxVoicesPerEndpoint) + " voices");
            }
            std::vector<std::string> voices = ep.speech_voices;
            if (voices.empty()) voices.push_back(ep.speech_voice);
            for (const auto& voice : voices) {
                if (!ep.speech_model.empty() && (voice.empty() || voice.find(':') != std::string::npos)) {
                    return Fail(ErrorCode::kValidation,
                                "endpoint " + ep.name + ": speech voice \"" + voice + "\" is empty or has a :");
                }
            }
            if (ep.speech_sample_rate < 8000 || ep.speech_sample_rate > 48000) {
                return Fail(ErrorCode::kValidation,
                            "endpoint " + ep.name + ": speech_sample_rate must be from 8000 to 48000");
            }
            config.endpoints.push_back(std::move(ep));
        }
        for (const auto& [name, price] : prices.items()) {
            if (price.contains("per_minute_cents")) config.prices.per_minute_cents[name] = price["per_minute_cents"];
            if (price.contains("per_1k_chars_cents")) {
                config.prices.per_1k_chars_cents[name] = price["per_1k_chars_cents"];
            }
            if (price.contains("per_call_cents")) config.prices.per_call_cents[name] = price["per_call_cents"];
        }
    } catch (const std::exception& e) {
        return Fail(ErrorCode::kValidation, std::string("the engines file is not valid: ") + e.what());
    }
    return config;
}

namespace {

// The recognizer's dictionary, or the grammar library's own word list when it cannot be read.
Lexicon LoadLexicon(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    auto lexicon = Lexicon::FromCmuDict(text.str());
    if (lexicon) return std::move(*lexicon);
    spdlog::warn("cannot read the pronunciation dictionary {}: grammars use a small built-in word list", path);
    return Lexicon::Builtin();
}

}  // namespace

SpeechEngines::SpeechEngines(EnginesConfig config, int sphinx_decoders) : config_(std::move(config)) {
    tts_.Add(MakeEspeakTts());
    tts_.Add(MakeFliteTts());
    SphinxConfig sphinx;
    sphinx.pool_size = sphinx_decoders;
    // An answer outside the step's grammar ("we want to start in three months" to a question
    // whose options are time spans) goes to the open language model instead of being forced
    // onto the nearest grammar phrase.
    sphinx.reject_out_of_grammar = true;
    // One caller's utterance at a time is recognized while it is spoken (three decoders: the
    // step's grammar, the guarded grammar, the open model); others are recognized whole.
    sphinx.stream_decoders = 3;
    lexicon_ = LoadLexicon(sphinx.model_dir + "/cmudict-en-us.dict");
    stt_.emplace("pocketsphinx", MakeSphinxStt(sphinx));
    for (const auto& ep : config_.endpoints) {
        if (!ep.speech_model.empty()) {
            HttpSpeechConfig speech{ep.base_url, ep.api_key, ep.speech_model, ep.speech_voice};
            speech.sample_rate = ep.speech_sample_rate;
            tts_.Add(MakeHttpTts(std::move(speech), ep.name, ep.speech_voices));
        }
        if (!ep.transcription_model.empty()) {
            stt_.emplace(ep.name, MakeHttpStt({ep.base_url, ep.api_key, ep.transcription_model, ""}));
        }
    }
    for (const auto& [name, live] : config_.live_recognizers) stt_.emplace(name, MakeLiveStt(live));
    for (const auto& v : tts_.Voices()) voices_.push_back({v.id, v.engine, v.name, v.language, v.gender});
}

std::vector<domain::ModelInfo> SpeechEngines::Models() const {
    std::vector<domain::ModelInfo> models = {{"scripted", "parley", "scripted", "", false, true}};
    for (const auto& ep : config_.endpoints) {
        for (const auto& model : ep.chat_models) {
            models.push_back({ep.name + "/" + model, ep.name, "openai", ep.base_url, true, true});
        }
    }
    return models;
}

std::vector<std::string> SpeechEngines::SttEngines() const {
    std::vector<std::string> out;
    out.reserve(stt_.size());
    for (const auto& [name, engine] : stt_) out.push_back(name);
    return out;
}

std::vector<std::string> SpeechEngines::TtsEngines() const {
    std::vector<std::string> out;
    for (auto name : tts_.EngineNames()) out.emplace_back(name);
    return out;
}

SttEngine* SpeechEngines::Stt(std::string_view name) const {
    auto it = stt_.find(name);
    return it == stt_.end() ? nullptr : it->second.get();
}

SpeechEngines::~SpeechEngines() {
    {
        std::lock_guard lock(prepare_mutex_);
        stopping_ = true;
    }
    prepare_cv_.notify_all();
    if (preparer_.joinable()) preparer_.join();
}

namespace {

std::string VoiceKey(std::string_view engine, const SpeechStyle& style) {
    return std::string(engine) + "|" + style.voice + "|" + std::to_string(style.rate_wpm) + "|" +
           (style.pitch ? std::to_string(*style.pitch) : "default");
}

}  // namespace

Result<std::shared_ptr<const audio::Pcm>> SpeechEngines::Speak(std::string_view engine, const SpeechStyle& style,
                                                               std::string_view text) {
    audio::Pcm whole;
    auto spoken =
        Speak(engine, style, text, [&](audio::Pcm piece) { whole.insert(whole.end(), piece.begin(), piece.end()); });
    if (!spoken) return Fail(std::move(spoken.error()));
    return std::make_shared<const audio::Pcm>(std::move(whole));
}

Result<void> SpeechEngines::Speak(std::string_view engine, const SpeechStyle& style, std::string_view text,
                                  const TtsEngine::AudioSink& sink) {
    std::string key = VoiceKey(engine, style) + "|" + std::string(text);
    {
        std::unique_lock lock(cache_mutex_);
        if (auto it = cache_.find(key); it != cache_.end()) {
            auto cached = it->second;
            lock.unlock();
            if (!cached->empty()) sink(*cached);
            return {};
        }
    }
    // The engines' padding would delay the first sound and leave pauses between sentences long
    // enough to sound like the end of the turn.
    audio::SilenceTrimmer trimmer(kMaxLeadSamples, kMaxTrailSamples);
    audio::Pcm whole;
    const auto emit = [&](audio::Pcm piece) {
        if (piece.empty()) return;
        whole.insert(whole.end(), piece.begin(), piece.end());
        sink(std::move(piece));
    };
    auto spoken =
        tts_.SynthesizeStream(engine, style, text, [&](const audio::Pcm& piece) { emit(trimmer.Push(piece)); });
    if (!spoken) return spoken;
    emit(trimmer.Finish());
    auto shared = std::make_shared<const audio::Pcm>(std::move(whole));
    std::lock_guard lock(cache_mutex_);
    if (cache_.size() >= kMaxCachedUtterances) cache_.erase(cache_.begin());
    cache_.emplace(std::move(key), std::move(shared));
    return {};
}

void SpeechEngines::PrepareLines(const Plan& plan) {
    if (!tts_.Find(plan.tts_engine)) return;
    const SpeechStyle style{plan.tts_voice, plan.rate_wpm, plan.pitch};
    // A digest of the plan and voice, not the plan itself: a plan can be kilobytes long.
    const std::string key = Sha256Hex(VoiceKey(plan.tts_engine, style) + "|" + ToJson(plan).dump());
    std::lock_guard lock(prepare_mutex_);
    if (stopping_ || prepared_plans_.contains(key)) return;
    if (prepared_plans_.size() >= kMaxPreparedPlans) prepared_plans_.erase(prepared_plans_.begin());
    prepared_plans_.insert(key);
    for (const auto& line : PlannedLines(plan)) {
        for (auto& sentence : SplitSentences(line)) {
            if (to_prepare_.size() >= kMaxLinesToPrepare) break;
            to_prepare_.push_back({plan.tts_engine, style, std::move(sentence)});
        }
    }
    if (!preparer_.joinable()) preparer_ = std::thread([this] { PrepareInBackground(); });
    prepare_cv_.notify_one();
}

size_t SpeechEngines::LinesToPrepare() const {
    std::lock_guard lock(prepare_mutex_);
    return to_prepare_.size();
}

// One sentence at a time, at the calls' own priority: flite and espeak-ng synthesize one text
// at a time under a lock, and a thread of lower priority starved while holding it would stall
// every call's speech behind it (it did, on a loaded machine: openers started seconds late).
void SpeechEngines::PrepareInBackground() {
    std::unique_lock lock(prepare_mutex_);
    while (true) {
        prepare_cv_.wait(lock, [&] { return stopping_ || !to_prepare_.empty(); });
        if (stopping_) return;
        Line line = std::move(to_prepare_.front());
        to_prepare_.pop_front();
        lock.unlock();
        auto spoken = Speak(line.engine, line.style, line.text, [](const audio::Pcm&) {});
        if (!spoken) spdlog::info("could not synthesize \"{}\" ahead: {}", line.text, spoken.error().message);
        lock.lock();
    }
}

void SpeechEngines::PrepareRecognizer(std::string_view stt) {
    if (SttEngine* engine = Stt(stt)) engine->Prepare();
}

}  // namespace parley::voice
