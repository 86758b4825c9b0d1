#pragma once

#include <memory>
#include <string>

#include "voice/brain.hpp"

namespace parley::voice {

// A chat model of an OpenAI-compatible endpoint (hosted or local): POST {base_url}/chat/completions.
struct ChatEndpoint {
    std::string base_url;  // e.g. "https://api.openai.com/v1"
    std::string api_key;   // sent as "Authorization: Bearer <api_key>"; empty: no header
    std::string model;
    long timeout_ms = 20000;  // each request to the model, connecting included
};

// The `openai` brain: a chat model decides what the agent says, with the plan as its system
// prompt and tools that act on the call (record_answer for the extract fields, end_call, and
// check_availability, request_meeting and transfer when the plan enables them). The model
// never words the opening: Start() speaks the plan's disclosure, opt-out offer and opener
// itself, and Silence() needs no model either.
//
// Hear() streams the model's answer and runs the tools it calls, for at most 4 requests per
// utterance. It never throws: when the endpoint cannot be reached, answers an error status or
// sends a malformed stream, the agent apologizes and hangs up, and the failure is recorded as a
// failed tool execution named "llm".
std::unique_ptr<Brain> MakeOpenAiBrain(const Plan& plan, const CallFacts& facts, ChatEndpoint endpoint);

}  // namespace parley::voice
