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

// A string member; absent leaves `out`. A null is refused: the member has no "unset".
void SetString(const Json& body, std::string_view key, size_t max, std::string& out, Checker& checker) {
    auto it = body.find(key);
    if (it == body.end()) return;
    if (it->is_null()) {
        checker.Add(key, "must be a string");
        return;
    }
    if (auto v = checker.String(body, key, max)) out = std::move(*v);
}

// A string member that null unsets; absent leaves `out`.
void SetString(const Json& body, std::string_view key, size_t max, std::optional<std::string>& out, Checker& checker) {
    auto it = body.find(key);
    if (it == body.end()) return;
    if (it->is_null()) {
        out.reset();
        return;
    }
    if (auto v = checker.String(body, key, max)) out = std::move(*v);
}

void ApplyGuardrails(const Json& g, ProfileSpec::Guardrails& out, Checker& checker) {
    if (g.is_null()) return;
    if (!g.is_object()) {
        checker.Add("guardrails", "must be an object");
        return;
    }
    Checker inner("guardrails.");
    inner.RejectUnknownKeys(g, {"refuse_topics", "max_call_duration_seconds", "required_disclosure"});
    if (auto topics = StringList(g, "refuse_topics", inner)) out.refuse_topics = std::move(*topics);
    if (auto it = g.find("max_call_duration_seconds"); it != g.end() && !it->is_null()) {
        if (!it->is_number_integer() || it->get<int64_t>() < kMinCallSeconds || it->get<int64_t>() > kMaxCallSeconds) {
            inner.Add("max_call_duration_seconds", "must be a whole number of seconds from 30 to 14400");
        } else {
            out.max_call_duration_seconds = it->get<int>();
        }
    }
    SetString(g, "required_disclosure", kMaxLine, out.required_disclosure, inner);
    for (auto& e : inner.errors()) checker.errors().push_back(std::move(e));
}

void ApplyDisclosure(const Json& d, ProfileSpec::Disclosure& out, Checker& checker) {
    if (d.is_null()) return;
    if (!d.is_object()) {
        checker.Add("disclosure", "must be an object");
        return;
    }
    Checker inner("disclosure.");
    inner.RejectUnknownKeys(d, {"enabled", "text", "opt_out_text"});
    if (auto enabled = inner.Bool(d, "enabled")) out.enabled = *enabled;
    SetString(d, "text", kMaxLine, out.text, inner);
    SetString(d, "opt_out_text", kMaxLine, out.opt_out_text, inner);
    for (auto& e : inner.errors()) checker.errors().push_back(std::move(e));
}

void ApplyVariables(const Json& v, std::vector<ProfileVariable>& variables, Checker& checker) {
    std::vector<ProfileVariable> out;
    auto named = [&](std::string_view name) {
        if (IsIdentifier(name)) return true;
        checker.Add("variables", "names must start with a-z or _ and hold only a-z, 0-9 and _");
        return false;
    };
    if (v.is_array()) {
        for (const auto& name : v) {
            if (!name.is_string() || !named(name.get_ref<const std::string&>())) return;
            out.push_back({name.get<std::string>(), std::nullopt});
        }
    } else if (v.is_object()) {
        for (const auto& [name, value] : v.items()) {
            if (!named(name)) return;
            if (!value.is_null() &&
                (!value.is_string() || value.get_ref<const std::string&>().size() > kMaxItemBytes)) {
                checker.Add("variables." + name, "the default must be a string of at most 200 bytes, or null");
                return;
            }
            out.push_back({name, value.is_null() ? std::nullopt : std::optional(value.get<std::string>())});
        }
    } else if (!v.is_null()) {
        checker.Add("variables", "must be an array of names or an object of name: default");
        return;
    }
    if (out.size() > kMaxVariables) {
        checker.Add("variables", "must have at most 50 names");
        return;
    }
    std::set<std::string_view> seen;
    for (const auto& var : out) {
        if (!seen.insert(var.name).second) {
            checker.Add("variables", "\"" + var.name + "\" is listed twice");
            return;
        }
    }
    variables = std::move(out);
}

}  // namespace

void ReadProfileFields(const Json& body, ProfileSpec& spec, Checker& checker, std::string_view default_region) {
    checker.RejectUnknownKeys(body, {"name",
                                     "agent_name",
                                     "persona",
                                     "instructions",
                                     "opener",
                                     "closing",
                                     "goals",
                                     "guardrails",
                                     "disclosure",
                                     "language",
                                     "voice",
                                     "model",
                                     "stt",
                                     "extract_fields",
                                     "tools",
                                     "transfer_number",
                                     "transfer_mode",
                                     "transfer_extension",
                                     "voicemail_message",
                                     "variables"});
    if (body.contains("name")) {
        if (auto name = checker.String(body, "name", kMaxName, true)) spec.name = std::move(*name);
    }
    SetString(body, "agent_name", kMaxName, spec.agent_name, checker);
    if (body.contains("persona") && body.contains("instructions")) {
        checker.Add("instructions", "give persona or instructions (the same field), not both");
    }
    SetString(body, "persona", kMaxPersona, spec.persona, checker);
    SetString(body, "instructions", kMaxPersona, spec.persona, checker);
    SetString(body, "opener", kMaxLine, spec.opener, checker);
    SetString(body, "closing", kMaxLine, spec.closing, checker);
    if (auto goals = StringList(body, "goals", checker)) spec.goals = std::move(*goals);
    if (auto g = body.find("guardrails"); g != body.end()) ApplyGuardrails(*g, spec.guardrails, checker);
    if (auto d = body.find("disclosure"); d != body.end()) ApplyDisclosure(*d, spec.disclosure, checker);
    SetString(body, "language", 16, spec.language, checker);
    SetString(body, "voice", kMaxName, spec.voice, checker);
    SetString(body, "model", kMaxName, spec.model, checker);
    SetString(body, "stt", kMaxName, spec.stt, checker);
    if (auto fields = StringList(body, "extract_fields", checker)) spec.extract_fields = std::move(*fields);
    if (auto tools = StringList(body, "tools", checker)) {
        for (const auto& t : *tools) {
            if (std::find(std::begin(kTools), std::end(kTools), t) == std::end(kTools)) {
                checker.Add("tools", "\"" + t +
                                         "\" is not a tool; tools are check_availability, "
                                         "request_meeting, transfer, end_call");
            }
        }
        spec.tools = std::move(*tools);
    }
    if (auto it = body.find("transfer_number"); it != body.end()) {
        if (it->is_null()) {
            spec.transfer_number.reset();
        } else if (auto text = checker.String(body, "transfer_number", 40)) {
            if (auto phone = ParsePhone(*text, default_region)) {
                spec.transfer_number = phone->e164;
            } else {
                checker.Add("transfer_number", phone.error().message);
            }
        }
    }
    if (body.contains("transfer_mode")) {
        if (auto mode = checker.String(body, "transfer_mode", 16)) {
            if (*mode == "bridged" || *mode == "blind") {
                spec.transfer_mode = std::move(*mode);
            } else {
                checker.Add("transfer_mode", "must be bridged or blind");
            }
        }
    }
    if (auto it = body.find("transfer_extension"); it != body.end()) {
        if (it->is_null()) {
            spec.transfer_extension.reset();
        } else if (auto keys = checker.String(body, "transfer_extension", 20)) {
            if (!keys->empty() && keys->find_first_not_of("0123456789*#") == std::string::npos) {
                spec.transfer_extension = std::move(*keys);
            } else {
                checker.Add("transfer_extension", "must be 1 to 20 of the keys 0-9, * and #");
            }
        }
    }
    SetString(body, "voicemail_message", kMaxLine, spec.voicemail_message, checker);
    if (auto v = body.find("variables"); v != body.end()) ApplyVariables(*v, spec.variables, checker);
    if (spec.name.empty() && !body.contains("name")) checker.Add("name", "is required");
    if (std::find(spec.tools.begin(), spec.tools.end(), "transfer") != spec.tools.end() && !spec.transfer_number) {
        checker.Add("transfer_number", "is required when the transfer tool is enabled");
    }
    if (spec.transfer_extension && spec.transfer_mode != "bridged") {
        checker.Add("transfer_extension", "needs transfer_mode bridged (a blind transfer leaves before the answer)");
    }
}

Json ToJson(const ProfileSpec& spec) {
    auto text = [](const std::optional<std::string>& s) { return s ? Json(*s) : Json(nullptr); };
    Json variables = Json::object();
    for (const auto& v : spec.variables) variables[v.name] = text(v.fallback);
    return Json{{"name", spec.name},
                {"agent_name", spec.agent_name},
                {"persona", spec.persona},
                {"opener", spec.opener},
                {"closing", text(spec.closing)},
                {"goals", spec.goals},
                {"guardrails",
                 {{"refuse_topics", spec.guardrails.refuse_topics},
                  {"max_call_duration_seconds", spec.guardrails.max_call_duration_seconds},
                  {"required_disclosure", text(spec.guardrails.required_disclosure)}}},
                {"disclosure",
                 {{"enabled", spec.disclosure.enabled},
                  {"text", text(spec.disclosure.text)},
                  {"opt_out_text", text(spec.disclosure.opt_out_text)}}},
                {"language", spec.language},
                {"voice", spec.voice},
                {"model", spec.model},
                {"stt", spec.stt},
                {"extract_fields", spec.extract_fields},
                {"tools", spec.tools},
                {"transfer_number", text(spec.transfer_number)},
                {"transfer_mode", spec.transfer_mode},
                {"transfer_extension", text(spec.transfer_extension)},
                {"voicemail_message", text(spec.voicemail_message)},
                {"variables", std::move(variables)}};
}

Result<ProfileSpec> ParseProfileSpec(const Json& stored) {
    if (!stored.is_object()) return Fail(ErrorCode::kInternal, "stored profile settings are not a JSON object");
    ProfileSpec spec;
    Checker checker;
    ReadProfileFields(stored, spec, checker, "US");
    if (!checker.ok()) {
        const auto& first = checker.errors().front();
        return Fail(ErrorCode::kInternal,
                    "stored profile settings do not read back: " + first.field + " " + first.message);
    }
    return spec;
}

}  // namespace parley::domain
