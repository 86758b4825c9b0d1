#include "store/sql_repos.hpp"

namespace parley::store {

Result<void> SqlMcpSessionRepo::Insert(const domain::McpSession& s) {
    auto n = c_.Exec(
        "INSERT INTO mcp_sessions (id, org_id, key_id, protocol_version, client_name, client_version, created_at, "
        "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        {s.id, s.org_id, s.key_id, s.protocol_version, s.client_name, s.client_version, s.created_at, s.expires_at});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<std::optional<domain::McpSession>> SqlMcpSessionRepo::Get(std::string_view key_id, std::string_view id) {
    auto row = c_.QueryOne(
        "SELECT id, org_id, key_id, protocol_version, client_name, client_version, created_at, expires_at, ended_at, "
        "log_level FROM mcp_sessions WHERE id = ? AND key_id = ?",
        {id, key_id});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<domain::McpSession>();
    const Row& r = **row;
    return domain::McpSession{r[0].AsText(), r[1].AsText(), r[2].AsText(), r[3].AsText(),        r[4].AsText(),
                              r[5].AsText(), r[6].AsInt(),  r[7].AsInt(),  r[8].AsOptionalInt(), r[9].AsText()};
}

Result<void> SqlMcpSessionRepo::SetLogLevel(std::string_view id, std::string_view level) {
    auto n = c_.Exec("UPDATE mcp_sessions SET log_level = ? WHERE id = ?", {level, id});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<void> SqlMcpSessionRepo::Extend(std::string_view id, int64_t expires_at) {
    auto n =
        c_.Exec("UPDATE mcp_sessions SET expires_at = ? WHERE id = ? AND expires_at < ?", {expires_at, id, expires_at});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<bool> SqlMcpSessionRepo::End(std::string_view key_id, std::string_view id, int64_t now) {
    auto n = c_.Exec("UPDATE mcp_sessions SET ended_at = ? WHERE id = ? AND key_id = ? AND ended_at IS NULL",
                     {now, id, key_id});
    if (!n) return Fail(std::move(n.error()));
    return *n > 0;
}

Result<int64_t> SqlMcpSessionRepo::PurgeExpiredBefore(int64_t cutoff) {
    return c_.Exec("DELETE FROM mcp_sessions WHERE expires_at < ?", {cutoff});
}

}  // namespace parley::store
