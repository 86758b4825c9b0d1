#pragma once

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>

#include "common/secret_box.hpp"
#include "domain/repos.hpp"
#include "store/db.hpp"

namespace parley::store {

// SQL implementations of the domain's repositories, each bound to one connection.

// Writes of many rows go this many per statement: one round trip per hundred rows, not per row.
inline constexpr size_t kRowsPerStatement = 100;

// The condition of the index of calls not yet ended (migration V006), to be written literally
// into a query that should use it: neither database uses a partial index otherwise.
inline constexpr std::string_view kNotEnded = "status IN ('queued', 'ringing', 'in_progress')";

// Calls `write(begin, end)` for each run of at most kRowsPerStatement of `n` rows, in order;
// stops at the first error.
template <class Write>
Result<void> InChunks(size_t n, Write&& write) {
    for (size_t begin = 0; begin < n; begin += kRowsPerStatement) {
        if (Result<void> done = write(begin, std::min(n, begin + kRowsPerStatement)); !done) return done;
    }
    return {};
}

// "?, ?, ?" with `n` placeholders.
inline std::string Placeholders(size_t n) {
    std::string out;
    for (size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
    return out;
}

// A secret as stored: sealed when set (common/secret_box.hpp).
inline std::optional<std::string> SealIfSet(const SecretBox& box, const std::optional<std::string>& plaintext) {
    if (!plaintext) return std::nullopt;
    return box.Seal(*plaintext);
}

// "(row), (row), …": `rows` copies of the parenthesized `row`.
inline std::string RowList(size_t rows, std::string_view row) {
    std::string out;
    for (size_t i = 0; i < rows; ++i) {
        out += i == 0 ? "(" : ", (";
        out += row;
        out += ')';
    }
    return out;
}

class SqlOrganizationRepo final : public domain::OrganizationRepo {
public:
    explicit SqlOrganizationRepo(Connection& c) : c_(c) {}
    Result<void> Insert(const domain::Organization& org) override;
    Result<std::optional<domain::Organization>> Get(std::string_view id) override;
    Result<int64_t> Count() override;

private:
    Connection& c_;
};

class SqlApiKeyRepo final : public domain::ApiKeyRepo {
public:
    explicit SqlApiKeyRepo(Connection& c) : c_(c) {}
    Result<void> Insert(const domain::ApiKey& key, std::string_view key_hash) override;
    Result<std::optional<std::pair<domain::ApiKey, domain::Tier>>> FindByHash(std::string_view key_hash) override;
    Result<std::optional<domain::ApiKey>> Get(std::string_view org_id, std::string_view id) override;
    Result<domain::Page<domain::ApiKey>> List(std::string_view org_id, const domain::PageRequest& page) override;
    Result<bool> Revoke(std::string_view org_id, std::string_view id, int64_t now) override;
    Result<void> TouchLastUsed(std::string_view id, int64_t now) override;

private:
    Connection& c_;
};

class SqlCustomFieldRepo final : public domain::CustomFieldRepo {
public:
    explicit SqlCustomFieldRepo(Connection& c) : c_(c) {}
    Result<void> Insert(const domain::CustomField& field) override;
    Result<std::optional<domain::CustomField>> Get(std::string_view org_id, std::string_view id) override;
    Result<domain::Page<domain::CustomField>> List(std::string_view org_id,
                                                   std::optional<domain::FieldCategory> category,
                                                   const domain::PageRequest& page) override;
    Result<std::vector<domain::CustomField>> All(std::string_view org_id) override;
    Result<void> Update(const domain::CustomField& field) override;
    Result<bool> Delete(std::string_view org_id, std::string_view id) override;

private:
    Connection& c_;
};

class SqlContactRepo final : public domain::ContactRepo {
public:
    explicit SqlContactRepo(Connection& c) : c_(c) {}
    Result<void> Insert(const domain::Contact& contact) override;
    Result<bool> InsertIfNew(const domain::Contact& contact) override;
    Result<std::optional<domain::Contact>> Get(std::string_view org_id, std::string_view id) override;
    Result<std::optional<std::string>> IdByPhone(std::string_view org_id, std::string_view phone) override;
    Result<domain::Page<domain::Contact>> List(std::string_view org_id, const domain::ContactFilter& filter,
                                               const domain::PageRequest& page) override;
    Result<void> Update(const domain::Contact& contact) override;
    Result<bool> Delete(std::string_view org_id, std::string_view id) override;

private:
    Result<void> WriteTags(const domain::Contact& contact);
    Connection& c_;
};

class SqlDncRepo final : public domain::DncRepo {
public:
    explicit SqlDncRepo(Connection& c) : c_(c) {}
    Result<void> Record(const domain::DncLedgerEntry& entry) override;
    Result<std::optional<domain::DncNumber>> Find(std::string_view org_id, std::string_view phone) override;
    Result<domain::Page<domain::DncNumber>> List(std::string_view org_id, const domain::PageRequest& page) override;
    Result<std::vector<domain::DncLedgerEntry>> History(std::string_view org_id, std::string_view phone) override;

private:
    Connection& c_;
};

class SqlIdempotencyRepo final : public domain::IdempotencyRepo {
public:
    explicit SqlIdempotencyRepo(Connection& c) : c_(c) {}
    Result<void> Claim(const domain::IdempotencyScope& scope, std::string_view request_hash, std::string_view node_id,
                       int64_t now) override;
    Result<std::optional<domain::StoredResponse>> Find(const domain::IdempotencyScope& scope) override;
    Result<void> Complete(const domain::IdempotencyScope& scope, int status, std::string_view body) override;
    Result<void> Release(const domain::IdempotencyScope& scope) override;
    Result<void> MarkWorkCommitted(const domain::IdempotencyScope& scope) override;
    Result<bool> ReleaseAbandoned(const domain::IdempotencyScope& scope, int64_t cutoff) override;
    Result<int64_t> ReleaseNode(std::string_view node_id) override;
    Result<int64_t> PurgeOlderThan(int64_t cutoff) override;

private:
    Connection& c_;
};

class SqlRateLimitRepo final : public domain::RateLimitRepo {
public:
    explicit SqlRateLimitRepo(Connection& c) : c_(c) {}
    Result<int64_t> Increment(std::string_view bucket, int64_t window_start) override;
    Result<int64_t> PurgeOlderThan(int64_t cutoff) override;

private:
    Connection& c_;
};

class SqlMcpSessionRepo final : public domain::McpSessionRepo {
public:
    explicit SqlMcpSessionRepo(Connection& c) : c_(c) {}
    Result<void> Insert(const domain::McpSession& session) override;
    Result<std::optional<domain::McpSession>> Get(std::string_view key_id, std::string_view id) override;
    Result<void> Extend(std::string_view id, int64_t expires_at) override;
    Result<bool> End(std::string_view key_id, std::string_view id, int64_t now) override;
    Result<void> SetLogLevel(std::string_view id, std::string_view level) override;
    Result<int64_t> PurgeExpiredBefore(int64_t cutoff) override;

private:
    Connection& c_;
};

class SqlOAuthRepo final : public domain::OAuthRepo {
public:
    explicit SqlOAuthRepo(Connection& c) : c_(c) {}
    Result<void> InsertClient(const domain::OAuthClient& client) override;
    Result<std::optional<domain::OAuthClient>> GetClient(std::string_view id) override;
    Result<void> InsertCode(const domain::OAuthCode& code) override;
    Result<std::optional<domain::OAuthCode>> TakeCode(std::string_view code_hash, int64_t now) override;
    Result<void> SetCodeGrant(std::string_view code_hash, std::string_view grant_id) override;
    Result<void> InsertGrant(const domain::OAuthGrant& grant) override;
    Result<std::optional<domain::OAuthGrant>> GetGrant(std::string_view org_id, std::string_view id) override;
    Result<domain::Page<domain::OAuthGrant>> ListGrants(std::string_view org_id,
                                                        const domain::PageRequest& page) override;
    Result<bool> RevokeGrant(std::string_view grant_id, int64_t now) override;
    Result<void> TouchGrant(std::string_view grant_id, int64_t now) override;
    Result<void> InsertToken(const domain::OAuthToken& token) override;
    Result<std::optional<domain::OAuthTokenOfGrant>> FindToken(std::string_view token_hash) override;
    Result<bool> UseToken(std::string_view token_hash, int64_t now) override;
    Result<void> InsertSignIn(const domain::OAuthSignIn& sign_in) override;
    Result<std::optional<domain::OAuthSignIn>> FindSignIn(std::string_view token_hash) override;
    Result<bool> UseSignIn(std::string_view token_hash, int64_t now) override;
    Result<int64_t> PurgeExpired(int64_t cutoff, int64_t unused_clients_before) override;

private:
    Connection& c_;
};

class SqlProfileRepo final : public domain::ProfileRepo {
public:
    explicit SqlProfileRepo(Connection& c) : c_(c) {}
    Result<void> Insert(const domain::Profile& profile) override;
    Result<std::optional<domain::Profile>> Get(std::string_view org_id, std::string_view id) override;
    Result<domain::Page<domain::Profile>> List(std::string_view org_id, std::optional<domain::ProfileStatus> status,
                                               const domain::PageRequest& page) override;
    Result<bool> Update(const domain::Profile& profile) override;

private:
    Connection& c_;
};

class SqlVoicePresetRepo final : public domain::VoicePresetRepo {
public:
    explicit SqlVoicePresetRepo(Connection& c) : c_(c) {}
    Result<void> Insert(const domain::VoicePreset& preset) override;
    Result<std::optional<domain::VoicePreset>> Get(std::string_view org_id, std::string_view id) override;
    Result<domain::Page<domain::VoicePreset>> List(std::string_view org_id, const domain::PageRequest& page) override;
    Result<void> Update(const domain::VoicePreset& preset) override;
    Result<bool> Delete(std::string_view org_id, std::string_view id) override;

private:
    Connection& c_;
};

class SqlCarrierRepo final : public domain::CarrierRepo {
public:
    SqlCarrierRepo(Connection& c, const SecretBox& box) : c_(c), box_(box) {}
    Result<void> Insert(const domain::Carrier& carrier) override;
    Result<std::optional<domain::Carrier>> Get(std::string_view org_id, std::string_view id) override;
    Result<domain::Page<domain::Carrier>> List(std::string_view org_id, const domain::PageRequest& page) override;
    Result<void> Update(const domain::Carrier& carrier) override;
    Result<bool> Delete(std::string_view org_id, std::string_view id) override;

private:
    Connection& c_;
    const SecretBox& box_;
};

class SqlPhoneNumberRepo final : public domain::PhoneNumberRepo {
public:
    explicit SqlPhoneNumberRepo(Connection& c) : c_(c) {}
    Result<void> Insert(const domain::OwnedNumber& number) override;
    Result<std::optional<domain::OwnedNumber>> Get(std::string_view org_id, std::string_view id) override;
    Result<std::optional<domain::OwnedNumber>> FindByNumber(std::string_view org_id, std::string_view e164) override;
    Result<std::optional<domain::OwnedNumber>> Owner(std::string_view e164) override;
    Result<domain::Page<domain::OwnedNumber>> List(std::string_view org_id, std::optional<std::string_view> carrier_id,
                                                   const domain::PageRequest& page) override;
    Result<int64_t> CountOnCarrier(std::string_view org_id, std::string_view carrier_id) override;
    Result<void> Update(const domain::OwnedNumber& number) override;
    Result<bool> Delete(std::string_view org_id, std::string_view id) override;

private:
    Connection& c_;
};

class SqlCallRepo final : public domain::CallRepo {
public:
    explicit SqlCallRepo(Connection& c) : c_(c) {}
    Result<void> Insert(const domain::Call& call) override;
    Result<void> InsertMany(std::span<const domain::Call> calls) override;
    Result<std::optional<domain::Call>> Get(std::string_view org_id, std::string_view id) override;
    Result<domain::Page<domain::Call>> List(std::string_view org_id, const domain::CallFilter& filter,
                                            const domain::PageRequest& page) override;
    Result<bool> Save(const domain::Call& call, domain::CallStatus expected) override;
    Result<std::vector<domain::Call>> Queued(int limit) override;
    Result<int64_t> QueuePosition(std::string_view call_id) override;
    Result<int64_t> QueuedCount() override;
    Result<int64_t> Live(std::string_view org_id, std::optional<std::string_view> carrier_id) override;
    Result<std::vector<domain::Call>> ActiveOn(std::string_view node) override;
    Result<std::vector<std::pair<domain::CallStatus, int>>> BatchCounts(std::string_view org_id,
                                                                        std::string_view batch_id) override;
    Result<void> InsertBatch(const domain::CallBatch& batch) override;
    Result<std::optional<domain::CallBatch>> GetBatch(std::string_view org_id, std::string_view id) override;
    Result<std::vector<domain::CallAggregateRow>> Aggregate(std::string_view org_id,
                                                            const domain::CallAggregateQuery& query) override;
    Result<int64_t> OtherParties(std::string_view org_id, const domain::CallAggregateQuery& query) override;

private:
    Connection& c_;
};

class SqlReportRepo final : public domain::ReportRepo {
public:
    explicit SqlReportRepo(Connection& c) : c_(c) {}
    Result<void> Insert(const domain::SavedReport& report) override;
    Result<std::optional<domain::SavedReport>> Get(std::string_view org_id, std::string_view id) override;
    Result<domain::Page<domain::SavedReport>> List(std::string_view org_id, const domain::PageRequest& page) override;
    Result<void> Update(const domain::SavedReport& report) override;
    Result<bool> Delete(std::string_view org_id, std::string_view id) override;
    Result<int64_t> Count(std::string_view org_id) override;

private:
    Connection& c_;
};

class SqlBillingRepo final : public domain::BillingRepo {
public:
    explicit SqlBillingRepo(Connection& c) : c_(c) {}
    Result<domain::BillingAccount> Account(std::string_view org_id) override;
    Result<void> SaveSettings(std::string_view org_id, const domain::BillingSettings& settings, int64_t now) override;
    Result<std::optional<domain::Posting>> Post(domain::LedgerEntry& entry, std::string_view month) override;
    Result<domain::Page<domain::LedgerEntry>> History(std::string_view org_id, std::optional<domain::LedgerKind> kind,
                                                      const domain::PageRequest& page) override;
    Result<std::vector<domain::ChargeSlice>> Charges(std::string_view org_id, int64_t since, int64_t until) override;
    Result<std::vector<domain::ComponentSlice>> Components(std::string_view org_id, int64_t since,
                                                           int64_t until) override;

private:
    Connection& c_;
};

class SqlContactListRepo final : public domain::ContactListRepo {
public:
    explicit SqlContactListRepo(Connection& c) : c_(c) {}
    Result<void> Insert(const domain::ContactList& list) override;
    Result<std::optional<domain::ContactList>> Get(std::string_view org_id, std::string_view id) override;
    Result<domain::Page<domain::ContactList>> List(std::string_view org_id, const domain::PageRequest& page) override;
    Result<void> Update(const domain::ContactList& list) override;
    Result<bool> Delete(std::string_view org_id, std::string_view id) override;
    Result<int64_t> AddMembers(std::string_view org_id, std::string_view list_id,
                               const std::vector<std::string>& contact_ids, int64_t now) override;
    Result<int64_t> RemoveMembers(std::string_view org_id, std::string_view list_id,
                                  const std::vector<std::string>& contact_ids) override;
    Result<std::vector<std::string>> ListsOf(std::string_view org_id, std::string_view contact_id) override;

private:
    Connection& c_;
};

class SqlCampaignRepo final : public domain::CampaignRepo {
public:
    explicit SqlCampaignRepo(Connection& c) : c_(c) {}
    Result<void> Insert(const domain::Campaign& campaign) override;
    Result<std::optional<domain::Campaign>> Get(std::string_view org_id, std::string_view id) override;
    Result<domain::Page<domain::Campaign>> List(std::string_view org_id, const domain::CampaignFilter& filter,
                                                const domain::PageRequest& page) override;
    Result<bool> Save(const domain::Campaign& campaign, domain::CampaignStatus expected) override;
    Result<std::vector<domain::Campaign>> ActiveUsingList(std::string_view org_id, std::string_view list_id) override;
    Result<domain::CampaignStats> Stats(std::string_view org_id, std::string_view id) override;
    Result<int64_t> EnqueueAudience(const domain::Campaign& campaign, const domain::Audience& audience,
                                    int64_t now) override;
    Result<bool> EnqueueContact(const domain::Campaign& campaign, std::string_view contact_id, int64_t now) override;
    Result<bool> DequeueUnlessSelected(const domain::Campaign& campaign, const domain::Audience& audience,
                                       std::string_view contact_id) override;
    Result<int64_t> CancelPending(std::string_view campaign_id, int64_t now) override;
    Result<std::vector<domain::Campaign>> WithStatus(domain::CampaignStatus status, int limit) override;
    Result<std::vector<domain::FinishedAttempt>> FinishedAttempts(int limit) override;
    Result<std::vector<domain::QueueEntry>> ClaimDue(std::string_view campaign_id, int64_t now, int limit) override;
    Result<bool> LockForDialing(std::string_view campaign_id) override;
    Result<int64_t> CountInState(std::string_view campaign_id, domain::QueueState state) override;
    Result<bool> AnyInState(std::string_view campaign_id, domain::QueueState state) override;
    Result<int64_t> SaveEntries(const std::vector<domain::QueueEntry>& entries,
                                domain::QueueState expected_state) override;
    Result<std::optional<domain::QueueEntry>> Entry(std::string_view campaign_id, std::string_view contact_id) override;
    Result<int64_t> ActiveCalls(std::string_view org_id) override;
    Result<domain::DialerSettings> Settings(std::string_view org_id) override;
    Result<void> SaveSettings(std::string_view org_id, const domain::DialerSettings& settings) override;

private:
    Connection& c_;
};

class SqlWebhookRepo final : public domain::WebhookRepo {
public:
    SqlWebhookRepo(Connection& c, const SecretBox& box) : c_(c), box_(box) {}
    Result<void> Record(const domain::Event& event) override;
    Result<std::vector<domain::OutboxEvent>> EventsAfter(std::string_view org_id, int64_t from,
                                                         std::string_view after_id, int limit) override;
    Result<std::optional<domain::OutboxEvent>> LatestEvent(std::string_view org_id) override;
    Result<void> Insert(const domain::WebhookEndpoint& endpoint) override;
    Result<std::optional<domain::WebhookEndpoint>> Get(std::string_view org_id, std::string_view id) override;
    Result<domain::Page<domain::WebhookEndpoint>> List(std::string_view org_id,
                                                       const domain::PageRequest& page) override;
    Result<void> Update(const domain::WebhookEndpoint& endpoint) override;
    Result<bool> Delete(std::string_view org_id, std::string_view id, std::string_view reason, int64_t now) override;
    Result<std::string> OrgSecret(std::string_view org_id, int64_t now) override;
    Result<std::optional<std::string>> FindOrgSecret(std::string_view org_id) override;
    Result<int64_t> CreateMissingOrgSecrets(int64_t now) override;
    Result<std::vector<domain::WebhookDelivery>> Deliveries(std::string_view org_id,
                                                            const domain::DeliveryFilter& filter, int limit,
                                                            int64_t offset) override;
    Result<std::optional<domain::WebhookDelivery>> Delivery(std::string_view org_id, std::string_view id) override;
    Result<void> InsertDelivery(const domain::WebhookDelivery& delivery) override;
    Result<int64_t> Resume(std::string_view endpoint_id, int64_t now) override;
    Result<int> FanOut(int limit, int64_t now) override;
    Result<std::vector<domain::DueRef>> Due(int64_t now, int limit, const std::vector<std::string>& skip) override;
    Result<std::vector<domain::DueDelivery>> Lease(const std::vector<std::string>& ids, int64_t now, int64_t until,
                                                   std::string_view node) override;
    Result<void> SaveAttempt(const domain::WebhookDelivery& delivery) override;
    Result<int> CountOutcomes(std::string_view endpoint_id, bool reset, int failures, int64_t now) override;
    Result<bool> Disable(std::string_view endpoint_id, std::string_view reason, int64_t now) override;
    Result<int64_t> ReleaseLeases(std::string_view node, int64_t now) override;

    // Whether this repository recorded an event (the store then wakes the webhook worker).
    bool recorded() const { return recorded_; }

private:
    // Disables an endpoint whose row does not read back, with the reason (once: a disabled one is
    // left as it is), so fan-out goes on for the organization's other endpoints.
    Result<void> SetAside(const std::string& endpoint_id, const std::string& problem, int64_t now);
    Connection& c_;
    const SecretBox& box_;
    bool recorded_ = false;
};

// The domain's Store over a Database; `box` seals the secrets it stores and must outlive it.
std::unique_ptr<domain::Store> MakeSqlStore(Database& db, const SecretBox& box);

// Seals every stored secret that is not sealed with `box`'s first key: secrets stored in clear
// by an older Parley, and those sealed with an older master key (which `box` must still hold).
// One transaction; returns how many were sealed again.
Result<int64_t> ResealSecrets(Database& db, const SecretBox& box);

// Pages are read with one row more than asked; this trims it and says whether there was one.
template <class T>
domain::Page<T> ToPage(std::vector<T> items, int limit) {
    domain::Page<T> page;
    page.has_more = items.size() > static_cast<size_t>(limit);
    if (page.has_more) items.resize(static_cast<size_t>(limit));
    page.items = std::move(items);
    return page;
}

}  // namespace parley::store
