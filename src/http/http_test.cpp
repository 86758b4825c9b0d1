#include <gtest/gtest.h>

#include "http/message.hpp"
#include "http/metrics.hpp"
#include "http/rate_limiter.hpp"
#include "http/router.hpp"

namespace parley::http {
namespace {

TEST(Router, PrefersLiteralSegmentsOverParameters) {
    Router<int> r;
    r.Add("GET", "/api/v1/contacts/:id", 1);
    r.Add("POST", "/api/v1/contacts/bulk", 2);
    r.Add("POST", "/api/v1/contacts/:id/dnc", 3);
    auto bulk = r.Find("POST", "/api/v1/contacts/bulk");
    ASSERT_TRUE(bulk.route);
    EXPECT_EQ(bulk.route->value, 2);
    auto get = r.Find("GET", "/api/v1/contacts/ct_1");
    ASSERT_TRUE(get.route);
    EXPECT_EQ(get.route->value, 1);
    EXPECT_EQ(get.params, (PathParams{{"id", "ct_1"}}));
    auto dnc = r.Find("POST", "/api/v1/contacts/ct_1/dnc/");
    ASSERT_TRUE(dnc.route);
    EXPECT_EQ(dnc.route->value, 3);
}

TEST(Router, TellsWrongMethodFromUnknownPath) {
    Router<int> r;
    r.Add("GET", "/a/:id", 1);
    r.Add("DELETE", "/a/:id", 2);
    auto wrong = r.Find("PUT", "/a/x");
    EXPECT_FALSE(wrong.route);
    EXPECT_EQ(wrong.allow, "GET, DELETE");
    auto unknown = r.Find("GET", "/b/x");
    EXPECT_FALSE(unknown.route);
    EXPECT_TRUE(unknown.allow.empty());
}

TEST(Target, DecodesPathAndQuery) {
    std::string path;
    Fields query;
    ASSERT_TRUE(ParseTarget("/api/v1/dnc/%2B1202?phone=%2B1%20202&tag=a+b&flag&=x", path, query));
    EXPECT_EQ(path, "/api/v1/dnc/+1202");
    EXPECT_EQ(query, (Fields{{"phone", "+1 202"}, {"tag", "a b"}, {"flag", ""}, {"", "x"}}));
}

TEST(Target, RefusesMalformedEscapesAndNonPaths) {
    std::string path;
    Fields query;
    EXPECT_FALSE(ParseTarget("/a?x=%zz", path, query));
    EXPECT_FALSE(ParseTarget("/a?x=%4", path, query));
    EXPECT_FALSE(ParseTarget("/a%", path, query));
    EXPECT_FALSE(ParseTarget("/a%00b", path, query));
    EXPECT_FALSE(ParseTarget("http://x/a", path, query));
    EXPECT_FALSE(ParseTarget("", path, query));
}

TEST(Cookies, AreReadFromEveryCookieHeaderByExactName) {
    Request req;
    req.headers = {{"cookie", "theme=dark;parley_sign_in_x=no; parley_sign_in=pl_oss_1"},
                   {"cookie", "parley_sign_in=second; empty="}};
    EXPECT_EQ(req.Cookie("parley_sign_in"), "pl_oss_1");
    EXPECT_EQ(req.Cookie("theme"), "dark");
    EXPECT_EQ(req.Cookie("empty"), "");
    EXPECT_EQ(req.Cookie("parley"), std::nullopt);
    EXPECT_EQ(req.Cookie("dark"), std::nullopt);
    req.headers = {{"cookie", ";;  ;="}};
    EXPECT_EQ(req.Cookie("parley_sign_in"), std::nullopt);
}

TEST(RateLimiter, RefusesOverTheMinuteLimitUntilTheNextWindow) {
    RateLimiter limiter;
    const int64_t start = 1'800'000'000'000;  // a minute boundary
    for (int i = 0; i < 10; ++i) {
        auto d = limiter.Take("k", {10, 0}, start + i * 1000);
        ASSERT_TRUE(d.allowed) << i;
        EXPECT_EQ(d.remaining, 9 - i);
        EXPECT_EQ(d.limit, 10);
        EXPECT_EQ(d.reset_epoch_seconds, start / 1000 + 60);
    }
    auto refused = limiter.Take("k", {10, 0}, start + 15'000);
    EXPECT_FALSE(refused.allowed);
    EXPECT_EQ(refused.retry_after_seconds, 45);
    EXPECT_TRUE(limiter.Take("other", {10, 0}, start + 15'000).allowed);
    EXPECT_TRUE(limiter.Take("k", {10, 0}, start + 60'000).allowed);
}

TEST(RateLimiter, BurstLimitAppliesPerSecond) {
    RateLimiter limiter;
    const int64_t start = 1'800'000'000'000;
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(limiter.Take("k", {100, 20}, start).allowed);
    auto burst = limiter.Take("k", {100, 20}, start + 500);
    EXPECT_FALSE(burst.allowed);
    EXPECT_EQ(burst.retry_after_seconds, 1);
    EXPECT_EQ(burst.remaining, 80);
    EXPECT_TRUE(limiter.Take("k", {100, 20}, start + 1000).allowed);
}

TEST(RateLimiter, ZeroMeansUnlimited) {
    RateLimiter limiter;
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(limiter.Take("k", {0, 0}, 0).allowed);
}

TEST(Metrics, RendersCountersAndHistogramsInPrometheusFormat) {
    Metrics m;
    const size_t get = m.Register("GET", "/api/v1/contacts/:id");
    m.Register("POST", "/api/v1/contacts");
    m.Record(get, 200, 0.0007);
    m.Record(get, 200, 0.2);
    m.Record(get, 404, 0.0001);
    m.Record(Metrics::kUnmatched, 404, 0.0001);
    const auto text = m.Render();
    EXPECT_NE(text.find("parley_http_requests_total{method=\"GET\",route=\"/api/v1/contacts/:id\",status=\"200\"} 2"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("parley_http_requests_total{method=\"GET\",route=\"/api/v1/contacts/:id\",status=\"404\"} 1"),
              std::string::npos);
    EXPECT_NE(text.find("parley_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/contacts/:id\","
                        "le=\"0.001\"} 2"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("parley_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/contacts/:id\"} 3"),
              std::string::npos);
    EXPECT_NE(text.find("route=\"unmatched\",status=\"404\"} 1"), std::string::npos);
    EXPECT_EQ(text.find("POST"), std::string::npos) << "series without requests are not shown";
}

}  // namespace
}  // namespace parley::http
