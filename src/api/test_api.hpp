#pragma once

#include <memory>
#include <string>

#include "api/api.hpp"
#include "common/clock.hpp"
#include "dialer/call_check.hpp"
#include "store/temp_store.hpp"

namespace parley::api {

// The voice runtime's parts, absent here: no voices, only the scripted brain, no carrier. The
// integration tests run profiles and calls against the real runtime.
class NoVoiceRuntime final : public domain::EngineCatalog, public domain::ProfileCompiler, public domain::CallLauncher {
public:
    const std::vector<domain::BuiltinVoice>& BuiltinVoices() const override { return voices_; }
    std::vector<domain::ModelInfo> Models() const override {
        return {{"scripted", "parley", "scripted", "", false, true}};
    }
    std::vector<std::string> SttEngines() const override { return {"pocketsphinx"}; }
    std::vector<std::string> TtsEngines() const override { return {}; }
    Result<domain::Json> Compile(const domain::CompileInput& input) const override { return input.spec; }
    Result<void> CheckReachable(std::string_view) const override {
        return Fail(ErrorCode::kUnprocessable, "no carrier in API unit tests");
    }
    std::string CallerId() const override { return "+12025550100"; }
    void Wake() override {}
    bool Hangup(std::string_view) override { return false; }

private:
    std::vector<domain::BuiltinVoice> voices_;
};

// A real Api over a migrated SQLite database in a temporary file.
class ApiOverSqlite {
public:
    explicit ApiOverSqlite(const Clock& clock = SystemClock::Shared(), net::WebhookUrlPolicy webhook_urls = {})
        : clock_(clock) {
        domain::Store& store = temp_.store();
        keys_ = std::make_unique<domain::KeyService>(store, clock_);
        contacts_ = std::make_unique<domain::ContactService>(store, clock_, "US");
        fields_ = std::make_unique<domain::CustomFieldService>(store, clock_);
        profiles_ = std::make_unique<domain::ProfileService>(store, clock_, runtime_, "US");
        presets_ = std::make_unique<domain::VoicePresetService>(store, clock_, runtime_);
        calls_ = std::make_unique<domain::CallService>(store, clock_, runtime_, "US", webhook_urls);
        campaigns_ = std::make_unique<domain::CampaignService>(store, clock_, "US");
        contact_lists_ = std::make_unique<domain::ContactListService>(store, clock_);
        webhooks_ = std::make_unique<domain::WebhookService>(store, clock_, webhook_urls);
        dialer_check_ = std::make_unique<dialer::CallCheck>(store, clock_, runtime_, "US");
        api_ = std::make_unique<Api>(
            Services{store, *keys_, *contacts_, *fields_, *profiles_, *presets_, *calls_, *campaigns_, *contact_lists_,
                     *webhooks_, *dialer_check_, runtime_, RecordingAccess{"test-key", "", ""}, [] { return true; }},
            clock_);
    }

    ~ApiOverSqlite() { api_.reset(); }

    Api& api() { return *api_; }
    domain::KeyService& keys() { return *keys_; }
    domain::Store& store() { return temp_.store(); }
    store::Database& db() { return temp_.db(); }

private:
    store::TempSqliteStore temp_{"api-test"};
    const Clock& clock_;
    std::unique_ptr<domain::KeyService> keys_;
    std::unique_ptr<domain::ContactService> contacts_;
    std::unique_ptr<domain::CustomFieldService> fields_;
    NoVoiceRuntime runtime_;
    std::unique_ptr<domain::ProfileService> profiles_;
    std::unique_ptr<domain::VoicePresetService> presets_;
    std::unique_ptr<domain::CallService> calls_;
    std::unique_ptr<domain::CampaignService> campaigns_;
    std::unique_ptr<domain::ContactListService> contact_lists_;
    std::unique_ptr<domain::WebhookService> webhooks_;
    std::unique_ptr<dialer::CallCheck> dialer_check_;
    std::unique_ptr<Api> api_;
};

}  // namespace parley::api
