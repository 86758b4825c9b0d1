#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "calls/runtime_options.hpp"
#include "calls/session.hpp"

namespace parley::calls {

class CallWriter;
class EnginePool;

// The 20 ms media clock of every call on this node, on one thread that never blocks on
// engines, disk or the database. Each tick it polls ringing calls, exchanges one frame with each
// connected call's leg, runs voice activity detection, endpointing and barge-in, hands
// utterances to the engine pool, plays the agent's answers when their jobs are done, and ends
// calls. Ended calls go to the call writer; `line_freed` then runs (it wakes the dispatcher).
class MediaLoop {
public:
    MediaLoop(const RuntimeOptions& options, EnginePool& engines, CallWriter& writer, std::function<void()> line_freed);
    ~MediaLoop();
    MediaLoop(const MediaLoop&) = delete;
    MediaLoop& operator=(const MediaLoop&) = delete;

    void Start();
    // Hangs up every call (they end as failed, "server stopping") and joins the thread.
    void Stop();

    // Lines free for new calls: the most calls at once minus the calls running; for a call
    // recognized on this node, also within the calls of that kind (RuntimeOptions).
    int FreeLines(bool local_recognizer = false) const;
    // Takes over a claimed call; it starts at the next tick.
    void Add(std::shared_ptr<Session> session);
    // Asks a running call to end; false when this node runs no such call.
    bool Hangup(std::string_view call_id);
    // Wakes the media thread (a job is done, or a call was added).
    void Notify();
    MediaStats Stats() const;

private:
    void Run();
    void Tick(const std::shared_ptr<Session>& sp);
    void ConnectedTick(const std::shared_ptr<Session>& sp);
    void StartTransfer(const std::shared_ptr<Session>& sp);
    void TransferTick(const std::shared_ptr<Session>& sp);
    void TransferFailed(const std::shared_ptr<Session>& sp, std::string reason);
    void OnSpeechStart(Session& s);
    void OnSpeechEnd(const std::shared_ptr<Session>& sp);
    void MaybeTakeGrammarAnswer(const std::shared_ptr<Session>& sp);
    void MaybeTakeEndpointed(const std::shared_ptr<Session>& sp);
    void Commit(const std::shared_ptr<Session>& sp);
    void SubmitHear(const std::shared_ptr<Session>& sp, audio::Pcm heard, int64_t end_frame);
    static std::shared_ptr<Job> HearJob(const Session& s, audio::Pcm audio);
    void ReportTools(Session& s);
    void Play(Session& s, const audio::Pcm& speech, const std::string& words, bool answers_callee);
    void PlaySpoken(Session& s, Job& job);
    static void TranscribeCallee(Session& s, Job& job);
    void Submit(const std::shared_ptr<Session>& sp, std::shared_ptr<Job> job);
    void Finish(const std::shared_ptr<Session>& s);
    void RecordLateness(double late_ms);
    bool Accelerated() const { return options_.speed != 1; }

    const RuntimeOptions& options_;
    EnginePool& engines_;
    CallWriter& writer_;
    std::function<void()> line_freed_;
    std::thread thread_;

    // Sessions are owned by the media thread; `incoming_` hands new ones over.
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::atomic<bool> running_{false};  // changed under mutex_
    std::vector<std::shared_ptr<Session>> incoming_;
    std::map<std::string, std::shared_ptr<Session>, std::less<>> by_id_;  // every live session, for Hangup
    int active_ = 0;
    int active_local_ = 0;  // of active_, calls recognized on this node

    mutable std::mutex stats_mutex_;
    std::vector<double> lateness_ms_;
    size_t lateness_next_ = 0;
    uint64_t ticks_ = 0;
};

}  // namespace parley::calls
