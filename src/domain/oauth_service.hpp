#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "domain/entities.hpp"
#include "domain/repos.hpp"
#include "domain/validation.hpp"

namespace parley::domain {

// An error of the OAuth protocol: its code ("invalid_grant", "invalid_redirect_uri") and a
// description for people (RFC 6749 section 5.2, RFC 7591 section 3.2.2).
struct OAuthError {
    std::string error;
    std::string description;
};
template <class T>
using OAuthResult = std::expected<T, OAuthError>;

// What an authorization request asks, read from its parameters.
struct AuthorizationRequest {
    std::string response_type;
    std::string client_id;
    std::string redirect_uri;
    std::string code_challenge;
    std::string code_challenge_method;
    std::string scope;  // space-separated; empty: "read write"
    std::string state;
    std::string resource;  // RFC 8707; empty: the MCP endpoint
};

struct IssuedTokens {
    std::string access_token;
    std::string refresh_token;
    std::string scope;
    int64_t expires_in_seconds = 0;
};

// Parley as its own OAuth 2.1 authorization server for MCP clients: clients register themselves
// (public clients, PKCE with S256 only), a person consents on the sign-in page with an owner or
// admin API key, and the client gets an access token for the MCP endpoint (an hour) and a
// refresh token (30 days) that is replaced at every use. Access tokens act as a member key of
// the organization, read-only unless the grant's scope has "write"; a grant ends when it is
// revoked or when the key that granted it is.
class OAuthService {
public:
    static constexpr int64_t kCodeMs = 10 * 60 * 1000;
    static constexpr int64_t kAccessMs = 60 * 60 * 1000;
    static constexpr int64_t kRefreshMs = 30LL * 24 * 60 * 60 * 1000;
    static constexpr int64_t kSignInLinkMs = 15 * 60 * 1000;
    static constexpr int64_t kSignInSessionMs = 60 * 60 * 1000;
    // A registered client with no grant and no code is forgotten after this long.
    static constexpr int64_t kUnusedClientMs = 7LL * 24 * 60 * 60 * 1000;

    OAuthService(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

    // RFC 7591 client registration from its JSON metadata.
    OAuthResult<OAuthClient> Register(const Json& metadata);
    Result<std::optional<OAuthClient>> Client(std::string_view id);

    // The client and redirect URI of a request, checked before anything is sent to that URI
    // (an error here is shown to the person, never redirected).
    OAuthResult<OAuthClient> CheckClient(const AuthorizationRequest& request);
    // The rest of the request, for a client already checked: errors go back to the redirect URI.
    // `resource` is the MCP endpoint's URL. The scope to grant, normalized.
    OAuthResult<std::string> CheckRequest(const AuthorizationRequest& request, std::string_view resource) const;
    // The person allowed the request with `signer`'s key (an owner or admin key that is live and
    // may read): a one-time code for the client. The scope is cut to what the key may do.
    OAuthResult<std::string> Approve(const AuthorizationRequest& request, const Principal& signer,
                                     std::string_view resource);

    OAuthResult<IssuedTokens> ExchangeCode(std::string_view code, std::string_view client_id,
                                           std::string_view redirect_uri, std::string_view verifier,
                                           std::string_view resource);
    OAuthResult<IssuedTokens> Refresh(std::string_view refresh_token, std::string_view client_id);

    // kUnauthorized for an unknown, expired or revoked access token.
    Result<Principal> Authenticate(std::string_view access_token);

    Result<Page<OAuthGrant>> ListGrants(const Principal& who, const PageRequest& page);
    Result<OAuthGrant> RevokeGrant(const Principal& who, std::string_view id);

    // A one-time sign-in link's token for the consent page, made on the server (`parley
    // login-link`) so that no API key is typed into a browser. It signs in as `key_id`, an owner
    // or admin key of the organization that is live and may read (empty: the organization's
    // oldest such owner key), once, within kSignInLinkMs. The token and the key.
    Result<std::pair<std::string, ApiKey>> CreateSignInLink(std::string_view org_id, std::string_view key_id);
    // Opens a sign-in link: the token of a browser session (for a cookie) that signs in as the
    // link's key for kSignInSessionMs. kUnauthorized for an unknown, used or expired link.
    Result<std::string> OpenSignInLink(std::string_view link_token);
    // Who a browser session signs in as: its key as the key is now, so a revoked key no longer
    // signs in. kUnauthorized for an unknown or expired session.
    Result<Principal> SignedIn(std::string_view session_token);
    // What the consent form of a browser session carries against cross-site forgery: derived
    // from the session's token, which only that browser holds.
    static std::string FormTokenOf(std::string_view session_token);

    // Whether a bearer token is one of these access tokens (by its prefix).
    static bool IsAccessToken(std::string_view token);

private:
    OAuthResult<IssuedTokens> Issue(Repos& r, const OAuthGrant& grant);

    Store& store_;
    const Clock& clock_;
};

Json ToJson(const OAuthGrant& grant);
Json ToJson(const OAuthClient& client);

}  // namespace parley::domain
