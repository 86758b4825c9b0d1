#include "store/sql_repos.hpp"

namespace parley::store {

using domain::BillingAccount;
using domain::LedgerEntry;

namespace {

constexpr std::string_view kEntrySelect =
    "SELECT id, org_id, kind, amount_cents, balance_after_cents, call_id, description, reference, created_by, "
    "components, created_at FROM ledger_entries ";

LedgerEntry EntryFromRow(const Row& r) {
    LedgerEntry e;
    e.id = r[0].AsText();
    e.org_id = r[1].AsText();
    e.kind = domain::ParseLedgerKind(r[2].AsText()).value_or(domain::LedgerKind::kAdjustment);
    e.amount_cents = r[3].AsInt();
    e.balance_after_cents = r[4].AsInt();
    e.call_id = r[5].AsOptionalText();
    e.description = r[6].AsText();
    e.reference = r[7].AsOptionalText();
    e.created_by = r[8].AsOptionalText();
    e.components = domain::Json::parse(r[9].AsText(), nullptr, false);
    if (!e.components.is_object()) e.components = domain::Json::object();
    e.created_at = r[10].AsInt();
    return e;
}

// A call charge counts against the month's spending; purchases and adjustments do not.
int64_t SpentBy(const LedgerEntry& e) {
    return e.kind == domain::LedgerKind::kCallCharge ? -e.amount_cents : 0;
}

}  // namespace

Result<BillingAccount> SqlBillingRepo::Account(std::string_view org_id) {
    auto row = c_.QueryOne(
        "SELECT balance_cents, prepaid, low_balance_threshold_cents, monthly_limit_cents, month, month_calls, "
        "month_spent_cents, updated_at FROM billing_accounts WHERE org_id = ?",
        {org_id});
    if (!row) return Fail(std::move(row.error()));
    BillingAccount a;
    a.org_id = std::string(org_id);
    if (!*row) return a;
    const Row& r = **row;
    a.balance_cents = r[0].AsInt();
    a.settings.prepaid = r[1].AsInt() != 0;
    a.settings.low_balance_threshold_cents = r[2].AsOptionalInt();
    a.settings.monthly_limit_cents = r[3].AsOptionalInt();
    a.month = r[4].AsText();
    a.month_calls = r[5].AsInt();
    a.month_spent_cents = r[6].AsInt();
    a.updated_at = r[7].AsInt();
    return a;
}

Result<void> SqlBillingRepo::SaveSettings(std::string_view org_id, const domain::BillingSettings& s, int64_t now) {
    auto n = c_.Exec(
        "INSERT INTO billing_accounts (org_id, balance_cents, prepaid, low_balance_threshold_cents, "
        "monthly_limit_cents, month, month_calls, month_spent_cents, updated_at) VALUES (?, 0, ?, ?, ?, '', 0, 0, ?) "
        "ON CONFLICT (org_id) DO UPDATE SET prepaid = excluded.prepaid, "
        "low_balance_threshold_cents = excluded.low_balance_threshold_cents, "
        "monthly_limit_cents = excluded.monthly_limit_cents, updated_at = excluded.updated_at",
        {org_id, s.prepaid, s.low_balance_threshold_cents, s.monthly_limit_cents, now});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<std::optional<domain::Posting>> SqlBillingRepo::Post(LedgerEntry& e, std::string_view month) {
    // The entry first: a second charge of the same call stops here, before the balance moves.
    auto inserted = c_.Exec(
        "INSERT INTO ledger_entries (id, org_id, kind, amount_cents, balance_after_cents, call_id, description, "
        "reference, created_by, components, created_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (org_id, call_id) DO NOTHING",
        {e.id, e.org_id, domain::ToString(e.kind), e.amount_cents, e.call_id, e.description, e.reference, e.created_by,
         e.components.dump(), e.created_at});
    if (!inserted) return Fail(std::move(inserted.error()));
    if (*inserted == 0) return std::optional<domain::Posting>();
    // One statement reads and writes the row, so concurrent postings (on PostgreSQL, from any
    // node) each wait for the one before and see its balance. A month later than the account's
    // starts its spending again; a charge of an earlier month (a call that ended just before
    // midnight, posted just after) leaves this month's alone.
    auto row = c_.QueryOne(
        "INSERT INTO billing_accounts AS a (org_id, balance_cents, prepaid, low_balance_threshold_cents, "
        "monthly_limit_cents, month, month_calls, month_spent_cents, updated_at) VALUES (?, ?, 0, NULL, NULL, ?, ?, ?, "
        "?) ON CONFLICT (org_id) DO UPDATE SET balance_cents = a.balance_cents + excluded.balance_cents, "
        "month_calls = CASE WHEN excluded.month = a.month THEN a.month_calls + excluded.month_calls "
        "WHEN excluded.month > a.month THEN excluded.month_calls ELSE a.month_calls END, "
        "month_spent_cents = CASE WHEN excluded.month = a.month THEN a.month_spent_cents + excluded.month_spent_cents "
        "WHEN excluded.month > a.month THEN excluded.month_spent_cents ELSE a.month_spent_cents END, "
        "month = CASE WHEN excluded.month > a.month THEN excluded.month ELSE a.month END, "
        "updated_at = excluded.updated_at "
        "RETURNING balance_cents, month, month_calls, month_spent_cents",
        {e.org_id, e.amount_cents, month, e.kind == domain::LedgerKind::kCallCharge ? 1 : 0, SpentBy(e), e.created_at});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return Fail(ErrorCode::kInternal, "the balance was not returned");
    domain::Posting posting{(**row)[0].AsInt(), (**row)[1].AsText(), (**row)[2].AsInt(), (**row)[3].AsInt()};
    e.balance_after_cents = posting.balance_cents;
    auto set = c_.Exec("UPDATE ledger_entries SET balance_after_cents = ? WHERE id = ?", {e.balance_after_cents, e.id});
    if (!set) return Fail(std::move(set.error()));
    for (const auto& [component, cents] : e.components.items()) {
        auto n = c_.Exec(
            "INSERT INTO ledger_components (entry_id, org_id, component, cents, created_at) VALUES (?, ?, ?, ?, ?)",
            {e.id, e.org_id, component, cents.get<int64_t>(), e.created_at});
        if (!n) return Fail(std::move(n.error()));
    }
    return std::optional(posting);
}

Result<domain::Page<LedgerEntry>> SqlBillingRepo::History(std::string_view org_id,
                                                          std::optional<domain::LedgerKind> kind,
                                                          const domain::PageRequest& page) {
    static const std::string all = std::string(kEntrySelect) + "WHERE org_id = ? AND id < ? ORDER BY id DESC LIMIT ?";
    static const std::string one_kind =
        std::string(kEntrySelect) + "WHERE org_id = ? AND kind = ? AND id < ? ORDER BY id DESC LIMIT ?";
    const std::string after = page.after_id.value_or("~");
    auto rows = kind ? c_.Query(one_kind, {org_id, domain::ToString(*kind), after, page.limit + 1})
                     : c_.Query(all, {org_id, after, page.limit + 1});
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<LedgerEntry> entries;
    entries.reserve(rows->size());
    for (const auto& r : *rows) entries.push_back(EntryFromRow(r));
    return ToPage(std::move(entries), page.limit);
}

Result<std::vector<domain::ChargeSlice>> SqlBillingRepo::Charges(std::string_view org_id, int64_t since,
                                                                 int64_t until) {
    static const std::string sql = "SELECT created_at / " + std::to_string(domain::kCallSliceMs) +
                                   " AS slice, COUNT(*), -SUM(amount_cents) FROM ledger_entries WHERE org_id = ? AND "
                                   "created_at >= ? AND created_at < ? AND kind = 'call_charge' GROUP BY slice";
    auto rows = c_.Query(sql, {org_id, since, until});
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<domain::ChargeSlice> out;
    out.reserve(rows->size());
    for (const auto& r : *rows) out.push_back({r[0].AsInt() * domain::kCallSliceMs, r[1].AsInt(), r[2].AsInt()});
    return out;
}

Result<std::vector<domain::ComponentSlice>> SqlBillingRepo::Components(std::string_view org_id, int64_t since,
                                                                       int64_t until) {
    static const std::string sql = "SELECT created_at / " + std::to_string(domain::kCallSliceMs) +
                                   " AS slice, component, SUM(cents) FROM ledger_components WHERE org_id = ? AND "
                                   "created_at >= ? AND created_at < ? GROUP BY slice, component";
    auto rows = c_.Query(sql, {org_id, since, until});
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<domain::ComponentSlice> out;
    out.reserve(rows->size());
    for (const auto& r : *rows) out.push_back({r[0].AsInt() * domain::kCallSliceMs, r[1].AsText(), r[2].AsInt()});
    return out;
}

}  // namespace parley::store
