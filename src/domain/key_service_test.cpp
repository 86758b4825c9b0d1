#include "domain/key_service.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "store/temp_store.hpp"

namespace parley::domain {
namespace {

class KeyServiceTest : public ::testing::Test {
protected:
    ManualClock clock_{1'800'000'000'000};
    store::TempSqliteStore temp_{"keys"};
    store::Database* db_ = &temp_.db();
    domain::Store* store_ = &temp_.store();
};

TEST_F(KeyServiceTest, NewOrganizationGetsAWorkingOwnerKey) {
    KeyService keys(*store_, clock_);
    auto created = keys.CreateOrganization("Acme", Tier::kProfessional);
    ASSERT_TRUE(created) << created.error().message;
    const auto& [org, key] = *created;
    EXPECT_TRUE(key.secret.starts_with("pl_live_"));
    auto who = keys.Authenticate(key.secret);
    ASSERT_TRUE(who);
    EXPECT_EQ(who->org_id, org.id);
    EXPECT_EQ(who->role, Role::kOwner);
    EXPECT_EQ(who->tier, Tier::kProfessional);
    EXPECT_EQ(who->permission, Permission::kFull);
}

TEST_F(KeyServiceTest, OnlyTheHashIsStored) {
    KeyService keys(*store_, clock_);
    auto created = keys.CreateOrganization("Acme", Tier::kStandard);
    ASSERT_TRUE(created);
    auto rows = db_->Query("SELECT * FROM api_keys");
    ASSERT_TRUE(rows);
    for (const auto& row : *rows) {
        for (const auto& v : row) EXPECT_EQ(v.AsText().find(created->second.secret), std::string::npos);
    }
}

TEST_F(KeyServiceTest, RevokedHereStopsAtOnceRevokedElsewhereWithinTheCacheTime) {
    KeyService keys(*store_, clock_);
    KeyService other_node(*store_, clock_);
    auto created = keys.CreateOrganization("Acme", Tier::kStandard);
    ASSERT_TRUE(created);
    const auto& secret = created->second.secret;
    ASSERT_TRUE(keys.Authenticate(secret));
    ASSERT_TRUE(other_node.Authenticate(secret));
    ASSERT_TRUE(keys.Revoke(created->first.id, created->second.key.id));
    EXPECT_FALSE(keys.Authenticate(secret));
    EXPECT_TRUE(other_node.Authenticate(secret)) << "trusted from its cache";
    clock_.Advance(KeyService::kDefaultCacheMs);
    auto after = other_node.Authenticate(secret);
    ASSERT_FALSE(after);
    EXPECT_EQ(after.error().code, ErrorCode::kUnauthorized);
}

TEST_F(KeyServiceTest, MalformedKeysNeverReachTheDatabase) {
    KeyService keys(*store_, clock_);
    for (const char* bad : {"", "pl_live_", "pl_live_short", "ps_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                            "pl_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'", "pl_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}) {
        auto r = keys.Authenticate(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, ErrorCode::kUnauthorized);
    }
}

TEST_F(KeyServiceTest, TestKeysAreReadOnly) {
    KeyService keys(*store_, clock_);
    auto created = keys.CreateOrganization("Acme", Tier::kStandard);
    ASSERT_TRUE(created);
    auto bad = keys.CreateKey(created->first.id, KeyRequest{"t", KeyMode::kTest, Permission::kFull, Role::kMember});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::kValidation);
    auto ok = keys.CreateKey(created->first.id, KeyRequest{"t", KeyMode::kTest, Permission::kReadOnly, Role::kMember});
    ASSERT_TRUE(ok);
    EXPECT_TRUE(ok->secret.starts_with("pl_test_"));
}

}  // namespace
}  // namespace parley::domain
