#include "domain/custom_field_service.hpp"

#include "common/ids.hpp"

namespace parley::domain {
namespace {
Result<void> CheckBody(const Json& body) {
    if (!body.is_object()) return Fail(ErrorCode::kValidation, "request body must be a JSON object");
    return {};
}

}  // namespace

Result<CustomField> CustomFieldService::Create(const Principal& who, const Json& body) {
    if (auto ok = CheckBody(body); !ok) return Fail(std::move(ok.error()));
    Checker checker;
    CustomField field;
    if (!body.contains("name")) checker.Add("name", "is required");
    if (!body.contains("type")) checker.Add("type", "is required");
    ReadFieldDefinition(body, field, checker);
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
        ReadFieldDefinition(body, field, checker);
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
