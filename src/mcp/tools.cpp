#include "mcp/tools.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

namespace parley::mcp {
namespace {

// A tool that is one REST route. The description is the route's own (its summary and
// description in the OpenAPI document) after `lead`, which says what an assistant should know first.
struct RouteTool {
    std::string_view name;
    std::string_view category;
    std::string_view method;
    std::string_view pattern;
    std::string_view lead;
};

// Seed 000's tools under its names, then the tools for what the other seeds have.
constexpr std::array kRouteTools = {
    // Calls
    RouteTool{"trigger_call", "Calls", "POST", "/api/v1/calls/trigger",
              "Place one call now with a profile, to a phone number or a contact."},
    RouteTool{"list_calls", "Calls", "GET", "/api/v1/calls", ""},
    RouteTool{"get_call", "Calls", "GET", "/api/v1/calls/:id", ""},
    RouteTool{"get_recording", "Calls", "GET", "/api/v1/calls/:id/recording", ""},
    RouteTool{"get_transcript", "Calls", "GET", "/api/v1/calls/:id/transcript", ""},
    RouteTool{"stop_call", "Calls", "POST", "/api/v1/calls/:id/stop", ""},
    RouteTool{"trigger_batch", "Calls", "POST", "/api/v1/batches", ""},
    RouteTool{"get_batch_status", "Calls", "GET", "/api/v1/batches/:id", ""},
    RouteTool{"get_batch_results", "Calls", "GET", "/api/v1/batches/:id/results", ""},
    // Profiles
    RouteTool{"create_profile", "Profiles", "POST", "/api/v1/profiles", ""},
    RouteTool{"list_profiles", "Profiles", "GET", "/api/v1/profiles", ""},
    RouteTool{"get_profile", "Profiles", "GET", "/api/v1/profiles/:id", ""},
    RouteTool{"update_profile", "Profiles", "PATCH", "/api/v1/profiles/:id",
              "Only the fields given change; to add an extraction field, send the whole new `goals.extract_fields` "
              "list (read it with get_profile first)."},
    RouteTool{"archive_profile", "Profiles", "DELETE", "/api/v1/profiles/:id", ""},
    // Contacts
    RouteTool{"list_contacts", "Contacts", "GET", "/api/v1/contacts", ""},
    RouteTool{"get_contact", "Contacts", "GET", "/api/v1/contacts/:id", ""},
    RouteTool{"create_contact", "Contacts", "POST", "/api/v1/contacts", ""},
    RouteTool{"update_contact", "Contacts", "PATCH", "/api/v1/contacts/:id", ""},
    RouteTool{"delete_contact", "Contacts", "DELETE", "/api/v1/contacts/:id", ""},
    RouteTool{"bulk_create_contacts", "Contacts", "POST", "/api/v1/contacts/bulk", ""},
    RouteTool{"add_to_dnc", "Contacts", "POST", "/api/v1/dnc", ""},
    RouteTool{"remove_from_dnc", "Contacts", "DELETE", "/api/v1/dnc/:phone", ""},
    RouteTool{"check_dnc", "Contacts", "GET", "/api/v1/dnc/:phone", ""},
    RouteTool{"list_dnc", "Contacts", "GET", "/api/v1/dnc", ""},
    // Contact lists
    RouteTool{"list_contact_lists", "Contact lists", "GET", "/api/v1/contact-lists", ""},
    RouteTool{"get_contact_list", "Contact lists", "GET", "/api/v1/contact-lists/:id", ""},
    RouteTool{"create_contact_list", "Contact lists", "POST", "/api/v1/contact-lists", ""},
    RouteTool{"add_to_contact_list", "Contact lists", "POST", "/api/v1/contact-lists/:id/contacts", ""},
    RouteTool{"remove_from_contact_list", "Contact lists", "DELETE", "/api/v1/contact-lists/:id/contacts", ""},
    // Campaigns
    RouteTool{"list_campaigns", "Campaigns", "GET", "/api/v1/campaigns", ""},
    RouteTool{"get_campaign", "Campaigns", "GET", "/api/v1/campaigns/:id", ""},
    RouteTool{"create_campaign", "Campaigns", "POST", "/api/v1/campaigns", ""},
    RouteTool{"update_campaign", "Campaigns", "PATCH", "/api/v1/campaigns/:id", ""},
    RouteTool{"start_campaign", "Campaigns", "POST", "/api/v1/campaigns/:id/start", ""},
    RouteTool{"stop_campaign", "Campaigns", "POST", "/api/v1/campaigns/:id/stop", ""},
    RouteTool{"pause_campaign", "Campaigns", "POST", "/api/v1/campaigns/:id/pause", ""},
    RouteTool{"resume_campaign", "Campaigns", "POST", "/api/v1/campaigns/:id/resume", ""},
    RouteTool{"check_number", "Campaigns", "GET", "/api/v1/dialer/check",
              "Whether the dialer may call this number now, and when it may if not."},
    // Analytics
    RouteTool{"get_dashboard_stats", "Reports", "GET", "/api/v1/dashboard/stats", ""},
    RouteTool{"query_analytics", "Reports", "POST", "/api/v1/analytics/query", ""},
    RouteTool{"list_reports", "Reports", "GET", "/api/v1/reports", ""},
    RouteTool{"get_report", "Reports", "GET", "/api/v1/reports/:id", ""},
    RouteTool{"create_report", "Reports", "POST", "/api/v1/reports", ""},
    RouteTool{"update_report", "Reports", "PATCH", "/api/v1/reports/:id", ""},
    RouteTool{"delete_report", "Reports", "DELETE", "/api/v1/reports/:id", ""},
    RouteTool{"execute_report", "Reports", "POST", "/api/v1/reports/:id/execute", ""},
    RouteTool{"export_report", "Reports", "GET", "/api/v1/reports/:id/export", ""},
    // Money
    RouteTool{"get_balance", "Billing", "GET", "/api/v1/billing/balance", ""},
    RouteTool{"get_billing_history", "Billing", "GET", "/api/v1/billing/history", ""},
    RouteTool{"get_credit_usage", "Billing", "GET", "/api/v1/credits/usage", ""},
    // Webhooks
    RouteTool{"list_webhooks", "Webhooks", "GET", "/api/v1/webhooks", ""},
    RouteTool{"subscribe_webhook", "Webhooks", "POST", "/api/v1/webhooks", ""},
    RouteTool{"unsubscribe_webhook", "Webhooks", "DELETE", "/api/v1/webhooks/:id", ""},
    RouteTool{"get_webhook_sample", "Webhooks", "GET", "/api/v1/webhooks/sample", ""},
    RouteTool{"list_webhook_events", "Webhooks", "GET", "/api/v1/webhooks/events", ""},
    RouteTool{"list_webhook_deliveries", "Webhooks", "GET", "/api/v1/webhooks/deliveries", ""},
    RouteTool{"redeliver_webhook", "Webhooks", "POST", "/api/v1/webhooks/deliveries/:id/redeliver", ""},
    // Custom fields
    RouteTool{"list_custom_fields", "Custom Fields", "GET", "/api/v1/custom-fields", ""},
    RouteTool{"create_custom_field", "Custom Fields", "POST", "/api/v1/custom-fields", ""},
    RouteTool{"update_custom_field", "Custom Fields", "PATCH", "/api/v1/custom-fields/:id", ""},
    RouteTool{"delete_custom_field", "Custom Fields", "DELETE", "/api/v1/custom-fields/:id", ""},
    // Carriers, numbers, models and voices
    RouteTool{"list_carriers", "Telephony", "GET", "/api/v1/phone-numbers/carriers", ""},
    RouteTool{"list_phone_numbers", "Telephony", "GET", "/api/v1/phone-numbers", ""},
    RouteTool{"list_models", "Voice", "GET", "/api/v1/models", ""},
    RouteTool{"list_builtin_voices", "Voice", "GET", "/api/v1/voices/builtin", ""},
    RouteTool{"list_voices", "Voice", "GET", "/api/v1/voices", ""},
};

// "/api/v1/contacts/:id" → "/api/v1/contacts/{id}".
std::string OpenApiPath(std::string_view pattern) {
    std::string out;
    size_t i = 0;
    while (i < pattern.size()) {
        if (pattern[i] == ':' && i > 0 && pattern[i - 1] == '/') {
            const size_t end = std::min(pattern.find('/', i), pattern.size());
            out += "{" + std::string(pattern.substr(i + 1, end - i - 1)) + "}";
            i = end;
        } else {
            out += pattern[i++];
        }
    }
    return out;
}

std::string Lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// `schema` with every "#/components/…" reference replaced by what it names, and without the
// document's own "x-" keys: a tool's schema stands alone.
Json Inline(const Json& schema, const Json& doc, int depth = 0) {
    if (depth > 32) return Json::object();  // a reference cycle; the document has none
    if (schema.is_array()) {
        Json out = Json::array();
        for (const auto& item : schema) out.push_back(Inline(item, doc, depth + 1));
        return out;
    }
    if (!schema.is_object()) return schema;
    if (auto ref = schema.find("$ref"); ref != schema.end() && ref->is_string()) {
        const std::string pointer = ref->get<std::string>();
        if (!pointer.starts_with("#/")) return Json::object();
        const Json::json_pointer at(pointer.substr(1));
        return doc.contains(at) ? Inline(doc.at(at), doc, depth + 1) : Json::object();
    }
    Json out = Json::object();
    for (const auto& [key, value] : schema.items()) {
        if (key.starts_with("x-")) continue;
        // "properties" names fields, whose names are not keywords.
        if (key == "properties" && value.is_object()) {
            Json props = Json::object();
            for (const auto& [field, sub] : value.items()) props[field] = Inline(sub, doc, depth + 1);
            out[key] = std::move(props);
        } else {
            out[key] = Inline(value, doc, depth + 1);
        }
    }
    return out;
}

// A JSON pointer's token for `name` ("/api/v1/calls" → "~1api~1v1~1calls").
std::string PointerToken(std::string_view name) {
    std::string out;
    for (char c : name) {
        if (c == '~') {
            out += "~0";
        } else if (c == '/') {
            out += "~1";
        } else {
            out += c;
        }
    }
    return out;
}

std::string Describe(std::string_view lead, const Json& operation) {
    std::string text(lead);
    for (const char* key : {"summary", "description"}) {
        if (!operation.contains(key) || !operation[key].is_string()) continue;
        std::string part = operation[key].get<std::string>();
        if (part.empty()) continue;
        if (!text.empty()) text += text.ends_with('.') ? " " : ". ";
        text += part;
    }
    if (!text.empty() && !text.ends_with('.')) text += '.';
    return text;
}

Result<Tool> FromRoute(const RouteTool& spec, const Json& doc) {
    Tool tool;
    tool.name = spec.name;
    tool.category = spec.category;
    tool.method = spec.method;
    tool.pattern = spec.pattern;
    const std::string where = std::string(spec.method) + " " + std::string(spec.pattern);
    const Json::json_pointer at("/paths/" + PointerToken(OpenApiPath(spec.pattern)) + "/" + Lower(spec.method));
    if (!doc.contains(at)) {
        return Fail(ErrorCode::kInternal, "tool " + tool.name + ": the OpenAPI document lacks " + where);
    }
    const Json& operation = doc.at(at);
    tool.description = Describe(spec.lead, operation);
    const std::string access = operation.value("x-parley-access", "read");
    tool.writes = access == "write" || access == "secret";
    tool.destructive = spec.method == "DELETE" || spec.name.starts_with("stop_");
    tool.reports_progress = spec.name == "trigger_batch" || spec.name == "bulk_create_contacts";

    Json properties = Json::object();
    Json required = Json::array();
    auto add = [&](const std::string& name, Json schema, bool needed) -> Result<void> {
        if (properties.contains(name)) {
            return Fail(ErrorCode::kInternal,
                        "tool " + tool.name + ": argument " + name + " is given twice by " + where);
        }
        properties[name] = std::move(schema);
        if (needed) required.push_back(name);
        return {};
    };
    for (const auto& raw : operation.value("parameters", Json::array())) {
        const Json param = Inline(raw, doc);
        const std::string in = param.value("in", "");
        const std::string name = param.value("name", "");
        if (name.empty() || (in != "path" && in != "query")) continue;  // headers: Idempotency-Key
        Json schema = param.value("schema", Json::object());
        if (param.contains("description") && !schema.contains("description"))
            schema["description"] = param["description"];
        if (in == "path") tool.path_params.push_back(name);
        if (in == "query") tool.query_params.push_back(name);
        if (auto added = add(name, std::move(schema), in == "path" || param.value("required", false)); !added) {
            return Fail(std::move(added.error()));
        }
    }
    if (operation.contains("requestBody")) {
        const Json& body = operation["requestBody"];
        const Json::json_pointer json_schema("/content/application~1json/schema");
        if (body.contains(json_schema)) {
            tool.has_body = true;
            tool.body_required = body.value("required", false);
            const Json schema = Inline(body.at(json_schema), doc);
            std::vector<std::string> body_required;
            if (tool.body_required && schema.contains("required")) body_required = schema["required"];
            const Json fields = schema.value("properties", Json::object());
            for (const auto& [name, sub] : fields.items()) {
                const bool needed = std::ranges::find(body_required, name) != body_required.end();
                if (auto added = add(name, sub, needed); !added) return Fail(std::move(added.error()));
            }
        }
    }
    tool.input_schema = {{"type", "object"}, {"properties", std::move(properties)}, {"additionalProperties", false}};
    if (!required.empty()) tool.input_schema["required"] = std::move(required);
    return tool;
}

// A scalar argument as the text of a path or query parameter.
std::optional<std::string> ParameterText(const Json& value) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
    if (value.is_number_integer() || value.is_number_unsigned()) return value.dump();
    return std::nullopt;
}

}  // namespace

Result<std::vector<Tool>> BuildTools(std::string_view openapi) {
    const Json doc = Json::parse(openapi, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return Fail(ErrorCode::kInternal, "the OpenAPI document is not JSON");
    std::vector<Tool> tools;
    for (const auto& spec : kRouteTools) {
        auto tool = FromRoute(spec, doc);
        if (!tool) return Fail(std::move(tool.error()));
        tools.push_back(std::move(*tool));
    }
    return tools;
}

Result<http::Request> RequestFor(const Tool& tool, const Json& arguments) {
    if (!arguments.is_object()) return Fail(ErrorCode::kValidation, "arguments must be an object");
    http::Request req;
    req.method = tool.method;
    std::vector<FieldError> problems;
    Json body = Json::object();
    std::string path;
    std::string target;
    size_t i = 0;
    const std::string_view pattern = tool.pattern;
    while (i < pattern.size()) {
        const size_t end = std::min(pattern.find('/', i + 1), pattern.size());
        const std::string_view segment = pattern.substr(i, end - i);  // with its '/'
        if (segment.starts_with("/:")) {
            const std::string name(segment.substr(2));
            std::optional<std::string> value;
            if (arguments.contains(name)) value = ParameterText(arguments[name]);
            if (!value || value->empty() || value->find('/') != std::string::npos) {
                problems.push_back({name, "is required: a non-empty string without '/'"});
                value = "-";
            }
            path += "/" + *value;
            target += "/" + http::PercentEncode(*value);
        } else {
            path += segment;
            target += segment;
        }
        i = end;
    }
    std::string query;
    for (const auto& [name, value] : arguments.items()) {
        if (std::ranges::find(tool.path_params, name) != tool.path_params.end()) continue;
        if (std::ranges::find(tool.query_params, name) != tool.query_params.end()) {
            if (value.is_null()) continue;
            auto text = ParameterText(value);
            if (!text) {
                problems.push_back({name, "must be a string, an integer or a boolean"});
                continue;
            }
            req.query.emplace_back(name, *text);
            query += (query.empty() ? "?" : "&") + http::PercentEncode(name) + "=" + http::PercentEncode(*text);
        } else if (tool.has_body) {
            body[name] = value;
        } else {
            problems.push_back({name, "is not an argument of " + tool.name});
        }
    }
    if (!problems.empty()) {
        std::string message = "invalid arguments for " + tool.name + ": ";
        for (size_t k = 0; k < problems.size(); ++k) {
            message += (k ? "; " : "") + problems[k].field + " " + problems[k].message;
        }
        return Fail(ErrorCode::kValidation, std::move(message), std::move(problems));
    }
    req.path = std::move(path);
    req.target = target + query;
    if (tool.has_body && (tool.body_required || !body.empty())) {
        req.body = body.dump();
        req.headers.emplace_back("content-type", "application/json");
        req.headers.emplace_back("content-length", std::to_string(req.body.size()));
    }
    return req;
}

}  // namespace parley::mcp
