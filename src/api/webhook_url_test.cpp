#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "api/api.hpp"
#include "api/test_api.hpp"

namespace parley::api {
namespace {

// A resolver that holds every lookup of slow.example until the test lets it go (or 20 s pass,
// which only a regression waits for).
class HeldResolver {
public:
    net::HostResolver resolver() {
        return [this](const std::string& host) -> Result<std::vector<std::string>> {
            if (host != "slow.example") return net::ResolveHost(host);
            std::unique_lock lock(mutex_);
            ++waiting_;
            changed_.notify_all();
            if (!changed_.wait_for(lock, std::chrono::seconds(20), [this] { return released_; })) timed_out_ = true;
            return std::vector<std::string>{"93.184.216.34"};
        };
    }
    void AwaitLookups(int n) {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return waiting_ >= n; });
    }
    void Release() {
        std::lock_guard lock(mutex_);
        released_ = true;
        changed_.notify_all();
    }
    bool timed_out() {
        std::lock_guard lock(mutex_);
        return timed_out_;
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    int waiting_ = 0;
    bool released_ = false;
    bool timed_out_ = false;
};

http::Request Post(const std::string& key, const std::string& path, const std::string& body) {
    http::Request req;
    req.method = "POST";
    req.path = req.target = path;
    req.headers = {{"authorization", "Bearer " + key}, {"content-type", "application/json"}};
    req.body = body;
    return req;
}

// Checking a webhook URL resolves its host, which can take seconds. It happens before the
// request's transaction opens: on SQLite a transaction holds the only writer, so a slow resolver
// inside one would stall every write of every organization.
TEST(WebhookUrls, ASlowResolverHoldsNoTransactionWhileOtherWritesGoOn) {
    HeldResolver held;
    ApiOverSqlite fixture(SystemClock::Shared(), net::WebhookUrlPolicy{false, held.resolver()});
    auto org = fixture.keys().CreateOrganization("Acme", domain::Tier::kEnterprise);
    ASSERT_TRUE(org);
    const std::string key = org->second.secret;
    auto make_profile = Post(key, "/api/v1/profiles", R"({"name": "Sales", "opener": "Do you have a minute?"})");
    auto profile = fixture.api().Handle(make_profile);
    ASSERT_EQ(profile.status, 201) << profile.body;
    const std::string profile_id = domain::Json::parse(profile.body)["data"]["id"];

    http::Response hook;
    http::Response call;
    std::thread hook_thread([&] {
        auto req =
            Post(key, "/api/v1/webhooks", R"({"url": "https://slow.example/hook", "events": ["call.completed"]})");
        hook = fixture.api().Handle(req);
    });
    std::thread call_thread([&] {
        auto req = Post(key, "/api/v1/calls",
                        R"({"profile_id": ")" + profile_id +
                            R"(", "phone": "+12025550104", "webhook_url": "https://slow.example/call"})");
        call = fixture.api().Handle(req);
    });
    held.AwaitLookups(2);
    auto req = Post(key, "/api/v1/contacts", R"({"phone": "+12025550123"})");
    const auto contact = fixture.api().Handle(req);
    EXPECT_EQ(contact.status, 201) << contact.body;
    EXPECT_FALSE(held.timed_out()) << "the contact's write waited for the lookups";
    held.Release();
    hook_thread.join();
    call_thread.join();
    EXPECT_FALSE(held.timed_out());
    EXPECT_EQ(hook.status, 201) << hook.body;
    // The sandbox is absent in these tests; the call is refused after its URL was accepted.
    EXPECT_EQ(domain::Json::parse(call.body)["error"]["details"].dump().find("webhook_url"), std::string::npos)
        << call.body;
}

// A host that resolves to a forbidden address is refused, whichever resolver answers.
TEST(WebhookUrls, AHostThatResolvesToAPrivateAddressIsRefused) {
    ApiOverSqlite fixture(SystemClock::Shared(),
                          net::WebhookUrlPolicy{false, [](const std::string&) -> Result<std::vector<std::string>> {
                                                    return std::vector<std::string>{"10.0.0.7"};
                                                }});
    auto org = fixture.keys().CreateOrganization("Acme", domain::Tier::kEnterprise);
    ASSERT_TRUE(org);
    auto req = Post(org->second.secret, "/api/v1/webhooks",
                    R"({"url": "https://inside.example/hook", "events": ["call.completed"]})");
    const auto res = fixture.api().Handle(req);
    EXPECT_EQ(res.status, 400) << res.body;
    EXPECT_NE(res.body.find("10.0.0.7"), std::string::npos) << res.body;
}

}  // namespace
}  // namespace parley::api
