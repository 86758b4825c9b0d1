#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "domain/entities.hpp"
#include "domain/events.hpp"

namespace parley::domain {

// Storage contracts of the domain. Every method is scoped to one organization where the data
// belongs to one; an id of another organization behaves exactly like an id that does not exist.

class OrganizationRepo {
public:
    virtual ~OrganizationRepo() = default;
    virtual Result<void> Insert(const Organization& org) = 0;
    virtual Result<std::optional<Organization>> Get(std::string_view id) = 0;
    virtual Result<int64_t> Count() = 0;
};

class ApiKeyRepo {
public:
    virtual ~ApiKeyRepo() = default;
    virtual Result<void> Insert(const ApiKey& key, std::string_view key_hash) = 0;
    // The key with this hash and its organization's tier, also when revoked.
    virtual Result<std::optional<std::pair<ApiKey, Tier>>> FindByHash(std::string_view key_hash) = 0;
    virtual Result<std::optional<ApiKey>> Get(std::string_view org_id, std::string_view id) = 0;
    virtual Result<Page<ApiKey>> List(std::string_view org_id, const PageRequest& page) = 0;
    // Sets revoked_at unless already set. False when no such key.
    virtual Result<bool> Revoke(std::string_view org_id, std::string_view id, int64_t now) = 0;
    virtual Result<void> TouchLastUsed(std::string_view id, int64_t now) = 0;
};

class CustomFieldRepo {
public:
    virtual ~CustomFieldRepo() = default;
    // kDuplicate when the organization has a field of that name.
    virtual Result<void> Insert(const CustomField& field) = 0;
    virtual Result<std::optional<CustomField>> Get(std::string_view org_id, std::string_view id) = 0;
    virtual Result<Page<CustomField>> List(std::string_view org_id, std::optional<FieldCategory> category,
                                           const PageRequest& page) = 0;
    virtual Result<std::vector<CustomField>> All(std::string_view org_id) = 0;
    virtual Result<void> Update(const CustomField& field) = 0;
    virtual Result<bool> Delete(std::string_view org_id, std::string_view id) = 0;
};

struct ContactFilter {
    std::optional<bool> dnc;
    std::optional<std::string> source;
    std::optional<std::string> tag;
    std::optional<std::string> campaign_id;
    std::optional<std::string> phone;
    std::optional<std::string> list_id;  // members of this contact list
};

class ContactRepo {
public:
    virtual ~ContactRepo() = default;
    // kDuplicate when the organization has a contact with that phone.
    virtual Result<void> Insert(const Contact& contact) = 0;
    // Inserts unless the phone exists; false for an existing phone.
    virtual Result<bool> InsertIfNew(const Contact& contact) = 0;
    virtual Result<std::optional<Contact>> Get(std::string_view org_id, std::string_view id) = 0;
    virtual Result<std::optional<std::string>> IdByPhone(std::string_view org_id, std::string_view phone) = 0;
    virtual Result<Page<Contact>> List(std::string_view org_id, const ContactFilter& filter,
                                       const PageRequest& page) = 0;
    virtual Result<void> Update(const Contact& contact) = 0;
    virtual Result<bool> Delete(std::string_view org_id, std::string_view id) = 0;
};

class DncRepo {
public:
    virtual ~DncRepo() = default;
    // Appends to the ledger and updates the list; adding a listed number or removing an
    // unlisted one still leaves a ledger entry.
    virtual Result<void> Record(const DncLedgerEntry& entry) = 0;
    virtual Result<std::optional<DncNumber>> Find(std::string_view org_id, std::string_view phone) = 0;
    virtual Result<Page<DncNumber>> List(std::string_view org_id, const PageRequest& page) = 0;
    virtual Result<std::vector<DncLedgerEntry>> History(std::string_view org_id, std::string_view phone) = 0;
};

class ProfileRepo {
public:
    virtual ~ProfileRepo() = default;
    virtual Result<void> Insert(const Profile& profile) = 0;
    // Archived profiles too; callers decide what an archived profile may still do.
    virtual Result<std::optional<Profile>> Get(std::string_view org_id, std::string_view id) = 0;
    virtual Result<Page<Profile>> List(std::string_view org_id, std::optional<ProfileStatus> status,
                                       const PageRequest& page) = 0;
    // Saves a new version; false when the stored version is not `profile.version - 1` (a
    // concurrent update won).
    virtual Result<bool> Update(const Profile& profile) = 0;
};

class VoicePresetRepo {
public:
    virtual ~VoicePresetRepo() = default;
    // kDuplicate when the organization has a preset of that name.
    virtual Result<void> Insert(const VoicePreset& preset) = 0;
    virtual Result<std::optional<VoicePreset>> Get(std::string_view org_id, std::string_view id) = 0;
    virtual Result<Page<VoicePreset>> List(std::string_view org_id, const PageRequest& page) = 0;
    virtual Result<void> Update(const VoicePreset& preset) = 0;
    virtual Result<bool> Delete(std::string_view org_id, std::string_view id) = 0;
};

class CarrierRepo {
public:
    virtual ~CarrierRepo() = default;
    // kDuplicate when the organization has a carrier of that name.
    virtual Result<void> Insert(const Carrier& carrier) = 0;
    virtual Result<std::optional<Carrier>> Get(std::string_view org_id, std::string_view id) = 0;
    virtual Result<Page<Carrier>> List(std::string_view org_id, const PageRequest& page) = 0;
    // kDuplicate as Insert.
    virtual Result<void> Update(const Carrier& carrier) = 0;
    virtual Result<bool> Delete(std::string_view org_id, std::string_view id) = 0;
};

class PhoneNumberRepo {
public:
    virtual ~PhoneNumberRepo() = default;
    // kDuplicate when the number is registered in this installation, by any organization: a call
    // to it must reach one of them.
    virtual Result<void> Insert(const OwnedNumber& number) = 0;
    virtual Result<std::optional<OwnedNumber>> Get(std::string_view org_id, std::string_view id) = 0;
    // The organization's number `e164`; nothing when it has no such number.
    virtual Result<std::optional<OwnedNumber>> FindByNumber(std::string_view org_id, std::string_view e164) = 0;
    // Whichever organization's number `e164` is (a number is registered once per installation):
    // where an inbound call to it goes.
    virtual Result<std::optional<OwnedNumber>> Owner(std::string_view e164) = 0;
    // `carrier_id` filters when set.
    virtual Result<Page<OwnedNumber>> List(std::string_view org_id, std::optional<std::string_view> carrier_id,
                                           const PageRequest& page) = 0;
    virtual Result<int64_t> CountOnCarrier(std::string_view org_id, std::string_view carrier_id) = 0;
    virtual Result<void> Update(const OwnedNumber& number) = 0;
    virtual Result<bool> Delete(std::string_view org_id, std::string_view id) = 0;
};

struct CallFilter {
    std::optional<std::string> campaign_id;
    std::optional<std::string> disposition;
    std::optional<CallStatus> status;
    std::optional<CallDirection> direction;
    std::optional<std::string> contact_id;
    std::optional<std::string> batch_id;
    std::optional<int64_t> since;  // created at or after
    std::optional<int64_t> until;  // created before
    std::optional<int> min_duration;
    std::optional<bool> has_meeting;
};

// What calls can be grouped or filtered by in an aggregate (seed 001 "Analytics API").
enum class CallDimension { kCampaign, kProfile, kDisposition, kNumber, kDirection, kStatus };

// Every UTC offset in use is a whole multiple of 15 minutes, so all calls of one slice this long
// (counted from the epoch) fall on the same local day in any time zone.
inline constexpr int64_t kCallSliceMs = 15 * 60 * 1000;

// The organization's calls created in [since, until) that count: answered or ended (statuses
// in_progress, completed, voicemail, no_answer, busy, failed; not queued, ringing or canceled).
struct CallAggregateQuery {
    int64_t since = 0;
    int64_t until = 0;
    bool by_slice = false;  // group by kCallSliceMs slices of created_at as well
    std::vector<CallDimension> dimensions;
    // Only calls whose value of each dimension is one of the values given.
    std::vector<std::pair<CallDimension, std::vector<std::string>>> filters;
};

// Sums over a group of counted calls.
struct CallTotals {
    int64_t calls = 0;
    int64_t answered = 0;  // completed or in progress
    int64_t voicemail = 0;
    int64_t talk_seconds = 0;
    int64_t cost_cents = 0;
    int64_t meetings_booked = 0;
    int64_t hot_leads = 0;  // disposition hot_lead
    int64_t qualified = 0;  // disposition hot_lead or interested, or a meeting booked

    CallTotals& operator+=(const CallTotals& other) {
        calls += other.calls;
        answered += other.answered;
        voicemail += other.voicemail;
        talk_seconds += other.talk_seconds;
        cost_cents += other.cost_cents;
        meetings_booked += other.meetings_booked;
        hot_leads += other.hot_leads;
        qualified += other.qualified;
        return *this;
    }
};

struct CallAggregateRow {
    int64_t slice_start = 0;                       // when by_slice
    std::vector<std::optional<std::string>> keys;  // one per dimension of the query, in order
    CallTotals totals;
};

class CallRepo {
public:
    virtual ~CallRepo() = default;
    virtual Result<void> Insert(const Call& call) = 0;
    virtual Result<void> InsertMany(std::span<const Call> calls) = 0;
    virtual Result<std::optional<Call>> Get(std::string_view org_id, std::string_view id) = 0;
    virtual Result<Page<Call>> List(std::string_view org_id, const CallFilter& filter, const PageRequest& page) = 0;
    // Writes the whole call if its stored status is still `expected`; false otherwise (another
    // request or node changed it first).
    virtual Result<bool> Save(const Call& call, CallStatus expected) = 0;
    // Queued calls of every organization, oldest first.
    virtual Result<std::vector<Call>> Queued(int limit) = 0;
    // A queued call's place in that line (1 is next); calls of every organization count.
    virtual Result<int64_t> QueuePosition(std::string_view call_id) = 0;
    // Calls of every organization waiting queued.
    virtual Result<int64_t> QueuedCount() = 0;
    // Calls in ringing or in_progress that `node` was running.
    virtual Result<std::vector<Call>> ActiveOn(std::string_view node) = 0;
    // Calls of the organization ringing or in progress: over its numbers on `carrier_id` (from one
    // of them, or to one), or over any carrier when none is given.
    virtual Result<int64_t> Live(std::string_view org_id, std::optional<std::string_view> carrier_id) = 0;
    // How many calls of a batch are in each status.
    virtual Result<std::vector<std::pair<CallStatus, int>>> BatchCounts(std::string_view org_id,
                                                                        std::string_view batch_id) = 0;
    virtual Result<void> InsertBatch(const CallBatch& batch) = 0;
    virtual Result<std::optional<CallBatch>> GetBatch(std::string_view org_id, std::string_view id) = 0;
    // The sums of the calls `query` selects, a row per group (none for a query without groups
    // that selects no call).
    virtual Result<std::vector<CallAggregateRow>> Aggregate(std::string_view org_id,
                                                            const CallAggregateQuery& query) = 0;
    // How many different numbers those calls had on the other end (the callee of an outbound
    // call, the caller of an inbound one).
    virtual Result<int64_t> OtherParties(std::string_view org_id, const CallAggregateQuery& query) = 0;
};

class ReportRepo {
public:
    virtual ~ReportRepo() = default;
    // kDuplicate when the organization has a report of that name.
    virtual Result<void> Insert(const SavedReport& report) = 0;
    virtual Result<std::optional<SavedReport>> Get(std::string_view org_id, std::string_view id) = 0;
    virtual Result<Page<SavedReport>> List(std::string_view org_id, const PageRequest& page) = 0;
    // kDuplicate when another report has the name.
    virtual Result<void> Update(const SavedReport& report) = 0;
    virtual Result<bool> Delete(std::string_view org_id, std::string_view id) = 0;
    virtual Result<int64_t> Count(std::string_view org_id) = 0;
};

// The balance as one posting left it.
struct Posting {
    int64_t balance_cents = 0;
    std::string month;  // the account's month now
    int64_t month_calls = 0;
    int64_t month_spent_cents = 0;
};

// Sums of call charges over 15-minute slices (kCallSliceMs) of when they were posted.
struct ChargeSlice {
    int64_t slice_start = 0;
    int64_t calls = 0;
    int64_t cents = 0;
};

struct ComponentSlice {
    int64_t slice_start = 0;
    std::string component;
    int64_t cents = 0;
};

class BillingRepo {
public:
    virtual ~BillingRepo() = default;
    // The organization's account; zero balance and default settings when it has none yet.
    virtual Result<BillingAccount> Account(std::string_view org_id) = 0;
    virtual Result<void> SaveSettings(std::string_view org_id, const BillingSettings& settings, int64_t now) = 0;
    // Writes the entry and adds its amount to the balance in one step that concurrent postings
    // (other nodes too) wait for; a call charge also adds to the spending of `month` ("2026-12")
    // when that is the account's month or a later one. Sets entry.balance_after_cents. None,
    // changing nothing, when the entry's call was charged before.
    virtual Result<std::optional<Posting>> Post(LedgerEntry& entry, std::string_view month) = 0;
    // Newest first, of one kind or all.
    virtual Result<Page<LedgerEntry>> History(std::string_view org_id, std::optional<LedgerKind> kind,
                                              const PageRequest& page) = 0;
    // Call charges posted in [since, until).
    virtual Result<std::vector<ChargeSlice>> Charges(std::string_view org_id, int64_t since, int64_t until) = 0;
    virtual Result<std::vector<ComponentSlice>> Components(std::string_view org_id, int64_t since, int64_t until) = 0;
};

class ContactListRepo {
public:
    virtual ~ContactListRepo() = default;
    // kDuplicate when the organization has a list of that name.
    virtual Result<void> Insert(const ContactList& list) = 0;
    virtual Result<std::optional<ContactList>> Get(std::string_view org_id, std::string_view id) = 0;
    virtual Result<Page<ContactList>> List(std::string_view org_id, const PageRequest& page) = 0;
    virtual Result<void> Update(const ContactList& list) = 0;
    // Deletes the list and its memberships (not the contacts).
    virtual Result<bool> Delete(std::string_view org_id, std::string_view id) = 0;
    // Adds contacts of the organization; returns how many were not members yet.
    virtual Result<int64_t> AddMembers(std::string_view org_id, std::string_view list_id,
                                       const std::vector<std::string>& contact_ids, int64_t now) = 0;
    virtual Result<int64_t> RemoveMembers(std::string_view org_id, std::string_view list_id,
                                          const std::vector<std::string>& contact_ids) = 0;
    // Ids of the lists `contact_id` belongs to.
    virtual Result<std::vector<std::string>> ListsOf(std::string_view org_id, std::string_view contact_id) = 0;
};

struct CampaignFilter {
    std::optional<CampaignStatus> status;
    std::optional<CallDirection> direction;
};

// Who a campaign calls: members of a list, contacts with any of some tags, and contacts created
// with the campaign's id.
struct Audience {
    std::optional<std::string> list_id;
    std::vector<std::string> tags;
};

class CampaignRepo {
public:
    virtual ~CampaignRepo() = default;
    virtual Result<void> Insert(const Campaign& campaign) = 0;
    virtual Result<std::optional<Campaign>> Get(std::string_view org_id, std::string_view id) = 0;
    virtual Result<Page<Campaign>> List(std::string_view org_id, const CampaignFilter& filter,
                                        const PageRequest& page) = 0;
    // Writes the campaign if its stored status is still `expected`; false otherwise.
    virtual Result<bool> Save(const Campaign& campaign, CampaignStatus expected) = 0;
    // Running or paused campaigns that call the members of a list.
    virtual Result<std::vector<Campaign>> ActiveUsingList(std::string_view org_id, std::string_view list_id) = 0;
    virtual Result<CampaignStats> Stats(std::string_view org_id, std::string_view id) = 0;
    // Puts every contact of the audience that is not in the campaign's queue yet into it, due
    // at `now`; returns how many were added.
    virtual Result<int64_t> EnqueueAudience(const Campaign& campaign, const Audience& audience, int64_t now) = 0;
    // Puts one contact into the queue unless it is there; true when added.
    virtual Result<bool> EnqueueContact(const Campaign& campaign, std::string_view contact_id, int64_t now) = 0;
    // Takes a contact that is still waiting (pending) out of the queue, unless the audience
    // still selects it: a member of its list, a holder of one of its tags, or created with the
    // campaign's id. True when it was taken out; a contact being called or done stays.
    virtual Result<bool> DequeueUnlessSelected(const Campaign& campaign, const Audience& audience,
                                               std::string_view contact_id) = 0;
    // Ends every pending contact with outcome "canceled"; returns how many.
    virtual Result<int64_t> CancelPending(std::string_view campaign_id, int64_t now) = 0;

    // ---- the dialer ----
    // Campaigns of every organization in `status`, oldest first.
    virtual Result<std::vector<Campaign>> WithStatus(CampaignStatus status, int limit) = 0;
    // Attempts in state dialing whose call has ended, of every campaign. Inside Store::Write one
    // node at a time gets them: none while another node's transaction is closing attempts.
    virtual Result<std::vector<FinishedAttempt>> FinishedAttempts(int limit) = 0;
    // Pending contacts of a campaign due at `now`, earliest first, with their contact and
    // whether its number is on the Do Not Call list now. Call it after LockForDialing in the
    // same transaction, and save the entries with SaveEntries(…, QueueState::kPending).
    virtual Result<std::vector<QueueEntry>> ClaimDue(std::string_view campaign_id, int64_t now, int limit) = 0;
    // Inside Store::Write: makes this transaction the only one placing calls for the campaign
    // (PostgreSQL: locks its row); false when another node holds it now.
    virtual Result<bool> LockForDialing(std::string_view campaign_id) = 0;
    virtual Result<int64_t> CountInState(std::string_view campaign_id, QueueState state) = 0;
    // Whether any contact of the campaign is in `state`; cheap however many there are.
    virtual Result<bool> AnyInState(std::string_view campaign_id, QueueState state) = 0;
    // Writes each entry whose stored state is still `expected_state`; returns how many were.
    virtual Result<int64_t> SaveEntries(const std::vector<QueueEntry>& entries, QueueState expected_state) = 0;
    virtual Result<std::optional<QueueEntry>> Entry(std::string_view campaign_id, std::string_view contact_id) = 0;
    // Calls of the organization that are queued, ringing or in progress.
    virtual Result<int64_t> ActiveCalls(std::string_view org_id) = 0;
    virtual Result<DialerSettings> Settings(std::string_view org_id) = 0;
    virtual Result<void> SaveSettings(std::string_view org_id, const DialerSettings& settings) = 0;
};

// An event as the outbox keeps it: its body is the JSON a webhook delivers.
struct OutboxEvent {
    std::string id;
    std::string type;
    std::string body;
    int64_t created_at = 0;
};

// The outbox, webhook endpoints and their deliveries.
class WebhookRepo {
public:
    virtual ~WebhookRepo() = default;
    // Writes an event to the outbox (inside the transaction of the change that caused it).
    virtual Result<void> Record(const Event& event) = 0;
    // An organization's events after (`created_at`, `id`) = (`from`, `after_id`) in that order,
    // oldest first, at most `limit` (an empty `after_id` takes every event at `from`).
    virtual Result<std::vector<OutboxEvent>> EventsAfter(std::string_view org_id, int64_t from,
                                                         std::string_view after_id, int limit) = 0;
    // The organization's newest event, if any.
    virtual Result<std::optional<OutboxEvent>> LatestEvent(std::string_view org_id) = 0;

    virtual Result<void> Insert(const WebhookEndpoint& endpoint) = 0;
    virtual Result<std::optional<WebhookEndpoint>> Get(std::string_view org_id, std::string_view id) = 0;
    virtual Result<Page<WebhookEndpoint>> List(std::string_view org_id, const PageRequest& page) = 0;
    virtual Result<void> Update(const WebhookEndpoint& endpoint) = 0;
    // Deletes the endpoint; its pending deliveries fail with `reason`. False when no such endpoint.
    virtual Result<bool> Delete(std::string_view org_id, std::string_view id, std::string_view reason, int64_t now) = 0;
    // The secret that signs deliveries to calls' own webhook_url; made if the organization has none.
    virtual Result<std::string> OrgSecret(std::string_view org_id, int64_t now) = 0;
    // That secret as stored, without making one.
    virtual Result<std::optional<std::string>> FindOrgSecret(std::string_view org_id) = 0;
    // Makes the secret of every organization that has none (those created before organizations
    // got theirs at creation); returns how many were made.
    virtual Result<int64_t> CreateMissingOrgSecrets(int64_t now) = 0;

    // Newest first; `offset` rows skipped; one row more than `limit` when there are more.
    virtual Result<std::vector<WebhookDelivery>> Deliveries(std::string_view org_id, const DeliveryFilter& filter,
                                                            int limit, int64_t offset) = 0;
    virtual Result<std::optional<WebhookDelivery>> Delivery(std::string_view org_id, std::string_view id) = 0;
    virtual Result<void> InsertDelivery(const WebhookDelivery& delivery) = 0;
    // Pending deliveries of an endpoint become due at `now` (an endpoint enabled again).
    virtual Result<int64_t> Resume(std::string_view endpoint_id, int64_t now) = 0;

    // ---- the webhook worker ----
    // Turns up to `limit` events into deliveries to the endpoints that want them and to their
    // call's webhook_url; returns how many events. On PostgreSQL events another node is fanning
    // out are skipped.
    virtual Result<int> FanOut(int limit, int64_t now) = 0;
    // Due pending deliveries of enabled endpoints, earliest first, not leased yet. `skip` are
    // receivers (endpoint id, or url for a call's own) that have no room for more now.
    virtual Result<std::vector<DueRef>> Due(int64_t now, int limit, const std::vector<std::string>& skip) = 0;
    // Leases due deliveries to `node` until `until`; returns those it got (another node may have
    // taken some first), with the body and secrets to send them.
    virtual Result<std::vector<DueDelivery>> Lease(const std::vector<std::string>& ids, int64_t now, int64_t until,
                                                   std::string_view node) = 0;
    // Writes an attempt's outcome (status, http_status, attempts, last_error, next_at, …).
    virtual Result<void> SaveAttempt(const WebhookDelivery& delivery) = 0;
    // Counts an endpoint's attempts of one batch: with `reset` one succeeded and `failures` failed
    // after the last success; without, all `failures` failed. Returns the consecutive failures now.
    virtual Result<int> CountOutcomes(std::string_view endpoint_id, bool reset, int failures, int64_t now) = 0;
    // Disables an enabled endpoint; false when it was not enabled.
    virtual Result<bool> Disable(std::string_view endpoint_id, std::string_view reason, int64_t now) = 0;
    // Leases held by `node` end now (it restarted; what it was sending was not confirmed).
    virtual Result<int64_t> ReleaseLeases(std::string_view node, int64_t now) = 0;
};

struct StoredResponse {
    std::string request_hash;
    std::optional<int> status;  // empty while the first request is still running
    std::string body;
    int64_t created_at = 0;
    // The request's work was committed (its status may still be empty: the process stopped
    // between the work and recording the response).
    bool work_committed = false;
};

// An Idempotency-Key as one API key of an organization used it: a stored response belongs to
// the key that made the request, so another key never gets it (nor a response it could not
// have been given).
struct IdempotencyScope {
    std::string_view org_id;
    std::string_view api_key_id;
    std::string_view key;
};

// The Idempotency-Key claim of the request this thread is running. While one is current, the
// store marks the claim in the same transaction as the first work the request commits, so a
// process that stops after the work and before recording the response leaves a claim that says
// the work was done: no retry and no restart runs the request a second time.
class ClaimedRequest {
public:
    explicit ClaimedRequest(const IdempotencyScope& scope);
    ~ClaimedRequest();
    ClaimedRequest(const ClaimedRequest&) = delete;
    ClaimedRequest& operator=(const ClaimedRequest&) = delete;

    // The claim of the request running on this thread, or null.
    static ClaimedRequest* Current();
    const IdempotencyScope& scope() const { return scope_; }
    bool work_committed() const { return work_committed_; }
    void SetWorkCommitted() { work_committed_ = true; }

private:
    IdempotencyScope scope_;
    bool work_committed_ = false;
    ClaimedRequest* outer_;
};

class IdempotencyRepo {
public:
    virtual ~IdempotencyRepo() = default;
    // Claims the key for a request running on `node_id`; kDuplicate when it is taken.
    virtual Result<void> Claim(const IdempotencyScope& scope, std::string_view request_hash, std::string_view node_id,
                               int64_t now) = 0;
    virtual Result<std::optional<StoredResponse>> Find(const IdempotencyScope& scope) = 0;
    virtual Result<void> Complete(const IdempotencyScope& scope, int status, std::string_view body) = 0;
    virtual Result<void> Release(const IdempotencyScope& scope) = 0;
    // Marks that the claimed request's work is committed (in the work's own transaction).
    virtual Result<void> MarkWorkCommitted(const IdempotencyScope& scope) = 0;
    // Releases the key only if it is still unfinished, its work was not committed and it was
    // claimed before `cutoff`.
    virtual Result<bool> ReleaseAbandoned(const IdempotencyScope& scope, int64_t cutoff) = 0;
    // Releases every unfinished claim of `node_id` whose work was not committed: that node
    // restarted, so those requests ended without changing anything.
    virtual Result<int64_t> ReleaseNode(std::string_view node_id) = 0;
    virtual Result<int64_t> PurgeOlderThan(int64_t cutoff) = 0;
};

class RateLimitRepo {
public:
    virtual ~RateLimitRepo() = default;
    // Adds one to the count of (bucket, window_start) and returns the new count.
    virtual Result<int64_t> Increment(std::string_view bucket, int64_t window_start) = 0;
    virtual Result<int64_t> PurgeOlderThan(int64_t cutoff) = 0;
};

// All repositories, bound to one connection (and, inside Store::Write, one transaction).
// A session of the MCP server: opened by `initialize` with one API key, used with the same key.
struct McpSession {
    std::string id;
    std::string org_id;
    std::string key_id;
    std::string protocol_version;
    std::string client_name;
    std::string client_version;
    int64_t created_at = 0;
    int64_t expires_at = 0;
    std::optional<int64_t> ended_at;
    std::string log_level = "info";  // the lowest level of log message the client wants
};

class McpSessionRepo {
public:
    virtual ~McpSessionRepo() = default;
    virtual Result<void> Insert(const McpSession& session) = 0;
    // The session with this id opened by this key, ended or not.
    virtual Result<std::optional<McpSession>> Get(std::string_view key_id, std::string_view id) = 0;
    virtual Result<void> Extend(std::string_view id, int64_t expires_at) = 0;
    // Ends an open session of this key; false when there is none.
    virtual Result<bool> End(std::string_view key_id, std::string_view id, int64_t now) = 0;
    virtual Result<void> SetLogLevel(std::string_view id, std::string_view level) = 0;
    virtual Result<int64_t> PurgeExpiredBefore(int64_t cutoff) = 0;
};

// OAuth 2.1 for MCP clients: a client registered by itself (RFC 7591), an authorization code, a
// grant (one organization's consent to one client, with a scope) and a grant's tokens. Codes and
// tokens are kept as SHA-256 hashes.
struct OAuthClient {
    std::string id;
    std::string name;
    std::vector<std::string> redirect_uris;
    int64_t created_at = 0;
};

struct OAuthCode {
    std::string code_hash;
    std::string client_id;
    std::string org_id;
    std::string key_id;  // the key that signed in and consented
    std::string scope;
    std::string redirect_uri;
    std::string code_challenge;
    std::string resource;
    int64_t created_at = 0;
    int64_t expires_at = 0;
    std::optional<int64_t> used_at;
    std::optional<std::string> grant_id;
};

struct OAuthGrant {
    std::string id;
    std::string org_id;
    std::string client_id;
    std::string client_name;  // read with the grant
    std::string scope;
    std::string resource;
    std::string granted_by;
    int64_t created_at = 0;
    std::optional<int64_t> last_used_at;
    std::optional<int64_t> revoked_at;
};

struct OAuthToken {
    std::string token_hash;
    std::string grant_id;
    std::string kind;  // "access" or "refresh"
    int64_t created_at = 0;
    int64_t expires_at = 0;
    std::optional<int64_t> used_at;  // a refresh token once exchanged
};

// A way to sign in on the consent page without typing a key, for one owner or admin key: a
// one-time link ("link", made by `parley login-link`) or the browser session it opened
// ("session").
struct OAuthSignIn {
    std::string token_hash;
    std::string kind;
    std::string org_id;
    std::string key_id;
    int64_t created_at = 0;
    int64_t expires_at = 0;
    std::optional<int64_t> used_at;  // a link once opened
};

// A token with its grant, the organization's tier, and whether the key that granted it is revoked.
struct OAuthTokenOfGrant {
    OAuthToken token;
    OAuthGrant grant;
    Tier tier = Tier::kStandard;
    bool granting_key_revoked = false;
};

class OAuthRepo {
public:
    virtual ~OAuthRepo() = default;
    virtual Result<void> InsertClient(const OAuthClient& client) = 0;
    virtual Result<std::optional<OAuthClient>> GetClient(std::string_view id) = 0;
    virtual Result<void> InsertCode(const OAuthCode& code) = 0;
    // The code, and marks it used when it was not: used_at in the result is what it was before.
    virtual Result<std::optional<OAuthCode>> TakeCode(std::string_view code_hash, int64_t now) = 0;
    virtual Result<void> SetCodeGrant(std::string_view code_hash, std::string_view grant_id) = 0;
    virtual Result<void> InsertGrant(const OAuthGrant& grant) = 0;
    virtual Result<std::optional<OAuthGrant>> GetGrant(std::string_view org_id, std::string_view id) = 0;
    virtual Result<Page<OAuthGrant>> ListGrants(std::string_view org_id, const PageRequest& page) = 0;
    // Sets revoked_at unless already set; false when there is no such open grant.
    virtual Result<bool> RevokeGrant(std::string_view grant_id, int64_t now) = 0;
    virtual Result<void> TouchGrant(std::string_view grant_id, int64_t now) = 0;
    virtual Result<void> InsertToken(const OAuthToken& token) = 0;
    virtual Result<std::optional<OAuthTokenOfGrant>> FindToken(std::string_view token_hash) = 0;
    // Marks an unused token used; false when it was used already.
    virtual Result<bool> UseToken(std::string_view token_hash, int64_t now) = 0;
    virtual Result<void> InsertSignIn(const OAuthSignIn& sign_in) = 0;
    virtual Result<std::optional<OAuthSignIn>> FindSignIn(std::string_view token_hash) = 0;
    // Marks an unused sign-in link used; false when it was used already.
    virtual Result<bool> UseSignIn(std::string_view token_hash, int64_t now) = 0;
    // Codes, tokens and sign-ins that expired before `cutoff`, and clients registered before
    // `unused_clients_before` that have no grant and no code: registration is open to anyone.
    virtual Result<int64_t> PurgeExpired(int64_t cutoff, int64_t unused_clients_before) = 0;
};

class Repos {
public:
    virtual ~Repos() = default;
    virtual OrganizationRepo& organizations() = 0;
    virtual ApiKeyRepo& api_keys() = 0;
    virtual CustomFieldRepo& custom_fields() = 0;
    virtual ContactRepo& contacts() = 0;
    virtual DncRepo& dnc() = 0;
    virtual IdempotencyRepo& idempotency() = 0;
    virtual RateLimitRepo& rate_limits() = 0;
    virtual ProfileRepo& profiles() = 0;
    virtual VoicePresetRepo& voice_presets() = 0;
    virtual CarrierRepo& carriers() = 0;
    virtual PhoneNumberRepo& phone_numbers() = 0;
    virtual CallRepo& calls() = 0;
    virtual ContactListRepo& contact_lists() = 0;
    virtual CampaignRepo& campaigns() = 0;
    virtual WebhookRepo& webhooks() = 0;
    virtual McpSessionRepo& mcp_sessions() = 0;
    virtual OAuthRepo& oauth() = 0;
    virtual ReportRepo& reports() = 0;
    virtual BillingRepo& billing() = 0;
};

class Store {
public:
    using Body = std::function<Result<void>(Repos&)>;
    virtual ~Store() = default;
    // One transaction: every change `body` makes is committed together, or none is.
    virtual Result<void> Write(const Body& body) = 0;
    // Reads without a transaction.
    virtual Result<void> Read(const Body& body) = 0;

    // `listener` runs after each committed transaction that recorded events (set once, before
    // the store is shared between threads).
    void SetEventListener(std::function<void()> listener) { event_listener_ = std::move(listener); }

protected:
    void NotifyEvents() const {
        if (event_listener_) event_listener_();
    }

private:
    std::function<void()> event_listener_;
};

namespace detail {
template <class F>
auto RunWithValue(Store& store, bool write, F&& f) -> decltype(f(std::declval<Repos&>())) {
    using R = decltype(f(std::declval<Repos&>()));
    std::optional<typename R::value_type> out;
    const Store::Body body = [&](Repos& repos) -> Result<void> {
        auto value = f(repos);
        if (!value) return Fail(std::move(value.error()));
        out = std::move(*value);
        return {};
    };
    auto done = write ? store.Write(body) : store.Read(body);
    if (!done) return Fail(std::move(done.error()));
    return std::move(*out);
}
}  // namespace detail

// Runs `f` (Repos& -> Result<T>, T not void) in one transaction and passes its value on.
template <class F>
auto WriteTx(Store& store, F&& f) {
    return detail::RunWithValue(store, true, std::forward<F>(f));
}

// Runs `f` (Repos& -> Result<T>, T not void) on a connection without a transaction.
template <class F>
auto ReadTx(Store& store, F&& f) {
    return detail::RunWithValue(store, false, std::forward<F>(f));
}

}  // namespace parley::domain
