#include "store/sql_repos.hpp"

namespace parley::store {
namespace {

class SqlRepos final : public domain::Repos {
public:
    explicit SqlRepos(Connection& c)
        : organizations_(c),
          api_keys_(c),
          custom_fields_(c),
          contacts_(c),
          dnc_(c),
          idempotency_(c),
          rate_limits_(c),
          profiles_(c),
          voice_presets_(c),
          calls_(c),
          contact_lists_(c),
          campaigns_(c),
          webhooks_(c) {}
    domain::OrganizationRepo& organizations() override { return organizations_; }
    domain::ApiKeyRepo& api_keys() override { return api_keys_; }
    domain::CustomFieldRepo& custom_fields() override { return custom_fields_; }
    domain::ContactRepo& contacts() override { return contacts_; }
    domain::DncRepo& dnc() override { return dnc_; }
    domain::IdempotencyRepo& idempotency() override { return idempotency_; }
    domain::RateLimitRepo& rate_limits() override { return rate_limits_; }
    domain::ProfileRepo& profiles() override { return profiles_; }
    domain::VoicePresetRepo& voice_presets() override { return voice_presets_; }
    domain::CallRepo& calls() override { return calls_; }
    domain::ContactListRepo& contact_lists() override { return contact_lists_; }
    domain::CampaignRepo& campaigns() override { return campaigns_; }
    domain::WebhookRepo& webhooks() override { return webhooks_; }
    bool recorded_events() const { return webhooks_.recorded(); }

private:
    SqlOrganizationRepo organizations_;
    SqlApiKeyRepo api_keys_;
    SqlCustomFieldRepo custom_fields_;
    SqlContactRepo contacts_;
    SqlDncRepo dnc_;
    SqlIdempotencyRepo idempotency_;
    SqlRateLimitRepo rate_limits_;
    SqlProfileRepo profiles_;
    SqlVoicePresetRepo voice_presets_;
    SqlCallRepo calls_;
    SqlContactListRepo contact_lists_;
    SqlCampaignRepo campaigns_;
    SqlWebhookRepo webhooks_;
};

class SqlStore final : public domain::Store {
public:
    explicit SqlStore(Database& db) : db_(db) {}
    Result<void> Write(const Body& body) override {
        bool recorded = false;
        auto done = db_.Transaction([&](Connection& c) {
            SqlRepos repos(c);
            auto out = body(repos);
            recorded = repos.recorded_events();
            return out;
        });
        if (done && recorded) NotifyEvents();
        return done;
    }
    Result<void> Read(const Body& body) override {
        return db_.WithConnection([&](Connection& c) {
            SqlRepos repos(c);
            return body(repos);
        });
    }

private:
    Database& db_;
};

}  // namespace

std::unique_ptr<domain::Store> MakeSqlStore(Database& db) { return std::make_unique<SqlStore>(db); }

}  // namespace parley::store
