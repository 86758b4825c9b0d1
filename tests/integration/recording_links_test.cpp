// Recording links really expire: a server of its own hands out links that work for two seconds
// (--recording-link-seconds 2), so the test can watch one stop working and get a new one. This
// test runs on the wall clock by nature: the link's expiry is the server's real time.

#include <chrono>
#include <cstdio>
#include <optional>
#include <thread>

#include "support/calls.hpp"
#include "support/fixture.hpp"
#include "support/seeds.hpp"

namespace parley::testing {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

constexpr int kLinkSeconds = 2;

// "2026-03-23T12:00:00.123Z" as a time point (seconds; the links carry whole seconds).
std::optional<std::chrono::sys_seconds> ParseExpiresAt(const std::string& iso) {
    int y = 0;
    unsigned mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0;
    if (std::sscanf(iso.c_str(), "%d-%u-%uT%u:%u:%u.%uZ", &y, &mo, &d, &h, &mi, &s, &ms) != 7) return std::nullopt;
    const std::chrono::sys_days day{std::chrono::year{y} / std::chrono::month{mo} / std::chrono::day{d}};
    return day + std::chrono::hours{h} + std::chrono::minutes{mi} + seconds{s};
}

// The path of a link's URL, from "/api/v1/recordings/" on (the host part is the request's).
std::string PathOf(const std::string& url) {
    const auto at = url.find("/api/v1/recordings/");
    return at == std::string::npos ? std::string() : url.substr(at);
}

class RecordingLinks : public OwnServerTest {
protected:
    std::vector<std::string> ServerArgs() const override {
        return {"--sandbox-speed", "0", "--recording-link-seconds", std::to_string(kLinkSeconds)};
    }
    void SetUp() override {
        OwnServerTest::SetUp();
        if (IsSkipped()) return;
        profile_ = NewProfile(api());
        ASSERT_FALSE(profile_.empty());
    }

    std::string profile_;
};
PARLEY_BACKENDS(RecordingLinks);

TEST_P(RecordingLinks, ALinkWorksUntilItsExpiryThenSaysSoAndANewOneWorksAgain) {
    // Persona 1 answers and declines: a short call with a recording.
    auto triggered = api().Post("/api/v1/calls", {{"profile_id", profile_}, {"phone", Sandbox(1)}});
    ASSERT_EQ(triggered.status, 201) << triggered.body;
    const std::string id = triggered.json()["data"]["id"];
    const Json call = WaitForEnd(api(), id, seconds(120));
    ASSERT_TRUE(call.is_object());
    ASSERT_EQ(call["status"], "completed") << call.dump();
    ASSERT_EQ(call["has_recording"], true) << call.dump();

    const auto asked_at = system_clock::now();
    auto link = api().Get("/api/v1/calls/" + id + "/recording");
    ASSERT_EQ(link.status, 200) << link.body;
    const Json l = link.json()["data"];
    const auto expires_at = ParseExpiresAt(l["expires_at"].get<std::string>());
    ASSERT_TRUE(expires_at) << l.dump();
    // Two seconds from now, give or take one for the whole seconds of the link and the request.
    const auto expected = asked_at + seconds(kLinkSeconds);
    EXPECT_GE(*expires_at, expected - seconds(1)) << l.dump();
    EXPECT_LE(*expires_at, expected + seconds(1)) << l.dump();
    const std::string path = PathOf(l["url"]);
    ASSERT_FALSE(path.empty()) << l.dump();
    EXPECT_NE(path.find("expires=" + std::to_string(expires_at->time_since_epoch().count())), std::string::npos)
        << path << " vs " << l["expires_at"];

    auto wav = server_->http().Send("GET", path);
    ASSERT_EQ(wav.status, 200) << wav.body.substr(0, 200);
    EXPECT_EQ(wav.header("content-type"), "audio/wav");
    ASSERT_GT(wav.body.size(), 44u);
    EXPECT_EQ(wav.body.substr(0, 4), "RIFF");

    // Time itself is what this waits for, not a condition: more than a second past the expiry,
    // the server's clock has certainly passed it.
    std::this_thread::sleep_until(*expires_at + std::chrono::milliseconds(1500));
    auto expired = server_->http().Send("GET", path);
    ExpectError(expired, 401, "UNAUTHORIZED");
    const Json error = expired.json();
    ASSERT_TRUE(error.is_object()) << expired.body;
    EXPECT_EQ(error["error"]["message"], "recording link has expired; ask for a new one") << expired.body;

    // Asking again gives a new link, which works.
    auto renewed = api().Get("/api/v1/calls/" + id + "/recording");
    ASSERT_EQ(renewed.status, 200) << renewed.body;
    const Json r = renewed.json()["data"];
    const auto renewed_expiry = ParseExpiresAt(r["expires_at"].get<std::string>());
    ASSERT_TRUE(renewed_expiry) << r.dump();
    EXPECT_GT(*renewed_expiry, *expires_at);
    const std::string renewed_path = PathOf(r["url"]);
    EXPECT_NE(renewed_path, path);
    auto again = server_->http().Send("GET", renewed_path);
    ASSERT_EQ(again.status, 200) << again.body.substr(0, 200);
    EXPECT_EQ(again.body, wav.body);
}

}  // namespace
}  // namespace parley::testing
