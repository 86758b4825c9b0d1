#include <gtest/gtest.h>

#include <map>
#include <string>

#include "api/api.hpp"
#include "api/test_api.hpp"
#include "common/crypto.hpp"
#include "domain/oauth_service.hpp"

namespace parley::api {
namespace {

using domain::Json;
using OAuthServiceLimits = domain::OAuthService;

constexpr int64_t kStart = 1'800'000'000'000;
constexpr std::string_view kVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-abc";
constexpr std::string_view kRedirect = "http://127.0.0.1:33418/callback";

std::string Challenge(std::string_view verifier) {
    const std::string hex = Sha256Hex(verifier);
    std::string raw;
    for (size_t i = 0; i < hex.size(); i += 2) raw += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    return Base64UrlEncode(raw);
}

std::string Form(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string out;
    for (const auto& [k, v] : fields) out += (out.empty() ? "" : "&") + k + "=" + http::PercentEncode(v);
    return out;
}

// A query parameter of a Location header.
std::string Param(const std::string& location, const std::string& name) {
    const auto q = location.find('?');
    if (q == std::string::npos) return "";
    http::Request probe;
    std::string path;
    if (!http::ParseTarget("/" + location.substr(q), path, probe.query)) return "";
    return std::string(probe.Query(name).value_or(""));
}

class OAuthFlow : public ::testing::Test {
protected:
    OAuthFlow() : fixture_(clock_) {
        auto org = fixture_.keys().CreateOrganization("Acme", domain::Tier::kEnterprise);
        EXPECT_TRUE(org);
        org_id_ = org->first.id;
        owner_ = org->second.secret;
        owner_id_ = org->second.key.id;
    }

    http::Response Send(const std::string& method, const std::string& target, const std::string& body = "",
                        http::Fields headers = {}) {
        http::Request req;
        req.method = method;
        req.target = target;
        EXPECT_TRUE(http::ParseTarget(target, req.path, req.query));
        req.headers = {{"host", "parley.test"}};
        for (auto& h : headers) req.headers.push_back(std::move(h));
        if (!body.empty()) req.headers.emplace_back("content-length", std::to_string(body.size()));
        req.body = body;
        req.remote_address = "127.0.0.1";
        return fixture_.api().Handle(req);
    }

    static std::string Header(const http::Response& res, std::string_view name) {
        for (const auto& [k, v] : res.headers) {
            if (k == name) return v;
        }
        return "";
    }

    std::string Key(domain::Permission permission, domain::Role role, domain::KeyMode mode = domain::KeyMode::kLive) {
        auto key = fixture_.keys().CreateKey(org_id_, {"k", mode, permission, role});
        EXPECT_TRUE(key);
        return key->secret;
    }

    std::string Register(const std::string& name = "Claude") {
        auto res = Send("POST", "/oauth/register",
                        Json{{"redirect_uris", {kRedirect}},
                             {"client_name", name},
                             {"token_endpoint_auth_method", "none"},
                             {"logo_uri", "https://example.com/logo.png"}}
                            .dump(),
                        {{"content-type", "application/json"}});
        EXPECT_EQ(res.status, 201) << res.body;
        return Json::parse(res.body).value("client_id", "");
    }

    std::vector<std::pair<std::string, std::string>> AuthorizeFields(const std::string& client,
                                                                     std::string scope = "") {
        return {{"response_type", "code"},
                {"client_id", client},
                {"redirect_uri", std::string(kRedirect)},
                {"code_challenge", Challenge(kVerifier)},
                {"code_challenge_method", "S256"},
                {"scope", std::move(scope)},
                {"state", "xyz 1"},
                {"resource", "http://parley.test/mcp"}};
    }

    // The consent form sent with `key` and `decision`; the answer.
    http::Response Consent(const std::string& client, const std::string& key, const std::string& decision = "allow",
                           const std::string& scope = "") {
        auto fields = AuthorizeFields(client, scope);
        fields.emplace_back("api_key", key);
        fields.emplace_back("decision", decision);
        return Send("POST", "/oauth/authorize", Form(fields), {{"content-type", "application/x-www-form-urlencoded"}});
    }

    http::Response Token(const std::vector<std::pair<std::string, std::string>>& fields) {
        return Send("POST", "/oauth/token", Form(fields), {{"content-type", "application/x-www-form-urlencoded"}});
    }

    // The code an allowed consent redirected with, exchanged: the tokens' JSON.
    Json Exchange(const http::Response& consent, const std::string& client) {
        EXPECT_EQ(consent.status, 302) << consent.body;
        const std::string code = Param(Header(consent, "Location"), "code");
        auto res = Token({{"grant_type", "authorization_code"},
                          {"code", code},
                          {"redirect_uri", std::string(kRedirect)},
                          {"client_id", client},
                          {"code_verifier", std::string(kVerifier)}});
        EXPECT_EQ(res.status, 200) << res.body;
        return Json::parse(res.body, nullptr, false);
    }

    // A whole sign-in: the tokens' JSON.
    Json SignIn(const std::string& client, const std::string& key, const std::string& scope = "") {
        return Exchange(Consent(client, key, "allow", scope), client);
    }

    // initialize on /mcp with a bearer token: the HTTP status.
    int McpStatus(const std::string& token) {
        return Send("POST", "/mcp",
                    R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25"}})",
                    {{"authorization", "Bearer " + token}, {"content-type", "application/json"}})
            .status;
    }

    // A tool call over /mcp with `token`: the tool result.
    Json Tool(const std::string& token, const std::string& name, const Json& arguments) {
        auto init = Send("POST", "/mcp",
                         R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25"}})",
                         {{"authorization", "Bearer " + token}, {"content-type", "application/json"}});
        EXPECT_EQ(init.status, 200) << init.body;
        const Json call = {{"jsonrpc", "2.0"},
                           {"id", 2},
                           {"method", "tools/call"},
                           {"params", {{"name", name}, {"arguments", arguments}}}};
        auto res = Send("POST", "/mcp", call.dump(),
                        {{"authorization", "Bearer " + token},
                         {"content-type", "application/json"},
                         {"mcp-session-id", Header(init, "Mcp-Session-Id")}});
        EXPECT_EQ(res.status, 200) << res.body;
        return Json::parse(res.body).value("result", Json());
    }

    ManualClock clock_{kStart};
    ApiOverSqlite fixture_;
    std::string org_id_;
    std::string owner_;
    std::string owner_id_;
};

TEST_F(OAuthFlow, MetadataAndTheChallengeTellAClientWhereToSignIn) {
    auto unauthorized =
        Send("POST", "/mcp", R"({"jsonrpc":"2.0","id":1,"method":"ping"})", {{"content-type", "application/json"}});
    EXPECT_EQ(unauthorized.status, 401);
    EXPECT_EQ(Header(unauthorized, "WWW-Authenticate"),
              R"(Bearer resource_metadata="http://parley.test/.well-known/oauth-protected-resource/mcp")");
    for (const char* path : {"/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"}) {
        auto res = Send("GET", path);
        ASSERT_EQ(res.status, 200) << res.body;
        const Json doc = Json::parse(res.body);
        EXPECT_EQ(doc["resource"], "http://parley.test/mcp");
        EXPECT_EQ(doc["authorization_servers"], Json::array({"http://parley.test"}));
    }
    auto as = Json::parse(Send("GET", "/.well-known/oauth-authorization-server").body);
    EXPECT_EQ(as["issuer"], "http://parley.test");
    EXPECT_EQ(as["token_endpoint"], "http://parley.test/oauth/token");
    EXPECT_EQ(as["registration_endpoint"], "http://parley.test/oauth/register");
    EXPECT_EQ(as["code_challenge_methods_supported"], Json::array({"S256"}));
}

TEST_F(OAuthFlow, RegistrationTakesPublicClientsWithSafeRedirectUris) {
    EXPECT_TRUE(Register().starts_with("oac_"));
    auto refused = [&](const Json& body, const std::string& error) {
        auto res = Send("POST", "/oauth/register", body.dump(), {{"content-type", "application/json"}});
        EXPECT_EQ(res.status, 400) << body.dump();
        EXPECT_EQ(Json::parse(res.body).value("error", ""), error) << res.body;
    };
    refused({{"redirect_uris", {"http://evil.example/cb"}}}, "invalid_redirect_uri");
    refused({{"redirect_uris", {"https://app.example/cb#frag"}}}, "invalid_redirect_uri");
    refused({{"redirect_uris", {"javascript:alert(1)"}}}, "invalid_redirect_uri");
    refused({{"redirect_uris", Json::array()}}, "invalid_redirect_uri");
    refused({{"client_name", "x"}}, "invalid_redirect_uri");
    refused({{"redirect_uris", {"https://claude.ai/api/mcp/auth_callback"}},
             {"token_endpoint_auth_method", "client_secret_basic"}},
            "invalid_client_metadata");
    refused({{"redirect_uris", {"https://claude.ai/cb"}}, {"grant_types", {"password"}}}, "invalid_client_metadata");
    auto not_json =
        Send("POST", "/oauth/register", "redirect_uris=x", {{"content-type", "application/x-www-form-urlencoded"}});
    EXPECT_EQ(not_json.status, 400);
}

TEST_F(OAuthFlow, TheSignInPageNamesTheClientAndRefusesWhatItMustNotRedirect) {
    const std::string client = Register("<script>alert(1)</script> Assistant");
    const std::string query = "/oauth/authorize?" + Form(AuthorizeFields(client, "read"));
    auto page = Send("GET", query);
    ASSERT_EQ(page.status, 200) << page.body;
    EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
    EXPECT_NE(page.body.find("&lt;script&gt;alert(1)&lt;/script&gt; Assistant"), std::string::npos);
    EXPECT_EQ(page.body.find("<script>"), std::string::npos);
    EXPECT_NE(page.body.find("<strong id=\"scope\">read</strong>"), std::string::npos);
    EXPECT_EQ(Header(page, "X-Frame-Options"), "DENY");

    // An unknown client or an unregistered redirect URI: an error page, nothing sent to the URI.
    auto fields = AuthorizeFields("oac_unknown");
    EXPECT_EQ(Send("GET", "/oauth/authorize?" + Form(fields)).status, 400);
    fields = AuthorizeFields(client);
    fields[2].second = "http://127.0.0.1:1/other";
    auto other = Send("GET", "/oauth/authorize?" + Form(fields));
    EXPECT_EQ(other.status, 400);
    EXPECT_TRUE(Header(other, "Location").empty());
    // Other faults go back to the client with the error and the state.
    fields = AuthorizeFields(client);
    fields[4].second = "plain";
    auto plain = Send("GET", "/oauth/authorize?" + Form(fields));
    ASSERT_EQ(plain.status, 302);
    EXPECT_EQ(Param(Header(plain, "Location"), "error"), "invalid_request");
    EXPECT_EQ(Param(Header(plain, "Location"), "state"), "xyz 1");
    fields = AuthorizeFields(client, "admin");
    EXPECT_EQ(Param(Header(Send("GET", "/oauth/authorize?" + Form(fields)), "Location"), "error"), "invalid_scope");
    fields = AuthorizeFields(client);
    fields[7].second = "https://elsewhere.example/mcp";
    EXPECT_EQ(Param(Header(Send("GET", "/oauth/authorize?" + Form(fields)), "Location"), "error"), "invalid_target");
}

TEST_F(OAuthFlow, ConsentNeedsALiveOwnerOrAdminKeyAndDenyingSaysSo) {
    const std::string client = Register();
    auto denied = Consent(client, "", "deny");
    ASSERT_EQ(denied.status, 302);
    EXPECT_TRUE(Header(denied, "Location").starts_with(std::string(kRedirect) + "?error=access_denied"));
    EXPECT_EQ(Param(Header(denied, "Location"), "iss"), "http://parley.test");

    EXPECT_EQ(Consent(client, "pl_live_notakeynotakeynotakeynotakeyxx").status, 401);
    EXPECT_EQ(Consent(client, Key(domain::Permission::kFull, domain::Role::kMember)).status, 403);
    EXPECT_EQ(Consent(client, Key(domain::Permission::kWriteOnly, domain::Role::kAdmin)).status, 403);
    EXPECT_EQ(Consent(client, Key(domain::Permission::kReadOnly, domain::Role::kAdmin, domain::KeyMode::kTest)).status,
              403);

    auto allowed = Consent(client, owner_);
    ASSERT_EQ(allowed.status, 302) << allowed.body;
    const std::string location = Header(allowed, "Location");
    EXPECT_FALSE(Param(location, "code").empty());
    EXPECT_EQ(Param(location, "state"), "xyz 1");
    EXPECT_EQ(Param(location, "iss"), "http://parley.test");
}

TEST_F(OAuthFlow, ATokenWorksAtMcpOnlyWithTheGrantedScope) {
    const std::string client = Register();
    const Json tokens = SignIn(client, owner_);
    ASSERT_TRUE(tokens.is_object());
    EXPECT_EQ(tokens["token_type"], "Bearer");
    EXPECT_EQ(tokens["expires_in"], 3600);
    EXPECT_EQ(tokens["scope"], "read write");
    const std::string access = tokens["access_token"];
    EXPECT_TRUE(access.starts_with("pl_oat_"));

    const Json created = Tool(access, "create_contact", {{"phone", "+12025550123"}});
    EXPECT_EQ(created["isError"], false) << created.dump();
    // Not a key for the REST API (RFC 8707: the token is for /mcp).
    auto rest = Send("GET", "/api/v1/contacts", "", {{"authorization", "Bearer " + access}});
    EXPECT_EQ(rest.status, 401);

    // A read-only key grants read only, whatever the client asked.
    const Json read = SignIn(client, Key(domain::Permission::kReadOnly, domain::Role::kAdmin), "read write");
    EXPECT_EQ(read["scope"], "read");
    const Json refused = Tool(read["access_token"], "create_contact", {{"phone", "+12025550124"}});
    EXPECT_EQ(refused["structuredContent"]["error"]["code"], "READ_ONLY");
    EXPECT_EQ(Tool(read["access_token"], "list_contacts", Json::object())["structuredContent"]["data"].size(), 1u);

    // Tokens of another organization see none of this one's data.
    auto other = fixture_.keys().CreateOrganization("Other", domain::Tier::kEnterprise);
    ASSERT_TRUE(other);
    const Json theirs = SignIn(client, other->second.secret);
    EXPECT_EQ(Tool(theirs["access_token"], "list_contacts", Json::object())["structuredContent"]["data"].size(), 0u);

    clock_.Advance(3600 * 1000 + 1);
    EXPECT_EQ(McpStatus(access), 401);
}

TEST_F(OAuthFlow, ACodeIsUsedOnceWithItsVerifierAndAReusedCodeRevokesItsTokens) {
    const std::string client = Register();
    auto code_of = [&] { return Param(Header(Consent(client, owner_), "Location"), "code"); };
    auto exchange = [&](const std::string& code, std::string_view verifier, const std::string& client_id) {
        return Token({{"grant_type", "authorization_code"},
                      {"code", code},
                      {"redirect_uri", std::string(kRedirect)},
                      {"client_id", client_id},
                      {"code_verifier", std::string(verifier)}});
    };
    auto error_of = [](const http::Response& res) { return Json::parse(res.body).value("error", ""); };

    // A wrong verifier uses the code up.
    std::string code = code_of();
    auto wrong = exchange(code, "a-wrong-verifier-a-wrong-verifier-a-wrong-verifier", client);
    EXPECT_EQ(wrong.status, 400);
    EXPECT_EQ(error_of(wrong), "invalid_grant");
    EXPECT_EQ(error_of(exchange(code, kVerifier, client)), "invalid_grant");

    // Another client's code, an expired code.
    const std::string second = Register("Second");
    EXPECT_EQ(error_of(exchange(code_of(), kVerifier, second)), "invalid_grant");
    code = code_of();
    clock_.Advance(10 * 60 * 1000 + 1);
    EXPECT_EQ(error_of(exchange(code, kVerifier, client)), "invalid_grant");

    // A code used twice: the second use fails and the first use's tokens stop working.
    code = code_of();
    auto first = exchange(code, kVerifier, client);
    ASSERT_EQ(first.status, 200) << first.body;
    const std::string access = Json::parse(first.body)["access_token"];
    EXPECT_EQ(McpStatus(access), 200);
    EXPECT_EQ(error_of(exchange(code, kVerifier, client)), "invalid_grant");
    EXPECT_EQ(McpStatus(access), 401);

    EXPECT_EQ(Token({{"grant_type", "password"}, {"client_id", client}}).status, 400);
    EXPECT_EQ(Token({{"grant_type", "authorization_code"}, {"client_id", "oac_nobody"}}).status, 401);
}

TEST_F(OAuthFlow, RefreshTokensRotateAndAReplayedOneEndsTheGrant) {
    const std::string client = Register();
    const Json tokens = SignIn(client, owner_);
    auto refresh = [&](const std::string& token) {
        return Token({{"grant_type", "refresh_token"}, {"refresh_token", token}, {"client_id", client}});
    };
    auto next = refresh(tokens["refresh_token"]);
    ASSERT_EQ(next.status, 200) << next.body;
    const Json rotated = Json::parse(next.body);
    EXPECT_NE(rotated["refresh_token"], tokens["refresh_token"]);
    EXPECT_EQ(McpStatus(rotated["access_token"]), 200);

    // The old refresh token again: refused, and the grant ends with every token of it.
    auto replay = refresh(tokens["refresh_token"]);
    EXPECT_EQ(replay.status, 400);
    EXPECT_EQ(Json::parse(replay.body)["error"], "invalid_grant");
    EXPECT_EQ(McpStatus(rotated["access_token"]), 401);
    EXPECT_EQ(refresh(rotated["refresh_token"]).status, 400);
}

TEST_F(OAuthFlow, ExpiredCodesAndTokensArePurged) {
    const std::string client = Register();
    const Json tokens = SignIn(client, owner_);
    const std::string never_used = Register("Registered and gone");
    auto link = fixture_.oauth().CreateSignInLink(org_id_, "");
    ASSERT_TRUE(link) << link.error().message;
    auto purge = [&] {
        return domain::WriteTx(fixture_.store(), [&](domain::Repos& r) {
            return r.oauth().PurgeExpired(clock_.NowMs(), clock_.NowMs() - OAuthServiceLimits::kUnusedClientMs);
        });
    };
    auto none = purge();
    ASSERT_TRUE(none);
    EXPECT_EQ(*none, 0);
    clock_.Advance(OAuthServiceLimits::kRefreshMs + 1);
    auto purged = purge();
    ASSERT_TRUE(purged);
    EXPECT_EQ(*purged, 5) << "the code, the access and refresh tokens, the sign-in link and the unused client";
    auto refresh =
        Token({{"grant_type", "refresh_token"}, {"refresh_token", tokens["refresh_token"]}, {"client_id", client}});
    EXPECT_EQ(refresh.status, 400);
    // A client with a grant stays registered; the one never used is gone.
    auto page = [&](const std::string& id) {
        return Send("GET", "/oauth/authorize?" + Form(AuthorizeFields(id))).status;
    };
    EXPECT_EQ(page(client), 200);
    EXPECT_EQ(page(never_used), 400);
}

// What a browser does with a sign-in link from `parley login-link`: the consent page remembers
// the request, the link's page waits for a click, the click signs the browser in and goes back
// to the consent page, which then needs no key.
TEST_F(OAuthFlow, ASignInLinkSignsABrowserInOnceAndTheConsentNeedsNoKey) {
    const std::string client = Register();
    auto cookies = [](const http::Response& res) {
        std::map<std::string, std::string> out;
        for (const auto& [k, v] : res.headers) {
            if (k != "Set-Cookie") continue;
            EXPECT_NE(v.find("; HttpOnly; SameSite=Lax"), std::string::npos) << v;
            EXPECT_NE(v.find("; Path=/oauth;"), std::string::npos) << v;
            out[v.substr(0, v.find('='))] = v.substr(v.find('=') + 1, v.find(';') - v.find('=') - 1);
        }
        return out;
    };
    const http::Fields form_type = {{"content-type", "application/x-www-form-urlencoded"}};
    auto with = [](http::Fields headers, const std::string& cookie) {
        headers.emplace_back("cookie", "theme=dark; " + cookie);
        return headers;
    };

    // Links are made for a live owner or admin key of the organization only.
    EXPECT_EQ(fixture_.oauth().CreateSignInLink("org_nobody", "").error().code, ErrorCode::kNotFound);
    const std::string member = Key(domain::Permission::kFull, domain::Role::kMember);
    auto member_id = fixture_.keys().Authenticate(member);
    ASSERT_TRUE(member_id);
    EXPECT_EQ(fixture_.oauth().CreateSignInLink(org_id_, member_id->key_id).error().code, ErrorCode::kValidation);
    EXPECT_EQ(fixture_.oauth().CreateSignInLink(org_id_, "key_nosuch").error().code, ErrorCode::kNotFound);
    auto link = fixture_.oauth().CreateSignInLink(org_id_, "");
    ASSERT_TRUE(link) << link.error().message;
    EXPECT_EQ(link->second.id, owner_id_) << "the organization's owner key by default";
    const std::string token = link->first;
    ASSERT_TRUE(token.starts_with("pl_osl_"));

    // The consent page without a sign-in asks for a key and remembers the request.
    const std::string query = Form(AuthorizeFields(client));
    auto first = Send("GET", "/oauth/authorize?" + query);
    ASSERT_EQ(first.status, 200);
    EXPECT_NE(first.body.find("id=\"api_key\""), std::string::npos);
    const std::string pending = cookies(first).at("parley_oauth_request");
    EXPECT_EQ(pending, http::PercentEncode(query));

    // The link's page does not use the link; a form from another site does not either.
    for (int i = 0; i < 2; ++i) {
        auto page = Send("GET", "/oauth/sign-in?token=" + token);
        ASSERT_EQ(page.status, 200);
        EXPECT_NE(page.body.find("id=\"continue\""), std::string::npos);
    }
    auto forged = form_type;
    forged.emplace_back("origin", "https://evil.example");
    EXPECT_EQ(Send("POST", "/oauth/sign-in", Form({{"token", token}}), forged).status, 403);

    // The click: signed in, and back to the consent page.
    auto opened =
        Send("POST", "/oauth/sign-in", Form({{"token", token}}), with(form_type, "parley_oauth_request=" + pending));
    ASSERT_EQ(opened.status, 303) << opened.body;
    EXPECT_EQ(Header(opened, "Location"), "http://parley.test/oauth/authorize?" + query);
    const std::string session = cookies(opened).at("parley_sign_in");
    ASSERT_TRUE(session.starts_with("pl_oss_"));
    EXPECT_EQ(cookies(opened).at("parley_oauth_request"), "");

    // The link works once.
    auto again = Send("POST", "/oauth/sign-in", Form({{"token", token}}), form_type);
    EXPECT_EQ(again.status, 401);
    EXPECT_NE(again.body.find("unknown, used or expired"), std::string::npos);

    // The consent page knows the browser: no key field, the key it signs in as, a form token.
    auto signed_page = Send("GET", "/oauth/authorize?" + query, "", with({}, "parley_sign_in=" + session));
    ASSERT_EQ(signed_page.status, 200);
    EXPECT_EQ(signed_page.body.find("id=\"api_key\""), std::string::npos);
    EXPECT_NE(signed_page.body.find(owner_id_), std::string::npos);
    const std::string form_token = domain::OAuthService::FormTokenOf(session);
    EXPECT_NE(signed_page.body.find(form_token), std::string::npos);

    auto consent = [&](const std::string& given_token, const std::string& cookie, http::Fields headers) {
        auto fields = AuthorizeFields(client);
        fields.emplace_back("form_token", given_token);
        fields.emplace_back("decision", "allow");
        return Send("POST", "/oauth/authorize", Form(fields), with(std::move(headers), cookie));
    };
    // Without the browser's session, with another form token, or from another site: refused.
    EXPECT_EQ(consent(form_token, "", form_type).status, 401);
    EXPECT_EQ(consent(std::string(64, 'a'), "parley_sign_in=" + session, form_type).status, 401);
    EXPECT_EQ(consent(form_token, "parley_sign_in=" + session, forged).status, 403);
    const Json tokens = Exchange(consent(form_token, "parley_sign_in=" + session, form_type), client);
    EXPECT_EQ(McpStatus(tokens.value("access_token", "")), 200);
    auto grants = Json::parse(Send("GET", "/api/v1/oauth/grants", "", {{"authorization", "Bearer " + owner_}}).body);
    ASSERT_EQ(grants["data"].size(), 1u);
    EXPECT_EQ(grants["data"][0]["granted_by"], owner_id_);

    // A session ends with its key, and after an hour; a link after 15 minutes.
    const std::string admin = Key(domain::Permission::kFull, domain::Role::kAdmin);
    const std::string admin_id = fixture_.keys().Authenticate(admin)->key_id;
    auto admin_link = fixture_.oauth().CreateSignInLink(org_id_, admin_id);
    ASSERT_TRUE(admin_link);
    auto admin_session = fixture_.oauth().OpenSignInLink(admin_link->first);
    ASSERT_TRUE(admin_session);
    EXPECT_TRUE(fixture_.oauth().SignedIn(*admin_session));
    ASSERT_TRUE(fixture_.keys().Revoke(org_id_, admin_id));
    EXPECT_EQ(fixture_.oauth().SignedIn(*admin_session).error().code, ErrorCode::kUnauthorized);
    auto late_link = fixture_.oauth().CreateSignInLink(org_id_, "");
    ASSERT_TRUE(late_link);
    clock_.Advance(OAuthServiceLimits::kSignInLinkMs);
    EXPECT_EQ(fixture_.oauth().OpenSignInLink(late_link->first).error().code, ErrorCode::kUnauthorized);
    EXPECT_TRUE(fixture_.oauth().SignedIn(session));
    clock_.Advance(OAuthServiceLimits::kSignInSessionMs);
    EXPECT_EQ(fixture_.oauth().SignedIn(session).error().code, ErrorCode::kUnauthorized);
    auto expired_page = Send("GET", "/oauth/authorize?" + query, "", with({}, "parley_sign_in=" + session));
    EXPECT_NE(expired_page.body.find("id=\"api_key\""), std::string::npos);
}

TEST_F(OAuthFlow, GrantsAreListedAndRevokedAndEndWithTheKeyThatGaveThem) {
    const std::string client = Register("Claude");
    const Json tokens = SignIn(client, owner_);
    auto list = Send("GET", "/api/v1/oauth/grants", "", {{"authorization", "Bearer " + owner_}});
    ASSERT_EQ(list.status, 200) << list.body;
    const Json grants = Json::parse(list.body)["data"];
    ASSERT_EQ(grants.size(), 1u);
    EXPECT_EQ(grants[0]["client_name"], "Claude");
    EXPECT_EQ(grants[0]["scope"], "read write");
    EXPECT_EQ(grants[0]["granted_by"], owner_id_);
    const std::string id = grants[0]["id"];
    EXPECT_EQ(Send("GET", "/api/v1/oauth/grants", "",
                   {{"authorization", "Bearer " + Key(domain::Permission::kFull, domain::Role::kMember)}})
                  .status,
              403);

    // Another organization cannot see or revoke it.
    auto other = fixture_.keys().CreateOrganization("Other", domain::Tier::kEnterprise);
    ASSERT_TRUE(other);
    EXPECT_EQ(
        Send("DELETE", "/api/v1/oauth/grants/" + id, "", {{"authorization", "Bearer " + other->second.secret}}).status,
        404);
    EXPECT_EQ(McpStatus(tokens["access_token"]), 200);
    auto revoked = Send("DELETE", "/api/v1/oauth/grants/" + id, "", {{"authorization", "Bearer " + owner_}});
    ASSERT_EQ(revoked.status, 200) << revoked.body;
    EXPECT_FALSE(Json::parse(revoked.body)["data"]["revoked_at"].is_null());
    EXPECT_EQ(McpStatus(tokens["access_token"]), 401);

    // Revoking the key that signed in ends its grants.
    const std::string admin = Key(domain::Permission::kFull, domain::Role::kAdmin);
    const Json again = SignIn(client, admin);
    EXPECT_EQ(McpStatus(again["access_token"]), 200);
    auto keys = Json::parse(Send("GET", "/api/v1/api-keys", "", {{"authorization", "Bearer " + owner_}}).body)["data"];
    for (const auto& k : keys) {
        if (k["id"] != owner_id_) {
            ASSERT_EQ(Send("DELETE", "/api/v1/api-keys/" + k["id"].get<std::string>(), "",
                           {{"authorization", "Bearer " + owner_}})
                          .status,
                      200);
        }
    }
    EXPECT_EQ(McpStatus(again["access_token"]), 401);
}

}  // namespace
}  // namespace parley::api
