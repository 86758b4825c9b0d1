#include <gtest/gtest.h>

#include "api/api.hpp"
#include "api/test_api.hpp"

namespace parley::api {
namespace {

http::Request Post(const std::string& key, const std::string& idempotency_key, const std::string& body) {
    http::Request req;
    req.method = "POST";
    req.path = req.target = "/api/v1/contacts";
    req.headers = {{"authorization", "Bearer " + key},
                   {"content-type", "application/json"},
                   {"idempotency-key", idempotency_key}};
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

}  // namespace
}  // namespace parley::api
