#include "domain/custom_field_body.hpp"

#include <charconv>
#include <set>

#include "common/text.hpp"
#include "common/time_format.hpp"

namespace parley::domain {
namespace {

constexpr size_t kMaxNameLength = 64;
constexpr size_t kMaxDescriptionBytes = 1000;
constexpr size_t kMaxOptions = 100;
constexpr size_t kMaxOptionBytes = 100;

bool IsFieldName(std::string_view name) {
    if (name.empty() || name.size() > kMaxNameLength || name[0] < 'a' || name[0] > 'z') return false;
    for (char c : name) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    }
    return true;
}

}  // namespace

void ReadFieldDefinition(const Json& body, CustomField& field, Checker& checker) {
    checker.RejectUnknownKeys(body, {"name", "type", "description", "category", "required", "options"});
    if (auto name = checker.String(body, "name", kMaxNameLength)) {
        if (IsFieldName(*name)) {
            field.name = *name;
        } else {
            checker.Add("name", "must start with a-z and hold only a-z, 0-9 and _ (at most 64)");
        }
    }
    if (auto type = checker.String(body, "type", 16)) {
        if (auto t = ParseFieldType(*type)) {
            field.type = *t;
        } else {
            checker.Add("type", "must be one of string, number, boolean, date, enum");
        }
    }
    if (auto description = checker.String(body, "description", kMaxDescriptionBytes, false, true)) {
        field.description = *description;
    }
    if (auto category = checker.String(body, "category", 16)) {
        if (auto c = ParseFieldCategory(*category)) {
            field.category = *c;
        } else {
            checker.Add("category", "must be one of contact, extraction, both");
        }
    }
    if (auto required = checker.Bool(body, "required")) field.required = *required;
    if (auto it = body.find("options"); it != body.end()) {
        if (it->is_null()) {
            field.options.clear();
        } else if (!it->is_array()) {
            checker.Add("options", "must be an array of strings");
        } else {
            std::vector<std::string> options;
            std::set<std::string> seen;
            for (const auto& o : *it) {
                if (!o.is_string() || o.get_ref<const std::string&>().empty() ||
                    o.get_ref<const std::string&>().size() > kMaxOptionBytes ||
                    HasControlCharacters(o.get_ref<const std::string&>())) {
                    checker.Add("options", "each option must be a non-empty string of at most 100 bytes");
                    break;
                }
                if (!seen.insert(o.get<std::string>()).second) {
                    checker.Add("options", "option \"" + o.get<std::string>() + "\" is listed twice");
                    break;
                }
                options.push_back(o.get<std::string>());
            }
            if (options.size() > kMaxOptions) checker.Add("options", "must have at most 100 options");
            field.options = std::move(options);
        }
    }
    if (field.type == FieldType::kEnum && field.options.empty()) {
        checker.Add("options", "an enum field needs at least one option");
    }
    if (field.type != FieldType::kEnum && !field.options.empty()) {
        checker.Add("options", "only enum fields have options");
    }
}

void CheckCustomValues(const Json& values, const std::vector<CustomField>& definitions, FieldCategory purpose,
                       bool enforce_required, Checker& checker) {
    if (!values.is_object()) {
        checker.Add("custom_fields", "must be an object");
        return;
    }
    if (values.size() > kMaxCustomValues) {
        checker.Add("custom_fields", "has " + std::to_string(values.size()) + " values; at most " +
                                         std::to_string(kMaxCustomValues) + " are allowed");
        return;
    }
    size_t total_bytes = 0;
    for (const auto& [name, value] : values.items()) {
        const size_t bytes = value.dump().size();
        total_bytes += name.size() + bytes;
        if (bytes > kMaxCustomValueBytes) {
            checker.Add("custom_fields." + name.substr(0, kMaxNameLength),
                        "is " + std::to_string(bytes) + " bytes as JSON; at most " +
                            std::to_string(kMaxCustomValueBytes) + " are allowed");
        }
    }
    if (total_bytes > kMaxCustomValuesBytes) {
        checker.Add("custom_fields", "holds " + std::to_string(total_bytes) + " bytes; at most " +
                                         std::to_string(kMaxCustomValuesBytes) + " are allowed");
    }
    for (const auto& [name, value] : values.items()) {
        if (name.empty() || name.size() > kMaxNameLength) {
            checker.Add("custom_fields", "names must be 1 to 64 bytes");
            continue;
        }
        const CustomField* def = nullptr;
        for (const auto& d : definitions) {
            if (d.name == name) def = &d;
        }
        if (!def || value.is_null()) continue;
        const std::string field = "custom_fields." + name;
        switch (def->type) {
            case FieldType::kString:
                if (!value.is_string()) checker.Add(field, "must be a string");
                break;
            case FieldType::kNumber:
                if (!value.is_number()) checker.Add(field, "must be a number");
                break;
            case FieldType::kBoolean:
                if (!value.is_boolean()) checker.Add(field, "must be true or false");
                break;
            case FieldType::kDate:
                if (!value.is_string() || !IsIsoDate(value.get_ref<const std::string&>())) {
                    checker.Add(field, "must be an ISO date (YYYY-MM-DD)");
                }
                break;
            case FieldType::kEnum: {
                bool ok = value.is_string();
                if (ok) {
                    ok = false;
                    for (const auto& o : def->options) ok = ok || o == value.get_ref<const std::string&>();
                }
                if (!ok) {
                    std::string list;
                    for (const auto& o : def->options) list += (list.empty() ? "" : ", ") + o;
                    checker.Add(field, "must be one of: " + list);
                }
                break;
            }
        }
    }
    if (!enforce_required) return;
    for (const auto& d : definitions) {
        const bool applies = d.category == FieldCategory::kBoth || d.category == purpose;
        if (!d.required || !applies) continue;
        const auto it = values.find(d.name);
        if (it == values.end() || it->is_null()) checker.Add("custom_fields." + d.name, "is required");
    }
}

std::optional<Json> CoerceCell(std::string_view cell, const CustomField* definition) {
    if (!definition) return Json(std::string(cell));
    switch (definition->type) {
        case FieldType::kNumber: {
            double value = 0;
            const auto [ptr, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
            if (ec != std::errc() || ptr != cell.data() + cell.size()) return std::nullopt;
            return Json(value);
        }
        case FieldType::kBoolean: {
            const auto lower = ToLower(cell);
            if (lower == "true" || lower == "yes" || lower == "1") return Json(true);
            if (lower == "false" || lower == "no" || lower == "0") return Json(false);
            return std::nullopt;
        }
        default: return Json(std::string(cell));
    }
}

}  // namespace parley::domain
