#include "store/sql_repos.hpp"

namespace parley::store {
namespace {

class SqlRepos final : public domain::Repos {
public:
    SqlRepos(Connection& c, const SecretBox& box)
        : organizations_(c),
          api_keys_(c),
          custom_fields_(c),
          contacts_(c),
          dnc_(c),
          idempotency_(c),
          rate_limits_(c),
          profiles_(c),
          voice_presets_(c),
          carriers_(c, box),
          phone_numbers_(c),
          calls_(c),
          contact_lists_(c),
          campaigns_(c),
          webhooks_(c, box),
          mcp_sessions_(c),
          oauth_(c),
          reports_(c),
          billing_(c) {}
    domain::OrganizationRepo& organizations() override { return organizations_; }
    domain::ApiKeyRepo& api_keys() override { return api_keys_; }
    domain::CustomFieldRepo& custom_fields() override { return custom_fields_; }
    domain::ContactRepo& contacts() override { return contacts_; }
    domain::DncRepo& dnc() override { return dnc_; }
    domain::IdempotencyRepo& idempotency() override { return idempotency_; }
    domain::RateLimitRepo& rate_limits() override { return rate_limits_; }
    domain::ProfileRepo& profiles() override { return profiles_; }
    domain::VoicePresetRepo& voice_presets() override { return voice_presets_; }
    domain::CarrierRepo& carriers() override { return carriers_; }
    domain::PhoneNumberRepo& phone_numbers() override { return phone_numbers_; }
    domain::CallRepo& calls() override { return calls_; }
    domain::ContactListRepo& contact_lists() override { return contact_lists_; }
    domain::CampaignRepo& campaigns() override { return campaigns_; }
    domain::WebhookRepo& webhooks() override { return webhooks_; }
    domain::McpSessionRepo& mcp_sessions() override { return mcp_sessions_; }
    domain::OAuthRepo& oauth() override { return oauth_; }
    domain::ReportRepo& reports() override { return reports_; }
    domain::BillingRepo& billing() override { return billing_; }
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
    SqlCarrierRepo carriers_;
    SqlPhoneNumberRepo phone_numbers_;
    SqlCallRepo calls_;
    SqlContactListRepo contact_lists_;
    SqlCampaignRepo campaigns_;
    SqlWebhookRepo webhooks_;
    SqlMcpSessionRepo mcp_sessions_;
    SqlOAuthRepo oauth_;
    SqlReportRepo reports_;
    SqlBillingRepo billing_;
};

class SqlStore final : public domain::Store {
public:
    SqlStore(Database& db, const SecretBox& box) : db_(db), box_(box) {}
    Result<void> Write(const Body& body) override {
        bool recorded = false;
        auto* claim = domain::ClaimedRequest::Current();
        auto done = db_.Transaction([&](Connection& c) -> Result<void> {
            SqlRepos repos(c, box_);
            auto out = body(repos);
            recorded = repos.recorded_events();
            if (!out || !claim || claim->work_committed()) return out;
            return repos.idempotency().MarkWorkCommitted(claim->scope());
        });
        if (done && claim) claim->SetWorkCommitted();
        if (done && recorded) NotifyEvents();
        return done;
    }
    Result<void> Read(const Body& body) override {
        return db_.WithConnection([&](Connection& c) {
            SqlRepos repos(c, box_);
            return body(repos);
        });
    }

private:
    Database& db_;
    const SecretBox& box_;
};

}  // namespace

std::unique_ptr<domain::Store> MakeSqlStore(Database& db, const SecretBox& box) {
    return std::make_unique<SqlStore>(db, box);
}

Result<int64_t> ResealSecrets(Database& db, const SecretBox& box) {
    // Each table and column that holds a secret, with its key columns.
    struct Column {
        const char* table;
        const char* column;
        const char* key;
    };
    static constexpr Column kColumns[] = {
        {"webhook_endpoints", "secret", "id"},
        {"webhook_endpoints", "previous_secret", "id"},
        {"webhook_org_secrets", "secret", "org_id"},
        {"carriers", "auth_password", "id"},
        {"settings", "value", "name"},
    };
    int64_t resealed = 0;
    auto done = db.Transaction([&](Connection& c) -> Result<void> {
        for (const auto& col : kColumns) {
            std::string select = std::string("SELECT ") + col.key + ", " + col.column + " FROM " + col.table +
                                 " WHERE " + col.column + " IS NOT NULL AND " + col.column + " NOT LIKE ?";
            if (std::string_view(col.table) == "settings") select += " AND name IN ('recording_signing_key')";
            auto rows = c.Query(select, {box.SealingPrefix() + "%"});
            if (!rows) return Fail(std::move(rows.error()));
            for (const auto& row : *rows) {
                const std::string value = row[1].AsText();
                std::string plaintext = value;
                if (SecretBox::IsSealed(value)) {
                    auto opened = box.Open(value);
                    if (!opened) return Fail(std::move(opened.error()));
                    plaintext = std::move(*opened);
                }
                auto n =
                    c.Exec(std::string("UPDATE ") + col.table + " SET " + col.column + " = ? WHERE " + col.key + " = ?",
                           {box.Seal(plaintext), row[0].AsText()});
                if (!n) return Fail(std::move(n.error()));
                ++resealed;
            }
        }
        return {};
    });
    if (!done) return Fail(std::move(done.error()));
    return resealed;
}

}  // namespace parley::store
