#include "domain/custom_field_service.hpp"

#include <charconv>
#include <set>

#include "common/ids.hpp"
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

// Reads name, type, description, category, required and options present in `body` into
// `field`, then checks that the result is a consistent definition.
void ApplyDefinition(const Json& body, CustomField& field, Checker& checker) {
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

Result<void> CheckBody(const Json& body) {
    if (!body.is_object()) return Fail(ErrorCode::kValidation, "request body must be a JSON object");
    return {};
}

}  // namespace

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

Result<CustomField> CustomFieldService::Create(const Principal& who, const Json& body) {
    if (auto ok = CheckBody(body); !ok) return Fail(std::move(ok.error()));
    Checker checker;
    CustomField field;
    if (!body.contains("name")) checker.Add("name", "is required");
    if (!body.contains("type")) checker.Add("type", "is required");
    ApplyDefinition(body, field, checker);
    if (!checker.ok()) return Fail(checker.ToError("custom field is not valid"));
    const int64_t now = clock_.NowMs();
    field.id = NewId("cf_", now);
    field.org_id = who.org_id;
    field.created_at = field.updated_at = now;
    auto done = store_.Write([&](Repos& r) -> Result<void> {
        auto existing = r.custom_fields().All(who.org_id);
        if (!existing) return Fail(std::move(existing.error()));
        if (existing->size() >= kMaxCustomFields) {
            return Fail(ErrorCode::kValidation,
                        "an organization has at most " + std::to_string(kMaxCustomFields) + " custom fields");
        }
        return r.custom_fields().Insert(field);
    });
    if (!done) {
        if (done.error().code == ErrorCode::kDuplicate) {
            return Fail(ErrorCode::kDuplicate, "a custom field named \"" + field.name + "\" exists",
                        {{"name", "is already used by another custom field"}});
        }
        return Fail(std::move(done.error()));
    }
    return field;
}

Result<CustomField> CustomFieldService::Get(const Principal& who, std::string_view id) {
    auto found = ReadTx(store_, [&](Repos& r) { return r.custom_fields().Get(who.org_id, id); });
    if (!found) return Fail(std::move(found.error()));
    if (!*found) return Fail(ErrorCode::kNotFound, "custom field not found");
    return std::move(**found);
}

Result<Page<CustomField>> CustomFieldService::List(const Principal& who, std::optional<std::string_view> category,
                                                   const PageRequest& page) {
    std::optional<FieldCategory> filter;
    if (category) {
        filter = ParseFieldCategory(*category);
        if (!filter) {
            return Fail(ErrorCode::kValidation, "category must be one of contact, extraction, both",
                        {{"category", "must be one of contact, extraction, both"}});
        }
    }
    return ReadTx(store_, [&](Repos& r) { return r.custom_fields().List(who.org_id, filter, page); });
}

Result<CustomField> CustomFieldService::Update(const Principal& who, std::string_view id, const Json& body) {
    if (auto ok = CheckBody(body); !ok) return Fail(std::move(ok.error()));
    return WriteTx(store_, [&](Repos& r) -> Result<CustomField> {
        auto existing = r.custom_fields().Get(who.org_id, id);
        if (!existing) return Fail(std::move(existing.error()));
        if (!*existing) return Fail(ErrorCode::kNotFound, "custom field not found");
        CustomField field = std::move(**existing);
        Checker checker;
        // Turning an enum into another type drops its options unless new ones are given.
        if (body.contains("type") && !body.contains("options") && body["type"] != "enum") field.options.clear();
        ApplyDefinition(body, field, checker);
        if (!checker.ok()) return Fail(checker.ToError("custom field is not valid"));
        field.updated_at = clock_.NowMs();
        if (auto saved = r.custom_fields().Update(field); !saved) {
            if (saved.error().code == ErrorCode::kDuplicate) {
                return Fail(ErrorCode::kDuplicate, "a custom field named \"" + field.name + "\" exists",
                            {{"name", "is already used by another custom field"}});
            }
            return Fail(std::move(saved.error()));
        }
        return field;
    });
}

Result<void> CustomFieldService::Delete(const Principal& who, std::string_view id) {
    auto deleted = WriteTx(store_, [&](Repos& r) { return r.custom_fields().Delete(who.org_id, id); });
    if (!deleted) return Fail(std::move(deleted.error()));
    if (!*deleted) return Fail(ErrorCode::kNotFound, "custom field not found");
    return {};
}

}  // namespace parley::domain
