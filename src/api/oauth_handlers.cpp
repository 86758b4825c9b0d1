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
                           {"Referrer-Policy", "no-referrer"},
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

// The consent page: who asks, for what, and the key field.
http::Response ConsentPage(int status, const domain::OAuthClient& client, const domain::AuthorizationRequest& request,
                           const std::string& scope, std::string_view error) {
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
    body +=
        "<label for=\"api_key\">An owner or admin API key of your organization</label>"
        "<input id=\"api_key\" name=\"api_key\" type=\"password\" autocomplete=\"off\" placeholder=\"pl_live_…\">"
        "<button type=\"submit\" name=\"decision\" value=\"allow\" id=\"allow\">Allow</button>"
        "<button type=\"submit\" name=\"decision\" value=\"deny\" id=\"deny\">Deny</button></form>"
        "<p><small>Client id " +
        Html(client.id) + ". The key is used for this sign-in only and is not given to the client.</small></p>";
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

    RouteSpec page{"GET", "/oauth/authorize",
                   [&s](Ctx& ctx) {
                       const auto request = RequestOf(ctx.req.query);
                       const std::string base = PublicBaseUrl(ctx.req, s.recordings.public_url);
                       auto checked = CheckAuthorization(s.oauth, request, base);
                       if (!checked) return std::move(checked.error());
                       return ConsentPage(200, checked->first, request, checked->second, "");
                   },
                   Access::kPublic};
    page.blocking = true;
    page.address_limit_per_minute = kSignInsPerMinute;
    routes.push_back(std::move(page));

    RouteSpec consent{"POST", "/oauth/authorize",
                      [&s](Ctx& ctx) {
                          auto form = FormOf(ctx.req);
                          if (!form) return ErrorPage(400, "the form is malformed");
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
                          auto signer = s.keys.Authenticate(Field(*form, "api_key"));
                          if (!signer) {
                              return ConsentPage(401, client, request, scope,
                                                 "That is not a valid API key: use an owner or admin key.");
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
