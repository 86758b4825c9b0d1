#include "domain/oauth_service.hpp"

#include <algorithm>
#include <cctype>

#include "common/crypto.hpp"
#include "common/ids.hpp"
#include "common/text.hpp"
#include "common/time_format.hpp"

namespace parley::domain {
namespace {

constexpr std::string_view kAccessTokenPrefix = "pl_oat_";
constexpr std::string_view kRefreshTokenPrefix = "pl_ort_";
constexpr std::string_view kSignInLinkPrefix = "pl_osl_";
constexpr std::string_view kSignInSessionPrefix = "pl_oss_";
constexpr size_t kOAuthTokenChars = 40;
constexpr size_t kOAuthCodeChars = 43;
constexpr size_t kMaxRedirectUris = 10;
constexpr size_t kMaxRedirectUriBytes = 2000;
constexpr size_t kMaxClientNameBytes = 200;
constexpr size_t kMaxOAuthStateBytes = 1000;
constexpr int64_t kGrantTouchEveryMs = 60'000;

OAuthError OAuthFault(std::string error, std::string description) {
    return OAuthError{std::move(error), std::move(description)};
}

// An https URI, or an http one on the loopback interface (RFC 8252 section 7.3), without a
// fragment, spaces or control characters.
bool IsAllowedRedirect(std::string_view uri) {
    if (uri.empty() || uri.size() > kMaxRedirectUriBytes || uri.find('#') != std::string_view::npos) return false;
    if (std::ranges::any_of(uri, [](unsigned char c) { return c <= 0x20 || c >= 0x7f; })) return false;
    std::string_view rest;
    bool secure = false;
    if (uri.starts_with("https://")) {
        rest = uri.substr(8);
        secure = true;
    } else if (uri.starts_with("http://")) {
        rest = uri.substr(7);
    } else {
        return false;
    }
    std::string_view authority = rest.substr(0, std::min(rest.find_first_of("/?"), rest.size()));
    if (authority.empty() || authority.find('@') != std::string_view::npos) return false;
    std::string_view host = authority;
    if (host.starts_with("[")) {
        host = host.substr(0, host.find(']') + 1);
    } else {
        host = host.substr(0, std::min(host.find(':'), host.size()));
    }
    if (host.empty()) return false;
    return secure || host == "127.0.0.1" || host == "localhost" || host == "[::1]";
}

// RFC 7636: 43 to 128 of [A-Za-z0-9-._~].
bool IsPkceValue(std::string_view v) {
    return v.size() >= 43 && v.size() <= 128 && std::ranges::all_of(v, [](unsigned char c) {
               return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
           });
}

std::string S256(std::string_view verifier) {
    const std::string hex = Sha256Hex(verifier);
    std::string raw;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) raw += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    return Base64UrlEncode(raw);
}

// "read" or "read write" from a requested scope; nullopt for an unknown one.
std::optional<std::string> NormalizeScope(std::string_view scope) {
    bool write = scope.empty();
    size_t start = 0;
    while (start < scope.size()) {
        const size_t end = std::min(scope.find(' ', start), scope.size());
        const std::string_view word = scope.substr(start, end - start);
        if (word == "write") {
            write = true;
        } else if (!word.empty() && word != "read") {
            return std::nullopt;
        }
        start = end + 1;
    }
    return write ? "read write" : "read";
}

OAuthError OAuthServerError(const Error& e) {
    return OAuthFault("server_error", e.message);
}

}  // namespace

bool OAuthService::IsAccessToken(std::string_view token) {
    return token.starts_with(kAccessTokenPrefix);
}

OAuthResult<OAuthClient> OAuthService::Register(const Json& metadata) {
    if (!metadata.is_object())
        return std::unexpected(OAuthFault("invalid_client_metadata", "the body must be a JSON object"));
    const Json uris = metadata.value("redirect_uris", Json());
    if (!uris.is_array() || uris.empty() || uris.size() > kMaxRedirectUris) {
        return std::unexpected(OAuthFault("invalid_redirect_uri", "redirect_uris must list 1 to 10 URIs"));
    }
    OAuthClient client;
    for (const auto& uri : uris) {
        if (!uri.is_string() || !IsAllowedRedirect(uri.get_ref<const std::string&>())) {
            return std::unexpected(
                OAuthFault("invalid_redirect_uri",
                           "each redirect URI must be https, or http on 127.0.0.1, localhost or [::1], "
                           "without a fragment, at most 2000 bytes"));
        }
        client.redirect_uris.push_back(uri.get<std::string>());
    }
    const Json method = metadata.value("token_endpoint_auth_method", Json("none"));
    if (method != "none") {
        return std::unexpected(OAuthFault("invalid_client_metadata",
                                          "token_endpoint_auth_method must be none: Parley registers public clients, "
                                          "which prove themselves with PKCE"));
    }
    for (const auto& [key, allowed] :
         {std::pair{"grant_types", std::vector<std::string>{"authorization_code", "refresh_token"}},
          std::pair{"response_types", std::vector<std::string>{"code"}}}) {
        if (!metadata.contains(key)) continue;
        const Json& list = metadata[key];
        if (!list.is_array() || list.size() > 10 || !std::ranges::all_of(list, [&](const Json& v) {
                return v.is_string() && std::ranges::find(allowed, v.get<std::string>()) != allowed.end();
            })) {
            return std::unexpected(
                OAuthFault("invalid_client_metadata",
                           std::string(key) + " may hold only " +
                               (allowed.size() == 2 ? "authorization_code and refresh_token" : "code")));
        }
    }
    const Json name = metadata.value("client_name", Json("MCP client"));
    if (!name.is_string() || name.get_ref<const std::string&>().empty() ||
        name.get_ref<const std::string&>().size() > kMaxClientNameBytes ||
        !IsValidUtf8(name.get_ref<const std::string&>())) {
        return std::unexpected(OAuthFault("invalid_client_metadata", "client_name must be 1 to 200 bytes of text"));
    }
    client.name = name.get<std::string>();
    client.created_at = clock_.NowMs();
    client.id = NewId("oac_", client.created_at);
    auto saved = store_.Write([&](Repos& r) { return r.oauth().InsertClient(client); });
    if (!saved) return std::unexpected(OAuthServerError(saved.error()));
    return client;
}

Result<std::optional<OAuthClient>> OAuthService::Client(std::string_view id) {
    if (id.empty() || id.size() > 64) return std::optional<OAuthClient>();
    return ReadTx(store_, [&](Repos& r) { return r.oauth().GetClient(id); });
}

OAuthResult<OAuthClient> OAuthService::CheckClient(const AuthorizationRequest& request) {
    auto client = Client(request.client_id);
    if (!client) return std::unexpected(OAuthServerError(client.error()));
    if (!*client) return std::unexpected(OAuthFault("invalid_client", "this client_id is not registered"));
    const auto& uris = (*client)->redirect_uris;
    if (request.redirect_uri.empty() || std::ranges::find(uris, request.redirect_uri) == uris.end()) {
        return std::unexpected(OAuthFault(
            "invalid_request", "redirect_uri must be one of the client's registered redirect URIs, exactly"));
    }
    return **client;
}

OAuthResult<std::string> OAuthService::CheckRequest(const AuthorizationRequest& request,
                                                    std::string_view resource) const {
    if (request.response_type != "code") {
        return std::unexpected(OAuthFault("unsupported_response_type", "response_type must be code"));
    }
    if (request.code_challenge_method != "S256" || !IsPkceValue(request.code_challenge)) {
        return std::unexpected(
            OAuthFault("invalid_request", "PKCE is required: a code_challenge with code_challenge_method S256"));
    }
    if (request.state.size() > kMaxOAuthStateBytes) {
        return std::unexpected(OAuthFault("invalid_request", "state is longer than 1000 bytes"));
    }
    if (!request.resource.empty() && request.resource != resource) {
        return std::unexpected(OAuthFault("invalid_target", "resource must be " + std::string(resource)));
    }
    auto scope = NormalizeScope(request.scope);
    if (!scope) return std::unexpected(OAuthFault("invalid_scope", "scope may hold read and write"));
    return *scope;
}

OAuthResult<std::string> OAuthService::Approve(const AuthorizationRequest& request, const Principal& signer,
                                               std::string_view resource) {
    auto client = CheckClient(request);
    if (!client) return std::unexpected(client.error());
    auto scope = CheckRequest(request, resource);
    if (!scope) return std::unexpected(scope.error());
    if (signer.mode != KeyMode::kLive || (signer.role != Role::kOwner && signer.role != Role::kAdmin) ||
        signer.permission == Permission::kWriteOnly) {
        return std::unexpected(
            OAuthFault("access_denied", "sign in with a live owner or admin API key that may read (pl_live_…)"));
    }
    OAuthCode code;
    const std::string raw = RandomAlphanumeric(kOAuthCodeChars);
    code.code_hash = Sha256Hex(raw);
    code.client_id = client->id;
    code.org_id = signer.org_id;
    code.key_id = signer.key_id;
    code.scope = signer.permission == Permission::kReadOnly ? "read" : *scope;
    code.redirect_uri = request.redirect_uri;
    code.code_challenge = request.code_challenge;
    code.resource = std::string(resource);
    code.created_at = clock_.NowMs();
    code.expires_at = code.created_at + kCodeMs;
    auto saved = store_.Write([&](Repos& r) { return r.oauth().InsertCode(code); });
    if (!saved) return std::unexpected(OAuthServerError(saved.error()));
    return raw;
}

OAuthResult<IssuedTokens> OAuthService::Issue(Repos& r, const OAuthGrant& grant) {
    const int64_t now = clock_.NowMs();
    IssuedTokens out{std::string(kAccessTokenPrefix) + RandomAlphanumeric(kOAuthTokenChars),
                     std::string(kRefreshTokenPrefix) + RandomAlphanumeric(kOAuthTokenChars), grant.scope,
                     kAccessMs / 1000};
    for (const auto& [raw, kind, ttl] :
         {std::tuple{&out.access_token, "access", kAccessMs}, std::tuple{&out.refresh_token, "refresh", kRefreshMs}}) {
        auto saved = r.oauth().InsertToken(OAuthToken{Sha256Hex(*raw), grant.id, kind, now, now + ttl, std::nullopt});
        if (!saved) return std::unexpected(OAuthServerError(saved.error()));
    }
    return out;
}

OAuthResult<IssuedTokens> OAuthService::ExchangeCode(std::string_view code, std::string_view client_id,
                                                     std::string_view redirect_uri, std::string_view verifier,
                                                     std::string_view resource) {
    const int64_t now = clock_.NowMs();
    const std::string hash = Sha256Hex(code);
    // Taken (marked used) in a transaction of its own, so a failed exchange still uses it up.
    auto taken = WriteTx(store_, [&](Repos& r) { return r.oauth().TakeCode(hash, now); });
    if (!taken) return std::unexpected(OAuthServerError(taken.error()));
    if (!*taken) return std::unexpected(OAuthFault("invalid_grant", "unknown authorization code"));
    const OAuthCode& c = **taken;
    if (c.used_at) {
        // RFC 6749 section 4.1.2: a code used twice revokes what it gave.
        if (c.grant_id) (void)WriteTx(store_, [&](Repos& r) { return r.oauth().RevokeGrant(*c.grant_id, now); });
        return std::unexpected(
            OAuthFault("invalid_grant", "this authorization code was already used; its tokens are revoked"));
    }
    if (c.expires_at <= now) return std::unexpected(OAuthFault("invalid_grant", "the authorization code expired"));
    if (c.client_id != client_id)
        return std::unexpected(OAuthFault("invalid_grant", "the code was issued to another client"));
    if (c.redirect_uri != redirect_uri) {
        return std::unexpected(OAuthFault("invalid_grant", "redirect_uri differs from the authorization request's"));
    }
    if (!IsPkceValue(verifier) || S256(verifier) != c.code_challenge) {
        return std::unexpected(OAuthFault("invalid_grant", "code_verifier does not match the code_challenge"));
    }
    if (!resource.empty() && resource != c.resource) {
        return std::unexpected(OAuthFault("invalid_target", "resource must be " + c.resource));
    }
    OAuthGrant grant{NewId("grant_", now), c.org_id, c.client_id, "",           c.scope,
                     c.resource,           c.key_id, now,         std::nullopt, std::nullopt};
    OAuthResult<IssuedTokens> issued;
    auto saved = store_.Write([&](Repos& r) -> Result<void> {
        if (auto g = r.oauth().InsertGrant(grant); !g) return g;
        if (auto s = r.oauth().SetCodeGrant(hash, grant.id); !s) return s;
        issued = Issue(r, grant);
        if (!issued) return Fail(ErrorCode::kInternal, issued.error().description);
        return {};
    });
    if (!saved) return std::unexpected(OAuthServerError(saved.error()));
    return issued;
}

OAuthResult<IssuedTokens> OAuthService::Refresh(std::string_view refresh_token, std::string_view client_id) {
    const int64_t now = clock_.NowMs();
    const std::string hash = Sha256Hex(refresh_token);
    auto found = ReadTx(store_, [&](Repos& r) { return r.oauth().FindToken(hash); });
    if (!found) return std::unexpected(OAuthServerError(found.error()));
    if (!*found || (*found)->token.kind != "refresh") {
        return std::unexpected(OAuthFault("invalid_grant", "unknown refresh token"));
    }
    const auto& t = **found;
    if (t.grant.client_id != client_id)
        return std::unexpected(OAuthFault("invalid_grant", "the token belongs to another client"));
    if (t.grant.revoked_at || t.granting_key_revoked)
        return std::unexpected(OAuthFault("invalid_grant", "the grant was revoked"));
    if (t.token.expires_at <= now) return std::unexpected(OAuthFault("invalid_grant", "the refresh token expired"));
    auto used = WriteTx(store_, [&](Repos& r) { return r.oauth().UseToken(hash, now); });
    if (!used) return std::unexpected(OAuthServerError(used.error()));
    if (!*used) {
        // A refresh token is used once: a second use means it was copied, so the grant ends.
        (void)WriteTx(store_, [&](Repos& r) { return r.oauth().RevokeGrant(t.grant.id, now); });
        return std::unexpected(
            OAuthFault("invalid_grant", "this refresh token was already used; the grant is revoked"));
    }
    OAuthResult<IssuedTokens> issued;
    auto saved = store_.Write([&](Repos& r) -> Result<void> {
        issued = Issue(r, t.grant);
        if (!issued) return Fail(ErrorCode::kInternal, issued.error().description);
        return {};
    });
    if (!saved) return std::unexpected(OAuthServerError(saved.error()));
    return issued;
}

Result<Principal> OAuthService::Authenticate(std::string_view access_token) {
    auto refused = [] { return Fail(ErrorCode::kUnauthorized, "Invalid or expired access token"); };
    if (!IsAccessToken(access_token) || access_token.size() != kAccessTokenPrefix.size() + kOAuthTokenChars)
        return refused();
    const int64_t now = clock_.NowMs();
    auto found = ReadTx(store_, [&](Repos& r) { return r.oauth().FindToken(Sha256Hex(access_token)); });
    if (!found) return Fail(std::move(found.error()));
    if (!*found) return refused();
    const auto& t = **found;
    if (t.token.kind != "access" || t.token.expires_at <= now || t.grant.revoked_at || t.granting_key_revoked) {
        return refused();
    }
    if (!t.grant.last_used_at || *t.grant.last_used_at < now - kGrantTouchEveryMs) {
        (void)store_.Write([&](Repos& r) { return r.oauth().TouchGrant(t.grant.id, now); });
    }
    Principal p;
    p.org_id = t.grant.org_id;
    p.key_id = t.grant.id;
    p.mode = KeyMode::kLive;
    p.permission = t.grant.scope.find("write") != std::string::npos ? Permission::kFull : Permission::kReadOnly;
    p.role = Role::kMember;
    p.tier = t.tier;
    return p;
}

namespace {

// Whether `key` may sign in on the consent page: live, owner or admin, allowed to read, not revoked.
bool MaySignIn(const ApiKey& key) {
    return !key.revoked_at && key.mode == KeyMode::kLive && (key.role == Role::kOwner || key.role == Role::kAdmin) &&
           key.permission != Permission::kWriteOnly;
}

}  // namespace

Result<std::pair<std::string, ApiKey>> OAuthService::CreateSignInLink(std::string_view org_id,
                                                                      std::string_view key_id) {
    auto key = ReadTx(store_, [&](Repos& r) -> Result<std::optional<ApiKey>> {
        auto org = r.organizations().Get(org_id);
        if (!org) return Fail(std::move(org.error()));
        if (!*org) return Fail(ErrorCode::kNotFound, "no organization " + std::string(org_id));
        if (!key_id.empty()) return r.api_keys().Get(org_id, key_id);
        std::optional<ApiKey> oldest;
        PageRequest page{kMaxPageLimit, std::nullopt};
        for (;;) {
            auto keys = r.api_keys().List(org_id, page);
            if (!keys) return Fail(std::move(keys.error()));
            for (auto& k : keys->items) {
                if (MaySignIn(k) && k.role == Role::kOwner && (!oldest || k.created_at < oldest->created_at)) {
                    oldest = std::move(k);
                }
            }
            if (!keys->has_more || keys->items.empty()) break;
            page.after_id = keys->items.back().id;
        }
        if (!oldest) return Fail(ErrorCode::kNotFound, "the organization has no live owner key that may read");
        return oldest;
    });
    if (!key) return Fail(std::move(key.error()));
    if (!*key) return Fail(ErrorCode::kNotFound, "the organization has no key " + std::string(key_id));
    if (!MaySignIn(**key)) {
        return Fail(ErrorCode::kValidation,
                    "a sign-in link needs a live owner or admin key that may read and is not revoked");
    }
    OAuthSignIn link;
    const std::string raw = std::string(kSignInLinkPrefix) + RandomAlphanumeric(kOAuthTokenChars);
    link.token_hash = Sha256Hex(raw);
    link.kind = "link";
    link.org_id = std::string(org_id);
    link.key_id = (*key)->id;
    link.created_at = clock_.NowMs();
    link.expires_at = link.created_at + kSignInLinkMs;
    auto saved = store_.Write([&](Repos& r) { return r.oauth().InsertSignIn(link); });
    if (!saved) return Fail(std::move(saved.error()));
    return std::pair{raw, std::move(**key)};
}

Result<std::string> OAuthService::OpenSignInLink(std::string_view link_token) {
    auto refused = [] {
        return Fail(ErrorCode::kUnauthorized, "this sign-in link is unknown, used or expired: make a new one");
    };
    if (!link_token.starts_with(kSignInLinkPrefix) || link_token.size() != kSignInLinkPrefix.size() + kOAuthTokenChars)
        return refused();
    const int64_t now = clock_.NowMs();
    const std::string raw = std::string(kSignInSessionPrefix) + RandomAlphanumeric(kOAuthTokenChars);
    auto opened = WriteTx(store_, [&](Repos& r) -> Result<bool> {
        auto link = r.oauth().FindSignIn(Sha256Hex(link_token));
        if (!link) return Fail(std::move(link.error()));
        if (!*link || (*link)->kind != "link" || (*link)->expires_at <= now || (*link)->used_at) return false;
        // Only the request that marks the link used opens a session with it.
        auto used = r.oauth().UseSignIn((*link)->token_hash, now);
        if (!used || !*used) return used;
        OAuthSignIn session{Sha256Hex(raw),         "session",   (*link)->org_id, (*link)->key_id, now,
                            now + kSignInSessionMs, std::nullopt};
        if (auto saved = r.oauth().InsertSignIn(session); !saved) return Fail(std::move(saved.error()));
        return true;
    });
    if (!opened) return Fail(std::move(opened.error()));
    if (!*opened) return refused();
    return raw;
}

Result<Principal> OAuthService::SignedIn(std::string_view session_token) {
    auto refused = [] { return Fail(ErrorCode::kUnauthorized, "the sign-in has expired: open a new sign-in link"); };
    if (!session_token.starts_with(kSignInSessionPrefix) ||
        session_token.size() != kSignInSessionPrefix.size() + kOAuthTokenChars)
        return refused();
    const int64_t now = clock_.NowMs();
    return ReadTx(store_, [&](Repos& r) -> Result<Principal> {
        auto session = r.oauth().FindSignIn(Sha256Hex(session_token));
        if (!session) return Fail(std::move(session.error()));
        if (!*session || (*session)->kind != "session" || (*session)->expires_at <= now) return refused();
        auto key = r.api_keys().Get((*session)->org_id, (*session)->key_id);
        if (!key) return Fail(std::move(key.error()));
        if (!*key || (*key)->revoked_at) return refused();
        auto org = r.organizations().Get((*session)->org_id);
        if (!org) return Fail(std::move(org.error()));
        if (!*org) return refused();
        const ApiKey& k = **key;
        return Principal{k.org_id, k.id, k.mode, k.permission, k.role, (*org)->tier};
    });
}

std::string OAuthService::FormTokenOf(std::string_view session_token) {
    return Sha256Hex("parley consent form\n" + std::string(session_token));
}

Result<Page<OAuthGrant>> OAuthService::ListGrants(const Principal& who, const PageRequest& page) {
    return ReadTx(store_, [&](Repos& r) { return r.oauth().ListGrants(who.org_id, page); });
}

Result<OAuthGrant> OAuthService::RevokeGrant(const Principal& who, std::string_view id) {
    return WriteTx(store_, [&](Repos& r) -> Result<OAuthGrant> {
        auto grant = r.oauth().GetGrant(who.org_id, id);
        if (!grant) return Fail(std::move(grant.error()));
        if (!*grant) return Fail(ErrorCode::kNotFound, "no grant with this id");
        if (!(*grant)->revoked_at) {
            auto revoked = r.oauth().RevokeGrant((*grant)->id, clock_.NowMs());
            if (!revoked) return Fail(std::move(revoked.error()));
            (*grant)->revoked_at = clock_.NowMs();
        }
        return **grant;
    });
}

Json ToJson(const OAuthGrant& g) {
    auto time = [](const std::optional<int64_t>& t) { return t ? Json(FormatIsoTime(*t)) : Json(); };
    return Json{{"id", g.id},
                {"client_id", g.client_id},
                {"client_name", g.client_name},
                {"scope", g.scope},
                {"resource", g.resource},
                {"granted_by", g.granted_by},
                {"created_at", FormatIsoTime(g.created_at)},
                {"last_used_at", time(g.last_used_at)},
                {"revoked_at", time(g.revoked_at)}};
}

Json ToJson(const OAuthClient& c) {
    return Json{{"client_id", c.id},
                {"client_id_issued_at", c.created_at / 1000},
                {"client_name", c.name},
                {"redirect_uris", c.redirect_uris},
                {"grant_types", {"authorization_code", "refresh_token"}},
                {"response_types", {"code"}},
                {"token_endpoint_auth_method", "none"}};
}

}  // namespace parley::domain
