#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "audio/audio.hpp"
#include "common/error.hpp"
#include "voice/engines/http_speech_config.hpp"

namespace parley::voice {

// A voice an engine can speak with. `id` is unique across engines: "<engine>:<voice>", e.g.
// "espeak-ng:en-us", "flite:slt". `language` is a lower-case BCP 47 tag such as "en-us" (empty
// when unknown); `gender` is "male", "female" or "unknown".
struct BuiltinVoice {
    std::string id;
    std::string engine;
    std::string name;
    std::string language;
    std::string gender;
};

// How to speak. `voice` is the part of a BuiltinVoice id after "<engine>:" (empty: the engine's
// default voice). rate_wpm: words per minute, 0 = the engine's default (about 175). pitch: 0..100
// from the lowest to the highest, with 50 the voice's natural pitch; empty = the engine's default.
struct SpeechStyle {
    std::string voice;
    int rate_wpm = 0;
    std::optional<int> pitch;
    // Engines that vary a line's sound from one rendering to the next (flite's clustergen voices
    // draw noise) render this take of it: the same voice, style, words and take always give the
    // same audio.
    unsigned take = 0;
};

class TtsEngine {
public:
    virtual ~TtsEngine();
    // "espeak-ng", "flite", or an endpoint's name.
    virtual std::string_view Name() const = 0;
    virtual const std::vector<BuiltinVoice>& Voices() const = 0;
    // Speaks UTF-8 text as kSampleRate mono audio. Thread-safe. Empty or blank text gives empty
    // audio. An unknown voice is kValidation naming it; an engine failure is kInternal or, for a
    // remote engine, kUnavailable.
    virtual Result<audio::Pcm> Synthesize(std::string_view text, const SpeechStyle& style) = 0;
    // Speaks text, handing its audio to `sink` in order as it is made, so that playing can start
    // before the end is synthesized. By default the whole is synthesized, then handed over as one
    // piece; an engine that receives audio over a network (http) hands over each piece as it
    // arrives. Errors as Synthesize; pieces handed over before an error were made all the same.
    using AudioSink = std::function<void(audio::Pcm piece)>;
    virtual Result<void> SynthesizeStream(std::string_view text, const SpeechStyle& style, const AudioSink& sink);
    // True when SynthesizeStream hands over audio as another machine sends it (no core of this
    // node makes it).
    virtual bool Streams() const { return false; }
};

// espeak-ng through its C API: every voice espeak_ListVoices reports (its language and gender as
// espeak reports them); default voice "en-us". espeak-ng is process-global, so all espeak-ng
// engines share one lock.
std::unique_ptr<TtsEngine> MakeEspeakTts();

// flite with the US English voices kal, kal16, slt, rms and awb; default voice "slt". Calls are
// serialized (flite keeps per-voice feature state that synthesis reads and we write).
std::unique_ptr<TtsEngine> MakeFliteTts();

// An OpenAI-compatible endpoint: POST {base_url}/audio/speech with
// {"model", "input", "voice", "response_format": "wav"}; the WAV answer is converted to 8 kHz
// mono. Any voice name is passed through (style.voice, else config.voice); rate_wpm becomes the
// "speed" factor relative to 175 wpm; pitch is ignored. The engine is named `name` (the
// endpoint's); Voices() lists `voices` ("<name>:<voice>"), or config.voice when none are given.
// SynthesizeStream asks for {"response_format": "pcm"} (raw 16-bit little-endian mono at
// config.sample_rate, 24000 for OpenAI) and hands each piece of the body to the sink as it
// arrives, resampled to 8 kHz; a server that answers with a WAV file instead is read whole.
std::unique_ptr<TtsEngine> MakeHttpTts(HttpSpeechConfig config, std::string name = "http",
                                       const std::vector<std::string>& voices = {});

// Which voices to list; empty fields match everything. `language` matches a voice whose language
// equals it or starts with it followed by '-' ("en" matches "en-us"), case-insensitively.
struct VoiceFilter {
    std::string engine;
    std::string language;
    std::string gender;
};

std::vector<BuiltinVoice> FilterVoices(std::span<const BuiltinVoice> voices, const VoiceFilter& filter);

// The engines a process offers, routed by engine name. Add engines while setting up; after that
// the registry is only read and may be shared between threads.
class TtsRegistry {
public:
    // Takes the engine; replaces an engine with the same name.
    void Add(std::unique_ptr<TtsEngine> engine);

    // nullptr when no engine has that name.
    TtsEngine* Find(std::string_view engine) const;

    // kValidation when the engine is not registered; otherwise the engine's answer.
    Result<audio::Pcm> Synthesize(std::string_view engine, const SpeechStyle& style, std::string_view text) const;
    Result<void> SynthesizeStream(std::string_view engine, const SpeechStyle& style, std::string_view text,
                                  const TtsEngine::AudioSink& sink) const;
    // TtsEngine::Streams of the engine; false when it is not registered.
    bool Streams(std::string_view engine) const {
        const TtsEngine* e = Find(engine);
        return e != nullptr && e->Streams();
    }

    // Speaks with a voice id "<engine>:<voice>" (rate and pitch from `style`, its voice ignored).
    Result<audio::Pcm> SynthesizeWithVoiceId(std::string_view voice_id, const SpeechStyle& style,
                                             std::string_view text) const;

    // Every voice of every engine, in registration order.
    std::vector<BuiltinVoice> Voices() const;
    std::vector<BuiltinVoice> Voices(const VoiceFilter& filter) const { return FilterVoices(Voices(), filter); }

    std::vector<std::string_view> EngineNames() const;

private:
    std::vector<std::unique_ptr<TtsEngine>> engines_;
};

}  // namespace parley::voice
