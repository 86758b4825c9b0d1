// OAuth 2.1 for MCP clients, as the MCP authorization specification has it: Parley is the
// protected resource (/mcp) and its own authorization server. Metadata (RFC 9728, RFC 8414),
// dynamic client registration (RFC 7591), the authorization code flow with PKCE S256 (the
// sign-in page, where a person consents with an owner or admin API key), tokens with refresh
// tokens that rotate, and an organization's grants, listed and revocable.

#include "api/api.hpp"
#include "api/context.hpp"
#include "api/respond.hpp"
#include "domain/oauth_service.hpp"

namespace parley::api {
namespace {

constexpr size_t kFormLimit = 16 * 1024;
constexpr int kRegistrationsPerMinute = 20;
constexpr int kSignInsPerMinute = 60;
constexpr std::string_view kSessionCookie = "parley_sign_in";
constexpr std::string_view kPendingCookie = "parley_oauth_request";
// A pending authorization request is remembered in a cookie only up to this size (browsers keep 4 kB).
constexpr size_t kMaxPendingCookieBytes = 3000;

std::string McpResource(const std::string& base) {
    return base + "/mcp";
}

// Text for an HTML element or a double-quoted attribute.
std::string Html(std::string_view text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

http::Response JsonOf(int status, const Json& body) {
    http::Response res{status, "application/json", {{"Cache-Control", "no-store"}}, DumpJson(body)};
    return res;
}

http::Response OAuthErrorResponse(const domain::OAuthError& e, int status = 400) {
    return JsonOf(e.error == "server_error" ? 500 : status,
                  Json{{"error", e.error}, {"error_description", e.description}});
}

// The fields of an application/x-www-form-urlencoded body; nullopt when it is malformed or names
// a field twice.
std::optional<http::Fields> FormOf(const http::Request& req) {
    std::string path;
    http::Fields fields;
    if (!http::ParseTarget("/?" + req.body, path, fields)) return std::nullopt;
    for (size_t i = 0; i < fields.size(); ++i) {
        for (size_t j = 0; j < i; ++j) {
            if (fields[i].first == fields[j].first) return std::nullopt;
        }
    }
    return fields;
}

std::string Field(const http::Fields& fields, std::string_view name) {
    for (const auto& [k, v] : fields) {
        if (k == name) return v;
    }
    return "";
}

// A cookie's value; empty when absent.
std::string CookieOf(const http::Request& req, std::string_view name) {
    return std::string(req.Cookie(name).value_or(""));
}

// A cookie for the sign-in pages only, out of reach of scripts, sent on a top-level navigation
// from another site (an assistant opening the sign-in page) but not with another site's POST.
std::string SetCookie(std::string_view name, std::string_view value, int64_t max_age_seconds, const std::string& base) {
    return std::string(name) + "=" + std::string(value) + "; Path=/oauth; Max-Age=" + std::to_string(max_age_seconds) +
           "; HttpOnly; SameSite=Lax" + (base.starts_with("https://") ? "; Secure" : "");
}

// A form posted from another site's page (its Origin is not this server): a sign-in must come
// from Parley's own page.
bool PostedFromElsewhere(const http::Request& req) {
    auto origin = req.Header("origin");
    if (!origin) return false;
    const auto scheme = origin->find("://");
    return scheme == std::string_view::npos || origin->substr(scheme + 3) != req.Header("host").value_or("");
}

bool SameSecret(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

domain::AuthorizationRequest RequestOf(const http::Fields& fields) {
    return domain::AuthorizationRequest{Field(fields, "response_type"),
                                        Field(fields, "client_id"),
                                        Field(fields, "redirect_uri"),
                                        Field(fields, "code_challenge"),
                                        Field(fields, "code_challenge_method"),
                                        Field(fields, "scope"),
                                        Field(fields, "state"),
                                        Field(fields, "resource")};
}

http::Response Page(int status, const std::string& body) {
    return http::Response{status,
                          "text/html; charset=utf-8",
                          {{"Cache-Control", "no-store"},
                           {"X-Frame-Options", "DENY"},
                           // Nothing of these pages' addresses leaves Parley, while the forms
                           // still carry their Origin (under no-referrer a browser sends "null").
                           {"Referrer-Policy", "same-origin"},
                           {"Content-Security-Policy",
                            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"}},
                          "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                          "<title>Sign in to Parley</title><style>"
                          "body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0}"
                          "main{max-width:28rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:8px;"
                          "box-shadow:0 1px 4px #0002}h1{font-size:1.3rem}label{display:block;margin:1rem 0 .3rem}"
                          "input{width:100%;box-sizing:border-box;padding:.5rem;font-family:monospace}"
                          "button{margin:1rem .5rem 0 0;padding:.5rem 1.2rem}.error{color:#b00020}"
                          "</style></head><body><main>" +
                              body + "</main></body></html>\n"};
}

http::Response ErrorPage(int status, std::string_view message) {
    return Page(status, R"(<h1>This sign-in link does not work</h1><p class="error" id="error">)" + Html(message) +
                            "</p><p>Start the connection again from your assistant.</p>");
}

// The fields of a form posted from Parley's own sign-in pages; else the error page.
std::expected<http::Fields, http::Response> SignInForm(const http::Request& req) {
    if (PostedFromElsewhere(req)) {
        return std::unexpected(ErrorPage(403, "the form was not sent from Parley's sign-in page"));
    }
    auto form = FormOf(req);
    if (!form) return std::unexpected(ErrorPage(400, "the form is malformed"));
    return std::move(*form);
}

// Who is signed in on the consent page without a key, by a sign-in link: the key's id, and the
// value the form carries against forgery.
struct SignedInAs {
    std::string key_id;
    std::string form_token;
};

// The consent page: who asks, for what, and the key field (or who is signed in by a link).
http::Response ConsentPage(int status, const domain::OAuthClient& client, const domain::AuthorizationRequest& request,
                           const std::string& scope, std::string_view error,
                           const std::optional<SignedInAs>& signed_in = std::nullopt) {
    const bool write = scope.find("write") != std::string::npos;
    std::string redirect_host = request.redirect_uri;
    if (auto scheme = redirect_host.find("://"); scheme != std::string::npos) {
        redirect_host = redirect_host.substr(scheme + 3);
        redirect_host = redirect_host.substr(0, std::min(redirect_host.find_first_of("/?"), redirect_host.size()));
    }
    std::string body = R"(<h1>Allow <span id="client">)" + Html(client.name) + "</span> to use Parley?</h1>";
    body += R"(<p>It asks for <strong id="scope">)" + std::string(write ? "read and write" : "read") +
            "</strong> access to your organization through MCP: " +
            (write ? "to look up and change contacts, profiles, campaigns and webhooks, and to place calls."
                   : "to look up contacts, calls, profiles, campaigns and webhooks, without changing anything.") +
            " You will be sent back to <strong>" + Html(redirect_host) + "</strong>.</p>";
    if (!error.empty()) body += R"(<p class="error" id="error">)" + Html(error) + "</p>";
    body += R"(<form method="post" action="/oauth/authorize">)";
    const std::pair<const char*, const std::string*> hidden[] = {
        {"response_type", &request.response_type},
        {"client_id", &request.client_id},
        {"redirect_uri", &request.redirect_uri},
        {"code_challenge", &request.code_challenge},
        {"code_challenge_method", &request.code_challenge_method},
        {"scope", &request.scope},
        {"state", &request.state},
        {"resource", &request.resource}};
    for (const auto& [name, value] : hidden) {
        body += R"(<input type="hidden" name=")" + std::string(name) + R"(" value=")" + Html(*value) + R"(">)";
    }
    if (signed_in) {
        body += R"(<p>Signed in by a sign-in link as key <strong id="signed_in">)" + Html(signed_in->key_id) +
                R"(</strong>.</p><input type="hidden" name="form_token" value=")" + Html(signed_in->form_token) +
                R"(">)";
    } else {
        body +=
            "<label for=\"api_key\">An owner or admin API key of your organization</label>"
            "<input id=\"api_key\" name=\"api_key\" type=\"password\" autocomplete=\"off\" "
            "placeholder=\"pl_live_…\">";
    }
    body +=
        "<button type=\"submit\" name=\"decision\" value=\"allow\" id=\"allow\">Allow</button>"
        "<button type=\"submit\" name=\"decision\" value=\"deny\" id=\"deny\">Deny</button></form>"
        "<p><small>Client id " +
        Html(client.id) +
        (signed_in ? std::string(". ")
                   : ". The key is used for this sign-in only and is not given to the client. Rather not type a key "
                     "here? Run <code>parley login-link --org …</code> on the server and open its link in this "
                     "browser. ") +
        "</small></p>";
    return Page(status, body);
}

// A 302 to the request's redirect URI with these parameters, its state and the issuer (RFC 9207).
http::Response RedirectTo(const domain::AuthorizationRequest& request,
                          std::vector<std::pair<std::string, std::string>> params, const std::string& issuer) {
    params.emplace_back("state", request.state);
    params.emplace_back("iss", issuer);
    std::string location = request.redirect_uri + (request.redirect_uri.find('?') == std::string::npos ? "?" : "&");
    bool first = true;
    for (const auto& [k, v] : params) {
        if (v.empty()) continue;
        location += (first ? "" : "&") + k + "=" + http::PercentEncode(v);
        first = false;
    }
    return http::Response{302, "text/plain", {{"Location", location}, {"Cache-Control", "no-store"}}, ""};
}

// What both steps of the sign-in check first: a client or redirect URI that must not be used
// gets an error page (nothing goes to that URI); the request's other faults go back to the client
// as an error. Else the client and the scope to grant.
std::expected<std::pair<domain::OAuthClient, std::string>, http::Response> CheckAuthorization(
    domain::OAuthService& oauth, const domain::AuthorizationRequest& request, const std::string& base) {
    auto client = oauth.CheckClient(request);
    if (!client) return std::unexpected(ErrorPage(400, client.error().description));
    auto scope = oauth.CheckRequest(request, McpResource(base));
    if (!scope) {
        return std::unexpected(RedirectTo(
            request, {{"error", scope.error().error}, {"error_description", scope.error().description}}, base));
    }
    return std::pair{std::move(*client), std::move(*scope)};
}

}  // namespace

void AddOAuthRoutes(std::vector<RouteSpec>& routes, Services& s) {
    auto protected_resource = [&s](Ctx& ctx) {
        const std::string base = PublicBaseUrl(ctx.req, s.recordings.public_url);
        return JsonOf(200, Json{{"resource", McpResource(base)},
                                {"authorization_servers", {base}},
                                {"scopes_supported", {"read", "write"}},
                                {"bearer_methods_supported", {"header"}},
                                {"resource_name", "Parley MCP server"}});
    };
    routes.push_back({"GET", "/.well-known/oauth-protected-resource", protected_resource, Access::kPublic});
    routes.push_back({"GET", "/.well-known/oauth-protected-resource/mcp", protected_resource, Access::kPublic});
    routes.push_back({"GET", "/.well-known/oauth-authorization-server",
                      [&s](Ctx& ctx) {
                          const std::string base = PublicBaseUrl(ctx.req, s.recordings.public_url);
                          return JsonOf(200, Json{{"issuer", base},
                                                  {"authorization_endpoint", base + "/oauth/authorize"},
                                                  {"token_endpoint", base + "/oauth/token"},
                                                  {"registration_endpoint", base + "/oauth/register"},
                                                  {"scopes_supported", {"read", "write"}},
                                                  {"response_types_supported", {"code"}},
                                                  {"response_modes_supported", {"query"}},
                                                  {"grant_types_supported", {"authorization_code", "refresh_token"}},
                                                  {"token_endpoint_auth_methods_supported", {"none"}},
                                                  {"code_challenge_methods_supported", {"S256"}},
                                                  {"authorization_response_iss_parameter_supported", true}});
                      },
                      Access::kPublic});

    RouteSpec reg{"POST", "/oauth/register",
                  [&s](Ctx& ctx) {
                      auto type = ctx.req.Header("content-type");
                      if (!type || !type->starts_with("application/json")) {
                          return OAuthErrorResponse({"invalid_client_metadata", "the body must be application/json"});
                      }
                      auto body = domain::ParseBoundedJson(ctx.req.body);
                      if (!body) return OAuthErrorResponse({"invalid_client_metadata", body.error().message});
                      auto client = s.oauth.Register(*body);
                      if (!client) return OAuthErrorResponse(client.error());
                      return JsonOf(201, ToJson(*client));
                  },
                  Access::kPublic};
    reg.body_limit = kFormLimit;
    reg.address_limit_per_minute = kRegistrationsPerMinute;
    reg.blocking = true;
    routes.push_back(std::move(reg));

    RouteSpec page{
        "GET", "/oauth/authorize",
        [&s](Ctx& ctx) {
            const auto request = RequestOf(ctx.req.query);
            const std::string base = PublicBaseUrl(ctx.req, s.recordings.public_url);
            auto checked = CheckAuthorization(s.oauth, request, base);
            if (!checked) return std::move(checked.error());
            const std::string session = CookieOf(ctx.req, kSessionCookie);
            if (auto signer = s.oauth.SignedIn(session); signer) {
                return ConsentPage(200, checked->first, request, checked->second, "",
                                   SignedInAs{signer->key_id, domain::OAuthService::FormTokenOf(session)});
            }
            auto page = ConsentPage(200, checked->first, request, checked->second, "");
            // Remembered so that a sign-in link opened next in this browser comes back here.
            const auto query = ctx.req.target.substr(std::min(ctx.req.target.find('?'), ctx.req.target.size()));
            if (const std::string pending = http::PercentEncode(query.empty() ? "" : query.substr(1));
                pending.size() <= kMaxPendingCookieBytes) {
                page.headers.emplace_back(
                    "Set-Cookie", SetCookie(kPendingCookie, pending, domain::OAuthService::kSignInLinkMs / 1000, base));
            }
            return page;
        },
        Access::kPublic};
    page.blocking = true;
    page.address_limit_per_minute = kSignInsPerMinute;
    routes.push_back(std::move(page));

    RouteSpec consent{"POST", "/oauth/authorize",
                      [&s](Ctx& ctx) {
                          auto form = SignInForm(ctx.req);
                          if (!form) return std::move(form.error());
                          const auto request = RequestOf(*form);
                          const std::string base = PublicBaseUrl(ctx.req, s.recordings.public_url);
                          auto checked = CheckAuthorization(s.oauth, request, base);
                          if (!checked) return std::move(checked.error());
                          const auto& [client, scope] = *checked;
                          const std::string decision = Field(*form, "decision");
                          if (decision == "deny") {
                              return RedirectTo(
                                  request,
                                  {{"error", "access_denied"}, {"error_description", "the person denied the request"}},
                                  base);
                          }
                          if (decision != "allow")
                              return ConsentPage(400, client, request, scope, "Choose Allow or Deny.");
                          Result<domain::Principal> signer = Fail(ErrorCode::kUnauthorized, "");
                          if (const std::string form_token = Field(*form, "form_token"); !form_token.empty()) {
                              // Signed in by a link: this browser's session, and the form its page gave it.
                              const std::string session = CookieOf(ctx.req, kSessionCookie);
                              signer = s.oauth.SignedIn(session);
                              if (!signer || !SameSecret(form_token, domain::OAuthService::FormTokenOf(session))) {
                                  return ConsentPage(401, client, request, scope,
                                                     "The sign-in has expired: open a new sign-in link, or use a key.");
                              }
                          } else {
                              signer = s.keys.Authenticate(Field(*form, "api_key"));
                              if (!signer) {
                                  return ConsentPage(401, client, request, scope,
                                                     "That is not a valid API key: use an owner or admin key.");
                              }
                          }
                          auto code = s.oauth.Approve(request, *signer, McpResource(base));
                          if (!code && code.error().error == "access_denied") {
                              return ConsentPage(403, client, request, scope, code.error().description);
                          }
                          if (!code) return ErrorPage(500, "the sign-in could not be recorded; try again");
                          return RedirectTo(request, {{"code", *code}}, base);
                      },
                      Access::kPublic};
    consent.body_limit = kFormLimit;
    consent.address_limit_per_minute = kSignInsPerMinute;
    consent.blocking = true;
    routes.push_back(std::move(consent));

    // A sign-in link from `parley login-link`. Opening it shows a button rather than signing in at
    // once: a link preview that fetches it must not use it up.
    RouteSpec link_page{"GET", "/oauth/sign-in",
                        [](Ctx& ctx) {
                            const std::string token(ctx.Query("token").value_or(""));
                            if (token.empty()) return ErrorPage(400, "the link has no token");
                            return Page(200,
                                        "<h1>Sign in to Parley</h1><p>This one-time link signs this browser in "
                                        "to approve an assistant's access to your organization.</p>"
                                        R"(<form method="post" action="/oauth/sign-in">)"
                                        R"(<input type="hidden" name="token" value=")" +
                                            Html(token) +
                                            R"("><button type="submit" id="continue">Continue</button></form>)");
                        },
                        Access::kPublic};
    link_page.address_limit_per_minute = kSignInsPerMinute;
    routes.push_back(std::move(link_page));

    RouteSpec link_open{"POST", "/oauth/sign-in",
                        [&s](Ctx& ctx) {
                            auto form = SignInForm(ctx.req);
                            if (!form) return std::move(form.error());
                            auto session = s.oauth.OpenSignInLink(Field(*form, "token"));
                            if (!session) {
                                return ErrorPage(session.error().code == ErrorCode::kUnauthorized ? 401 : 500,
                                                 session.error().code == ErrorCode::kUnauthorized
                                                     ? session.error().message
                                                     : "the sign-in could not be recorded; try again");
                            }
                            const std::string base = PublicBaseUrl(ctx.req, s.recordings.public_url);
                            const std::string cookie = SetCookie(kSessionCookie, *session,
                                                                 domain::OAuthService::kSignInSessionMs / 1000, base);
                            // Back to the request this browser was asked to approve, when it remembers one.
                            std::string path;
                            http::Fields pending;
                            if (http::ParseTarget("/?q=" + CookieOf(ctx.req, kPendingCookie), path, pending) &&
                                !pending.empty() && !pending[0].second.empty()) {
                                return http::Response{303,
                                                      "text/plain",
                                                      {{"Location", base + "/oauth/authorize?" + pending[0].second},
                                                       {"Cache-Control", "no-store"},
                                                       {"Set-Cookie", cookie},
                                                       {"Set-Cookie", SetCookie(kPendingCookie, "", 0, base)}},
                                                      ""};
                            }
                            auto page = Page(200, R"(<h1 id="signed_in">You are signed in to Parley</h1>)"
                                                  "<p>Go back to the page that asked you to sign in and reload it. "
                                                  "The sign-in lasts an hour.</p>");
                            page.headers.emplace_back("Set-Cookie", cookie);
                            return page;
                        },
                        Access::kPublic};
    link_open.body_limit = kFormLimit;
    link_open.address_limit_per_minute = kSignInsPerMinute;
    link_open.blocking = true;
    routes.push_back(std::move(link_open));

    RouteSpec token{"POST", "/oauth/token",
                    [&s](Ctx& ctx) {
                        auto form = FormOf(ctx.req);
                        if (!form)
                            return OAuthErrorResponse({"invalid_request", "the body must be a form, each field once"});
                        const std::string grant_type = Field(*form, "grant_type");
                        const std::string client_id = Field(*form, "client_id");
                        auto client = s.oauth.Client(client_id);
                        if (!client || !*client) {
                            return OAuthErrorResponse({"invalid_client", "unknown client_id"}, 401);
                        }
                        domain::OAuthResult<domain::IssuedTokens> issued;
                        if (grant_type == "authorization_code") {
                            issued = s.oauth.ExchangeCode(Field(*form, "code"), client_id, Field(*form, "redirect_uri"),
                                                          Field(*form, "code_verifier"), Field(*form, "resource"));
                        } else if (grant_type == "refresh_token") {
                            issued = s.oauth.Refresh(Field(*form, "refresh_token"), client_id);
                        } else {
                            return OAuthErrorResponse(
                                {"unsupported_grant_type", "grant_type must be authorization_code or refresh_token"});
                        }
                        if (!issued) return OAuthErrorResponse(issued.error());
                        return JsonOf(200, Json{{"access_token", issued->access_token},
                                                {"token_type", "Bearer"},
                                                {"expires_in", issued->expires_in_seconds},
                                                {"refresh_token", issued->refresh_token},
                                                {"scope", issued->scope}});
                    },
                    Access::kPublic};
    token.body_limit = kFormLimit;
    token.address_limit_per_minute = kSignInsPerMinute;
    token.blocking = true;
    routes.push_back(std::move(token));

    routes.push_back({"GET", "/api/v1/oauth/grants",
                      [&s](Ctx& ctx) {
                          return RespondPage(
                              ctx, "grant_",
                              [&](const domain::PageRequest& p) { return s.oauth.ListGrants(ctx.principal, p); },
                              [](const domain::OAuthGrant& g) { return g.id; });
                      },
                      Access::kRead, RateClass::kStandard, BodyKind::kNone, 0, Roles::kManagers});
    routes.push_back({"DELETE", "/api/v1/oauth/grants/:id",
                      [&s](Ctx& ctx) { return Respond(s.oauth.RevokeGrant(ctx.principal, ctx.Param("id")), ctx); },
                      Access::kWrite, RateClass::kStandard, BodyKind::kNone, 0, Roles::kManagers});
}

}  // namespace parley::api
