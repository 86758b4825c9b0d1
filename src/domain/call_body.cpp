#include "domain/call_body.hpp"

#include <algorithm>

#include "common/phone.hpp"
#include "domain/custom_field_body.hpp"

namespace parley::domain {
namespace {

constexpr size_t kMaxMetadataBytes = 16 * 1024;
constexpr size_t kMaxVariableBytes = 500;
constexpr size_t kMaxUrlBytes = 2000;
constexpr size_t kMaxProfileIdBytes = 64;

// An object of string, number or boolean values (variables) or any JSON (metadata).
std::optional<Json> ObjectField(const Json& body, std::string_view key, bool scalars_only, Checker& checker) {
    auto it = body.find(key);
    if (it == body.end() || it->is_null()) return std::nullopt;
    if (!it->is_object()) {
        checker.Add(key, "must be an object");
        return std::nullopt;
    }
    if (it->dump().size() > kMaxMetadataBytes) {
        checker.Add(key, "must be at most 16 KiB of JSON");
        return std::nullopt;
    }
    if (scalars_only) {
        for (const auto& [name, value] : it->items()) {
            const bool ok = (value.is_string() && value.get_ref<const std::string&>().size() <= kMaxVariableBytes) ||
                            value.is_number() || value.is_boolean();
            if (!ok) {
                checker.Add(std::string(key) + "." + name,
                            "must be a string of at most 500 bytes, a number or a boolean");
            }
        }
    }
    return *it;
}

bool Given(const Json& body, std::string_view key) {
    const auto it = body.find(key);
    return it != body.end() && !it->is_null();
}

// The profile a call request names and the key it came under: "profile_id", or "agent_id" as
// seed 002's users call it. Each key given is checked as a profile id, and when both are given
// they must be equal; neither given is "profile_id is required". Nullopt after adding the
// problems to `checker`.
}  // namespace

std::optional<RequestedProfile> ReadRequestedProfile(const Json& body, Checker& checker) {
    const bool agent_given = Given(body, "agent_id");
    auto profile_id = checker.String(body, "profile_id", kMaxProfileIdBytes, Given(body, "profile_id") || !agent_given);
    auto agent_id = checker.String(body, "agent_id", kMaxProfileIdBytes, agent_given);
    if (profile_id && agent_id && *profile_id != *agent_id) {
        checker.Add("profile_id", "differs from agent_id, which is another name for it; give one of them");
        checker.Add("agent_id", "differs from profile_id, of which it is another name; give one of them");
        return std::nullopt;
    }
    if (profile_id) return RequestedProfile{std::move(*profile_id), "profile_id"};
    if (agent_id) return RequestedProfile{std::move(*agent_id), "agent_id"};
    return std::nullopt;
}

CallRequestFields ReadCallRequest(const Json& body, std::string_view region, Checker& checker) {
    CallRequestFields out;
    out.profile = ReadRequestedProfile(body, checker);
    if (auto it = body.find("extract"); it != body.end() && !it->is_null()) {
        if (!it->is_array() || std::any_of(it->begin(), it->end(), [](const Json& j) { return !j.is_string(); })) {
            checker.Add("extract", "must be an array of custom field names");
        } else {
            out.extract = it->get<std::vector<std::string>>();
        }
    }
    if (auto v = ObjectField(body, "variables", true, checker)) out.variables = *v;
    if (auto m = ObjectField(body, "metadata", false, checker)) out.metadata = *m;
    out.webhook_url = checker.String(body, "webhook_url", kMaxUrlBytes);
    if (auto from = checker.String(body, "from", 40)) {
        if (auto parsed = ParsePhone(*from, region)) {
            out.from = parsed->e164;
        } else {
            checker.Add("from", "is not a valid phone number");
        }
    }
    return out;
}

CallItemFields ReadCallItem(const Json& item, const std::vector<CustomField>& definitions, std::string_view region,
                            Checker& checker) {
    CallItemFields out;
    auto phone_text = checker.String(item, "phone", 40);
    out.contact_id = checker.String(item, "contact_id", 64);
    if (auto v = ObjectField(item, "variables", true, checker)) out.variables = *v;
    if (auto m = ObjectField(item, "metadata", false, checker)) out.metadata = *m;
    if (auto it = item.find("custom_fields"); it != item.end() && !it->is_null()) {
        CheckCustomValues(*it, definitions, FieldCategory::kContact, false, checker);
        if (it->is_object()) out.custom_fields = *it;
    }
    if (!phone_text && !out.contact_id) checker.Add("phone", "give phone or contact_id");
    if (phone_text) {
        auto parsed = ParsePhone(*phone_text, region);
        if (parsed) {
            out.phone = *parsed;
        } else {
            checker.Add("phone", parsed.error().message);
        }
    }
    return out;
}

}  // namespace parley::domain
