#include "store/sql_repos.hpp"

namespace parley::store {

namespace {
constexpr const char* kScope = "org_id = ? AND key_id = ? AND idem_key = ?";
}  // namespace

Result<void> SqlIdempotencyRepo::Claim(const domain::IdempotencyScope& scope, std::string_view request_hash,
                                       std::string_view node_id, int64_t now) {
    auto n = c_.Exec(
        "INSERT INTO idempotency_keys (org_id, key_id, idem_key, request_hash, node_id, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (org_id, key_id, idem_key) DO NOTHING",
        {scope.org_id, scope.api_key_id, scope.key, request_hash, node_id, now});
    if (!n) return Fail(std::move(n.error()));
    if (*n == 0) return Fail(ErrorCode::kDuplicate, "idempotency key in use");
    return {};
}

Result<std::optional<domain::StoredResponse>> SqlIdempotencyRepo::Find(const domain::IdempotencyScope& scope) {
    auto row = c_.QueryOne(
        std::string("SELECT request_hash, status, response, created_at, work_committed FROM idempotency_keys WHERE ") +
            kScope,
        {scope.org_id, scope.api_key_id, scope.key});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<domain::StoredResponse>();
    const auto& r = **row;
    domain::StoredResponse out{r[0].AsText(), std::nullopt, r[2].AsText(), r[3].AsInt(), r[4].AsInt() != 0};
    if (!r[1].IsNull()) out.status = static_cast<int>(r[1].AsInt());
    return out;
}

Result<void> SqlIdempotencyRepo::Complete(const domain::IdempotencyScope& scope, int status, std::string_view body) {
    auto n = c_.Exec(std::string("UPDATE idempotency_keys SET status = ?, response = ? WHERE ") + kScope,
                     {status, body, scope.org_id, scope.api_key_id, scope.key});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<void> SqlIdempotencyRepo::Release(const domain::IdempotencyScope& scope) {
    auto n = c_.Exec(std::string("DELETE FROM idempotency_keys WHERE ") + kScope,
                     {scope.org_id, scope.api_key_id, scope.key});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<void> SqlIdempotencyRepo::MarkWorkCommitted(const domain::IdempotencyScope& scope) {
    auto n = c_.Exec(std::string("UPDATE idempotency_keys SET work_committed = 1 WHERE ") + kScope,
                     {scope.org_id, scope.api_key_id, scope.key});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<bool> SqlIdempotencyRepo::ReleaseAbandoned(const domain::IdempotencyScope& scope, int64_t cutoff) {
    auto n = c_.Exec(std::string("DELETE FROM idempotency_keys WHERE ") + kScope +
                         " AND status IS NULL AND work_committed = 0 AND created_at < ?",
                     {scope.org_id, scope.api_key_id, scope.key, cutoff});
    if (!n) return Fail(std::move(n.error()));
    return *n > 0;
}

Result<int64_t> SqlIdempotencyRepo::ReleaseNode(std::string_view node_id) {
    return c_.Exec("DELETE FROM idempotency_keys WHERE node_id = ? AND status IS NULL AND work_committed = 0",
                   {node_id});
}

Result<int64_t> SqlIdempotencyRepo::PurgeOlderThan(int64_t cutoff) {
    return c_.Exec("DELETE FROM idempotency_keys WHERE created_at < ?", {cutoff});
}

}  // namespace parley::store
