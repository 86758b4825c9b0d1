#include <gtest/gtest.h>

#include "api/api.hpp"
#include "api/test_api.hpp"
#include "common/crypto.hpp"

namespace parley::api {
namespace {

http::Request Link(const std::string& call_id, int64_t expires, const std::string& signing_key) {
    http::Request req;
    req.method = "GET";
    req.path = "/api/v1/recordings/" + call_id;
    const std::string signature = HexEncode(HmacSha256(signing_key, call_id + "." + std::to_string(expires)));
    req.target = req.path + "?expires=" + std::to_string(expires) + "&signature=" + signature;
    EXPECT_TRUE(http::ParseTarget(req.target, req.path, req.query));
    return req;
}

// A recording link expires by the server's clock, not the machine's wall clock: at the clock's
// November 2023 a link that ends in June 2025 is still good (the recording is simply absent
// here), whatever year the machine says it is, and one that ended in July 2023 is refused.
TEST(RecordingLinks, ExpireByTheServersClock) {
    ManualClock clock(1'700'000'000'000);  // 2023-11-14
    ApiOverSqlite fixture(clock);
    const std::string call = "call_01m94kwh7r3e1fdeed8hwt80g5";
    auto current = Link(call, 1'750'000'000, "test-key");  // 2025-06-15
    auto res = fixture.api().Handle(current);
    EXPECT_EQ(res.status, 404) << res.body;
    auto expired = Link(call, 1'690'000'000, "test-key");  // 2023-07-22
    res = fixture.api().Handle(expired);
    EXPECT_EQ(res.status, 401) << res.body;
    EXPECT_NE(res.body.find("expired"), std::string::npos) << res.body;
    clock.Advance(60'000'000'000LL);  // to 2025-09, past the first link's end
    current = Link(call, 1'750'000'000, "test-key");
    res = fixture.api().Handle(current);
    EXPECT_EQ(res.status, 401) << res.body;
}

}  // namespace
}  // namespace parley::api
