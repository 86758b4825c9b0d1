#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "audio/audio.hpp"
#include "audio/vad.hpp"
#include "domain/entities.hpp"
#include "telephony/carrier.hpp"
#include "voice/brain.hpp"
#include "voice/engines/stt.hpp"
#include "voice/plan.hpp"

namespace parley::calls {

// The agent's answer while its audio is made: an engine worker adds each piece as it is
// synthesized, the media thread plays what has come before the job is done. A sentence's first
// piece carries its words.
class AgentSpeech {
public:
    struct Piece {
        audio::Pcm audio;
        std::string words;
    };
    void Add(Piece piece) {
        std::lock_guard lock(mutex_);
        pieces_.push_back(std::move(piece));
    }
    // The pieces added since the last Take.
    std::vector<Piece> Take() {
        std::lock_guard lock(mutex_);
        return std::exchange(pieces_, {});
    }

private:
    std::mutex mutex_;
    std::vector<Piece> pieces_;
};

// A unit of engine work for one call: recognize, think, synthesize. The media thread makes it,
// an engine pool worker fills in the results, then sets `done`.
struct Job {
    enum class Kind { kStart, kHear, kSilence, kSay };
    Kind kind = Kind::kStart;
    audio::Pcm audio;
    std::optional<voice::Expectation> expect;
    std::unique_ptr<voice::Brain> brain;
    double at_seconds = 0;
    std::string fixed_say;  // kSay
    std::string digits;     // kHear: keys the callee pressed, heard instead of audio
    // kHear: the utterance recognized while it was spoken (`audio` is still the utterance: what
    // is counted as recognized, and recognized whole when the stream could not run).
    std::shared_ptr<voice::SttStream> stream;
    bool grammar_only = false;  // kHear with a stream: answer only if the step's grammar accepts it
    bool undecided = false;     // result of grammar_only: the grammar did not accept it
    // The job waits on another machine from its start (a hosted recognizer; a speech model, for
    // a job that hears nothing): run whole by a thread that waits on networks (EnginePool's model
    // threads), not by a speech worker.
    bool wait_remotely = false;
    // kHear whose words the recognizer's own endpointing already gave (SttStream::Endpointed).
    std::optional<voice::Recognition> heard;
    std::vector<float> channel;  // result: the caller's voice and line (Recognition::channel)
    // Results.
    std::string words;
    double confidence = 0;
    voice::Turn turn;
    AgentSpeech spoken;        // the answer's audio, a sentence at a time
    std::string said;          // the sentences in `spoken` so far, joined by spaces
    bool first_audio = false;  // a piece is in `spoken`
    // A voicemail message, whole: it waits for the greeting's beep, then plays.
    std::shared_ptr<const audio::Pcm> speech;
    std::string error;
    double stt_audio_seconds = 0;
    size_t tts_chars = 0;
    double stt_ms = 0;  // engine time of this job, for analysis.timings
    double brain_ms = 0;
    double tts_ms = 0;  // synthesis before the answer's first audio
    std::atomic<bool> done{false};
    // Media thread only.
    bool superseded = false;
    bool playing = false;      // its first audio is playing: its line is in the transcript
    bool transcribed = false;  // the callee's words it heard are in the transcript
    bool cut = false;          // the callee talked over it: the rest is not said
};

// One call from its claim to its end. Built by the dispatcher, then owned by the media thread;
// the engine pool reads `plan` and the job it was given, the call writer reads it after the end.
struct Session {
    domain::Call call;
    voice::Plan plan;
    std::vector<domain::CustomField> extract_fields;
    std::string carrier;            // what the call went through, for its cost; the runtime's carrier when empty
    bool local_recognizer = false;  // its recognizer runs on this node (SttEngine::OnThisNode)
    std::unique_ptr<telephony::Dialing> dialing;
    std::unique_ptr<telephony::CallLeg> leg;
    enum class Phase { kDialing, kConnected, kDone } phase = Phase::kDialing;
    int64_t frame = 0;           // frames since dialing began
    int64_t answered_frame = 0;  // frame the callee answered
    audio::Vad vad;
    std::deque<audio::Pcm> pre_roll;
    audio::Pcm utterance;
    int64_t utterance_start_frame = 0;
    audio::Pcm held;  // an utterance whose answer was dropped because the callee went on speaking
    std::shared_ptr<voice::SttStream> stream;  // the utterance being spoken, recognized as it comes
    bool stream_paused = false;                // its grammar was asked at a pause the callee has not ended yet
    std::vector<float> channel;                // the caller's voice and line, from the last utterance
    // The utterance ended while its grammar-only answer was still being decided: it goes to the
    // open model once the grammar has declined it.
    struct PendingUtterance {
        audio::Pcm audio;
        int64_t end_frame = 0;  // when its speech ended
    };
    std::optional<PendingUtterance> final_pending;
    int64_t held_end_frame = -1;
    std::deque<int16_t> agent_audio;
    audio::Pcm rec_in;
    audio::Pcm rec_out;
    std::unique_ptr<voice::Brain> brain;
    std::shared_ptr<Job> job;
    std::optional<voice::Expectation> expect;
    bool hang_up_after_audio = false;
    std::optional<std::string> transfer_after_audio;
    // Places the second call of a bridged transfer through the call's carrier; empty on the
    // sandbox, whose line completes a transfer at once.
    std::function<std::unique_ptr<telephony::Dialing>(const std::string& to)> dial_transfer;
    struct Transfer {
        enum class State { kNone, kReferring, kDialing, kBridged } state = State::kNone;
        std::string to;
        int64_t since_frame = 0;
        int64_t answered_frame = 0;  // the target answered (bridged)
        std::unique_ptr<telephony::Dialing> dialing;
        std::unique_ptr<telephony::CallLeg> target;         // the bridged call
        std::array<int16_t, audio::kFrameSamples> heard{};  // the target's last frame, for the callee
        std::string failure;                                // why it failed: the agent apologizes and hangs up
    } transfer;
    bool overtime = false;
    int64_t quiet_since_frame = 0;  // last frame either side spoke
    int64_t speech_end_frame = 0;   // when the callee's last utterance really ended
    bool awaiting_first_audio = false;
    std::atomic<bool> stop_requested{false};
    // Set by the media thread when the call ends: engine work queued for it is skipped, so an
    // ended call is not kept waiting behind other calls' recognition.
    std::atomic<bool> ended{false};
    domain::CallStatus final_status = domain::CallStatus::kCompleted;
    std::string end_reason;
    domain::Json transcript = domain::Json::array();
    domain::Json barge_ins = domain::Json::array();
    domain::Json voice_to_voice_ms = domain::Json::array();
    domain::Json engine_ms = domain::Json::array();  // per answer: recognition, brain and synthesis time
    double stt_audio_seconds = 0;
    size_t tts_chars = 0;
    size_t agent_line = SIZE_MAX;  // index in transcript of the line being spoken
    // A voicemail message waits for the greeting's beep to end, then plays without barge-in.
    std::shared_ptr<const audio::Pcm> voicemail_message;
    std::string voicemail_text;
    int64_t voicemail_waiting_since = 0;
    int64_t callee_quiet_frames = 0;
    bool barge_in_allowed = true;
    std::string pending_digits;  // keys pressed while the agent was still answering
    size_t tools_reported = 0;   // tools of the conversation already recorded as events

    explicit Session(const audio::VadConfig& vad_config) : vad(vad_config) {}
    // Seconds since the callee answered at frame `f`.
    double Seconds(int64_t f) const { return static_cast<double>(f - answered_frame) * audio::kFrameMs / 1000.0; }
    // Seconds of connected time, once the call has ended.
    double TalkSeconds() const { return phase == Phase::kDone && leg ? Seconds(frame) : 0.0; }
};

// A tool execution in seed 000's "Call Response" shape.
domain::Json ToolJson(const voice::ToolExecution& t);

}  // namespace parley::calls
