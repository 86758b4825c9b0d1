// Stopping, canceling and crashing around live calls, on servers of their own running the sandbox
// in real time with one call at a time, so calls stay ringing or queued long enough to act on.

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/time_format.hpp"
#include "support/calls.hpp"
#include "support/fixture.hpp"
#include "support/seeds.hpp"
#include "voice/engines/test_http_server.hpp"

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
    Json Read(const std::string& id) const { return api().Get("/api/v1/calls/" + id).json()["data"]; }
    // A gauge of /metrics; -1 when it is missing.
    long Gauge(const std::string& name) const {
        const std::string metrics = server_->http().Send("GET", "/metrics").body;
        const auto at = metrics.find("\n" + name + " ");
        return at == std::string::npos ? -1 : std::stol(metrics.substr(at + name.size() + 2));
    }

    std::string profile_;
};
PARLEY_BACKENDS(CallLifecycle);

TEST_P(CallLifecycle, ACallOverTheLimitWaitsQueuedInItsPlaceInLineThenRuns) {
    const std::string ringing = Trigger(5);
    ASSERT_TRUE(WaitForStatus(ringing, "ringing").is_object());
    const std::string second = Trigger(4);  // busy, after a second of ringing
    const std::string third = Trigger(16);  // busy too
    // An absence, not a condition to wait for: half a second in which neither may ring.
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const Json waiting = Read(second);
    EXPECT_EQ(waiting["status"], "queued") << waiting.dump();
    EXPECT_EQ(waiting["queue_position"], 1) << waiting.dump();
    EXPECT_EQ(Read(third)["queue_position"], 2);
    EXPECT_FALSE(Read(ringing).contains("queue_position"));
    EXPECT_EQ(Gauge("parley_active_calls"), 1);
    EXPECT_EQ(Gauge("parley_queued_calls"), 2);

    ASSERT_EQ(api().Post("/api/v1/calls/" + ringing + "/stop", Json::object()).status, 202);
    const Json first = WaitForEnd(api(), ringing, std::chrono::seconds(20));
    const Json next = WaitForEnd(api(), second, std::chrono::seconds(30));
    const Json last = WaitForEnd(api(), third, std::chrono::seconds(30));
    ASSERT_TRUE(first.is_object() && next.is_object() && last.is_object());
    EXPECT_EQ(next["status"], "busy");
    EXPECT_EQ(last["status"], "busy");
    EXPECT_FALSE(last.contains("queue_position"));
    // In the order they came, one at a time: the last was dialed only after the one before had
    // rung for its second, counted in 20 ms ticks from a tick that can come early (not after its
    // ended_at: the end is written a moment after the line is freed).
    const auto at = [](const Json& c, const char* field) { return *ParseIsoTime(c[field].get<std::string>()); };
    EXPECT_GE(at(last, "started_at"), at(next, "started_at") + 950);
    EXPECT_EQ(Gauge("parley_queued_calls"), 0);
}

// A node admits fewer calls of the embedded recognizer, which its own cores run, than of a
// hosted one (--max-local-calls); a call of a hosted recognizer is not held behind them.
class LocalCallLimit : public CallLifecycle {
protected:
    // No server until the recognizer's endpoint is up; skipped as every backend test is.
    void SetUp() override { BackendTest::SetUp(); }
    void TearDown() override {
        server_.reset();
        std::error_code ignored;
        std::filesystem::remove(engines_file_, ignored);
    }
    void StartParley(const std::string& base_url) {
        engines_file_ = std::filesystem::temp_directory_path() /
                        ("parley-local-limit-" + std::to_string(::getpid()) + "-" + BackendName(GetParam()) + ".json");
        std::ofstream(engines_file_) << Json{{"endpoints",
                                              {{{"name", "hosted"},
                                                {"base_url", base_url},
                                                {"api_key", "sk-local"},
                                                {"transcription_model", "whisper-1"}}}}}
                                            .dump();
        StartServer({"--sandbox-speed", "1", "--max-calls", "3", "--max-local-calls", "1", "--engines",
                     engines_file_.string()});
        profile_ = NewProfile(api());
        hosted_profile_ = NewProfile(api(), {{"stt", "hosted"}});
        ASSERT_FALSE(profile_.empty());
        ASSERT_FALSE(hosted_profile_.empty());
    }

    std::filesystem::path engines_file_;
    std::string hosted_profile_;
};
PARLEY_BACKENDS(LocalCallLimit);

TEST_P(LocalCallLimit, CallsOfTheEmbeddedRecognizerWaitWhileAHostedOneRuns) {
    voice::loopback::LoopbackServer recognizer(
        voice::loopback::Reply{200, "application/json", R"({"text": "yes"})", {}});
    StartParley(recognizer.BaseUrl());
    if (HasFatalFailure()) return;
    EXPECT_EQ(Gauge("parley_call_slots"), 3);
    EXPECT_EQ(Gauge("parley_local_call_slots"), 1);

    const std::string embedded = Trigger(5);  // nobody answers: rings for 30 s
    ASSERT_TRUE(WaitForStatus(embedded, "ringing").is_object());
    const std::string held = Trigger(17);  // the embedded recognizer's one line is taken
    auto hosted = api().Post("/api/v1/calls", {{"profile_id", hosted_profile_}, {"phone", Sandbox(29)}});
    ASSERT_EQ(hosted.status, 201) << hosted.body;
    const std::string hosted_id = hosted.json()["data"]["id"];
    // Queued after the held call, it rings first.
    ASSERT_TRUE(WaitForStatus(hosted_id, "ringing").is_object());
    const Json waiting = Read(held);
    EXPECT_EQ(waiting["status"], "queued") << waiting.dump();
    EXPECT_EQ(waiting["queue_position"], 1) << waiting.dump();
    EXPECT_EQ(Gauge("parley_active_calls"), 2);
    EXPECT_EQ(Gauge("parley_active_local_calls"), 1);

    // The embedded call's line is freed: the held call goes.
    ASSERT_EQ(api().Post("/api/v1/calls/" + embedded + "/stop", Json::object()).status, 202);
    ASSERT_TRUE(WaitForStatus(held, "ringing").is_object());
    for (const auto& id : {held, hosted_id}) {
        ASSERT_EQ(api().Post("/api/v1/calls/" + id + "/stop", Json::object()).status, 202);
        EXPECT_TRUE(WaitForEnd(api(), id, std::chrono::seconds(20)).is_object());
    }
}

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
