#include "store/sql_repos.hpp"

namespace parley::store {

using domain::Contact;
using domain::Json;

namespace {

constexpr std::string_view kContactSelect =
    "SELECT c.id, c.org_id, c.first_name, c.last_name, c.phone, c.phone_region, c.email, c.company, c.timezone, "
    "c.source, c.campaign_id, c.tags, c.custom_fields, c.created_at, c.updated_at, d.added_at "
    "FROM contacts c LEFT JOIN dnc_numbers d ON d.org_id = c.org_id AND d.phone = c.phone ";

Contact ContactFromRow(const Row& r) {
    Contact c;
    c.id = r[0].AsText();
    c.org_id = r[1].AsText();
    c.first_name = r[2].AsOptionalText();
    c.last_name = r[3].AsOptionalText();
    c.phone = r[4].AsText();
    c.phone_region = r[5].AsText();
    c.email = r[6].AsOptionalText();
    c.company = r[7].AsOptionalText();
    c.timezone = r[8].AsOptionalText();
    c.source = r[9].AsText();
    c.campaign_id = r[10].AsOptionalText();
    c.tags = Json::parse(r[11].AsText()).get<std::vector<std::string>>();
    c.custom_fields = Json::parse(r[12].AsText());
    c.created_at = r[13].AsInt();
    c.updated_at = r[14].AsInt();
    c.dnc_since = r[15].AsOptionalInt();
    c.dnc = c.dnc_since.has_value();
    return c;
}

}  // namespace

Result<void> SqlContactRepo::WriteTags(const Contact& c) {
    for (const auto& tag : c.tags) {
        auto n = c_.Exec("INSERT INTO contact_tags (org_id, tag, contact_id) VALUES (?, ?, ?)", {c.org_id, tag, c.id});
        if (!n) return Fail(std::move(n.error()));
    }
    return {};
}

Result<void> SqlContactRepo::Insert(const Contact& c) {
    auto inserted = InsertIfNew(c);
    if (!inserted) return Fail(std::move(inserted.error()));
    if (!*inserted) return Fail(ErrorCode::kDuplicate, "contact phone exists");
    return {};
}

Result<bool> SqlContactRepo::InsertIfNew(const Contact& c) {
    auto n = c_.Exec(
        "INSERT INTO contacts (id, org_id, first_name, last_name, phone, phone_region, email, company, timezone, "
        "source, campaign_id, tags, custom_fields, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org_id, phone) DO NOTHING",
        {c.id, c.org_id, c.first_name, c.last_name, c.phone, c.phone_region, c.email, c.company, c.timezone, c.source,
         c.campaign_id, Json(c.tags).dump(), c.custom_fields.dump(), c.created_at, c.updated_at});
    if (!n) return Fail(std::move(n.error()));
    if (*n == 0) return false;
    if (auto tags = WriteTags(c); !tags) return Fail(std::move(tags.error()));
    return true;
}

Result<std::optional<Contact>> SqlContactRepo::Get(std::string_view org_id, std::string_view id) {
    static const std::string sql = std::string(kContactSelect) + "WHERE c.org_id = ? AND c.id = ?";
    auto row = c_.QueryOne(sql, {org_id, id});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<Contact>();
    return ContactFromRow(**row);
}

Result<std::optional<std::string>> SqlContactRepo::IdByPhone(std::string_view org_id, std::string_view phone) {
    auto row = c_.QueryOne("SELECT id FROM contacts WHERE org_id = ? AND phone = ?", {org_id, phone});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<std::string>();
    return (**row)[0].AsText();
}

Result<domain::Page<Contact>> SqlContactRepo::List(std::string_view org_id, const domain::ContactFilter& filter,
                                                   const domain::PageRequest& page) {
    // The statement's text depends only on which filters are set, so each combination is
    // prepared once per connection.
    std::string sql = std::string(kContactSelect) + "WHERE c.org_id = ? AND c.id < ?";
    std::vector<Value> params{org_id, page.after_id.value_or("~")};
    if (filter.dnc) sql += *filter.dnc ? " AND d.added_at IS NOT NULL" : " AND d.added_at IS NULL";
    if (filter.source) {
        sql += " AND c.source = ?";
        params.emplace_back(*filter.source);
    }
    if (filter.campaign_id) {
        sql += " AND c.campaign_id = ?";
        params.emplace_back(*filter.campaign_id);
    }
    if (filter.phone) {
        sql += " AND c.phone = ?";
        params.emplace_back(*filter.phone);
    }
    if (filter.list_id) {
        sql += " AND EXISTS (SELECT 1 FROM contact_list_members m WHERE m.list_id = ? AND m.contact_id = c.id)";
        params.emplace_back(*filter.list_id);
    }
    if (filter.tag) {
        sql +=
            " AND EXISTS (SELECT 1 FROM contact_tags t WHERE t.org_id = c.org_id AND t.tag = ? AND "
            "t.contact_id = c.id)";
        params.emplace_back(*filter.tag);
    }
    sql += " ORDER BY c.id DESC LIMIT ?";
    params.emplace_back(page.limit + 1);
    auto rows = c_.Query(sql, params);
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<Contact> contacts;
    contacts.reserve(rows->size());
    for (const auto& r : *rows) contacts.push_back(ContactFromRow(r));
    return ToPage(std::move(contacts), page.limit);
}

Result<void> SqlContactRepo::Update(const Contact& c) {
    auto n = c_.Exec(
        "UPDATE contacts SET first_name = ?, last_name = ?, phone = ?, phone_region = ?, email = ?, company = ?, "
        "timezone = ?, source = ?, campaign_id = ?, tags = ?, custom_fields = ?, updated_at = ? "
        "WHERE org_id = ? AND id = ?",
        {c.first_name, c.last_name, c.phone, c.phone_region, c.email, c.company, c.timezone, c.source, c.campaign_id,
         Json(c.tags).dump(), c.custom_fields.dump(), c.updated_at, c.org_id, c.id});
    if (!n) return Fail(std::move(n.error()));
    auto cleared = c_.Exec("DELETE FROM contact_tags WHERE contact_id = ?", {c.id});
    if (!cleared) return Fail(std::move(cleared.error()));
    return WriteTags(c);
}

Result<bool> SqlContactRepo::Delete(std::string_view org_id, std::string_view id) {
    auto tags = c_.Exec("DELETE FROM contact_tags WHERE org_id = ? AND contact_id = ?", {org_id, id});
    if (!tags) return Fail(std::move(tags.error()));
    auto lists = c_.Exec("DELETE FROM contact_list_members WHERE org_id = ? AND contact_id = ?", {org_id, id});
    if (!lists) return Fail(std::move(lists.error()));
    auto n = c_.Exec("DELETE FROM contacts WHERE org_id = ? AND id = ?", {org_id, id});
    if (!n) return Fail(std::move(n.error()));
    return *n > 0;
}

}  // namespace parley::store
