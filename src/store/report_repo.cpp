#include "store/sql_repos.hpp"

namespace parley::store {

using domain::SavedReport;

namespace {

constexpr std::string_view kReportSelect =
    "SELECT id, org_id, name, description, definition, created_at, updated_at FROM reports ";

SavedReport ReportFromRow(const Row& r) {
    SavedReport report;
    report.id = r[0].AsText();
    report.org_id = r[1].AsText();
    report.name = r[2].AsText();
    report.description = r[3].AsText();
    report.definition = domain::Json::parse(r[4].AsText(), nullptr, false);
    if (!report.definition.is_object()) report.definition = domain::Json::object();
    report.created_at = r[5].AsInt();
    report.updated_at = r[6].AsInt();
    return report;
}

}  // namespace

Result<void> SqlReportRepo::Insert(const SavedReport& r) {
    auto n = c_.Exec(
        "INSERT INTO reports (id, org_id, name, description, definition, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        {r.id, r.org_id, r.name, r.description, r.definition.dump(), r.created_at, r.updated_at});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<std::optional<SavedReport>> SqlReportRepo::Get(std::string_view org_id, std::string_view id) {
    static const std::string sql = std::string(kReportSelect) + "WHERE org_id = ? AND id = ?";
    auto row = c_.QueryOne(sql, {org_id, id});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<SavedReport>();
    return ReportFromRow(**row);
}

Result<domain::Page<SavedReport>> SqlReportRepo::List(std::string_view org_id, const domain::PageRequest& page) {
    static const std::string sql = std::string(kReportSelect) + "WHERE org_id = ? AND id < ? ORDER BY id DESC LIMIT ?";
    auto rows = c_.Query(sql, {org_id, page.after_id.value_or("~"), page.limit + 1});
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<SavedReport> reports;
    for (const auto& r : *rows) reports.push_back(ReportFromRow(r));
    return ToPage(std::move(reports), page.limit);
}

Result<void> SqlReportRepo::Update(const SavedReport& r) {
    auto n = c_.Exec(
        "UPDATE reports SET name = ?, description = ?, definition = ?, updated_at = ? WHERE org_id = ? AND id = ?",
        {r.name, r.description, r.definition.dump(), r.updated_at, r.org_id, r.id});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<bool> SqlReportRepo::Delete(std::string_view org_id, std::string_view id) {
    auto n = c_.Exec("DELETE FROM reports WHERE org_id = ? AND id = ?", {org_id, id});
    if (!n) return Fail(std::move(n.error()));
    return *n > 0;
}

Result<int64_t> SqlReportRepo::Count(std::string_view org_id) {
    auto row = c_.QueryOne("SELECT COUNT(*) FROM reports WHERE org_id = ?", {org_id});
    if (!row) return Fail(std::move(row.error()));
    return *row ? (**row)[0].AsInt() : 0;
}

}  // namespace parley::store
