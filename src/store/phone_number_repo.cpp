#include "store/sql_repos.hpp"

namespace parley::store {

using domain::OwnedNumber;

namespace {

constexpr std::string_view kNumberSelect =
    "SELECT id, org_id, number, carrier_id, friendly_name, profile_id, created_at, updated_at FROM phone_numbers ";

OwnedNumber OwnedNumberFromRow(const Row& r) {
    OwnedNumber n;
    n.id = r[0].AsText();
    n.org_id = r[1].AsText();
    n.number = r[2].AsText();
    n.carrier_id = r[3].AsText();
    n.friendly_name = r[4].AsText();
    n.profile_id = r[5].AsOptionalText();
    n.created_at = r[6].AsInt();
    n.updated_at = r[7].AsInt();
    return n;
}

}  // namespace

Result<void> SqlPhoneNumberRepo::Insert(const OwnedNumber& n) {
    auto done = c_.Exec(
        "INSERT INTO phone_numbers (id, org_id, number, carrier_id, friendly_name, profile_id, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        {n.id, n.org_id, n.number, n.carrier_id, n.friendly_name, n.profile_id, n.created_at, n.updated_at});
    if (!done) return Fail(std::move(done.error()));
    return {};
}

Result<std::optional<OwnedNumber>> SqlPhoneNumberRepo::Get(std::string_view org_id, std::string_view id) {
    static const std::string sql = std::string(kNumberSelect) + "WHERE org_id = ? AND id = ?";
    auto row = c_.QueryOne(sql, {org_id, id});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<OwnedNumber>();
    return OwnedNumberFromRow(**row);
}

Result<std::optional<OwnedNumber>> SqlPhoneNumberRepo::FindByNumber(std::string_view org_id, std::string_view e164) {
    static const std::string sql = std::string(kNumberSelect) + "WHERE number = ? AND org_id = ?";
    auto row = c_.QueryOne(sql, {e164, org_id});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<OwnedNumber>();
    return OwnedNumberFromRow(**row);
}

Result<std::optional<OwnedNumber>> SqlPhoneNumberRepo::Owner(std::string_view e164) {
    static const std::string sql = std::string(kNumberSelect) + "WHERE number = ?";
    auto row = c_.QueryOne(sql, {e164});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<OwnedNumber>();
    return OwnedNumberFromRow(**row);
}

Result<domain::Page<OwnedNumber>> SqlPhoneNumberRepo::List(std::string_view org_id,
                                                           std::optional<std::string_view> carrier_id,
                                                           const domain::PageRequest& page) {
    static const std::string all = std::string(kNumberSelect) + "WHERE org_id = ? AND id < ? ORDER BY id DESC LIMIT ?";
    static const std::string on_carrier =
        std::string(kNumberSelect) + "WHERE org_id = ? AND carrier_id = ? AND id < ? ORDER BY id DESC LIMIT ?";
    const std::string after = page.after_id.value_or("~");
    auto rows = carrier_id ? c_.Query(on_carrier, {org_id, *carrier_id, after, page.limit + 1})
                           : c_.Query(all, {org_id, after, page.limit + 1});
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<OwnedNumber> numbers;
    numbers.reserve(rows->size());
    for (const auto& r : *rows) numbers.push_back(OwnedNumberFromRow(r));
    return ToPage(std::move(numbers), page.limit);
}

Result<int64_t> SqlPhoneNumberRepo::CountOnCarrier(std::string_view org_id, std::string_view carrier_id) {
    auto row =
        c_.QueryOne("SELECT COUNT(*) FROM phone_numbers WHERE org_id = ? AND carrier_id = ?", {org_id, carrier_id});
    if (!row) return Fail(std::move(row.error()));
    return *row ? (**row)[0].AsInt() : 0;
}

Result<void> SqlPhoneNumberRepo::Update(const OwnedNumber& n) {
    auto done = c_.Exec(
        "UPDATE phone_numbers SET friendly_name = ?, profile_id = ?, updated_at = ? WHERE org_id = ? AND id = ?",
        {n.friendly_name, n.profile_id, n.updated_at, n.org_id, n.id});
    if (!done) return Fail(std::move(done.error()));
    return {};
}

Result<bool> SqlPhoneNumberRepo::Delete(std::string_view org_id, std::string_view id) {
    auto n = c_.Exec("DELETE FROM phone_numbers WHERE org_id = ? AND id = ?", {org_id, id});
    if (!n) return Fail(std::move(n.error()));
    return *n > 0;
}

}  // namespace parley::store
