#include "domain/entities.hpp"

#include <array>
#include <utility>

namespace parley::domain {
namespace {

template <class E, size_t N>
std::string_view NameOf(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
    for (const auto& [e, name] : table) {
        if (e == value) return name;
    }
    return {};
}

template <class E, size_t N>
std::optional<E> ValueOf(const std::array<std::pair<E, std::string_view>, N>& table, std::string_view name) {
    for (const auto& [e, n] : table) {
        if (n == name) return e;
    }
    return std::nullopt;
}

constexpr std::array<std::pair<Tier, std::string_view>, 3> kTiers{
    {{Tier::kStandard, "standard"}, {Tier::kProfessional, "professional"}, {Tier::kEnterprise, "enterprise"}}};
constexpr std::array<std::pair<KeyMode, std::string_view>, 2> kModes{
    {{KeyMode::kLive, "live"}, {KeyMode::kTest, "test"}}};
constexpr std::array<std::pair<Permission, std::string_view>, 3> kPermissions{
    {{Permission::kFull, "full"}, {Permission::kReadOnly, "read_only"}, {Permission::kWriteOnly, "write_only"}}};
constexpr std::array<std::pair<Role, std::string_view>, 3> kRoles{
    {{Role::kOwner, "owner"}, {Role::kAdmin, "admin"}, {Role::kMember, "member"}}};
constexpr std::array<std::pair<FieldType, std::string_view>, 5> kFieldTypes{{{FieldType::kString, "string"},
                                                                             {FieldType::kNumber, "number"},
                                                                             {FieldType::kBoolean, "boolean"},
                                                                             {FieldType::kDate, "date"},
                                                                             {FieldType::kEnum, "enum"}}};
constexpr std::array<std::pair<FieldCategory, std::string_view>, 3> kCategories{
    {{FieldCategory::kContact, "contact"}, {FieldCategory::kExtraction, "extraction"}, {FieldCategory::kBoth, "both"}}};
constexpr std::array<std::pair<DncAction, std::string_view>, 2> kDncActions{
    {{DncAction::kAdd, "add"}, {DncAction::kRemove, "remove"}}};
constexpr std::array<std::pair<DncReason, std::string_view>, 3> kDncReasons{
    {{DncReason::kApi, "api"}, {DncReason::kCallOptOut, "call_opt_out"}, {DncReason::kImport, "import"}}};
constexpr std::array<std::pair<ProfileStatus, std::string_view>, 2> kProfileStatuses{
    {{ProfileStatus::kActive, "active"}, {ProfileStatus::kArchived, "archived"}}};
constexpr std::array<std::pair<CallStatus, std::string_view>, 9> kCallStatuses{
    {{CallStatus::kQueued, "queued"},
     {CallStatus::kRinging, "ringing"},
     {CallStatus::kInProgress, "in_progress"},
     {CallStatus::kCompleted, "completed"},
     {CallStatus::kNoAnswer, "no_answer"},
     {CallStatus::kBusy, "busy"},
     {CallStatus::kVoicemail, "voicemail"},
     {CallStatus::kFailed, "failed"},
     {CallStatus::kCanceled, "canceled"}}};
constexpr std::array<std::pair<CallDirection, std::string_view>, 2> kDirections{
    {{CallDirection::kOutbound, "outbound"}, {CallDirection::kInbound, "inbound"}}};
constexpr std::array<std::pair<QueueState, std::string_view>, 3> kQueueStates{
    {{QueueState::kPending, "pending"}, {QueueState::kDialing, "dialing"}, {QueueState::kDone, "done"}}};
constexpr std::array<std::pair<LedgerKind, std::string_view>, 3> kLedgerKinds{
    {{LedgerKind::kCallCharge, "call_charge"},
     {LedgerKind::kPurchase, "purchase"},
     {LedgerKind::kAdjustment, "adjustment"}}};
constexpr std::array<std::pair<CampaignStatus, std::string_view>, 5> kCampaignStatuses{
    {{CampaignStatus::kDraft, "draft"},
     {CampaignStatus::kRunning, "running"},
     {CampaignStatus::kPaused, "paused"},
     {CampaignStatus::kCompleted, "completed"},
     {CampaignStatus::kStopped, "stopped"}}};

}  // namespace

std::string_view ToString(Tier t) {
    return NameOf(kTiers, t);
}
std::string_view ToString(KeyMode m) {
    return NameOf(kModes, m);
}
std::string_view ToString(Permission p) {
    return NameOf(kPermissions, p);
}
std::string_view ToString(Role r) {
    return NameOf(kRoles, r);
}
std::string_view ToString(FieldType t) {
    return NameOf(kFieldTypes, t);
}
std::string_view ToString(FieldCategory c) {
    return NameOf(kCategories, c);
}
std::string_view ToString(DncAction a) {
    return NameOf(kDncActions, a);
}
std::string_view ToString(DncReason r) {
    return NameOf(kDncReasons, r);
}
std::optional<Tier> ParseTier(std::string_view s) {
    return ValueOf(kTiers, s);
}
std::optional<KeyMode> ParseKeyMode(std::string_view s) {
    return ValueOf(kModes, s);
}
std::optional<Permission> ParsePermission(std::string_view s) {
    return ValueOf(kPermissions, s);
}
std::optional<Role> ParseRole(std::string_view s) {
    return ValueOf(kRoles, s);
}
std::optional<FieldType> ParseFieldType(std::string_view s) {
    return ValueOf(kFieldTypes, s);
}
std::optional<FieldCategory> ParseFieldCategory(std::string_view s) {
    return ValueOf(kCategories, s);
}
std::optional<DncReason> ParseDncReason(std::string_view s) {
    return ValueOf(kDncReasons, s);
}
namespace {

constexpr std::array<std::pair<SipTransport, std::string_view>, 3> kTransports{
    {{SipTransport::kUdp, "udp"}, {SipTransport::kTcp, "tcp"}, {SipTransport::kTls, "tls"}}};
constexpr std::array<std::pair<CallerIdFormat, std::string_view>, 3> kCallerIdFormats{
    {{CallerIdFormat::kE164, "e164"},
     {CallerIdFormat::kE164NoPlus, "e164_no_plus"},
     {CallerIdFormat::kNational, "national"}}};
constexpr std::array<std::pair<MediaEncryption, std::string_view>, 2> kMediaEncryptions{
    {{MediaEncryption::kNone, "none"}, {MediaEncryption::kSrtp, "srtp"}}};

}  // namespace

std::string_view ToString(SipTransport t) {
    return NameOf(kTransports, t);
}
std::string_view ToString(CallerIdFormat f) {
    return NameOf(kCallerIdFormats, f);
}
std::string_view ToString(MediaEncryption e) {
    return NameOf(kMediaEncryptions, e);
}
std::optional<SipTransport> ParseSipTransport(std::string_view s) {
    return ValueOf(kTransports, s);
}
std::optional<CallerIdFormat> ParseCallerIdFormat(std::string_view s) {
    return ValueOf(kCallerIdFormats, s);
}
std::optional<MediaEncryption> ParseMediaEncryption(std::string_view s) {
    return ValueOf(kMediaEncryptions, s);
}

std::string_view ToString(ProfileStatus s) {
    return NameOf(kProfileStatuses, s);
}
std::optional<ProfileStatus> ParseProfileStatus(std::string_view s) {
    return ValueOf(kProfileStatuses, s);
}
std::string_view ToString(CallStatus s) {
    return NameOf(kCallStatuses, s);
}
std::string_view ToString(CallDirection d) {
    return NameOf(kDirections, d);
}
std::optional<CallStatus> ParseCallStatus(std::string_view s) {
    return ValueOf(kCallStatuses, s);
}
std::optional<CallDirection> ParseCallDirection(std::string_view s) {
    return ValueOf(kDirections, s);
}
std::string_view ToString(CampaignStatus s) {
    return NameOf(kCampaignStatuses, s);
}
std::optional<CampaignStatus> ParseCampaignStatus(std::string_view s) {
    return ValueOf(kCampaignStatuses, s);
}
std::string_view ToString(QueueState s) {
    return NameOf(kQueueStates, s);
}
std::optional<QueueState> ParseQueueState(std::string_view s) {
    return ValueOf(kQueueStates, s);
}
std::string_view ToString(LedgerKind k) {
    return NameOf(kLedgerKinds, k);
}
std::optional<LedgerKind> ParseLedgerKind(std::string_view s) {
    return ValueOf(kLedgerKinds, s);
}
bool IsFinal(CallStatus s) {
    return s != CallStatus::kQueued && s != CallStatus::kRinging && s != CallStatus::kInProgress;
}

}  // namespace parley::domain
