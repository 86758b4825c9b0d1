#include "domain/contact_body.hpp"

#include <algorithm>

#include "common/phone.hpp"
#include "common/text.hpp"
#include "domain/custom_field_body.hpp"

namespace parley::domain {
namespace {

constexpr size_t kMaxNameBytes = 200;
constexpr size_t kMaxEmailBytes = 254;
constexpr size_t kMaxTagBytes = 64;
constexpr size_t kMaxSourceBytes = 64;
constexpr size_t kMaxIdBytes = 64;

bool LooksLikeEmail(std::string_view s) {
    const auto at = s.find('@');
    if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos) return false;
    const auto domain = s.substr(at + 1);
    const auto dot = domain.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 >= domain.size()) return false;
    return std::none_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == ',' || c == ';'; });
}

std::optional<std::string> Nonempty(std::string_view s) {
    if (Trim(s).empty()) return std::nullopt;
    return std::string(Trim(s));
}

// Adds the tags in `value` (an array of strings) to `tags`, keeping the first of duplicates.
void AddTags(const Json& value, std::vector<std::string>& tags, Checker& checker, std::string_view field = "tags") {
    if (!value.is_array()) {
        checker.Add(field, "must be an array of strings");
        return;
    }
    for (const auto& t : value) {
        if (!t.is_string()) {
            checker.Add(field, "must be an array of strings");
            return;
        }
        const auto tag = std::string(Trim(t.get_ref<const std::string&>()));
        if (tag.empty() || tag.size() > kMaxTagBytes || HasControlCharacters(tag)) {
            checker.Add(field, "each tag must be 1 to 64 bytes of text");
            return;
        }
        if (std::find(tags.begin(), tags.end(), tag) == tags.end()) tags.push_back(tag);
    }
    if (tags.size() > kMaxContactTags) checker.Add(field, "a contact has at most 50 tags");
}

}  // namespace

// Reads every contact field present in `input` into `contact`. On create, `contact` starts
// empty and a phone is required; on update it holds the stored contact and null clears a field.
void ReadContactFields(const Json& input, Contact& contact, bool creating, const std::vector<CustomField>& defs,
                       std::string_view region, Checker& checker, std::optional<bool>* dnc) {
    checker.RejectUnknownKeys(input, {"first_name", "last_name", "phone", "email", "company", "timezone", "tags",
                                      "campaign_id", "custom_fields", "source", "dnc"});
    auto optional_text = [&](std::string_view key, size_t max, std::optional<std::string>& out) {
        if (auto v = checker.String(input, key, max, false, !creating)) out = Nonempty(*v);
    };
    optional_text("first_name", kMaxNameBytes, contact.first_name);
    optional_text("last_name", kMaxNameBytes, contact.last_name);
    optional_text("company", kMaxNameBytes, contact.company);
    optional_text("campaign_id", kMaxIdBytes, contact.campaign_id);
    if (input.contains("phone") || creating) {
        if (auto phone = checker.String(input, "phone", 64, true)) {
            auto parsed = ParsePhone(*phone, region);
            if (parsed) {
                contact.phone = parsed->e164;
                contact.phone_region = parsed->region;
            } else {
                checker.Add("phone", parsed.error().message.substr(std::string_view("phone ").size()));
            }
        }
    }
    std::optional<std::string> email;
    if (auto v = checker.String(input, "email", kMaxEmailBytes, false, !creating)) {
        email = Nonempty(*v);
        if (email && !LooksLikeEmail(*email)) {
            checker.Add("email", "is not an email address");
        } else {
            contact.email = email;
        }
    }
    if (auto v = checker.String(input, "timezone", 64, false, !creating)) {
        auto zone = Nonempty(*v);
        if (zone && !IsKnownTimeZone(*zone)) {
            checker.Add("timezone", "must be an IANA time zone such as America/New_York");
        } else {
            contact.timezone = zone;
        }
    }
    if (auto v = checker.String(input, "source", kMaxSourceBytes)) {
        if (auto s = Nonempty(*v)) contact.source = *s;
    }
    if (auto it = input.find("tags"); it != input.end() && !it->is_null()) {
        std::vector<std::string> tags;
        AddTags(*it, tags, checker);
        contact.tags = std::move(tags);
    } else if (it != input.end() && !creating) {
        contact.tags.clear();
    }
    bool enforce_required = creating;
    if (auto it = input.find("custom_fields"); it != input.end() && !it->is_null()) {
        if (!it->is_object()) {
            checker.Add("custom_fields", "must be an object");
        } else {
            for (const auto& [name, value] : it->items()) {
                if (value.is_null()) {
                    contact.custom_fields.erase(name);
                } else {
                    contact.custom_fields[name] = value;
                }
            }
            enforce_required = true;
        }
    }
    CheckCustomValues(contact.custom_fields, defs, FieldCategory::kContact, enforce_required, checker);
    if (auto d = checker.Bool(input, "dnc"); d && dnc) *dnc = d;
    if (input.contains("dnc") && !dnc) checker.Add("dnc", "is changed through the contact's /dnc endpoint");
}

// tags, campaign_id and source that a bulk request or an import gives every row.
Json ReadRowDefaults(const Json& body, Checker& checker) {
    Json defaults = Json::object();
    if (auto c = checker.String(body, "campaign_id", kMaxIdBytes)) defaults["campaign_id"] = *c;
    if (auto s = checker.String(body, "source", kMaxSourceBytes)) defaults["source"] = *s;
    if (auto t = body.find("tags"); t != body.end() && !t->is_null()) {
        std::vector<std::string> tags;
        AddTags(*t, tags, checker);
        defaults["tags"] = tags;
    }
    return defaults;
}

// The optional body of a DNC change: {"note", "reason": "api"}, and "phone" where the number
// comes from the body.
Result<std::optional<std::string>> ReadNote(const Json& body, bool phone_in_body) {
    if (body.is_null()) return std::optional<std::string>();
    if (!body.is_object()) return Fail(ErrorCode::kValidation, "request body must be a JSON object");
    Checker checker;
    if (phone_in_body) {
        checker.RejectUnknownKeys(body, {"note", "reason", "phone"});
    } else {
        checker.RejectUnknownKeys(body, {"note", "reason"});
    }
    auto note = checker.String(body, "note", 1000);
    if (body.contains("reason")) {
        auto r = checker.String(body, "reason", 32);
        if (r && *r != "api") checker.Add("reason", "only \"api\" can be given; other reasons are recorded by Parley");
    }
    if (!checker.ok()) return Fail(checker.ToError("request is not valid"));
    return note;
}

}  // namespace parley::domain
