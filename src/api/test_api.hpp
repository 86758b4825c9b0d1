#pragma once

#include <filesystem>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>

#include "api/api.hpp"
#include "common/clock.hpp"
#include "dialer/call_check.hpp"
#include "store/db.hpp"
#include "store/sql_repos.hpp"

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
        static std::mt19937_64 rng{std::random_device{}()};
        path_ = (std::filesystem::temp_directory_path() /
                 ("parley-api-test-" + std::to_string(rng() % 1'000'000'000) + ".db"))
                    .string();
        auto db = store::OpenSqlite(path_, 1);
        if (!db) throw std::runtime_error(db.error().message);
        db_ = std::move(*db);
        if (auto migrated = store::Migrate(*db_); !migrated) throw std::runtime_error(migrated.error().message);
        store_ = store::MakeSqlStore(*db_, SecretBox::Ephemeral());
        keys_ = std::make_unique<domain::KeyService>(*store_, clock_);
        contacts_ = std::make_unique<domain::ContactService>(*store_, clock_, "US");
        fields_ = std::make_unique<domain::CustomFieldService>(*store_, clock_);
        profiles_ = std::make_unique<domain::ProfileService>(*store_, clock_, runtime_, "US");
        presets_ = std::make_unique<domain::VoicePresetService>(*store_, clock_, runtime_);
        calls_ = std::make_unique<domain::CallService>(*store_, clock_, runtime_, "US", webhook_urls);
        campaigns_ = std::make_unique<domain::CampaignService>(*store_, clock_, "US");
        contact_lists_ = std::make_unique<domain::ContactListService>(*store_, clock_);
        webhooks_ = std::make_unique<domain::WebhookService>(*store_, clock_, webhook_urls);
        dialer_check_ = std::make_unique<dialer::CallCheck>(*store_, clock_, runtime_, "US");
        api_ = std::make_unique<Api>(Services{*store_, *keys_, *contacts_, *fields_, *profiles_, *presets_, *calls_,
                                              *campaigns_, *contact_lists_, *webhooks_, *dialer_check_, runtime_,
                                              RecordingAccess{"test-key", "", ""}, [] { return true; }},
                                     clock_);
    }

    ~ApiOverSqlite() {
        api_.reset();
        store_.reset();
        db_.reset();
        std::error_code ignored;
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix, ignored);
    }

    Api& api() { return *api_; }
    domain::KeyService& keys() { return *keys_; }
    domain::Store& store() { return *store_; }
    store::Database& db() { return *db_; }

private:
    std::string path_;
    const Clock& clock_;
    std::unique_ptr<store::Database> db_;
    std::unique_ptr<domain::Store> store_;
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
