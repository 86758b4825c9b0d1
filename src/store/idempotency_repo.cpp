#include "store/sql_repos.hpp"

namespace parley::store {

Result<void> SqlIdempotencyRepo::Claim(std::string_view org_id, std::string_view key, std::string_view request_hash,
                                       int64_t now) {
    auto n = c_.Exec(
        "INSERT INTO idempotency_keys (org_id, idem_key, request_hash, created_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (org_id, idem_key) DO NOTHING",
        {org_id, key, request_hash, now});
    if (!n) return Fail(std::move(n.error()));
    if (*n == 0) return Fail(ErrorCode::kDuplicate, "idempotency key in use");
    return {};
}

Result<std::optional<domain::StoredResponse>> SqlIdempotencyRepo::Find(std::string_view org_id, std::string_view key) {
    auto row = c_.QueryOne("SELECT request_hash, status, response, created_at FROM idempotency_keys WHERE org_id = ? AND idem_key = ?",
                           {org_id, key});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<domain::StoredResponse>();
    const auto& r = **row;
    domain::StoredResponse out{r[0].AsText(), std::nullopt, r[2].AsText(), r[3].AsInt()};
    if (!r[1].IsNull()) out.status = static_cast<int>(r[1].AsInt());
    return out;
}

Result<void> SqlIdempotencyRepo::Complete(std::string_view org_id, std::string_view key, int status,
                                          std::string_view body) {
    auto n = c_.Exec("UPDATE idempotency_keys SET status = ?, response = ? WHERE org_id = ? AND idem_key = ?",
                     {status, body, org_id, key});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<void> SqlIdempotencyRepo::Release(std::string_view org_id, std::string_view key) {
    auto n = c_.Exec("DELETE FROM idempotency_keys WHERE org_id = ? AND idem_key = ?", {org_id, key});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<bool> SqlIdempotencyRepo::ReleaseAbandoned(std::string_view org_id, std::string_view key, int64_t cutoff) {
    auto n = c_.Exec(
        "DELETE FROM idempotency_keys WHERE org_id = ? AND idem_key = ? AND status IS NULL AND created_at < ?",
        {org_id, key, cutoff});
    if (!n) return Fail(std::move(n.error()));
    return *n > 0;
}

Result<int64_t> SqlIdempotencyRepo::PurgeOlderThan(int64_t cutoff) {
    return c_.Exec("DELETE FROM idempotency_keys WHERE created_at < ?", {cutoff});
}

}  // namespace parley::store
