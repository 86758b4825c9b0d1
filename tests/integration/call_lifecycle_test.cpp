// Stopping, canceling and crashing around live calls, on servers of their own running the sandbox
// in real time with one call at a time, so calls stay ringing or queued long enough to act on.

#include <signal.h>

#include <chrono>
#include <thread>

#include "support/calls.hpp"
#include "support/fixture.hpp"
#include "support/seeds.hpp"

namespace parley::testing {
namespace {

class CallLifecycle : public OwnServerTest {
protected:
    std::vector<std::string> ServerArgs() const override { return {"--sandbox-speed", "1", "--max-calls", "1"}; }
    void SetUp() override {
        OwnServerTest::SetUp();
        if (IsSkipped()) return;
        profile_ = NewProfile(api());
        ASSERT_FALSE(profile_.empty());
    }
    std::string Trigger(int persona) const {
        auto res = api().Post("/api/v1/calls", {{"profile_id", profile_}, {"phone", Sandbox(persona)}});
        EXPECT_EQ(res.status, 201) << res.body;
        return res.json()["data"]["id"];
    }
    Json WaitForStatus(const std::string& id, const std::string& status) const {
        return WaitForCall(
            api(), id, [&](const Json& c) { return c["status"] == status; }, std::chrono::seconds(60));
    }

    std::string profile_;
};
PARLEY_BACKENDS(CallLifecycle);

TEST_P(CallLifecycle, StopHangsUpAnActiveCallAndCancelDropsAQueuedOne) {
    const std::string ringing = Trigger(5);  // nobody answers: rings for 30 s
    ASSERT_TRUE(WaitForStatus(ringing, "ringing").is_object());
    const std::string queued = Trigger(1);  // waits: one call at a time
    // An absence, not a condition to wait for: half a second in which the queued call must not ring.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    EXPECT_EQ(api().Get("/api/v1/calls/" + queued).json()["data"]["status"], "queued");

    // Each action applies to one state only and says why not otherwise.
    ExpectError(api().Post("/api/v1/calls/" + queued + "/stop", Json::object()), 409, "CONFLICT");
    ExpectError(api().Post("/api/v1/calls/" + ringing + "/cancel", Json::object()), 409, "CONFLICT");
    ExpectError(api().Post("/api/v1/calls/call_01jd0000000000000000000000/stop", Json::object()), 404, "NOT_FOUND");

    auto canceled = api().Post("/api/v1/calls/" + queued + "/cancel", Json::object());
    ASSERT_EQ(canceled.status, 200) << canceled.body;
    EXPECT_EQ(canceled.json()["data"]["status"], "canceled");
    ExpectError(api().Post("/api/v1/calls/" + queued + "/cancel", Json::object()), 409, "CONFLICT");

    auto stop = api().Post("/api/v1/calls/" + ringing + "/stop", Json::object());
    ASSERT_EQ(stop.status, 202) << stop.body;
    const Json stopped = WaitForEnd(api(), ringing, std::chrono::seconds(20));
    ASSERT_TRUE(stopped.is_object());
    EXPECT_EQ(stopped["status"], "canceled");
    EXPECT_EQ(stopped["status_history"].back()["reason"], "stopped");

    // The canceled call never rang.
    const Json c = api().Get("/api/v1/calls/" + queued).json()["data"];
    std::vector<std::string> statuses;
    for (const auto& t : c["status_history"]) statuses.push_back(t["status"]);
    EXPECT_EQ(statuses, (std::vector<std::string>{"queued", "canceled"}));
}

TEST_P(CallLifecycle, Kill9DuringACallFailsItOnRestartAndTheQueuedCallStillRuns) {
    const std::string talking = Trigger(0);
    ASSERT_TRUE(WaitForStatus(talking, "in_progress").is_object());
    const std::string queued = Trigger(1);
    EXPECT_EQ(server_->Stop(SIGKILL), 128 + SIGKILL);

    server_->Start();
    auto read = api().Get("/api/v1/calls/" + talking);
    ASSERT_EQ(read.status, 200) << read.body;
    const Json failed = read.json()["data"];
    EXPECT_EQ(failed["status"], "failed") << failed.dump();
    EXPECT_NE(failed["error"].get<std::string>().find("interrupted"), std::string::npos) << failed.dump();
    EXPECT_EQ(failed["analysis"]["disposition"], "failed") << failed.dump();

    // Accepted before the crash, so it is called after it.
    const Json done = WaitForEnd(api(), queued, std::chrono::seconds(90));
    ASSERT_TRUE(done.is_object());
    EXPECT_EQ(done["status"], "completed");
    EXPECT_EQ(done["analysis"]["disposition"], "not_interested");
}

}  // namespace
}  // namespace parley::testing
