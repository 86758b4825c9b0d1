#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "domain/entities.hpp"
#include "voice/endpoint_config.hpp"
#include "voice/plan.hpp"
#include "voice/understanding/answers.hpp"

namespace parley::voice {

// A tool the agent used, as seed 000's tool_executions lists it.
struct ToolExecution {
    std::string tool;
    std::string status;  // "success" or "failed"
    Json input = Json::object();
    Json output = Json::object();
    double at_seconds = 0;
};

// What the agent does next.
struct Turn {
    std::string say;                      // words to speak; empty: nothing
    std::optional<Expectation> expect;    // what the callee's answer should be (a grammar for the recognizer)
    bool hang_up = false;                 // hang up once `say` has been spoken
    bool leave_voicemail = false;         // `say` is a voicemail message: wait for the beep first
    std::optional<std::string> transfer;  // transfer the call here once `say` has been spoken
};

// Everything a brain learned in a call, for the analysis.
struct Conversation {
    Json values = Json::object();  // extract field -> typed value
    std::vector<std::string> callee_lines;
    std::vector<double> confidences;
    std::vector<ToolExecution> tools;
    int questions_asked = 0;
    int questions_answered = 0;
    bool agreed_to_talk = false;
    bool opted_out = false;
    bool not_interested = false;
    bool wrong_number = false;
    bool voicemail = false;
    bool callee_hung_up = false;
    std::optional<std::string> callback_date;  // "yyyy-mm-dd" when asked to call back then
    bool callback_requested = false;
    bool meeting_booked = false;
    std::optional<std::string> meeting_at;  // "yyyy-mm-ddThh:mm"
    std::optional<std::string> transferred_to;
};

// Facts about the call a brain may use.
struct CallFacts {
    Json variables = Json::object();  // contact fields, profile defaults and the request's variables
    int64_t started_at_ms = 0;        // wall time the call was answered
};

// The agent's mind on one call. A brain is a value: Clone() snapshots it, so a response can be
// thrown away and redone when the callee turns out not to have finished speaking.
class Brain {
public:
    virtual ~Brain() = default;
    virtual Turn Start() = 0;
    // `seconds` is the call time of the utterance's end.
    virtual Turn Hear(const std::string& words, double confidence, double seconds) = 0;
    // The callee has said nothing for a while after the agent spoke.
    virtual Turn Silence(double seconds) = 0;
    // The callee spoke but `recognizer` failed (`error`): the brain records the failure as a
    // "speech_recognition" tool execution and asks the callee to say it again.
    virtual Turn NotHeard(std::string_view recognizer, std::string_view error, double seconds) = 0;
    // While set, Hear() hands each sentence of its answer to `sink` as soon as the sentence is
    // decided, before Hear returns, so it can be spoken while the rest is decided (a chat model's
    // stream); the Turn's `say` still holds the whole answer, normally starting with those
    // sentences. A brain that decides at once ignores it.
    using SentenceSink = std::function<void(const std::string& sentence)>;
    virtual void StreamSentences(const SentenceSink& /*sink*/) {}
    virtual std::unique_ptr<Brain> Clone() const = 0;
    // True when Hear() waits on another machine (a chat model), so it must not hold up the
    // threads that recognize and synthesize speech for every call.
    virtual bool Remote() const { return false; }
    virtual const Conversation& conversation() const = 0;
    virtual Conversation& conversation() = 0;
};

std::unique_ptr<Brain> MakeScriptedBrain(const Plan& plan, const CallFacts& facts);

// The brain a plan names: "scripted", or "<endpoint>/<model>" for a chat model the endpoint of
// that name lists (the openai brain; see openai_brain.hpp). kUnavailable naming the brain when
// this installation has no such brain.
Result<std::unique_ptr<Brain>> MakeBrain(const Plan& plan, const CallFacts& facts,
                                         const std::vector<EndpointConfig>& endpoints);

}  // namespace parley::voice
