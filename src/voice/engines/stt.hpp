#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "voice/engines/http_speech_config.hpp"

namespace parley::voice {

struct RecognizeOptions {
    // A JSGF grammar whose public rule lists the expected answers, e.g.
    //   #JSGF V1.0; grammar answer; public <answer> = yes | no | no thanks;
    // Words are lower-case dictionary words. Engines without grammar support ignore it.
    std::optional<std::string> jsgf;
};

struct Recognition {
    std::string text;           // lower-case words separated by single spaces; empty: nothing recognized
    double confidence = 0;      // 0..1, see each engine for how it is derived
    bool used_grammar = false;  // true when `text` came from the grammar, false for the open vocabulary
    // What the engine learned of the speaker's voice and line in this utterance (pocketsphinx:
    // its cepstral mean), for streaming the next utterance of the same caller; empty when the
    // engine learns nothing.
    std::vector<float> channel;
};

// One utterance recognized while it is spoken. The media thread pushes audio; engine workers
// decode it (Decode, FinishGrammar, Finish), one at a time: every method but Push may take a
// while and is called off the media thread.
class SttStream {
public:
    virtual ~SttStream();
    // Appends kSampleRate mono audio; cheap, never waits on decoding. True when the caller must
    // have Decode run (the stream was idle), false when a Decode is already due.
    virtual bool Push(std::span<const int16_t> pcm_8k) = 0;
    // Decodes what was pushed so far.
    virtual void Decode() = 0;
    // The step grammar's answer to everything pushed so far, when the grammar accepts it (the
    // same test Recognize applies); nullopt when the open vocabulary must decide. Ends the
    // grammar's part of the stream: later pushes go to the open vocabulary only. Called when
    // the callee pauses; an engine may also decide the open vocabulary's words here, which
    // Finish returns unless Resumed was called.
    virtual Result<std::optional<Recognition>> FinishGrammar() = 0;
    // The callee spoke again after the pause FinishGrammar was called for: what was decided at
    // the pause no longer covers the utterance. Cheap, never waits.
    virtual void Resumed() {}
    // The recognition of everything pushed: the grammar's accepted answer, else the open
    // vocabulary's. kUnavailable when the stream could not run (no decoder was free) or leaves
    // the utterance to a whole recognition: recognize it with Recognize instead.
    virtual Result<Recognition> Finish() = 0;
    // Cheap, never waits: the words so far once the recognizer's own endpointing has ended the
    // utterance (a hosted recognizer's speech_final), before Parley's endpointing would; nullopt
    // until then, and always for engines that leave endpointing to Parley.
    virtual std::optional<Recognition> Endpointed() { return std::nullopt; }
};

class SttEngine {
public:
    virtual ~SttEngine();
    // "pocketsphinx", "http".
    virtual std::string_view Name() const = 0;
    // Recognizes one utterance of kSampleRate mono audio. Thread-safe. Silence is not an error:
    // it gives empty text.
    virtual Result<Recognition> Recognize(std::span<const int16_t> pcm_8k, const RecognizeOptions& options) = 0;
    // Loads, in the background, what the first recognition would otherwise wait for. Returns at
    // once; later calls do nothing. The default does nothing.
    virtual void Prepare() {}
    // Whether recognizing spends this node's processors (an embedded engine) rather than a remote
    // service's: a node admits fewer calls of such engines (RuntimeOptions::max_local_calls).
    virtual bool OnThisNode() const { return true; }
    // A stream for one utterance, for a caller whose previous utterance gave `channel`
    // (Recognition::channel; empty for a caller not heard yet); nullptr when the engine does not
    // stream such an utterance or `channel` is not its own.
    virtual std::unique_ptr<SttStream> OpenStream(const RecognizeOptions& options, std::span<const float> channel);
};

struct SphinxConfig {
    std::string model_dir = "/usr/share/pocketsphinx/model/en-us";  // en-us/, en-us.lm.bin, cmudict-en-us.dict
    int pool_size = 2;  // decoders, created on first use or by Prepare(); a call waits for a free one
    // Decoders kept apart for streams: a stream takes up to three (the grammar, the grammar
    // guarded by garbage words, the open language model) while its utterance is spoken.
    int stream_decoders = 0;

    // Tuning (the defaults are the measured best for 8 kHz telephone audio; see sphinx_stt.cpp).
    // 16000: upsample to the model's rate and use its own front end (measured best);
    // 8000: decode at 8 kHz with a narrow-band front end (256-point FFT, filters up to 3.5 kHz).
    int decode_rate = 16000;
    // A grammar result below this confidence is decoded again with the open language model.
    double min_grammar_confidence = 0.2;
    // Also decode against the grammar OR a loop of common words, and leave the answer to the open
    // language model when the words win: speech the grammar does not describe is then not forced
    // onto an answer, but clear answers are rejected more often too (measured in sphinx_stt.cpp).
    bool reject_out_of_grammar = false;
    // Extra decoder arguments as "-name", "value" pairs, applied last.
    std::vector<std::string> extra_args;
};

// pocketsphinx (en-us). With a grammar the utterance is decoded against it (compiled grammars
// are cached per decoder); if the grammar does not load, finds nothing or is unsure, the open
// language model decodes it again and used_grammar is false. Confidence: see sphinx_stt.cpp.
// kUnavailable when the model cannot be loaded.
std::unique_ptr<SttEngine> MakeSphinxStt(SphinxConfig config = {});

// An OpenAI-compatible endpoint: POST {base_url}/audio/transcriptions, multipart with
// file=<WAV of the audio>, model=<config.model>, response_format=json; reads {"text": ...}. The
// text is lower-cased and stripped of punctuation. Confidence is exp(mean avg_logprob) when the
// answer has segments that carry it, else 1 for non-empty text (the endpoint reports none).
std::unique_ptr<SttEngine> MakeHttpStt(HttpSpeechConfig config);

// A hosted streaming recognizer over WebSocket, in the shape of Deepgram's live API: the
// connection's query names the audio (encoding=linear16, sample_rate=8000, channels=1) and asks
// for interim results and the server's endpointing; binary messages carry the audio up, JSON text
// messages carry Results down (interim ones with is_final false; final ones with is_final true,
// and speech_final true where the server's endpointing ended the utterance). At the end of an
// utterance the stream sends {"type": "CloseStream"}: the server recognizes what is left, sends
// its last final results and a Metadata message, and closes.
struct LiveSttConfig {
    std::string url;      // ws:// or wss://host[:port]/path (e.g. wss://api.deepgram.com/v1/listen)
    std::string api_key;  // sent as "Authorization: Token <api_key>"; empty: no header
    std::string model;    // the "model" query parameter; empty: the server's default
    std::string language = "en-US";
    int endpointing_ms = 300;  // the server's endpointing: quiet that ends an utterance
    long connect_timeout_ms = kHttpConnectTimeoutMs;
    long final_timeout_ms = 3000;  // how long Finish waits for the last results after the audio
    std::string ca_file;           // wss: trust these certificates instead of the system's
};

// One connection per utterance (OpenStream; Recognize streams its audio through one). Every
// socket runs on the engine's own I/O thread: Push only hands audio over. Finish returns the
// final transcripts joined, lower-cased and stripped of punctuation (NormalizeTranscript), with
// their mean confidence; kUnavailable when the connection fails, drops, sends a message it cannot
// read (an Error message, or JSON without the Results shape) or stays quiet past the timeout.
std::unique_ptr<SttEngine> MakeLiveStt(LiveSttConfig config);
// kValidation, saying why, unless `url` is a ws:// or wss:// URL MakeLiveStt can connect to.
Result<void> CheckLiveSttUrl(std::string_view url);

// Lower-case words separated by single spaces: letters, digits and inner apostrophes are kept,
// everything else separates words.
std::string NormalizeTranscript(std::string_view text);

}  // namespace parley::voice
