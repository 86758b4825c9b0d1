#include "domain/campaign_body.hpp"

#include <algorithm>
#include <array>
#include <span>

#include "common/phone.hpp"
#include "common/text.hpp"
#include "domain/campaign_spec.hpp"
#include "domain/schedule.hpp"

namespace parley::domain {
namespace {

constexpr size_t kMaxCampaignNameBytes = 200;
constexpr size_t kMaxTags = 20;
constexpr size_t kMaxCampaignTagBytes = 64;
constexpr size_t kMaxCallerIds = 50;
constexpr std::array<std::string_view, 4> kRetryOutcomes = {"no_answer", "busy", "failed", "voicemail"};

// A JSON array of distinct strings, each one of `allowed`; reported under `key`.
std::optional<Json> NamesFrom(const Json& object, std::string_view key, std::span<const std::string_view> allowed,
                              Checker& checker) {
    auto it = object.find(key);
    if (it == object.end()) return std::nullopt;
    std::string choices;
    for (auto a : allowed) choices += (choices.empty() ? "" : ", ") + std::string(a);
    const std::string message = "must be an array of distinct values from: " + choices;
    if (!it->is_array()) {
        checker.Add(key, message);
        return std::nullopt;
    }
    Json out = Json::array();
    for (const auto& v : *it) {
        const bool known =
            v.is_string() && std::find(allowed.begin(), allowed.end(), v.get<std::string>()) != allowed.end();
        if (!known || std::find(out.begin(), out.end(), v) != out.end()) {
            checker.Add(key, message);
            return std::nullopt;
        }
        out.push_back(v);
    }
    // Keep the canonical order, so equal settings compare equal.
    Json ordered = Json::array();
    for (auto a : allowed) {
        if (std::find(out.begin(), out.end(), Json(a)) != out.end()) ordered.push_back(a);
    }
    return ordered;
}

// Changes the members of the stored `schedule` that `in` names (calling_hours member by member),
// then checks the whole result, so a change is judged together with what it leaves in place.
void ApplySchedule(const Json& in, Json& schedule, Checker& outer) {
    if (!in.is_object()) {
        outer.Add("schedule", "must be an object");
        return;
    }
    Json merged = schedule;
    for (const auto& [key, value] : in.items()) {
        if (key == "calling_hours" && value.is_object() && merged[key].is_object()) {
            for (const auto& [k, v] : value.items()) merged[key][k] = v;
        } else {
            merged[key] = value;
        }
    }
    auto parsed = ParseSchedule(merged);
    if (!parsed) {
        for (auto& e : parsed.error().details) outer.Add("schedule." + e.field, std::move(e.message));
        return;
    }
    schedule = ToJson(*parsed);
}

void ApplyRetryRules(const Json& in, Json& rules, Checker& outer) {
    if (!in.is_object()) {
        outer.Add("retry_rules", "must be an object");
        return;
    }
    Checker checker("retry_rules.");
    checker.RejectUnknownKeys(in, {"max_attempts", "delay_minutes", "retry_on", "max_attempts_per_day"});
    if (auto n = checker.Int(in, "max_attempts", 1, kMaxAttempts)) rules["max_attempts"] = *n;
    if (auto n = checker.Int(in, "delay_minutes", 1, kMaxDelayMinutes)) rules["delay_minutes"] = *n;
    if (auto n = checker.Int(in, "max_attempts_per_day", 1, kMaxAttempts)) rules["max_attempts_per_day"] = *n;
    if (auto on = NamesFrom(in, "retry_on", kRetryOutcomes, checker)) rules["retry_on"] = *on;
    for (auto& e : checker.errors()) outer.errors().push_back(std::move(e));
}

}  // namespace

CampaignRefs ReadCampaignFields(const Json& body, Campaign& campaign, bool creating, std::string_view region,
                                Checker& checker) {
    checker.RejectUnknownKeys(body, {"name", "agent_id", "profile_id", "direction", "contact_list_id", "contact_tags",
                                     "schedule", "retry_rules", "concurrent_calls", "caller_ids"});
    // The request's fields change the stored form, which is read back as a whole at the end.
    Json spec = ToJson(campaign.spec);
    if (auto name = checker.String(body, "name", kMaxCampaignNameBytes, creating)) {
        if (Trim(*name).empty()) {
            checker.Add("name", "must not be empty");
        } else {
            campaign.name = std::string(Trim(*name));
        }
    }
    // Seed 002 names the profile agent_id.
    CampaignRefs refs;
    if (body.contains("agent_id") && body.contains("profile_id")) {
        checker.Add("agent_id", "give agent_id or profile_id, not both");
    } else {
        const char* key = body.contains("agent_id") ? "agent_id" : "profile_id";
        refs.profile_id = checker.String(body, key, 64, creating);
    }
    if (auto d = checker.String(body, "direction", 16)) {
        if (auto parsed = ParseCallDirection(*d)) {
            campaign.direction = *parsed;
        } else {
            checker.Add("direction", "must be outbound or inbound");
        }
    }
    if (auto l = checker.String(body, "contact_list_id", 64, false, true)) {
        if (l->empty()) {
            spec["contact_list_id"] = nullptr;
        } else {
            refs.list_id = *l;
        }
    }
    if (auto it = body.find("contact_tags"); it != body.end()) {
        bool ok = it->is_array() && it->size() <= kMaxTags;
        Json tags = Json::array();
        for (size_t i = 0; ok && i < it->size(); ++i) {
            const Json& t = (*it)[i];
            ok = t.is_string() && !t.get<std::string>().empty() && t.get<std::string>().size() <= kMaxCampaignTagBytes;
            if (ok && std::find(tags.begin(), tags.end(), t) == tags.end()) tags.push_back(t);
        }
        if (ok) {
            spec["contact_tags"] = tags;
        } else {
            checker.Add("contact_tags", "must be an array of at most 20 tags of 1 to 64 bytes");
        }
    }
    if (auto it = body.find("schedule"); it != body.end()) ApplySchedule(*it, spec["schedule"], checker);
    if (auto it = body.find("retry_rules"); it != body.end()) ApplyRetryRules(*it, spec["retry_rules"], checker);
    if (auto n = checker.Int(body, "concurrent_calls", 1, kMaxConcurrentCalls)) spec["concurrent_calls"] = *n;
    if (auto it = body.find("caller_ids"); it != body.end()) {
        if (!it->is_array() || it->size() > kMaxCallerIds) {
            checker.Add("caller_ids", "must be an array of at most 50 phone numbers");
        } else {
            Json numbers = Json::array();
            for (size_t i = 0; i < it->size(); ++i) {
                const Json& v = (*it)[i];
                auto parsed = v.is_string() ? ParsePhone(v.get<std::string>(), region)
                                            : Result<PhoneNumber>(Fail(ErrorCode::kValidation, ""));
                if (!parsed) {
                    checker.SetIndex(static_cast<long>(i));
                    checker.Add("caller_ids", "is not a valid phone number");
                    checker.SetIndex(-1);
                } else if (std::find(numbers.begin(), numbers.end(), Json(parsed->e164)) == numbers.end()) {
                    numbers.push_back(parsed->e164);
                }
            }
            spec["caller_ids"] = numbers;
        }
    }
    if (checker.ok()) {
        auto parsed = ParseCampaignSpec(spec);
        if (parsed) {
            campaign.spec = std::move(*parsed);
        } else {
            checker.Add("campaign", parsed.error().message);
        }
    }
    return refs;
}

}  // namespace parley::domain
