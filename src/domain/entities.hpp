#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::domain {

using Json = nlohmann::ordered_json;

// Told how far a long operation has come (`done` of `total` items) for a caller that follows it
// (an MCP tool call with a progress token). May be empty; called on the operation's thread.
using Progress = std::function<void(int64_t done, int64_t total)>;
// Items between two reports of a Progress.
inline constexpr int64_t kProgressEvery = 100;
// Reports `done` of `total` every kProgressEvery items and at the last.
inline void Report(const Progress& progress, int64_t done, int64_t total) {
    if (progress && done > 0 && (done % kProgressEvery == 0 || done == total)) progress(done, total);
}

enum class Tier { kStandard, kProfessional, kEnterprise };
enum class KeyMode { kLive, kTest };
enum class Permission { kFull, kReadOnly, kWriteOnly };
enum class Role { kOwner, kAdmin, kMember };

std::string_view ToString(Tier t);
std::string_view ToString(KeyMode m);
std::string_view ToString(Permission p);
std::string_view ToString(Role r);
std::optional<Tier> ParseTier(std::string_view s);
std::optional<KeyMode> ParseKeyMode(std::string_view s);
std::optional<Permission> ParsePermission(std::string_view s);
std::optional<Role> ParseRole(std::string_view s);

struct Organization {
    std::string id;
    std::string name;
    Tier tier = Tier::kStandard;
    int64_t created_at = 0;
};

struct ApiKey {
    std::string id;
    std::string org_id;
    std::string name;
    std::string prefix;  // the first characters of the key, safe to show
    KeyMode mode = KeyMode::kLive;
    Permission permission = Permission::kFull;
    Role role = Role::kMember;
    std::optional<std::string> created_by;  // id of the key that created it
    int64_t created_at = 0;
    std::optional<int64_t> last_used_at;
    std::optional<int64_t> revoked_at;
};

// Who is making a request: an organization acting through one of its keys.
struct Principal {
    std::string org_id;
    std::string key_id;
    KeyMode mode = KeyMode::kLive;
    Permission permission = Permission::kFull;
    Role role = Role::kMember;
    Tier tier = Tier::kStandard;
};

enum class FieldType { kString, kNumber, kBoolean, kDate, kEnum };
enum class FieldCategory { kContact, kExtraction, kBoth };

std::string_view ToString(FieldType t);
std::string_view ToString(FieldCategory c);
std::optional<FieldType> ParseFieldType(std::string_view s);
std::optional<FieldCategory> ParseFieldCategory(std::string_view s);

struct CustomField {
    std::string id;
    std::string org_id;
    std::string name;
    FieldType type = FieldType::kString;
    std::string description;
    FieldCategory category = FieldCategory::kBoth;
    bool required = false;
    std::vector<std::string> options;  // enum only
    int64_t created_at = 0;
    int64_t updated_at = 0;

    bool AppliesToContacts() const { return category != FieldCategory::kExtraction; }
};

struct Contact {
    std::string id;
    std::string org_id;
    std::optional<std::string> first_name;
    std::optional<std::string> last_name;
    std::string phone;  // E.164
    std::string phone_region;
    std::optional<std::string> email;
    std::optional<std::string> company;
    std::optional<std::string> timezone;
    std::string source;
    std::optional<std::string> campaign_id;
    std::vector<std::string> tags;
    Json custom_fields = Json::object();
    int64_t created_at = 0;
    int64_t updated_at = 0;
    // Derived from the organization's DNC list at read time.
    bool dnc = false;
    std::optional<int64_t> dnc_since;
};

enum class DncAction { kAdd, kRemove };
enum class DncReason { kApi, kCallOptOut, kImport };

std::string_view ToString(DncAction a);
std::string_view ToString(DncReason r);
std::optional<DncReason> ParseDncReason(std::string_view s);

// One change to an organization's Do-Not-Call list. Kept forever, also after the contact it
// named is deleted.
struct DncLedgerEntry {
    std::string id;
    std::string org_id;
    std::string phone;
    DncAction action = DncAction::kAdd;
    DncReason reason = DncReason::kApi;
    std::optional<std::string> note;
    std::optional<std::string> contact_id;
    std::optional<std::string> call_id;
    std::optional<std::string> api_key_id;
    int64_t created_at = 0;
};

// A number currently on the list.
struct DncNumber {
    std::string phone;
    DncReason reason = DncReason::kApi;
    std::string entry_id;
    int64_t added_at = 0;
};

// An AI agent's definition (seed 000 "Profiles", seed 002 "Agents"). `spec` holds the fields a
// user sets, as validated by ProfileService; `compiled` is the dialogue plan made from `spec`
// when this version was saved.
enum class ProfileStatus { kActive, kArchived };
std::string_view ToString(ProfileStatus s);
std::optional<ProfileStatus> ParseProfileStatus(std::string_view s);

// A name the opener may use ({{name}}), with the value used when a call gives none; a name
// without one must be given by every call.
struct ProfileVariable {
    std::string name;
    std::optional<std::string> fallback;
};

// What a user sets on an agent profile (seed 000 "Agent Profiles"), checked where it enters
// (profile_body.hpp) and read back from the database by ParseProfileSpec (the same file).
struct ProfileSpec {
    std::string name;
    std::string agent_name = "Alex";
    std::string persona;  // also shown as "instructions"
    std::string opener;
    std::optional<std::string> closing;  // empty: the plan's default closing
    std::vector<std::string> goals;
    struct Guardrails {
        std::vector<std::string> refuse_topics;
        int max_call_duration_seconds = 600;
        std::optional<std::string> required_disclosure;
    } guardrails;
    struct Disclosure {
        bool enabled = true;
        std::optional<std::string> text;  // empty: the default, naming the organization
        std::optional<std::string> opt_out_text;
    } disclosure;
    std::string language = "en-us";
    std::string voice = "flite:slt";  // a built-in "engine:voice" or a preset's id
    std::string model = "scripted";
    std::string stt = "pocketsphinx";
    std::vector<std::string> extract_fields;
    std::vector<std::string> tools{"end_call"};
    std::optional<std::string> transfer_number;  // E.164
    // "bridged": Parley calls the number and joins the two calls; "blind": the callee's side is
    // asked (SIP REFER) to call it instead.
    std::string transfer_mode = "bridged";
    // Keys Parley presses once the transfer number answers a bridged transfer (a PBX extension).
    std::optional<std::string> transfer_extension;
    std::optional<std::string> voicemail_message;
    std::vector<ProfileVariable> variables;
};

struct Profile {
    std::string id;
    std::string org_id;
    std::string name;
    ProfileStatus status = ProfileStatus::kActive;
    int version = 0;
    ProfileSpec spec;
    Json compiled = Json::object();
    int64_t created_at = 0;
    int64_t updated_at = 0;
    std::optional<int64_t> archived_at;
};

// How a carrier's SIP signalling travels, and how it wants the caller id written.
enum class SipTransport { kUdp, kTcp, kTls };
enum class CallerIdFormat { kE164, kE164NoPlus, kNational };
enum class MediaEncryption { kNone, kSrtp };
std::string_view ToString(SipTransport t);
std::string_view ToString(CallerIdFormat f);
std::string_view ToString(MediaEncryption e);
std::optional<SipTransport> ParseSipTransport(std::string_view s);
std::optional<CallerIdFormat> ParseCallerIdFormat(std::string_view s);
std::optional<MediaEncryption> ParseMediaEncryption(std::string_view s);

// A SIP trunk or PBX of the organization's own (seed 003 "Add custom carrier (BYOC)"). The
// password is sealed at rest and never shown again once set.
struct Carrier {
    std::string id;
    std::string org_id;
    std::string name;
    std::string sip_host;  // a host name or an IP address
    int sip_port = 5060;
    SipTransport transport = SipTransport::kUdp;
    std::optional<std::string> auth_username;
    std::optional<std::string> auth_password;
    std::optional<std::string> from_domain;     // the From header's host; sip_host when empty
    std::optional<std::string> outbound_proxy;  // "host" or "host:port"
    CallerIdFormat caller_id_format = CallerIdFormat::kE164;
    int max_channels = 30;  // calls at once over this carrier
    std::vector<std::string> codecs{"PCMU", "PCMA"};
    MediaEncryption media_encryption = MediaEncryption::kNone;
    std::vector<std::string> inbound_sources;  // addresses or CIDR blocks that may send calls
    int64_t created_at = 0;
    int64_t updated_at = 0;
};

// A phone number the organization owns on one of its carriers, and what answers it.
struct OwnedNumber {
    std::string id;
    std::string org_id;
    std::string number;  // E.164, unique in the installation
    std::string carrier_id;
    std::string friendly_name;
    std::optional<std::string> profile_id;  // the agent that answers inbound calls
    int64_t created_at = 0;
    int64_t updated_at = 0;
};

// An organization's named voice: a speech engine, one of its voices, and how it speaks.
struct VoicePreset {
    std::string id;
    std::string org_id;
    std::string name;
    std::string engine;
    std::string voice;
    int rate_wpm = 0;          // 0: the engine's default
    std::optional<int> pitch;  // 0..100 (0 the lowest); empty: the engine's default
    std::string language;
    std::string gender;
    int64_t created_at = 0;
    int64_t updated_at = 0;
};

enum class CallStatus { kQueued, kRinging, kInProgress, kCompleted, kNoAnswer, kBusy, kVoicemail, kFailed, kCanceled };
enum class CallDirection { kOutbound, kInbound };
std::string_view ToString(CallStatus s);
std::string_view ToString(CallDirection d);
std::optional<CallStatus> ParseCallStatus(std::string_view s);
std::optional<CallDirection> ParseCallDirection(std::string_view s);
// completed, no_answer, busy, voicemail, failed and canceled are final.
bool IsFinal(CallStatus s);

struct CallTransition {
    CallStatus status = CallStatus::kQueued;
    int64_t at = 0;
    std::string reason;
};

// One phone call. `transcript`, `analysis`, `tool_executions` and `cost_breakdown` are filled in
// when the call ends, in the shapes of seed 000's "Call Response".
struct Call {
    std::string id;
    std::string org_id;
    std::string profile_id;
    int profile_version = 0;
    std::optional<std::string> contact_id;
    std::optional<std::string> campaign_id;
    std::optional<std::string> batch_id;
    CallDirection direction = CallDirection::kOutbound;
    CallStatus status = CallStatus::kQueued;
    // Not stored: the call's place in the line of queued calls, set when one call is read.
    std::optional<int64_t> queue_position;
    std::string from_number;
    std::string to_number;
    std::optional<std::string> transferred_to;
    std::vector<std::string> extract;  // custom field names this call extracts
    Json variables = Json::object();
    Json metadata = Json::object();
    Json custom_fields = Json::object();
    std::optional<std::string> webhook_url;
    std::vector<CallTransition> history;
    std::optional<int64_t> started_at;  // dialing began
    std::optional<int64_t> answered_at;
    std::optional<int64_t> ended_at;
    int talk_duration_seconds = 0;
    int cost_cents = 0;
    Json cost_breakdown = Json::object();
    Json analysis = nullptr;
    Json tool_executions = Json::array();
    Json transcript = Json::array();
    std::optional<std::string> recording;  // file name in the recordings folder
    std::optional<std::string> error;
    std::optional<std::string> claimed_by;  // the node running it
    int64_t created_at = 0;
    int64_t updated_at = 0;

    // Appends a transition and sets the status.
    void MoveTo(CallStatus next, int64_t at, std::string reason = {}) {
        status = next;
        history.push_back({next, at, std::move(reason)});
        updated_at = at;
    }
    std::optional<std::string> Disposition() const {
        if (analysis.is_object() && analysis.contains("disposition") && analysis["disposition"].is_string()) {
            return analysis["disposition"].get<std::string>();
        }
        return std::nullopt;
    }
    bool MeetingBooked() const { return analysis.is_object() && analysis.value("meeting_booked", false); }
};

// Many calls triggered by one request (seed 000 trigger_batch).
struct CallBatch {
    std::string id;
    std::string org_id;
    std::string profile_id;
    int total = 0;
    int rejected = 0;
    int64_t created_at = 0;
};

// A named set of contacts, used as a campaign's audience (seed 002 contact_list_id).
struct ContactList {
    std::string id;
    std::string org_id;
    std::string name;
    std::string description;
    int64_t contact_count = 0;  // read from the members
    int64_t created_at = 0;
    int64_t updated_at = 0;
};

// A saved report (seed 000 "Reports API"): an analytics query kept by name. `definition` holds
// its metrics, group_by, filters and period fields as validated; a run may name another period.
struct SavedReport {
    std::string id;
    std::string org_id;
    std::string name;
    std::string description;
    Json definition = Json::object();
    int64_t created_at = 0;
    int64_t updated_at = 0;
};

// Money (seeds 001 "Billing", 002 "Credits", 003 "Account"), in integer cents. An entry of an
// organization's ledger: a call's charge (negative, once per call), a credit purchase, or an
// adjustment a person made.
enum class LedgerKind { kCallCharge, kPurchase, kAdjustment };
std::string_view ToString(LedgerKind k);
std::optional<LedgerKind> ParseLedgerKind(std::string_view s);

struct LedgerEntry {
    std::string id;  // txn_…
    std::string org_id;
    LedgerKind kind = LedgerKind::kCallCharge;
    int64_t amount_cents = 0;
    int64_t balance_after_cents = 0;  // set when the entry is posted
    std::optional<std::string> call_id;
    std::string description;
    std::optional<std::string> reference;   // the buyer's own reference of a purchase
    std::optional<std::string> created_by;  // the key that recorded a purchase or adjustment
    Json components = Json::object();       // a call charge's cents per carrier and engine
    int64_t created_at = 0;
};

// What an organization chose about spending. Prepaid: calls start only while the balance is
// above zero. The threshold sends credits.low when a charge takes the balance below it; the
// monthly limit (of call charges in a UTC month) sends billing.limit_warning at 80% and
// billing.limit_reached at 100%, and stops new calls until the next month or a higher limit.
struct BillingSettings {
    bool prepaid = false;
    std::optional<int64_t> low_balance_threshold_cents;
    std::optional<int64_t> monthly_limit_cents;
};

struct BillingAccount {
    std::string org_id;
    int64_t balance_cents = 0;
    BillingSettings settings;
    std::string month;  // "2026-12": the UTC month of month_calls and month_spent_cents
    int64_t month_calls = 0;
    int64_t month_spent_cents = 0;
    int64_t updated_at = 0;
};

// draft -> running <-> paused -> completed (every contact final) | stopped (by a user).
enum class CampaignStatus { kDraft, kRunning, kPaused, kCompleted, kStopped };
std::string_view ToString(CampaignStatus s);
std::optional<CampaignStatus> ParseCampaignStatus(std::string_view s);

// A span of local wall-clock time within a day, [start, end): a call may begin at `start` and
// no later than a moment before `end`. Minutes after local midnight; end may be 24:00.
struct CallingHours {
    std::chrono::minutes start{0};
    std::chrono::minutes end{0};
};

// A campaign's schedule (spec.schedule).
struct Schedule {
    // The first and last day of calling (inclusive), as dates in `timezone`; none: no bound.
    std::optional<std::chrono::year_month_day> start_date;
    std::optional<std::chrono::year_month_day> end_date;
    CallingHours hours{std::chrono::hours{9}, std::chrono::hours{18}};
    // Callee-local weekdays to call on, indexed by weekday::c_encoding() (0 is Sunday).
    std::array<bool, 7> days{false, true, true, true, true, true, false};
    // IANA. The zone of start_date and end_date, and the zone of callees whose own is unknown.
    std::string timezone = "UTC";
};

// When a campaign calls a contact again (spec.retry_rules).
struct RetryRules {
    int max_attempts = 3;
    int delay_minutes = 60;
    std::vector<std::string> retry_on{"no_answer", "busy", "failed"};  // call statuses, or "voicemail"
    int max_attempts_per_day = 3;
    bool RetriesOn(std::string_view outcome) const {
        for (const auto& o : retry_on) {
            if (o == outcome) return true;
        }
        return false;
    }
};

// What a user sets on a campaign, checked where it enters (campaign_body.hpp) and read back from
// the database by ParseCampaignSpec (campaign_spec.hpp).
struct CampaignSpec {
    std::optional<std::string> contact_list_id;
    std::vector<std::string> contact_tags;
    Schedule schedule;
    RetryRules retry_rules;
    int concurrent_calls = 5;
    std::vector<std::string> caller_ids;  // E.164, used in turn; none: the server's caller id
};

// A campaign calls an audience with one agent profile (seed 002 "Campaigns", seed 000 "Campaign
// Control"). `spec_problem` is set, and `spec` holds the defaults, when the stored settings do
// not read back (a row edited by hand): the dialer sets such a campaign aside.
struct Campaign {
    std::string id;
    std::string org_id;
    std::string name;
    CampaignStatus status = CampaignStatus::kDraft;
    CallDirection direction = CallDirection::kOutbound;
    std::string profile_id;
    CampaignSpec spec;
    std::optional<std::string> spec_problem;
    int64_t created_at = 0;
    int64_t updated_at = 0;
    std::optional<int64_t> started_at;
    std::optional<int64_t> ended_at;
};

// Where a campaign stands: its contacts by dialer state and what its calls came to.
struct CampaignStats {
    int64_t contacts_total = 0;
    int64_t contacts_pending = 0;
    int64_t contacts_in_progress = 0;
    int64_t contacts_done = 0;
    int64_t calls = 0;
    int64_t connected = 0;
    int64_t meetings_booked = 0;
    int64_t cost_cents = 0;
    std::vector<std::pair<std::string, int64_t>> dispositions;
};

// A contact's place in a started campaign: waiting for its (next) call, called and waiting for
// the call to end, or final (`outcome` says why).
enum class QueueState { kPending, kDialing, kDone };
std::string_view ToString(QueueState s);
std::optional<QueueState> ParseQueueState(std::string_view s);

// Where the dialer stands with one contact of a started campaign.
struct QueueEntry {
    std::string campaign_id;
    std::string contact_id;
    std::string org_id;
    QueueState state = QueueState::kPending;
    int attempts = 0;  // calls placed
    std::string day;   // the callee's local date of the last attempt
    int day_attempts = 0;
    int64_t next_at = 0;  // pending: not called before this
    std::optional<std::string> call_id;
    std::optional<std::string> outcome;  // done: why
    int64_t updated_at = 0;
    // The contact as it is now; no phone when it was deleted.
    std::optional<std::string> phone;
    std::optional<std::string> timezone;
    bool on_dnc_list = false;  // read by CampaignRepo::ClaimDue
};

// A placed attempt whose call has ended.
struct FinishedAttempt {
    QueueEntry entry;
    CallStatus status = CallStatus::kCompleted;
    std::optional<std::string> disposition;
    int64_t ended_at = 0;
};

// An organization's dialer rules.
struct DialerSettings {
    bool legal_hours_guard = true;  // no call outside legal_hours of the callee's local time
    std::string legal_hours_start = "08:00";
    std::string legal_hours_end = "21:00";
    int max_concurrent_calls = 100;  // over all of its campaigns
    int64_t updated_at = 0;
};

// A page of a list ordered newest first. `after_id` is the last id of the previous page.
struct PageRequest {
    int limit = 50;
    std::optional<std::string> after_id;
};

template <class T>
struct Page {
    std::vector<T> items;
    bool has_more = false;
};

}  // namespace parley::domain
