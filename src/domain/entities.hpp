#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::domain {

using Json = nlohmann::ordered_json;

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
