#pragma once

// The voice runtime's parts for unit tests and benchmarks that place no call: no voices, only the
// scripted brain, no carrier, and a compiler that keeps the settings as they are.

#include "domain/profile_body.hpp"
#include "domain/service_set.hpp"

namespace parley::domain {

class NoCalls final : public EngineCatalog, public ProfileCompiler, public CallLauncher {
public:
    const std::vector<BuiltinVoice>& BuiltinVoices() const override { return voices_; }
    std::vector<ModelInfo> Models() const override { return {{"scripted", "parley", "scripted", "", false, true}}; }
    std::vector<std::string> SttEngines() const override { return {"pocketsphinx"}; }
    std::vector<std::string> TtsEngines() const override { return {}; }
    Result<Json> Compile(const CompileInput& input) const override { return ToJson(input.spec); }
    Result<void> CheckReachable(std::string_view) const override {
        return Fail(ErrorCode::kUnprocessable, "no carrier: this build places no calls");
    }
    std::string CallerId() const override { return "+12025550100"; }
    void Wake() override {}
    bool Hangup(std::string_view) override { return false; }

    // Parts of a ServiceSet that calls nothing.
    ServiceParts Parts() { return ServiceParts{*this, *this, *this}; }

private:
    std::vector<BuiltinVoice> voices_;
};

}  // namespace parley::domain
