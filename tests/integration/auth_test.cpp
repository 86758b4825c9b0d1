#include "support/fixture.hpp"

namespace parley::testing {
namespace {

class AuthApi : public ApiTest {};
PARLEY_BACKENDS(AuthApi);

TEST_P(AuthApi, MissingGarbageAndUnknownKeysAre401) {
    ExpectError(http().Send("GET", "/api/v1/contacts"), 401, "UNAUTHORIZED");
    ExpectError(http().Send("GET", "/api/v1/contacts", "", {{"Authorization", "Bearer"}}), 401, "UNAUTHORIZED");
    ExpectError(http().Send("GET", "/api/v1/contacts", "", {{"Authorization", "Basic dXNlcjpwYXNz"}}), 401,
                "UNAUTHORIZED");
    ExpectError(server_->Client("pl_live_' OR '1'='1").Get("/api/v1/contacts"), 401, "UNAUTHORIZED");
    ExpectError(server_->Client("pl_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").Get("/api/v1/contacts"), 401,
                "UNAUTHORIZED");
    ExpectError(server_->Client(org_.key + "x").Get("/api/v1/contacts"), 401, "UNAUTHORIZED");
    EXPECT_EQ(api().Get("/api/v1/contacts").status, 200);
}

TEST_P(AuthApi, ApiKeysAreCreatedListedByPrefixAndRevoked) {
    auto created = api().Post("/api/v1/api-keys", {{"name", "CRM Integration"}});
    ASSERT_EQ(created.status, 201) << created.body;
    const auto k = created.json()["data"];
    const std::string secret = k["key"];
    EXPECT_TRUE(secret.starts_with("pl_live_"));
    EXPECT_EQ(secret.size(), 40u);
    EXPECT_EQ(k["prefix"], secret.substr(0, 16));
    EXPECT_EQ(k["name"], "CRM Integration");
    EXPECT_EQ(k["permission"], "full");
    EXPECT_EQ(k["role"], "member");
    EXPECT_EQ(server_->Client(secret).Get("/api/v1/contacts").status, 200);

    auto list = api().Get("/api/v1/api-keys");
    ASSERT_EQ(list.status, 200);
    ASSERT_EQ(list.json()["data"].size(), 2u);
    EXPECT_EQ(list.body.find(secret), std::string::npos) << "the full key must never be listed";
    const Json items = list.json()["data"];
    for (const auto& item : items) EXPECT_FALSE(item.contains("key"));

    auto revoked = api().Delete("/api/v1/api-keys/" + k["id"].get<std::string>());
    ASSERT_EQ(revoked.status, 200) << revoked.body;
    EXPECT_EQ(revoked.json()["data"]["status"], "revoked");
    ExpectError(server_->Client(secret).Get("/api/v1/contacts"), 401, "UNAUTHORIZED");
    ExpectError(api().Delete("/api/v1/api-keys/key_nope"), 404, "NOT_FOUND");
}

TEST_P(AuthApi, OnlyOwnersAndAdminsManageKeys) {
    auto member = api().Post("/api/v1/api-keys", {{"name", "member"}}).json()["data"]["key"].get<std::string>();
    ExpectError(server_->Client(member).Get("/api/v1/api-keys"), 403, "FORBIDDEN");
    ExpectError(server_->Client(member).Post("/api/v1/api-keys", {{"name", "x"}}), 403, "FORBIDDEN");
    auto admin = api().Post("/api/v1/api-keys", {{"name", "admin"}, {"role", "admin"}}).json()["data"];
    auto admin_client = server_->Client(admin["key"].get<std::string>());
    EXPECT_EQ(admin_client.Get("/api/v1/api-keys").status, 200);
    ExpectError(admin_client.Post("/api/v1/api-keys", {{"name", "x"}, {"role", "owner"}}), 403, "FORBIDDEN");
    ExpectError(admin_client.Delete("/api/v1/api-keys/" + org_.key_id), 403, "FORBIDDEN");
    EXPECT_EQ(admin_client.Post("/api/v1/api-keys", {{"name", "x"}, {"role", "member"}}).status, 201);
    for (const auto& bad : std::vector<Json>{Json::object(),
                                             {{"name", ""}},
                                             {{"name", "x"}, {"role", "god"}},
                                             {{"name", "x"}, {"permission", "all"}},
                                             {{"name", "x"}, {"mode", "test"}, {"permission", "full"}},
                                             {{"name", "x"}, {"extra", 1}}}) {
        ExpectError(api().Post("/api/v1/api-keys", bad), 400, "VALIDATION_ERROR");
    }
}

TEST_P(AuthApi, PermissionsAreEnforced) {
    auto make = [&](const Json& body) {
        auto res = api().Post("/api/v1/api-keys", body);
        EXPECT_EQ(res.status, 201) << res.body;
        return server_->Client(res.json()["data"]["key"].get<std::string>());
    };
    auto read_only = make({{"name", "ro"}, {"permission", "read_only"}});
    auto write_only = make({{"name", "wo"}, {"permission", "write_only"}});
    auto test = make({{"name", "test"}, {"mode", "test"}});
    EXPECT_TRUE(test.key().starts_with("pl_test_"));

    const Json contact = {{"phone", "+12025550170"}};
    EXPECT_EQ(read_only.Get("/api/v1/contacts").status, 200);
    ExpectError(read_only.Post("/api/v1/contacts", contact), 403, "READ_ONLY");
    EXPECT_EQ(test.Get("/api/v1/contacts").status, 200);
    ExpectError(test.Post("/api/v1/contacts", contact), 403, "TEST_KEY");
    ExpectError(write_only.Get("/api/v1/contacts"), 403, "WRITE_ONLY");
    EXPECT_TRUE(AllContacts().empty());
    auto created = write_only.Post("/api/v1/contacts", contact);
    ASSERT_EQ(created.status, 201) << created.body;
    ExpectError(read_only.Delete("/api/v1/contacts/" + created.json()["data"]["id"].get<std::string>()), 403,
                "READ_ONLY");
    EXPECT_EQ(AllContacts().size(), 1u);
}

TEST_P(AuthApi, IdempotencyKeyReplaysTheFirstResponse) {
    const Json body = {{"phone", "+12025550180"}};
    auto first = api().Post("/api/v1/contacts", body, {{"Idempotency-Key", "req-1"}});
    ASSERT_EQ(first.status, 201) << first.body;
    auto second = api().Post("/api/v1/contacts", body, {{"Idempotency-Key", "req-1"}});
    EXPECT_EQ(second.status, 201);
    EXPECT_EQ(second.body, first.body);
    EXPECT_EQ(second.header("idempotent-replayed"), "true");
    EXPECT_EQ(AllContacts().size(), 1u);

    ExpectError(api().Post("/api/v1/contacts", {{"phone", "+12025550181"}}, {{"Idempotency-Key", "req-1"}}), 409,
                "CONFLICT");
    EXPECT_EQ(AllContacts().size(), 1u);

    // Errors are replayed too, so a retry cannot turn a refusal into a success by accident.
    auto bad = api().Post("/api/v1/contacts", {{"phone", "bad"}}, {{"Idempotency-Key", "req-2"}});
    ExpectError(bad, 400, "VALIDATION_ERROR");
    EXPECT_EQ(api().Post("/api/v1/contacts", {{"phone", "bad"}}, {{"Idempotency-Key", "req-2"}}).body, bad.body);

    ExpectError(api().Post("/api/v1/contacts", body, {{"Idempotency-Key", std::string(300, 'k')}}), 400,
                "VALIDATION_ERROR");
    // Keys belong to an organization: another one may use the same key for its own request.
    auto other = server_->CreateOrg();
    EXPECT_EQ(server_->Client(other.key).Post("/api/v1/contacts", body, {{"Idempotency-Key", "req-1"}}).status, 201);
}

// A probe found that a member key repeating an owner's POST /api-keys (same Idempotency-Key,
// same body) was handed the owner's new admin key: the replay skipped the role check, and the
// stored response, keyed by organization only, held the key in full.
TEST_P(AuthApi, AReplayNeverHandsAnotherKeyTheFirstResponseOrASecret) {
    const Json admin_request = {{"name", "Admin for CRM"}, {"role", "admin"}};
    const std::vector<std::pair<std::string, std::string>> idem = {{"Idempotency-Key", "make-admin"}};
    auto made = api().Post("/api/v1/api-keys", admin_request, idem);
    ASSERT_EQ(made.status, 201) << made.body;
    const std::string admin_secret = made.json()["data"]["key"];
    const std::string admin_id = made.json()["data"]["id"];

    auto key = [&](const Json& body) {
        auto res = api().Post("/api/v1/api-keys", body);
        EXPECT_EQ(res.status, 201) << res.body;
        return server_->Client(res.json()["data"]["key"].get<std::string>());
    };
    auto member = key({{"name", "member"}});
    auto write_only_admin = key({{"name", "write-only admin"}, {"role", "admin"}, {"permission", "write_only"}});

    // The member is refused before any replay, as it is without an Idempotency-Key.
    auto by_member = member.Post("/api/v1/api-keys", admin_request, idem);
    ExpectError(by_member, 403, "FORBIDDEN");
    EXPECT_EQ(by_member.body.find(admin_secret), std::string::npos);
    // An admin key of its own may make keys: the same Idempotency-Key is its own request, and
    // it gets a new key, never the owner's.
    auto by_other_admin = write_only_admin.Post("/api/v1/api-keys", admin_request, idem);
    ASSERT_EQ(by_other_admin.status, 201) << by_other_admin.body;
    EXPECT_TRUE(by_other_admin.header("idempotent-replayed").empty());
    EXPECT_NE(by_other_admin.json()["data"]["id"], admin_id);
    EXPECT_EQ(by_other_admin.body.find(admin_secret), std::string::npos);

    // The owner's own retry replays the first answer, without the secret, which is shown once.
    auto replayed = api().Post("/api/v1/api-keys", admin_request, idem);
    ASSERT_EQ(replayed.status, 201) << replayed.body;
    EXPECT_EQ(replayed.header("idempotent-replayed"), "true");
    EXPECT_EQ(replayed.json()["data"]["id"], admin_id);
    EXPECT_TRUE(replayed.json()["data"]["key"].is_null()) << replayed.body;
    EXPECT_EQ(replayed.body.find(admin_secret), std::string::npos);
    EXPECT_EQ(server_->Client(admin_secret).Get("/api/v1/api-keys").status, 200) << "the first answer's key works";

    // Webhook secrets likewise: a replay of the creation or of a rotation has no secret.
    const Json hook = {{"url", "https://hooks.example.com/parley"}, {"events", {"call.completed"}}};
    auto created = api().Post("/api/v1/webhooks", hook, {{"Idempotency-Key", "make-hook"}});
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string secret = created.json()["data"]["secret"];
    EXPECT_TRUE(secret.starts_with("whsec_"));
    auto hook_again = api().Post("/api/v1/webhooks", hook, {{"Idempotency-Key", "make-hook"}});
    ASSERT_EQ(hook_again.status, 201) << hook_again.body;
    EXPECT_EQ(hook_again.json()["data"]["id"], created.json()["data"]["id"]);
    EXPECT_TRUE(hook_again.json()["data"]["secret"].is_null()) << hook_again.body;
    auto by_member_hook = member.Post("/api/v1/webhooks", hook, {{"Idempotency-Key", "make-hook"}});
    ASSERT_EQ(by_member_hook.status, 201) << by_member_hook.body;
    EXPECT_NE(by_member_hook.json()["data"]["id"], created.json()["data"]["id"]);
    EXPECT_EQ(by_member_hook.body.find(secret), std::string::npos);
    const std::string rotate = "/api/v1/webhooks/" + created.json()["data"]["id"].get<std::string>() + "/rotate-secret";
    auto rotated = api().Send("POST", rotate, "", {{"Idempotency-Key", "rotate-1"}});
    ASSERT_EQ(rotated.status, 200) << rotated.body;
    const std::string new_secret = rotated.json()["data"]["secret"];
    auto rotated_again = api().Send("POST", rotate, "", {{"Idempotency-Key", "rotate-1"}});
    ASSERT_EQ(rotated_again.status, 200) << rotated_again.body;
    EXPECT_EQ(rotated_again.body.find(new_secret), std::string::npos);
}

// The secret that signs a call's own webhook_url is read by a live, full-permission owner or
// admin key only, and reading it never makes one.
TEST_P(AuthApi, OnlyFullOwnerAndAdminKeysReadTheSigningSecret) {
    auto key = [&](const Json& body) {
        auto res = api().Post("/api/v1/api-keys", body);
        EXPECT_EQ(res.status, 201) << res.body;
        return server_->Client(res.json()["data"]["key"].get<std::string>());
    };
    const std::string path = "/api/v1/webhooks/signing-secret";
    ExpectError(key({{"name", "member"}}).Get(path), 403, "FORBIDDEN");
    ExpectError(key({{"name", "wo"}, {"role", "admin"}, {"permission", "write_only"}}).Get(path), 403, "WRITE_ONLY");
    ExpectError(key({{"name", "ro"}, {"role", "admin"}, {"permission", "read_only"}}).Get(path), 403, "READ_ONLY");
    ExpectError(key({{"name", "test"}, {"role", "admin"}, {"mode", "test"}}).Get(path), 403, "TEST_KEY");
    auto by_owner = api().Get(path);
    ASSERT_EQ(by_owner.status, 200) << by_owner.body;
    const std::string secret = by_owner.json()["data"]["secret"];
    EXPECT_TRUE(secret.starts_with("whsec_"));
    auto by_admin = key({{"name", "admin"}, {"role", "admin"}}).Get(path);
    ASSERT_EQ(by_admin.status, 200) << by_admin.body;
    EXPECT_EQ(by_admin.json()["data"]["secret"], secret);
}

class StandardTierApi : public ApiTest {
protected:
    std::string tier() const override { return "standard"; }
};
PARLEY_BACKENDS(StandardTierApi);

TEST_P(StandardTierApi, BulkEndpointsAllowTenRequestsAMinute) {
    const Json body = {{"contacts", {{{"phone", "+12025550190"}}}}};
    int ok = 0;
    HttpResult last;
    for (int i = 0; i < 11; ++i) {
        last = api().Post("/api/v1/contacts/bulk", body);
        if (last.status == 200) ++ok;
        if (last.status == 429) break;
        EXPECT_EQ(last.header("x-ratelimit-limit"), "10");
    }
    // A minute boundary between requests can reset the window once.
    EXPECT_GE(ok, 10);
    if (last.status == 429) {
        ExpectError(last, 429, "RATE_LIMIT_EXCEEDED");
        EXPECT_FALSE(last.header("retry-after").empty());
        EXPECT_EQ(last.header("x-ratelimit-remaining"), "0");
    }
}

TEST_P(StandardTierApi, EveryResponseCarriesRateLimitHeaders) {
    auto res = api().Get("/api/v1/contacts");
    EXPECT_EQ(res.header("x-ratelimit-limit"), "100");
    EXPECT_FALSE(res.header("x-ratelimit-remaining").empty());
    EXPECT_GT(std::stoll(res.header("x-ratelimit-reset")), 1'700'000'000);
    auto error = api().Get("/api/v1/contacts/ct_missing");
    EXPECT_EQ(error.status, 404);
    EXPECT_EQ(error.header("x-ratelimit-limit"), "100");
    auto unauthorized = http().Send("GET", "/api/v1/contacts");
    EXPECT_FALSE(unauthorized.header("x-ratelimit-limit").empty());
}

TEST_P(StandardTierApi, StandardEndpointsRefuseTheRequestAfterTheBurstOrMinuteLimit) {
    int refused = 0;
    HttpResult last;
    for (int i = 0; i < 101 && refused == 0; ++i) {
        last = api().Get("/api/v1/contacts");
        if (last.status == 429) ++refused;
    }
    ASSERT_EQ(refused, 1) << "100 requests a minute (20 a second) is the standard tier";
    ExpectError(last, 429, "RATE_LIMIT_EXCEEDED");
    EXPECT_GE(std::stoi(last.header("retry-after")), 1);
}

TEST(TwoNodes, ShareOneRateLimitPerKeyOnPostgres) {
    if (!PostgresAvailable()) GTEST_SKIP() << "no test PostgreSQL server";
    ParleyServer a(Backend::kPostgres);
    a.Start();
    auto b = ParleyServer::SecondNode(a);
    b->Start();
    auto org = a.CreateOrg("standard");
    const Json body = {{"contacts", {{{"phone", "+12025550190"}}}}};
    // Within one window, a request to node B sees the count node A left (bulk: 10 a minute).
    for (int attempt = 0; attempt < 3; ++attempt) {
        auto first = a.Client(org.key).Post("/api/v1/contacts/bulk", body);
        auto second = b->Client(org.key).Post("/api/v1/contacts/bulk", body);
        ASSERT_EQ(first.status, 200) << first.body;
        ASSERT_EQ(second.status, 200) << second.body;
        if (first.header("x-ratelimit-reset") != second.header("x-ratelimit-reset")) continue;  // a minute ended
        EXPECT_EQ(std::stoi(second.header("x-ratelimit-remaining")),
                  std::stoi(first.header("x-ratelimit-remaining")) - 1);
        return;
    }
    FAIL() << "three minute boundaries in a row";
}

}  // namespace
}  // namespace parley::testing
