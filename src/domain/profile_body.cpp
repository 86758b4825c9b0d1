#include "domain/profile_body.hpp"

#include <algorithm>
#include <set>

#include "common/phone.hpp"
#include "common/text.hpp"

namespace parley::domain {
namespace {

constexpr size_t kMaxName = 100;
constexpr size_t kMaxPersona = 8000;
constexpr size_t kMaxLine = 2000;
constexpr size_t kMaxListItems = 50;
constexpr size_t kMaxItemBytes = 200;
constexpr size_t kMaxVariables = 50;
constexpr std::string_view kTools[] = {"check_availability", "request_meeting", "transfer", "end_call"};

bool IsIdentifier(std::string_view s) {
    if (s.empty() || s.size() > 64 || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_')) return false;
    for (char c : s) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    }
    return true;
}

// A list of distinct non-empty strings.
std::optional<std::vector<std::string>> StringList(const Json& body, std::string_view key, Checker& checker,
                                                   size_t max_items = kMaxListItems) {
    auto it = body.find(key);
    if (it == body.end()) return std::nullopt;
    if (it->is_null()) return std::vector<std::string>{};
    if (!it->is_array()) {
        checker.Add(key, "must be an array of strings");
        return std::nullopt;
    }
    if (it->size() > max_items) {
        checker.Add(key, "must have at most " + std::to_string(max_items) + " items");
        return std::nullopt;
    }
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (const auto& item : *it) {
        if (!item.is_string() || Trim(item.get_ref<const std::string&>()).empty() ||
            item.get_ref<const std::string&>().size() > kMaxItemBytes ||
            HasControlCharacters(item.get_ref<const std::string&>())) {
            checker.Add(key, "each item must be a non-empty string of at most 200 bytes");
            return std::nullopt;
        }
        if (!seen.insert(item.get<std::string>()).second) {
            checker.Add(key, "\"" + item.get<std::string>() + "\" is listed twice");
            return std::nullopt;
        }
        out.push_back(item.get<std::string>());
    }
    return out;
}

void SetString(const Json& body, Json& spec, std::string_view key, size_t max, Checker& checker, bool nullable = true,
               std::string_view target = {}) {
    const std::string out_key(target.empty() ? key : target);
    if (!body.contains(key)) return;
    if (body.at(std::string(key)).is_null()) {
        if (nullable) {
            spec[out_key] = nullptr;
        } else {
            checker.Add(key, "must be a string");
        }
        return;
    }
    if (auto v = checker.String(body, key, max)) spec[out_key] = *v;
}

void ApplyGuardrails(const Json& g, Json& spec, Checker& checker) {
    if (g.is_null()) return;
    if (!g.is_object()) {
        checker.Add("guardrails", "must be an object");
        return;
    }
    Checker inner("guardrails.");
    inner.RejectUnknownKeys(g, {"refuse_topics", "max_call_duration_seconds", "required_disclosure"});
    Json& out = spec["guardrails"];
    if (auto topics = StringList(g, "refuse_topics", inner)) out["refuse_topics"] = *topics;
    if (auto it = g.find("max_call_duration_seconds"); it != g.end() && !it->is_null()) {
        if (!it->is_number_integer() || it->get<int64_t>() < kMinCallSeconds || it->get<int64_t>() > kMaxCallSeconds) {
            inner.Add("max_call_duration_seconds", "must be a whole number of seconds from 30 to 14400");
        } else {
            out["max_call_duration_seconds"] = it->get<int>();
        }
    }
    SetString(g, out, "required_disclosure", kMaxLine, inner);
    for (auto& e : inner.errors()) checker.errors().push_back(std::move(e));
}

void ApplyDisclosure(const Json& d, Json& spec, Checker& checker) {
    if (d.is_null()) return;
    if (!d.is_object()) {
        checker.Add("disclosure", "must be an object");
        return;
    }
    Checker inner("disclosure.");
    inner.RejectUnknownKeys(d, {"enabled", "text", "opt_out_text"});
    Json& out = spec["disclosure"];
    if (auto enabled = inner.Bool(d, "enabled")) out["enabled"] = *enabled;
    SetString(d, out, "text", kMaxLine, inner);
    SetString(d, out, "opt_out_text", kMaxLine, inner);
    for (auto& e : inner.errors()) checker.errors().push_back(std::move(e));
}

void ApplyVariables(const Json& v, Json& spec, Checker& checker) {
    Json out = Json::object();
    if (v.is_null()) {
        spec["variables"] = out;
        return;
    }
    if (v.is_array()) {
        for (const auto& name : v) {
            if (!name.is_string() || !IsIdentifier(name.get_ref<const std::string&>())) {
                checker.Add("variables", "names must start with a-z or _ and hold only a-z, 0-9 and _");
                return;
            }
            out[name.get<std::string>()] = nullptr;
        }
    } else if (v.is_object()) {
        for (const auto& [name, value] : v.items()) {
            if (!IsIdentifier(name)) {
                checker.Add("variables", "names must start with a-z or _ and hold only a-z, 0-9 and _");
                return;
            }
            if (!value.is_null() &&
                (!value.is_string() || value.get_ref<const std::string&>().size() > kMaxItemBytes)) {
                checker.Add("variables." + name, "the default must be a string of at most 200 bytes, or null");
                return;
            }
            out[name] = value;
        }
    } else {
        checker.Add("variables", "must be an array of names or an object of name: default");
        return;
    }
    if (out.size() > kMaxVariables) {
        checker.Add("variables", "must have at most 50 names");
        return;
    }
    spec["variables"] = out;
}

}  // namespace

Json DefaultProfileSpec() {
    return Json{{"name", ""},
                {"agent_name", "Alex"},
                {"persona", ""},
                {"opener", ""},
                {"closing", nullptr},
                {"goals", Json::array()},
                {"guardrails",
                 {{"refuse_topics", Json::array()},
                  {"max_call_duration_seconds", kDefaultMaxCallSeconds},
                  {"required_disclosure", nullptr}}},
                {"disclosure", {{"enabled", true}, {"text", nullptr}, {"opt_out_text", nullptr}}},
                {"language", "en-us"},
                {"voice", "flite:slt"},
                {"model", "scripted"},
                {"stt", "pocketsphinx"},
                {"extract_fields", Json::array()},
                {"tools", Json::array({"end_call"})},
                {"transfer_number", nullptr},
                {"voicemail_message", nullptr},
                {"variables", Json::object()}};
}

void ReadProfileFields(const Json& body, Json& spec, Checker& checker, std::string_view default_region) {
    checker.RejectUnknownKeys(body, {"name", "agent_name", "persona", "instructions", "opener", "closing", "goals",
                                     "guardrails", "disclosure", "language", "voice", "model", "stt", "extract_fields",
                                     "tools", "transfer_number", "voicemail_message", "variables"});
    if (body.contains("name")) {
        if (auto name = checker.String(body, "name", kMaxName, true)) spec["name"] = *name;
    }
    SetString(body, spec, "agent_name", kMaxName, checker, false);
    if (body.contains("persona") && body.contains("instructions")) {
        checker.Add("instructions", "give persona or instructions (the same field), not both");
    }
    SetString(body, spec, "persona", kMaxPersona, checker, false);
    SetString(body, spec, "instructions", kMaxPersona, checker, false, "persona");
    SetString(body, spec, "opener", kMaxLine, checker, false);
    SetString(body, spec, "closing", kMaxLine, checker);
    if (auto goals = StringList(body, "goals", checker)) spec["goals"] = *goals;
    if (auto g = body.find("guardrails"); g != body.end()) ApplyGuardrails(*g, spec, checker);
    if (auto d = body.find("disclosure"); d != body.end()) ApplyDisclosure(*d, spec, checker);
    SetString(body, spec, "language", 16, checker, false);
    SetString(body, spec, "voice", kMaxName, checker, false);
    SetString(body, spec, "model", kMaxName, checker, false);
    SetString(body, spec, "stt", kMaxName, checker, false);
    if (auto fields = StringList(body, "extract_fields", checker)) spec["extract_fields"] = *fields;
    if (auto tools = StringList(body, "tools", checker)) {
        for (const auto& t : *tools) {
            bool known = false;
            for (auto k : kTools) known = known || k == t;
            if (!known)
                checker.Add("tools", "\"" + t +
                                         "\" is not a tool; tools are check_availability, "
                                         "request_meeting, transfer, end_call");
        }
        spec["tools"] = *tools;
    }
    if (auto it = body.find("transfer_number"); it != body.end()) {
        if (it->is_null()) {
            spec["transfer_number"] = nullptr;
        } else if (auto text = checker.String(body, "transfer_number", 40)) {
            if (auto phone = ParsePhone(*text, default_region)) {
                spec["transfer_number"] = phone->e164;
            } else {
                checker.Add("transfer_number", phone.error().message);
            }
        }
    }
    SetString(body, spec, "voicemail_message", kMaxLine, checker);
    if (auto v = body.find("variables"); v != body.end()) ApplyVariables(*v, spec, checker);
    if (spec["name"].get_ref<const std::string&>().empty() && !body.contains("name")) {
        checker.Add("name", "is required");
    }
    const auto& tools = spec["tools"];
    if (std::find(tools.begin(), tools.end(), "transfer") != tools.end() && spec["transfer_number"].is_null()) {
        checker.Add("transfer_number", "is required when the transfer tool is enabled");
    }
}

}  // namespace parley::domain
