#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "calls/session.hpp"
#include "voice/speech_engines.hpp"

namespace parley::calls {

// The engine work of every call, off the media thread: speech workers recognize the callee,
// run local brains and synthesize the answer; model workers wait on chat models (remote
// brains), so a slow model never holds a speech worker. `on_done` runs after each job is done
// (it wakes the media thread).
class EnginePool {
public:
    EnginePool(voice::SpeechEngines& engines, std::function<void()> on_done);
    ~EnginePool();
    EnginePool(const EnginePool&) = delete;
    EnginePool& operator=(const EnginePool&) = delete;

    void Start(int speech_threads, int model_threads);
    // Finishes the queued jobs, then joins the workers.
    void Stop();
    // Sets the session's current job and queues it.
    void Submit(const std::shared_ptr<Session>& session, std::shared_ptr<Job> job);
    // Jobs waiting for a speech worker.
    size_t Backlog() const;
    // A stream for the utterance the callee has begun, heard with `expect`'s grammar; nullptr when
    // the recognizer does not stream or knows nothing of the caller yet. Cheap: no decoding.
    std::shared_ptr<voice::SttStream> OpenStream(const Session& s, const std::optional<voice::Expectation>& expect);
    // Has a speech worker decode what was pushed into `stream`, before any queued job.
    void Feed(std::shared_ptr<voice::SttStream> stream);

private:
    using Queue = std::deque<std::pair<std::shared_ptr<Session>, std::shared_ptr<Job>>>;
    template <typename Handle>
    void Serve(Queue& queue, std::condition_variable& cv, Handle handle);
    bool Run(const Session& s, Job& job);
    voice::RecognizeOptions Options(const std::optional<voice::Expectation>& expect) const;
    bool AnswersRemotely(const Session& s, const Job& job) const;
    void Respond(const Session& s, Job& job);
    void Speak(const Session& s, Job& job);
    // Synthesizes one sentence into job.spoken, where it plays at once, or into `held`; false
    // (and job.error) when the engine failed.
    bool SpeakSentence(const Session& s, Job& job, const std::string& sentence, std::vector<AgentSpeech::Piece>* held);
    void Done(Job& job);

    voice::SpeechEngines& engines_;
    std::function<void()> on_done_;
    mutable std::mutex mutex_;
    bool running_ = false;  // guarded by mutex_
    Queue speech_jobs_;
    std::deque<std::shared_ptr<voice::SttStream>> feeds_;  // guarded by mutex_; served first
    std::condition_variable speech_cv_;
    Queue model_jobs_;  // recognized answers waiting on a chat model
    std::condition_variable model_cv_;
    std::vector<std::thread> speech_workers_;
    std::vector<std::thread> model_workers_;
};

}  // namespace parley::calls
