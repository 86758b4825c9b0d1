#include "store/sql_repos.hpp"

namespace parley::store {

using domain::DncLedgerEntry;
using domain::DncNumber;

namespace {

DncNumber NumberFromRow(const Row& r) {
    return DncNumber{r[0].AsText(), domain::ParseDncReason(r[1].AsText()).value_or(domain::DncReason::kApi),
                     r[2].AsText(), r[3].AsInt()};
}

}  // namespace

Result<void> SqlDncRepo::Record(const DncLedgerEntry& e) {
    auto n = c_.Exec(
        "INSERT INTO dnc_ledger (id, org_id, phone, action, reason, note, contact_id, call_id, api_key_id, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {e.id, e.org_id, e.phone, domain::ToString(e.action), domain::ToString(e.reason), e.note, e.contact_id,
         e.call_id, e.api_key_id, e.created_at});
    if (!n) return Fail(std::move(n.error()));
    if (e.action == domain::DncAction::kAdd) {
        n = c_.Exec(
            "INSERT INTO dnc_numbers (org_id, phone, reason, entry_id, added_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (org_id, phone) DO NOTHING",
            {e.org_id, e.phone, domain::ToString(e.reason), e.id, e.created_at});
    } else {
        n = c_.Exec("DELETE FROM dnc_numbers WHERE org_id = ? AND phone = ?", {e.org_id, e.phone});
    }
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<std::optional<DncNumber>> SqlDncRepo::Find(std::string_view org_id, std::string_view phone) {
    auto row = c_.QueryOne("SELECT phone, reason, entry_id, added_at FROM dnc_numbers WHERE org_id = ? AND phone = ?",
                           {org_id, phone});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<DncNumber>();
    return NumberFromRow(**row);
}

Result<domain::Page<DncNumber>> SqlDncRepo::List(std::string_view org_id, const domain::PageRequest& page) {
    auto rows = c_.Query(
        "SELECT phone, reason, entry_id, added_at FROM dnc_numbers WHERE org_id = ? AND entry_id < ? "
        "ORDER BY entry_id DESC LIMIT ?",
        {org_id, page.after_id.value_or("~"), page.limit + 1});
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<DncNumber> numbers;
    for (const auto& r : *rows) numbers.push_back(NumberFromRow(r));
    return ToPage(std::move(numbers), page.limit);
}

Result<std::vector<DncLedgerEntry>> SqlDncRepo::History(std::string_view org_id, std::string_view phone) {
    auto rows = c_.Query(
        "SELECT id, org_id, phone, action, reason, note, contact_id, call_id, api_key_id, created_at FROM dnc_ledger "
        "WHERE org_id = ? AND phone = ? ORDER BY id",
        {org_id, phone});
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<DncLedgerEntry> out;
    for (const auto& r : *rows) {
        DncLedgerEntry e;
        e.id = r[0].AsText();
        e.org_id = r[1].AsText();
        e.phone = r[2].AsText();
        e.action = r[3].AsText() == "add" ? domain::DncAction::kAdd : domain::DncAction::kRemove;
        e.reason = domain::ParseDncReason(r[4].AsText()).value_or(domain::DncReason::kApi);
        e.note = r[5].AsOptionalText();
        e.contact_id = r[6].AsOptionalText();
        e.call_id = r[7].AsOptionalText();
        e.api_key_id = r[8].AsOptionalText();
        e.created_at = r[9].AsInt();
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace parley::store
