#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "calls/session.hpp"
#include "common/clock.hpp"
#include "domain/call_lifecycle.hpp"
#include "domain/repos.hpp"

namespace parley::calls {

// Persists what calls do, on one thread of its own so the media thread never waits on the
// database and each call's writes stay in order: the answer, each tool the agent runs, and the
// end of the call (its recording, then domain::CloseCall).
class CallWriter {
public:
    CallWriter(domain::Store& store, const Clock& clock, const domain::PriceTable& prices, std::string carrier,
               std::string recordings_dir);
    ~CallWriter();
    CallWriter(const CallWriter&) = delete;
    CallWriter& operator=(const CallWriter&) = delete;

    void Start();
    // Writes what is queued, then joins the thread.
    void Stop();

    // The callee answered `call` now.
    void Answered(const domain::Call& call);
    // The agent ran a tool (a call.tool_called event now, not when the call ends).
    void ToolCalled(const domain::Call& call, domain::Json execution);
    // The session has ended: its recording and outcome are written.
    void Finished(std::shared_ptr<Session> session);

    // Fails the calls a previous run of `node_id` left ringing or in progress: their audio is
    // gone, so they cannot be resumed. Runs on the caller's thread, before Start.
    Result<void> FailInterrupted(const std::string& node_id);

private:
    void Queue(std::function<void()> write);
    void Save(Session& s);

    domain::Store& store_;
    const Clock& clock_;
    const domain::PriceTable& prices_;
    std::string carrier_;
    std::string recordings_dir_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool running_ = false;  // guarded by mutex_
    std::deque<std::function<void()>> writes_;
    std::thread thread_;
};

// The outcome of a call that failed without a conversation (it could not be placed, or the
// server stopped during it).
domain::CallOutcome FailedOutcome(std::string reason);

}  // namespace parley::calls
