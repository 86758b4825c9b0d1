#pragma once

#include "domain/engine_catalog.hpp"
#include "voice/plan.hpp"
#include "voice/speech_engines.hpp"

namespace parley::voice {

// Compiles profile specs into Plans (see domain::ProfileCompiler): resolves the voice, the
// brain and the speech recognizer against what this installation has, turns extract fields
// into questions, and puts the AI disclosure and the opt-out offer in front of the opener.
//
// With `speech`, a profile that compiles has its fixed lines synthesized ahead
// (SpeechEngines::PrepareLines), so its first call does not wait for them.
class PlanCompiler final : public domain::ProfileCompiler {
public:
    explicit PlanCompiler(const domain::EngineCatalog& catalog, SpeechEngines* speech = nullptr)
        : catalog_(catalog), speech_(speech) {}
    Result<Json> Compile(const domain::CompileInput& input) const override;

private:
    const domain::EngineCatalog& catalog_;
    SpeechEngines* speech_;
};

// The question the agent asks for a field when the profile does not word it.
std::string DefaultQuestion(const domain::CustomField& field);

}  // namespace parley::voice
