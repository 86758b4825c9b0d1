#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "support/parley_server.hpp"

namespace parley::testing {

// A test for one backend, skipped on PostgreSQL when the test command started no server for it.
class BackendTest : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override {
        if (GetParam() == Backend::kPostgres && !PostgresAvailable()) {
            GTEST_SKIP() << "no test PostgreSQL server (run the suite with scripts/test.sh)";
        }
    }
};

// A test against the shared server of one backend, as a new organization of its own.
class ApiTest : public BackendTest {
protected:
    void SetUp() override {
        BackendTest::SetUp();
        if (IsSkipped()) return;
        server_ = &ParleyServer::Shared(GetParam());
        org_ = server_->CreateOrg(tier());
    }
    virtual std::string tier() const { return "enterprise"; }

    ApiClient api() const { return server_->Client(org_.key); }
    const HttpClient& http() const { return server_->http(); }

    // Every contact of the organization, read through the paginated list.
    std::vector<Json> AllContacts(const std::string& query = "") const {
        std::vector<Json> out;
        std::string cursor;
        for (int guard = 0; guard < 10'000; ++guard) {
            std::string target = "/api/v1/contacts?limit=100" + query;
            if (!cursor.empty()) target += "&cursor=" + cursor;
            auto res = api().Get(target);
            EXPECT_EQ(res.status, 200) << res.body;
            auto j = res.json();
            for (auto& c : j["data"]) out.push_back(c);
            if (!j["meta"]["has_more"].get<bool>()) break;
            cursor = j["meta"]["next_cursor"].get<std::string>();
        }
        return out;
    }

    ParleyServer* server_ = nullptr;
    OrgKey org_;
};

// A test on a server of its own, started with ServerArgs() for options the shared server does not
// have or to be stopped and restarted, as a new organization on it.
class OwnServerTest : public BackendTest {
protected:
    void SetUp() override {
        BackendTest::SetUp();
        if (IsSkipped()) return;
        StartServer(ServerArgs());
    }
    // Options of `parley serve` beyond the storage ones.
    virtual std::vector<std::string> ServerArgs() const { return {}; }

    // Starts a new server with `args` and creates the organization; SetUp does it with ServerArgs().
    void StartServer(const std::vector<std::string>& args) {
        server_ = std::make_unique<ParleyServer>(GetParam(), args);
        server_->Start();
        org_ = server_->CreateOrg();
    }
    ApiClient api() const { return server_->Client(org_.key); }

    std::unique_ptr<ParleyServer> server_;
    OrgKey org_;
};

// Checks the error envelope of seed 000: {"success": false, "error": {"code", "message"}}.
inline void ExpectError(const HttpResult& res, int status, const std::string& code) {
    EXPECT_EQ(res.status, status) << res.body;
    auto j = res.json();
    ASSERT_TRUE(j.is_object()) << res.body;
    EXPECT_EQ(j["success"], false) << res.body;
    EXPECT_EQ(j["error"]["code"], code) << res.body;
    EXPECT_TRUE(j["error"]["message"].is_string() && !j["error"]["message"].get<std::string>().empty()) << res.body;
}

#define PARLEY_BACKENDS(Suite)                                                                         \
    INSTANTIATE_TEST_SUITE_P(                                                                          \
        Backends, Suite,                                                                               \
        ::testing::Values(::parley::testing::Backend::kSqlite, ::parley::testing::Backend::kPostgres), \
        [](const auto& info) { return ::parley::testing::BackendName(info.param); })

}  // namespace parley::testing
