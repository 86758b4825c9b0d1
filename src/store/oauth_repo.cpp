#include "store/sql_repos.hpp"

namespace parley::store {

using domain::Json;
using domain::OAuthClient;
using domain::OAuthCode;
using domain::OAuthGrant;
using domain::OAuthToken;

namespace {

constexpr std::string_view kGrantColumns =
    "g.id, g.org_id, g.client_id, c.name, g.scope, g.resource, g.granted_by, g.created_at, g.last_used_at, "
    "g.revoked_at";

OAuthGrant GrantFromRow(const Row& r, size_t at = 0) {
    return OAuthGrant{r[at].AsText(),           r[at + 1].AsText(), r[at + 2].AsText(),
                      r[at + 3].AsText(),       r[at + 4].AsText(), r[at + 5].AsText(),
                      r[at + 6].AsText(),       r[at + 7].AsInt(),  r[at + 8].AsOptionalInt(),
                      r[at + 9].AsOptionalInt()};
}

}  // namespace

Result<void> SqlOAuthRepo::InsertClient(const OAuthClient& client) {
    auto n = c_.Exec("INSERT INTO oauth_clients (id, name, redirect_uris, created_at) VALUES (?, ?, ?, ?)",
                     {client.id, client.name, Json(client.redirect_uris).dump(), client.created_at});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<std::optional<OAuthClient>> SqlOAuthRepo::GetClient(std::string_view id) {
    auto row = c_.QueryOne("SELECT id, name, redirect_uris, created_at FROM oauth_clients WHERE id = ?", {id});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<OAuthClient>();
    const Row& r = **row;
    const Json uris = Json::parse(r[2].AsText(), nullptr, false);
    if (!uris.is_array()) return Fail(ErrorCode::kInternal, "an OAuth client's stored redirect URIs are not JSON");
    OAuthClient client{r[0].AsText(), r[1].AsText(), {}, r[3].AsInt()};
    for (const auto& uri : uris) {
        if (uri.is_string()) client.redirect_uris.push_back(uri.get<std::string>());
    }
    return client;
}

Result<void> SqlOAuthRepo::InsertCode(const OAuthCode& c) {
    auto n = c_.Exec(
        "INSERT INTO oauth_codes (code_hash, client_id, org_id, key_id, scope, redirect_uri, code_challenge, resource, "
        "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {c.code_hash, c.client_id, c.org_id, c.key_id, c.scope, c.redirect_uri, c.code_challenge, c.resource,
         c.created_at, c.expires_at});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<std::optional<OAuthCode>> SqlOAuthRepo::TakeCode(std::string_view code_hash, int64_t now) {
    auto row = c_.QueryOne(
        "SELECT code_hash, client_id, org_id, key_id, scope, redirect_uri, code_challenge, resource, created_at, "
        "expires_at, used_at, grant_id FROM oauth_codes WHERE code_hash = ?",
        {code_hash});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<OAuthCode>();
    const Row& r = **row;
    OAuthCode code{r[0].AsText(), r[1].AsText(), r[2].AsText(),         r[3].AsText(),
                   r[4].AsText(), r[5].AsText(), r[6].AsText(),         r[7].AsText(),
                   r[8].AsInt(),  r[9].AsInt(),  r[10].AsOptionalInt(), r[11].AsOptionalText()};
    if (!code.used_at) {
        // Only the request that sets used_at takes the code; a concurrent one sees it taken.
        auto n =
            c_.Exec("UPDATE oauth_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL", {now, code_hash});
        if (!n) return Fail(std::move(n.error()));
        if (*n == 0) code.used_at = now;
    }
    return code;
}

Result<void> SqlOAuthRepo::SetCodeGrant(std::string_view code_hash, std::string_view grant_id) {
    auto n = c_.Exec("UPDATE oauth_codes SET grant_id = ? WHERE code_hash = ?", {grant_id, code_hash});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<void> SqlOAuthRepo::InsertGrant(const OAuthGrant& g) {
    auto n = c_.Exec(
        "INSERT INTO oauth_grants (id, org_id, client_id, scope, resource, granted_by, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        {g.id, g.org_id, g.client_id, g.scope, g.resource, g.granted_by, g.created_at});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<std::optional<OAuthGrant>> SqlOAuthRepo::GetGrant(std::string_view org_id, std::string_view id) {
    static const std::string sql = "SELECT " + std::string(kGrantColumns) +
                                   " FROM oauth_grants g JOIN oauth_clients c ON c.id = g.client_id "
                                   "WHERE g.org_id = ? AND g.id = ?";
    auto row = c_.QueryOne(sql, {org_id, id});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<OAuthGrant>();
    return GrantFromRow(**row);
}

Result<domain::Page<OAuthGrant>> SqlOAuthRepo::ListGrants(std::string_view org_id, const domain::PageRequest& page) {
    static const std::string sql = "SELECT " + std::string(kGrantColumns) +
                                   " FROM oauth_grants g JOIN oauth_clients c ON c.id = g.client_id "
                                   "WHERE g.org_id = ? AND g.id < ? ORDER BY g.id DESC LIMIT ?";
    auto rows = c_.Query(sql, {org_id, page.after_id.value_or("~"), page.limit + 1});
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<OAuthGrant> grants;
    for (const auto& r : *rows) grants.push_back(GrantFromRow(r));
    return ToPage(std::move(grants), page.limit);
}

Result<bool> SqlOAuthRepo::RevokeGrant(std::string_view grant_id, int64_t now) {
    auto n = c_.Exec("UPDATE oauth_grants SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", {now, grant_id});
    if (!n) return Fail(std::move(n.error()));
    return *n > 0;
}

Result<void> SqlOAuthRepo::TouchGrant(std::string_view grant_id, int64_t now) {
    auto n = c_.Exec("UPDATE oauth_grants SET last_used_at = ? WHERE id = ?", {now, grant_id});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<void> SqlOAuthRepo::InsertToken(const OAuthToken& t) {
    auto n =
        c_.Exec("INSERT INTO oauth_tokens (token_hash, grant_id, kind, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                {t.token_hash, t.grant_id, t.kind, t.created_at, t.expires_at});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<std::optional<domain::OAuthTokenOfGrant>> SqlOAuthRepo::FindToken(std::string_view token_hash) {
    static const std::string sql =
        "SELECT t.token_hash, t.grant_id, t.kind, t.created_at, t.expires_at, t.used_at, " +
        std::string(kGrantColumns) +
        ", o.tier, k.revoked_at FROM oauth_tokens t JOIN oauth_grants g ON g.id = t.grant_id "
        "JOIN oauth_clients c ON c.id = g.client_id JOIN organizations o ON o.id = g.org_id "
        "JOIN api_keys k ON k.id = g.granted_by WHERE t.token_hash = ?";
    auto row = c_.QueryOne(sql, {token_hash});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<domain::OAuthTokenOfGrant>();
    const Row& r = **row;
    domain::OAuthTokenOfGrant out;
    out.token =
        OAuthToken{r[0].AsText(), r[1].AsText(), r[2].AsText(), r[3].AsInt(), r[4].AsInt(), r[5].AsOptionalInt()};
    out.grant = GrantFromRow(r, 6);
    out.tier = domain::ParseTier(r[16].AsText()).value_or(domain::Tier::kStandard);
    out.granting_key_revoked = !r[17].IsNull();
    return out;
}

Result<bool> SqlOAuthRepo::UseToken(std::string_view token_hash, int64_t now) {
    auto n = c_.Exec("UPDATE oauth_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL", {now, token_hash});
    if (!n) return Fail(std::move(n.error()));
    return *n > 0;
}

Result<void> SqlOAuthRepo::InsertSignIn(const domain::OAuthSignIn& s) {
    auto n = c_.Exec(
        "INSERT INTO oauth_sign_ins (token_hash, kind, org_id, key_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, "
        "?)",
        {s.token_hash, s.kind, s.org_id, s.key_id, s.created_at, s.expires_at});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<std::optional<domain::OAuthSignIn>> SqlOAuthRepo::FindSignIn(std::string_view token_hash) {
    auto row = c_.QueryOne(
        "SELECT token_hash, kind, org_id, key_id, created_at, expires_at, used_at FROM oauth_sign_ins "
        "WHERE token_hash = ?",
        {token_hash});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<domain::OAuthSignIn>();
    const Row& r = **row;
    return domain::OAuthSignIn{r[0].AsText(), r[1].AsText(), r[2].AsText(),       r[3].AsText(),
                               r[4].AsInt(),  r[5].AsInt(),  r[6].AsOptionalInt()};
}

Result<bool> SqlOAuthRepo::UseSignIn(std::string_view token_hash, int64_t now) {
    auto n =
        c_.Exec("UPDATE oauth_sign_ins SET used_at = ? WHERE token_hash = ? AND used_at IS NULL", {now, token_hash});
    if (!n) return Fail(std::move(n.error()));
    return *n > 0;
}

Result<int64_t> SqlOAuthRepo::PurgeExpired(int64_t cutoff, int64_t unused_clients_before) {
    int64_t purged = 0;
    for (const char* sql :
         {"DELETE FROM oauth_codes WHERE expires_at < ?", "DELETE FROM oauth_tokens WHERE expires_at < ?",
          "DELETE FROM oauth_sign_ins WHERE expires_at < ?"}) {
        auto n = c_.Exec(sql, {cutoff});
        if (!n) return Fail(std::move(n.error()));
        purged += *n;
    }
    auto clients = c_.Exec(
        "DELETE FROM oauth_clients WHERE created_at < ? "
        "AND NOT EXISTS (SELECT 1 FROM oauth_grants g WHERE g.client_id = oauth_clients.id) "
        "AND NOT EXISTS (SELECT 1 FROM oauth_codes k WHERE k.client_id = oauth_clients.id)",
        {unused_clients_before});
    if (!clients) return Fail(std::move(clients.error()));
    return purged + *clients;
}

}  // namespace parley::store
