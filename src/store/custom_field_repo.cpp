#include "store/sql_repos.hpp"

namespace parley::store {

using domain::CustomField;
using domain::Json;

namespace {

constexpr std::string_view kFieldColumns =
    "id, org_id, name, type, description, category, required, options, created_at, updated_at";

CustomField FieldFromRow(const Row& r) {
    CustomField f;
    f.id = r[0].AsText();
    f.org_id = r[1].AsText();
    f.name = r[2].AsText();
    f.type = domain::ParseFieldType(r[3].AsText()).value_or(domain::FieldType::kString);
    f.description = r[4].AsText();
    f.category = domain::ParseFieldCategory(r[5].AsText()).value_or(domain::FieldCategory::kBoth);
    f.required = r[6].AsInt() != 0;
    if (!r[7].IsNull()) f.options = Json::parse(r[7].AsText()).get<std::vector<std::string>>();
    f.created_at = r[8].AsInt();
    f.updated_at = r[9].AsInt();
    return f;
}

std::optional<std::string> OptionsText(const CustomField& f) {
    if (f.options.empty()) return std::nullopt;
    return Json(f.options).dump();
}

}  // namespace

Result<void> SqlCustomFieldRepo::Insert(const CustomField& f) {
    auto n = c_.Exec(
        "INSERT INTO custom_fields (id, org_id, name, type, description, category, required, options, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {f.id, f.org_id, f.name, domain::ToString(f.type), f.description, domain::ToString(f.category), f.required,
         OptionsText(f), f.created_at, f.updated_at});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<std::optional<CustomField>> SqlCustomFieldRepo::Get(std::string_view org_id, std::string_view id) {
    static const std::string sql =
        "SELECT " + std::string(kFieldColumns) + " FROM custom_fields WHERE org_id = ? AND id = ?";
    auto row = c_.QueryOne(sql, {org_id, id});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<CustomField>();
    return FieldFromRow(**row);
}

Result<domain::Page<CustomField>> SqlCustomFieldRepo::List(std::string_view org_id,
                                                           std::optional<domain::FieldCategory> category,
                                                           const domain::PageRequest& page) {
    static const std::string all = "SELECT " + std::string(kFieldColumns) +
                                   " FROM custom_fields WHERE org_id = ? AND id < ? ORDER BY id DESC LIMIT ?";
    static const std::string by_category =
        "SELECT " + std::string(kFieldColumns) +
        " FROM custom_fields WHERE org_id = ? AND id < ? AND category = ? ORDER BY id DESC LIMIT ?";
    const std::string after = page.after_id.value_or("~");
    auto rows = category ? c_.Query(by_category, {org_id, after, domain::ToString(*category), page.limit + 1})
                         : c_.Query(all, {org_id, after, page.limit + 1});
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<CustomField> fields;
    for (const auto& r : *rows) fields.push_back(FieldFromRow(r));
    return ToPage(std::move(fields), page.limit);
}

Result<std::vector<CustomField>> SqlCustomFieldRepo::All(std::string_view org_id) {
    static const std::string sql =
        "SELECT " + std::string(kFieldColumns) + " FROM custom_fields WHERE org_id = ? ORDER BY id";
    auto rows = c_.Query(sql, {org_id});
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<CustomField> fields;
    for (const auto& r : *rows) fields.push_back(FieldFromRow(r));
    return fields;
}

Result<void> SqlCustomFieldRepo::Update(const CustomField& f) {
    auto n = c_.Exec(
        "UPDATE custom_fields SET name = ?, type = ?, description = ?, category = ?, required = ?, options = ?, "
        "updated_at = ? WHERE org_id = ? AND id = ?",
        {f.name, domain::ToString(f.type), f.description, domain::ToString(f.category), f.required, OptionsText(f),
         f.updated_at, f.org_id, f.id});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<bool> SqlCustomFieldRepo::Delete(std::string_view org_id, std::string_view id) {
    auto n = c_.Exec("DELETE FROM custom_fields WHERE org_id = ? AND id = ?", {org_id, id});
    if (!n) return Fail(std::move(n.error()));
    return *n > 0;
}

}  // namespace parley::store
