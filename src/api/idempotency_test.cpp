#include <gtest/gtest.h>

#include "api/api.hpp"
#include "api/test_api.hpp"

namespace parley::api {
namespace {

http::Request Post(const std::string& key, const std::string& idempotency_key, const std::string& body) {
    http::Request req;
    req.method = "POST";
    req.path = req.target = "/api/v1/contacts";
    req.headers = {
        {"authorization", "Bearer " + key}, {"content-type", "application/json"}, {"idempotency-key", idempotency_key}};
    req.body = body;
    return req;
}

TEST(Idempotency, AKeyLeftUnfinishedByAnotherNodeIsFreedAfterTenMinutes) {
    ManualClock clock(1'800'000'000'000);
    ApiOverSqlite fixture(clock);
    auto org = fixture.keys().CreateOrganization("Acme", domain::Tier::kEnterprise);
    ASSERT_TRUE(org);
    const std::string body = R"({"phone": "+12025550123"})";
    // What a process killed in the middle of the request leaves behind: a claim, no answer.
    ASSERT_TRUE(fixture.store().Write([&](domain::Repos& r) {
        return r.idempotency().Claim({org->first.id, org->second.key.id, "k1"}, "another hash", "another-node",
                                     clock.NowMs());
    }));
    auto req = Post(org->second.secret, "k1", body);
    EXPECT_EQ(fixture.api().Handle(req).status, 409);
    clock.Advance(9 * 60 * 1000);
    req = Post(org->second.secret, "k1", body);
    EXPECT_EQ(fixture.api().Handle(req).status, 409);
    clock.Advance(2 * 60 * 1000);
    req = Post(org->second.secret, "k1", body);
    auto first = fixture.api().Handle(req);
    ASSERT_EQ(first.status, 201) << first.body;
    req = Post(org->second.secret, "k1", body);
    auto replayed = fixture.api().Handle(req);
    EXPECT_EQ(replayed.status, 201);
    EXPECT_EQ(replayed.body, first.body);
}

// A process killed in the middle of a request leaves its claim unfinished; when its node starts
// again it frees its own claims at once, so a client's retry does not wait ten minutes.
TEST(Idempotency, ARestartedNodeFreesItsOwnUnfinishedClaimsAtOnce) {
    ManualClock clock(1'800'000'000'000);
    ApiOverSqlite fixture(clock);
    auto org = fixture.keys().CreateOrganization("Acme", domain::Tier::kEnterprise);
    ASSERT_TRUE(org);
    const std::string body = R"({"phone": "+12025550124"})";
    for (const char* node : {"", "another-node"}) {
        ASSERT_TRUE(fixture.store().Write([&](domain::Repos& r) {
            return r.idempotency().Claim({org->first.id, org->second.key.id, node[0] ? "k2" : "k1"}, "a hash", node,
                                         clock.NowMs());
        }));
    }
    auto released = fixture.api().ReleaseUnfinishedClaims();
    ASSERT_TRUE(released);
    EXPECT_EQ(*released, 1);
    auto req = Post(org->second.secret, "k1", body);
    EXPECT_EQ(fixture.api().Handle(req).status, 201);
    req = Post(org->second.secret, "k2", body);
    EXPECT_EQ(fixture.api().Handle(req).status, 409) << "another node's claim waits for that node";
}

// The claim is marked in the same transaction as the request's work. A process killed after
// the work and before recording the response leaves that mark, so neither the restart nor ten
// minutes frees the key, and the retry is told the request was carried out: it does not create
// a second contact (or place a second call).
TEST(Idempotency, WorkCommittedUnderAKeyIsNeverDoneTwiceEvenWhenItsResponseWasLost) {
    ManualClock clock(1'800'000'000'000);
    ApiOverSqlite fixture(clock);
    auto org = fixture.keys().CreateOrganization("Acme", domain::Tier::kEnterprise);
    ASSERT_TRUE(org);
    auto find = [&](const char* key) {
        auto found = domain::ReadTx(fixture.store(), [&](domain::Repos& r) {
            return r.idempotency().Find({org->first.id, org->second.key.id, key});
        });
        EXPECT_TRUE(found && *found);
        return found && *found ? **found : domain::StoredResponse{};
    };

    auto req = Post(org->second.secret, "refused", R"({"phone": "not a phone"})");
    ASSERT_EQ(fixture.api().Handle(req).status, 400);
    EXPECT_FALSE(find("refused").work_committed) << "a refused request changed nothing";

    const std::string body = R"({"phone": "+12025550125"})";
    req = Post(org->second.secret, "k1", body);
    ASSERT_EQ(fixture.api().Handle(req).status, 201);
    EXPECT_TRUE(find("k1").work_committed);

    // What a kill -9 between the contact's transaction and the response's leaves behind.
    ASSERT_TRUE(fixture.db().Exec("UPDATE idempotency_keys SET status = NULL, response = NULL WHERE idem_key = 'k1'"));
    auto released = fixture.api().ReleaseUnfinishedClaims();
    ASSERT_TRUE(released);
    EXPECT_EQ(*released, 0);
    clock.Advance(11 * 60 * 1000);
    req = Post(org->second.secret, "k1", body);
    auto retry = fixture.api().Handle(req);
    EXPECT_EQ(retry.status, 409);
    EXPECT_NE(retry.body.find("carried out"), std::string::npos) << retry.body;

    http::Request list;
    list.method = "GET";
    list.path = list.target = "/api/v1/contacts";
    list.headers = {{"authorization", "Bearer " + org->second.secret}};
    auto contacts = fixture.api().Handle(list);
    ASSERT_EQ(contacts.status, 200);
    EXPECT_EQ(domain::Json::parse(contacts.body)["data"].size(), 1u) << contacts.body;
}

}  // namespace
}  // namespace parley::api
