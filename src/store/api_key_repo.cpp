#include "store/sql_repos.hpp"

namespace parley::store {

using domain::ApiKey;

namespace {

constexpr std::string_view kKeyColumns =
    "k.id, k.org_id, k.name, k.prefix, k.mode, k.permission, k.role, k.created_by, k.created_at, k.last_used_at, "
    "k.revoked_at";

ApiKey KeyFromRow(const Row& r) {
    ApiKey k;
    k.id = r[0].AsText();
    k.org_id = r[1].AsText();
    k.name = r[2].AsText();
    k.prefix = r[3].AsText();
    k.mode = domain::ParseKeyMode(r[4].AsText()).value_or(domain::KeyMode::kTest);
    k.permission = domain::ParsePermission(r[5].AsText()).value_or(domain::Permission::kReadOnly);
    k.role = domain::ParseRole(r[6].AsText()).value_or(domain::Role::kMember);
    k.created_by = r[7].AsOptionalText();
    k.created_at = r[8].AsInt();
    k.last_used_at = r[9].AsOptionalInt();
    k.revoked_at = r[10].AsOptionalInt();
    return k;
}

}  // namespace

Result<void> SqlApiKeyRepo::Insert(const ApiKey& k, std::string_view key_hash) {
    auto n = c_.Exec(
        "INSERT INTO api_keys (id, org_id, name, prefix, key_hash, mode, permission, role, created_by, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {k.id, k.org_id, k.name, k.prefix, key_hash, domain::ToString(k.mode), domain::ToString(k.permission),
         domain::ToString(k.role), k.created_by, k.created_at});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<std::optional<std::pair<ApiKey, domain::Tier>>> SqlApiKeyRepo::FindByHash(std::string_view key_hash) {
    static const std::string sql = "SELECT " + std::string(kKeyColumns) +
                                   ", o.tier FROM api_keys k JOIN organizations o ON o.id = k.org_id "
                                   "WHERE k.key_hash = ?";
    auto row = c_.QueryOne(sql, {key_hash});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<std::pair<ApiKey, domain::Tier>>();
    return std::pair{KeyFromRow(**row), domain::ParseTier((**row)[11].AsText()).value_or(domain::Tier::kStandard)};
}

Result<std::optional<ApiKey>> SqlApiKeyRepo::Get(std::string_view org_id, std::string_view id) {
    static const std::string sql =
        "SELECT " + std::string(kKeyColumns) + " FROM api_keys k WHERE k.org_id = ? AND k.id = ?";
    auto row = c_.QueryOne(sql, {org_id, id});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<ApiKey>();
    return KeyFromRow(**row);
}

Result<domain::Page<ApiKey>> SqlApiKeyRepo::List(std::string_view org_id, const domain::PageRequest& page) {
    static const std::string sql = "SELECT " + std::string(kKeyColumns) +
                                   " FROM api_keys k WHERE k.org_id = ? AND k.id < ? ORDER BY k.id DESC LIMIT ?";
    // "~" sorts after every id, so a first page has no upper bound in effect.
    auto rows = c_.Query(sql, {org_id, page.after_id.value_or("~"), page.limit + 1});
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<ApiKey> keys;
    for (const auto& r : *rows) keys.push_back(KeyFromRow(r));
    return ToPage(std::move(keys), page.limit);
}

Result<bool> SqlApiKeyRepo::Revoke(std::string_view org_id, std::string_view id, int64_t now) {
    auto n = c_.Exec("UPDATE api_keys SET revoked_at = ? WHERE org_id = ? AND id = ? AND revoked_at IS NULL",
                     {now, org_id, id});
    if (!n) return Fail(std::move(n.error()));
    return *n > 0;
}

Result<void> SqlApiKeyRepo::TouchLastUsed(std::string_view id, int64_t now) {
    auto n = c_.Exec("UPDATE api_keys SET last_used_at = ? WHERE id = ?", {now, id});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

}  // namespace parley::store
