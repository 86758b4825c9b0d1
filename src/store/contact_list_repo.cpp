#include "store/sql_repos.hpp"

namespace parley::store {

using domain::ContactList;

namespace {

constexpr std::string_view kListSelect =
    "SELECT l.id, l.org_id, l.name, l.description, l.created_at, l.updated_at, "
    "(SELECT COUNT(*) FROM contact_list_members m WHERE m.list_id = l.id) FROM contact_lists l ";

ContactList ListFromRow(const Row& r) {
    ContactList l;
    l.id = r[0].AsText();
    l.org_id = r[1].AsText();
    l.name = r[2].AsText();
    l.description = r[3].AsText();
    l.created_at = r[4].AsInt();
    l.updated_at = r[5].AsInt();
    l.contact_count = r[6].AsInt();
    return l;
}

}  // namespace

Result<void> SqlContactListRepo::Insert(const ContactList& l) {
    auto n = c_.Exec(
        "INSERT INTO contact_lists (id, org_id, name, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
        {l.id, l.org_id, l.name, l.description, l.created_at, l.updated_at});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<std::optional<ContactList>> SqlContactListRepo::Get(std::string_view org_id, std::string_view id) {
    static const std::string sql = std::string(kListSelect) + "WHERE l.org_id = ? AND l.id = ?";
    auto row = c_.QueryOne(sql, {org_id, id});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<ContactList>();
    return ListFromRow(**row);
}

Result<domain::Page<ContactList>> SqlContactListRepo::List(std::string_view org_id, const domain::PageRequest& page) {
    static const std::string sql =
        std::string(kListSelect) + "WHERE l.org_id = ? AND l.id < ? ORDER BY l.id DESC LIMIT ?";
    auto rows = c_.Query(sql, {org_id, page.after_id.value_or("~"), page.limit + 1});
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<ContactList> lists;
    for (const auto& r : *rows) lists.push_back(ListFromRow(r));
    return ToPage(std::move(lists), page.limit);
}

Result<void> SqlContactListRepo::Update(const ContactList& l) {
    auto n = c_.Exec("UPDATE contact_lists SET name = ?, description = ?, updated_at = ? WHERE org_id = ? AND id = ?",
                     {l.name, l.description, l.updated_at, l.org_id, l.id});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<bool> SqlContactListRepo::Delete(std::string_view org_id, std::string_view id) {
    auto members = c_.Exec("DELETE FROM contact_list_members WHERE org_id = ? AND list_id = ?", {org_id, id});
    if (!members) return Fail(std::move(members.error()));
    auto n = c_.Exec("DELETE FROM contact_lists WHERE org_id = ? AND id = ?", {org_id, id});
    if (!n) return Fail(std::move(n.error()));
    return *n > 0;
}

Result<int64_t> SqlContactListRepo::AddMembers(std::string_view org_id, std::string_view list_id,
                                               const std::vector<std::string>& contact_ids, int64_t now) {
    int64_t added = 0;
    for (const auto& id : contact_ids) {
        // Only the organization's own contacts; a member already there is left as it is.
        auto n = c_.Exec(
            "INSERT INTO contact_list_members (list_id, contact_id, org_id, added_at) "
            "SELECT ?, c.id, c.org_id, ? FROM contacts c WHERE c.org_id = ? AND c.id = ? "
            "ON CONFLICT (list_id, contact_id) DO NOTHING",
            {list_id, now, org_id, id});
        if (!n) return Fail(std::move(n.error()));
        added += *n;
    }
    return added;
}

Result<int64_t> SqlContactListRepo::RemoveMembers(std::string_view org_id, std::string_view list_id,
                                                  const std::vector<std::string>& contact_ids) {
    int64_t removed = 0;
    for (const auto& id : contact_ids) {
        auto n = c_.Exec("DELETE FROM contact_list_members WHERE org_id = ? AND list_id = ? AND contact_id = ?",
                         {org_id, list_id, id});
        if (!n) return Fail(std::move(n.error()));
        removed += *n;
    }
    return removed;
}

Result<std::vector<std::string>> SqlContactListRepo::ListsOf(std::string_view org_id, std::string_view contact_id) {
    auto rows =
        c_.Query("SELECT list_id FROM contact_list_members WHERE org_id = ? AND contact_id = ?", {org_id, contact_id});
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<std::string> ids;
    for (const auto& r : *rows) ids.push_back(r[0].AsText());
    return ids;
}

}  // namespace parley::store
