#include "voice/call_runtime.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "common/ids.hpp"
#include "common/log_throttle.hpp"
#include "domain/outbox.hpp"
#include "voice/analysis.hpp"
#include "voice/brain.hpp"
#include "voice/engines/audio.hpp"
#include "voice/engines/wav.hpp"
#include "voice/plan.hpp"
#include "voice/plan_compiler.hpp"
#include "voice/understanding/grammar.hpp"

namespace parley::voice {

using domain::Call;
using domain::CallStatus;

namespace {

constexpr int kPreRollFrames = 10;            // audio kept from before the VAD fired (200 ms)
constexpr int kMergeWindowFrames = 50;        // speech resuming within 1 s of an endpoint continues it
constexpr int kOvertimeGraceFrames = 750;     // 15 s to say goodbye after the maximum duration
constexpr int kVoicemailQuietFrames = 50;     // a voicemail message starts 1 s after the beep
constexpr int kVoicemailMaxWaitFrames = 500;  // or after 10 s whatever the line does
constexpr int kDispatchIntervalMs = 1000;
constexpr size_t kLatenessWindow = 20000;

// A unit of engine work for one call: recognize, think, synthesize.
struct Job {
    enum class Kind { kStart, kHear, kSilence, kSay };
    Kind kind = Kind::kStart;
    Pcm audio;
    std::optional<Expectation> expect;
    std::unique_ptr<Brain> brain;
    double at_seconds = 0;
    std::string fixed_say;  // kSay
    // Results.
    std::string words;
    double confidence = 0;
    Turn turn;
    std::shared_ptr<const Pcm> speech;
    std::string error;
    double stt_audio_seconds = 0;
    size_t tts_chars = 0;
    double stt_ms = 0;  // engine time of this job, for analysis.timings
    double brain_ms = 0;
    double tts_ms = 0;
    std::atomic<bool> done{false};
    bool superseded = false;  // media thread only
};

Json ToolJson(const ToolExecution& t) {
    return {
        {"tool", t.tool}, {"status", t.status}, {"input", t.input}, {"output", t.output}, {"at_seconds", t.at_seconds}};
}

struct Session {
    Call call;
    Plan plan;
    std::vector<domain::CustomField> extract_fields;
    std::unique_ptr<telephony::Dialing> dialing;
    std::unique_ptr<telephony::CallLeg> leg;
    enum class Phase { kDialing, kConnected, kDone } phase = Phase::kDialing;
    int64_t frame = 0;           // frames since dialing began
    int64_t answered_frame = 0;  // frame the callee answered
    Vad vad;
    std::deque<Pcm> pre_roll;
    Pcm utterance;
    int64_t utterance_start_frame = 0;
    Pcm held;  // an utterance whose answer was dropped because the callee went on speaking
    int64_t held_end_frame = -1;
    std::deque<int16_t> agent_audio;
    Pcm rec_in;
    Pcm rec_out;
    std::unique_ptr<Brain> brain;
    std::shared_ptr<Job> job;
    std::optional<Expectation> expect;
    bool hang_up_after_audio = false;
    std::optional<std::string> transfer_after_audio;
    bool overtime = false;
    int64_t quiet_since_frame = 0;  // last frame either side spoke
    int64_t speech_end_frame = 0;   // when the callee's last utterance really ended
    bool awaiting_first_audio = false;
    std::atomic<bool> stop_requested{false};
    CallStatus final_status = CallStatus::kCompleted;
    std::string end_reason;
    Json transcript = Json::array();
    Json barge_ins = Json::array();
    Json voice_to_voice_ms = Json::array();
    Json engine_ms = Json::array();  // per answer: recognition, brain and synthesis time
    double stt_audio_seconds = 0;
    size_t tts_chars = 0;
    size_t agent_line = SIZE_MAX;  // index in transcript of the line being spoken
    // A voicemail message waits for the greeting's beep to end, then plays without barge-in.
    std::shared_ptr<const Pcm> voicemail_message;
    std::string voicemail_text;
    int64_t voicemail_waiting_since = 0;
    int64_t callee_quiet_frames = 0;
    bool barge_in_allowed = true;
    size_t tools_reported = 0;  // tools of the conversation already recorded as events

    explicit Session(const VadConfig& vad_config) : vad(vad_config) {}
    double Seconds(int64_t f) const { return static_cast<double>(f - answered_frame) * kFrameMs / 1000.0; }
};

}  // namespace

struct CallRuntime::Impl {
    domain::Store& store;
    const Clock& clock;
    SpeechEngines& engines;
    telephony::Carrier& carrier;
    RuntimeOptions options;

    std::atomic<bool> running{false};
    std::thread media_thread;
    std::thread dispatcher_thread;
    std::thread writer_thread;
    std::vector<std::thread> workers;

    // Sessions: owned by the media thread; `incoming` hands new ones over.
    std::mutex sessions_mutex;
    std::vector<std::shared_ptr<Session>> incoming;
    std::map<std::string, std::shared_ptr<Session>> by_id;  // every live session, for Hangup
    std::condition_variable media_cv;
    int active = 0;  // guarded by sessions_mutex

    std::mutex dispatch_mutex;
    std::condition_variable dispatch_cv;
    bool dispatch_wanted = false;

    std::mutex jobs_mutex;
    std::condition_variable jobs_cv;
    using JobQueue = std::deque<std::pair<std::shared_ptr<Session>, std::shared_ptr<Job>>>;
    JobQueue jobs;
    // Answers recognized, waiting on a chat model: served by model_threads.
    JobQueue model_jobs;
    std::condition_variable model_jobs_cv;
    std::vector<std::thread> model_workers;

    std::mutex writes_mutex;
    std::condition_variable writes_cv;
    std::deque<std::function<void()>> writes;

    mutable std::mutex stats_mutex;
    std::vector<double> lateness_ms;
    size_t lateness_next = 0;
    uint64_t ticks = 0;

    Impl(domain::Store& s, const Clock& c, SpeechEngines& e, telephony::Carrier& k, RuntimeOptions o)
        : store(s), clock(c), engines(e), carrier(k), options(std::move(o)) {}

    bool Accelerated() const { return options.speed != 1; }

    void Write(std::function<void()> f) {
        {
            std::lock_guard lock(writes_mutex);
            writes.push_back(std::move(f));
        }
        writes_cv.notify_one();
    }

    void WriterLoop() {
        std::unique_lock lock(writes_mutex);
        while (true) {
            writes_cv.wait(lock, [&] { return !writes.empty() || !running; });
            if (writes.empty()) return;
            auto f = std::move(writes.front());
            writes.pop_front();
            lock.unlock();
            f();
            lock.lock();
        }
    }

    void Submit(const std::shared_ptr<Session>& s, std::shared_ptr<Job> job) {
        s->job = job;
        {
            std::lock_guard lock(jobs_mutex);
            jobs.emplace_back(s, std::move(job));
        }
        jobs_cv.notify_one();
    }

    // Serves `queue` until the runtime stops and the queue is empty; `handle` runs unlocked.
    template <typename Handle>
    void Serve(JobQueue& queue, std::condition_variable& cv, Handle handle) {
        std::unique_lock lock(jobs_mutex);
        while (true) {
            cv.wait(lock, [&] { return !queue.empty() || !running; });
            if (queue.empty()) return;
            auto [session, job] = std::move(queue.front());
            queue.pop_front();
            lock.unlock();
            handle(std::move(session), std::move(job));
            lock.lock();
        }
    }

    void WorkerLoop() {
        Serve(jobs, jobs_cv, [this](std::shared_ptr<Session> session, std::shared_ptr<Job> job) {
            if (Run(*session, *job)) {
                Done(*job);
                return;
            }
            {
                std::lock_guard lock(jobs_mutex);
                model_jobs.emplace_back(std::move(session), std::move(job));
            }
            model_jobs_cv.notify_one();
        });
    }

    void ModelWorkerLoop() {
        Serve(model_jobs, model_jobs_cv,
              [this](const std::shared_ptr<Session>& session, const std::shared_ptr<Job>& job) {
                  Respond(*session, *job);
                  Done(*job);
              });
    }

    void Done(Job& job) {
        job.done = true;
        media_cv.notify_one();
    }

    static double MsSince(std::chrono::steady_clock::time_point start) {
        return std::round(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() *
                          10) /
               10;
    }

    // Recognize, think, synthesize: everything that may take long, off the media thread. False
    // when the words are recognized and the rest must wait on a chat model (see Respond).
    bool Run(const Session& s, Job& job) {
        switch (job.kind) {
            case Job::Kind::kStart: job.turn = job.brain->Start(); break;
            case Job::Kind::kSilence: job.turn = job.brain->Silence(job.at_seconds); break;
            case Job::Kind::kSay:
                job.turn.say = job.fixed_say;
                job.turn.hang_up = true;
                break;
            case Job::Kind::kHear: {
                SttEngine* stt = engines.Stt(s.plan.stt);
                if (!stt) {
                    job.error = "speech recognizer " + s.plan.stt + " is not available";
                    return true;
                }
                RecognizeOptions ro;
                if (job.expect && job.expect->kind != AnswerKind::kText)
                    ro.jsgf = BuildJsgf(*job.expect, engines.lexicon());
                if (ro.jsgf && ro.jsgf->empty()) ro.jsgf.reset();
                const auto stt_start = std::chrono::steady_clock::now();
                auto heard = stt->Recognize(job.audio, ro);
                job.stt_ms = MsSince(stt_start);
                job.stt_audio_seconds = static_cast<double>(job.audio.size()) / kSampleRate;
                if (!heard) {
                    job.error = heard.error().message;
                    return true;
                }
                job.words = heard->text;
                job.confidence = heard->confidence;
                if (job.words.empty()) return true;  // noise: nothing to answer
                if (job.brain->Remote()) return false;
                Respond(s, job);
                return true;
            }
        }
        Speak(s, job);
        return true;
    }

    // The brain's answer to recognized words, and its speech.
    void Respond(const Session& s, Job& job) {
        const auto brain_start = std::chrono::steady_clock::now();
        job.turn = job.brain->Hear(job.words, job.confidence, job.at_seconds);
        job.brain_ms = MsSince(brain_start);
        Speak(s, job);
    }

    void Speak(const Session& s, Job& job) {
        if (!job.turn.say.empty()) {
            const auto tts_start = std::chrono::steady_clock::now();
            auto speech =
                engines.Speak(s.plan.tts_engine, {s.plan.tts_voice, s.plan.rate_wpm, s.plan.pitch}, job.turn.say);
            job.tts_ms = MsSince(tts_start);
            if (!speech) {
                job.error = "speech synthesis failed: " + speech.error().message;
                return;
            }
            job.speech = *speech;
            job.tts_chars = job.turn.say.size();
        }
    }

    // ---- media thread ----

    void MediaLoop() {
        using Steady = std::chrono::steady_clock;
        std::vector<std::shared_ptr<Session>> sessions;
        auto next = Steady::now();
        double owed = 0;  // frames owed to each session at this speed
        while (running) {
            {
                std::unique_lock lock(sessions_mutex);
                if (sessions.empty() && incoming.empty()) {
                    media_cv.wait_for(lock, std::chrono::milliseconds(100),
                                      [&] { return !incoming.empty() || !running; });
                    next = Steady::now();
                }
                for (auto& s : incoming) sessions.push_back(std::move(s));
                incoming.clear();
            }
            if (!running) break;
            int frames = 1;
            if (options.speed <= 0) {
                frames = 50;
            } else if (Accelerated()) {
                owed += options.speed;
                frames = static_cast<int>(owed);
                owed -= frames;
            }
            bool advanced = false;
            for (auto& s : sessions) {
                for (int i = 0; i < frames && s->phase != Session::Phase::kDone; ++i) {
                    if (Accelerated() && s->job && !s->job->done) break;  // the call's clock waits for its engines
                    Tick(s);
                    advanced = true;
                }
            }
            std::vector<std::shared_ptr<Session>> finished;
            std::erase_if(sessions, [&](const std::shared_ptr<Session>& s) {
                if (s->phase != Session::Phase::kDone || (s->job && !s->job->done)) return false;
                finished.push_back(s);
                return true;
            });
            for (auto& s : finished) Finish(s);
            if (options.speed <= 0) {
                if (!advanced) {
                    std::unique_lock lock(sessions_mutex);
                    media_cv.wait_for(lock, std::chrono::milliseconds(2));
                }
                continue;
            }
            next += std::chrono::milliseconds(kFrameMs);
            std::this_thread::sleep_until(next);
            const auto woke = Steady::now();
            const auto scheduled = next;
            if (next < woke - std::chrono::milliseconds(200)) next = woke;  // fell far behind: do not burst
            if (!Accelerated() && !sessions.empty()) {
                const double late = std::chrono::duration<double, std::milli>(woke - scheduled).count();
                std::lock_guard lock(stats_mutex);
                if (lateness_ms.size() < kLatenessWindow) {
                    lateness_ms.push_back(late);
                } else {
                    lateness_ms[lateness_next++ % kLatenessWindow] = late;
                }
                ++ticks;
            }
        }
        for (auto& s : sessions) {
            if (s->leg) s->leg->Hangup();
            if (s->dialing) s->dialing->Cancel();
            s->final_status = CallStatus::kFailed;
            s->end_reason = "server stopping";
            s->phase = Session::Phase::kDone;
            Finish(s);
        }
    }

    void End(Session& s, CallStatus status, std::string reason) {
        if (s.phase == Session::Phase::kDone) return;
        s.final_status = status;
        s.end_reason = std::move(reason);
        if (s.leg) s.leg->Hangup();
        s.phase = Session::Phase::kDone;
    }

    void Tick(const std::shared_ptr<Session>& sp) {
        Session& s = *sp;
        ++s.frame;
        if (s.stop_requested) {
            if (s.dialing && s.phase == Session::Phase::kDialing) s.dialing->Cancel();
            End(s, s.phase == Session::Phase::kDialing ? CallStatus::kCanceled : CallStatus::kCompleted, "stopped");
            return;
        }
        if (s.phase == Session::Phase::kDialing) {
            switch (s.dialing->Tick()) {
                case telephony::DialState::kRinging: return;
                case telephony::DialState::kBusy: End(s, CallStatus::kBusy, "busy"); return;
                case telephony::DialState::kNoAnswer: End(s, CallStatus::kNoAnswer, "no answer"); return;
                case telephony::DialState::kFailed: End(s, CallStatus::kFailed, s.dialing->FailureReason()); return;
                case telephony::DialState::kAnswered: break;
            }
            s.leg = s.dialing->TakeLeg();
            s.phase = Session::Phase::kConnected;
            s.answered_frame = s.frame;
            s.quiet_since_frame = s.frame;
            const int64_t now = clock.NowMs();
            Write([this, call_id = s.call.id, org = s.call.org_id, now] { MarkAnswered(org, call_id, now); });
            auto job = std::make_shared<Job>();
            job->kind = Job::Kind::kStart;
            job->brain = s.brain->Clone();
            Submit(sp, job);
            return;
        }
        ConnectedTick(sp);
    }

    void ConnectedTick(const std::shared_ptr<Session>& sp) {
        Session& s = *sp;
        if (s.job && s.job->done && !s.job->superseded) Commit(s);
        if (s.job && s.job->done && s.job->superseded) s.job.reset();

        int16_t out[kFrameSamples] = {};
        if (!s.agent_audio.empty()) {
            const size_t n = std::min<size_t>(kFrameSamples, s.agent_audio.size());
            std::copy_n(s.agent_audio.begin(), n, out);
            s.agent_audio.erase(s.agent_audio.begin(), s.agent_audio.begin() + static_cast<long>(n));
            if (s.awaiting_first_audio) {
                s.awaiting_first_audio = false;
                s.voice_to_voice_ms.push_back((s.frame - s.speech_end_frame) * kFrameMs);
            }
            s.quiet_since_frame = s.frame;
        }
        int16_t in[kFrameSamples];
        s.leg->Exchange(out, in);
        s.rec_out.insert(s.rec_out.end(), out, out + kFrameSamples);
        s.rec_in.insert(s.rec_in.end(), in, in + kFrameSamples);
        if (s.leg->HungUp()) {
            s.brain->conversation().callee_hung_up = true;
            End(s, CallStatus::kCompleted, "callee hung up");
            return;
        }

        const auto event = s.vad.Process(in);
        s.callee_quiet_frames = s.vad.InSpeech() ? 0 : s.callee_quiet_frames + 1;
        if (s.voicemail_message && (s.callee_quiet_frames >= kVoicemailQuietFrames ||
                                    s.frame - s.voicemail_waiting_since >= kVoicemailMaxWaitFrames)) {
            s.barge_in_allowed = false;
            Play(s, *s.voicemail_message, s.voicemail_text, false);
            s.voicemail_message.reset();
        }
        if (s.vad.InSpeech() || event == Vad::Event::kSpeechEnd) {
            s.utterance.insert(s.utterance.end(), in, in + kFrameSamples);
        } else {
            s.pre_roll.emplace_back(in, in + kFrameSamples);
            if (s.pre_roll.size() > kPreRollFrames) s.pre_roll.pop_front();
        }
        if (event == Vad::Event::kSpeechStart) OnSpeechStart(s);
        if (event == Vad::Event::kSpeechEnd) OnSpeechEnd(sp);
        if (s.vad.InSpeech()) s.quiet_since_frame = s.frame;

        const bool idle = !s.job && s.agent_audio.empty() && !s.voicemail_message && !s.vad.InSpeech();
        if (idle && s.transfer_after_audio) {
            s.call.transferred_to = *s.transfer_after_audio;
            End(s, CallStatus::kCompleted, "transferred");
            return;
        }
        if (idle && s.hang_up_after_audio) {
            End(s, s.brain->conversation().voicemail ? CallStatus::kVoicemail : CallStatus::kCompleted,
                "agent hung up");
            return;
        }
        const int64_t talk_frames = s.frame - s.answered_frame;
        if (!s.overtime && talk_frames * kFrameMs >= static_cast<int64_t>(s.plan.max_call_seconds) * 1000) {
            s.overtime = true;
            if (!s.job) {
                auto job = std::make_shared<Job>();
                job->kind = Job::Kind::kSay;
                job->fixed_say = "I am sorry, we have run out of time for this call. Goodbye.";
                s.agent_audio.clear();
                Submit(sp, job);
            }
        }
        if (s.overtime && talk_frames * kFrameMs >=
                              static_cast<int64_t>(s.plan.max_call_seconds) * 1000 + kOvertimeGraceFrames * kFrameMs) {
            End(s, CallStatus::kCompleted, "maximum call duration");
            return;
        }
        if (idle && !s.hang_up_after_audio &&
            (s.frame - s.quiet_since_frame) * kFrameMs >= options.silence_timeout_ms) {
            auto job = std::make_shared<Job>();
            job->kind = Job::Kind::kSilence;
            job->brain = s.brain->Clone();
            job->at_seconds = s.Seconds(s.frame);
            s.quiet_since_frame = s.frame;
            Submit(sp, job);
        }
    }

    void OnSpeechStart(Session& s) {
        // The utterance began start_ms ago; keep what came before it too.
        Pcm start;
        for (const auto& f : s.pre_roll) start.insert(start.end(), f.begin(), f.end());
        s.pre_roll.clear();
        start.insert(start.end(), s.utterance.begin(), s.utterance.end());
        s.utterance = std::move(start);
        s.utterance_start_frame = s.frame - options.vad.start_ms / kFrameMs;
        if (!s.agent_audio.empty() && s.barge_in_allowed) {
            // Barge-in: the callee talks over the agent, who stops at once.
            s.agent_audio.clear();
            s.barge_ins.push_back({{"at_seconds", s.Seconds(s.frame)}, {"cut_after_ms", options.vad.start_ms}});
            if (s.agent_line < s.transcript.size()) s.transcript[s.agent_line]["interrupted"] = true;
        }
        if (s.job && !s.job->done && !Accelerated() && s.frame - s.held_end_frame <= kMergeWindowFrames) {
            // The callee was only pausing: answer the whole utterance instead.
            s.job->superseded = true;
        } else {
            s.held.clear();
        }
    }

    void OnSpeechEnd(const std::shared_ptr<Session>& sp) {
        Session& s = *sp;
        if (s.hang_up_after_audio) {  // the agent is saying goodbye or leaving a message
            s.utterance.clear();
            return;
        }
        const int64_t silence_frames = options.vad.end_silence_ms / kFrameMs;
        Pcm audio = std::move(s.utterance);
        s.utterance.clear();
        if (s.job && s.job->superseded && !s.held.empty()) {
            Pcm merged = std::move(s.held);
            merged.insert(merged.end(), audio.begin(), audio.end());
            audio = std::move(merged);
        } else if (s.job && !s.job->done) {
            return;  // still answering the last utterance: the callee talked over the pause
        }
        s.held = audio;
        s.held_end_frame = s.frame;
        s.speech_end_frame = s.frame - silence_frames;
        auto job = std::make_shared<Job>();
        job->kind = Job::Kind::kHear;
        job->audio = std::move(audio);
        job->expect = s.expect;
        job->brain = s.brain->Clone();
        job->at_seconds = s.Seconds(s.speech_end_frame);
        Submit(sp, job);
    }

    void Commit(Session& s) {
        std::shared_ptr<Job> job = std::move(s.job);
        s.stt_audio_seconds += job->stt_audio_seconds;
        s.tts_chars += job->tts_chars;
        if (!job->error.empty()) {
            spdlog::warn("call {}: {}", s.call.id, job->error);
            if (job->kind == Job::Kind::kStart) End(s, CallStatus::kFailed, job->error);
            return;
        }
        if (job->kind == Job::Kind::kHear) {
            s.engine_ms.push_back({{"stt_ms", job->stt_ms}, {"brain_ms", job->brain_ms}, {"tts_ms", job->tts_ms}});
            if (job->words.empty()) return;  // noise
            s.transcript.push_back({{"speaker", "callee"},
                                    {"text", job->words},
                                    {"timestamp_seconds", s.Seconds(s.utterance_start_frame)},
                                    {"confidence", job->confidence}});
        }
        if (job->brain) s.brain = std::move(job->brain);
        ReportTools(s);
        s.held.clear();
        const Turn& turn = job->turn;
        if (turn.expect) s.expect = turn.expect;
        if (turn.hang_up) s.hang_up_after_audio = true;
        if (turn.transfer) s.transfer_after_audio = turn.transfer;
        if (job->speech && !job->speech->empty()) {
            if (turn.leave_voicemail) {
                s.voicemail_message = job->speech;
                s.voicemail_text = turn.say;
                s.voicemail_waiting_since = s.frame;
            } else {
                Play(s, *job->speech, turn.say, job->kind == Job::Kind::kHear);
            }
        }
        s.quiet_since_frame = s.frame;
    }

    // Each tool the agent runs is recorded as a call.tool_called event when it runs, not when the
    // call ends.
    void ReportTools(Session& s) {
        const auto& tools = s.brain->conversation().tools;
        for (; s.tools_reported < tools.size(); ++s.tools_reported) {
            Write([this, call = s.call, execution = ToolJson(tools[s.tools_reported])] {
                const int64_t now = clock.NowMs();
                auto done = store.Write(
                    [&](domain::Repos& r) { return r.webhooks().Record(domain::ToolCallEvent(call, execution, now)); });
                if (!done) spdlog::error("call {}: recording a tool call failed: {}", call.id, done.error().message);
            });
        }
    }

    // Queues the agent's audio and its line in the transcript; the callee's side hears the words.
    void Play(Session& s, const Pcm& speech, const std::string& words, bool answers_callee) {
        s.agent_audio.insert(s.agent_audio.end(), speech.begin(), speech.end());
        s.leg->Caption(words);
        s.agent_line = s.transcript.size();
        s.transcript.push_back({{"speaker", "agent"}, {"text", words}, {"timestamp_seconds", s.Seconds(s.frame)}});
        s.awaiting_first_audio = answers_callee;
    }

    // ---- database ----

    void MarkAnswered(const std::string& org, const std::string& call_id, int64_t now) {
        auto done = store.Write([&](domain::Repos& r) -> Result<void> {
            auto found = r.calls().Get(org, call_id);
            if (!found || !*found) return Fail(ErrorCode::kNotFound, "call vanished");
            Call c = std::move(**found);
            if (c.status != CallStatus::kRinging) return {};
            c.answered_at = now;
            c.MoveTo(CallStatus::kInProgress, now, "answered");
            auto saved = domain::SaveCall(r, c, CallStatus::kRinging, now);
            if (!saved) return Fail(std::move(saved.error()));
            return {};
        });
        if (!done) spdlog::error("call {}: recording the answer failed: {}", call_id, done.error().message);
    }

    void Finish(const std::shared_ptr<Session>& s) {
        {
            std::lock_guard lock(sessions_mutex);
            by_id.erase(s->call.id);
            --active;
        }
        {
            std::lock_guard lock(dispatch_mutex);
            dispatch_wanted = true;
        }
        dispatch_cv.notify_one();
        Write([this, s] { Save(*s); });
    }

    int Cents(double v) const { return static_cast<int>(std::lround(v)); }

    void Save(Session& s) {
        const int64_t now = clock.NowMs();
        Call& c = s.call;
        const double talk_seconds = s.phase == Session::Phase::kDone && s.leg
                                        ? static_cast<double>(s.frame - s.answered_frame) * kFrameMs / 1000.0
                                        : 0.0;
        c.talk_duration_seconds = static_cast<int>(std::lround(talk_seconds));
        c.ended_at = now;
        c.transcript = s.transcript;
        Json tools = Json::array();
        for (const auto& t : s.brain->conversation().tools) tools.push_back(ToolJson(t));
        c.tool_executions = std::move(tools);
        if (s.brain->conversation().transferred_to && !c.transferred_to) {
            c.transferred_to = s.brain->conversation().transferred_to;
        }
        c.analysis = Analyze(s.brain->conversation(), s.final_status, s.extract_fields);
        c.analysis["timings"] = {
            {"voice_to_voice_ms", s.voice_to_voice_ms}, {"engine_ms", s.engine_ms}, {"barge_ins", s.barge_ins}};

        const auto& prices = engines.prices();
        auto price = [](const std::map<std::string, double>& table, const std::string& name) {
            auto it = table.find(name);
            return it == table.end() ? 0.0 : it->second;
        };
        Json breakdown = Json::object();
        const std::string carrier_name(carrier.Name());
        breakdown[carrier_name] = Cents(price(prices.per_minute_cents, carrier_name) * talk_seconds / 60.0);
        breakdown[s.plan.stt] = Cents(price(prices.per_minute_cents, s.plan.stt) * s.stt_audio_seconds / 60.0);
        breakdown[s.plan.tts_engine] =
            Cents(price(prices.per_1k_chars_cents, s.plan.tts_engine) * static_cast<double>(s.tts_chars) / 1000.0);
        breakdown[s.plan.brain] = s.leg ? Cents(price(prices.per_call_cents, s.plan.brain)) : 0;
        int total = 0;
        for (const auto& [k, v] : breakdown.items()) total += v.get<int>();
        c.cost_breakdown = std::move(breakdown);
        c.cost_cents = total;

        if (s.leg && !options.recordings_dir.empty()) {
            const auto path = std::filesystem::path(options.recordings_dir) / (c.id + ".wav");
            if (auto written = WriteWav(path.string(), s.rec_in, s.rec_out)) {
                c.recording = c.id + ".wav";
            } else {
                spdlog::error("call {}: writing the recording failed: {}", c.id, written.error().message);
            }
        }
        const CallStatus before = c.status;
        c.MoveTo(s.final_status, now, s.end_reason);
        if (s.final_status == CallStatus::kFailed) c.error = s.end_reason;
        const bool opted_out = s.brain->conversation().opted_out;
        auto saved = store.Write([&](domain::Repos& r) -> Result<void> {
            auto current = r.calls().Get(c.org_id, c.id);
            if (!current) return Fail(std::move(current.error()));
            const CallStatus stored = *current ? (*current)->status : before;
            if (*current && (*current)->answered_at) c.answered_at = (*current)->answered_at;
            if (*current) {
                // Keep the transitions the database has (the answer was written separately).
                auto history = (*current)->history;
                history.push_back(c.history.back());
                c.history = std::move(history);
            }
            auto ok = domain::SaveCall(r, c, stored, now);
            if (!ok) return Fail(std::move(ok.error()));
            if (opted_out) {
                domain::DncLedgerEntry entry;
                entry.id = NewId("dnc_", now);
                entry.org_id = c.org_id;
                entry.phone = c.to_number;
                entry.action = domain::DncAction::kAdd;
                entry.reason = domain::DncReason::kCallOptOut;
                entry.note = "asked on the call not to be called again";
                entry.contact_id = c.contact_id;
                entry.call_id = c.id;
                entry.created_at = now;
                if (auto rec = domain::RecordDnc(r, entry); !rec) return Fail(std::move(rec.error()));
            }
            return {};
        });
        if (!saved) spdlog::error("call {}: saving the result failed: {}", c.id, saved.error().message);
    }

    // ---- dispatcher ----

    void DispatchLoop() {
        std::unique_lock lock(dispatch_mutex);
        while (running) {
            dispatch_cv.wait_for(lock, std::chrono::milliseconds(kDispatchIntervalMs),
                                 [&] { return dispatch_wanted || !running; });
            dispatch_wanted = false;
            if (!running) break;
            lock.unlock();
            ClaimQueued();
            lock.lock();
        }
    }

    void ClaimQueued() {
        int free_lines = 0;
        {
            std::lock_guard lock(sessions_mutex);
            free_lines = options.max_concurrent_calls - active;
        }
        if (free_lines <= 0) return;
        auto queued = domain::ReadTx(store, [&](domain::Repos& r) { return r.calls().Queued(free_lines); });
        if (!queued) {
            static LogThrottle throttle;
            LogLimited(throttle, spdlog::level::err, "reading queued calls failed: {}", queued.error().message);
            return;
        }
        for (auto& call : *queued) {
            auto session = Prepare(std::move(call));
            if (!session) continue;
            std::lock_guard lock(sessions_mutex);
            by_id[(*session)->call.id] = *session;
            incoming.push_back(std::move(*session));
            ++active;
            media_cv.notify_one();
        }
    }

    // Claims one queued call for this node and builds its session; nothing when another node
    // or a cancel got it first, or when it cannot run (then it is failed).
    std::optional<std::shared_ptr<Session>> Prepare(Call call) {
        const int64_t now = clock.NowMs();
        auto s = std::make_shared<Session>(options.vad);
        std::string failure;
        auto claimed = domain::WriteTx(store, [&](domain::Repos& r) -> Result<bool> {
            auto profile = r.profiles().Get(call.org_id, call.profile_id);
            if (!profile) return Fail(std::move(profile.error()));
            auto defs = r.custom_fields().All(call.org_id);
            if (!defs) return Fail(std::move(defs.error()));
            Json facts = Json::object();
            if (*profile) {
                s->plan = PlanFromJson((*profile)->compiled);
                for (const auto& [k, v] : s->plan.variables.items()) {
                    if (!v.is_null()) facts[k] = v;
                }
            } else {
                failure = "profile not found";
            }
            if (call.contact_id) {
                auto contact = r.contacts().Get(call.org_id, *call.contact_id);
                if (!contact) return Fail(std::move(contact.error()));
                if (*contact) {
                    const auto& ct = **contact;
                    if (ct.first_name) facts["first_name"] = *ct.first_name;
                    if (ct.last_name) facts["last_name"] = *ct.last_name;
                    if (ct.company) facts["company"] = *ct.company;
                    if (ct.email) facts["email"] = *ct.email;
                }
            }
            facts["phone"] = call.to_number;
            facts.update(call.variables);
            for (const auto& name : call.extract) {
                for (const auto& d : *defs) {
                    if (d.name == name) s->extract_fields.push_back(d);
                }
            }
            // The call's own extract list (trigger's override) decides the questions.
            std::vector<PlanStep> steps;
            for (const auto& f : s->extract_fields) {
                auto in_plan = std::find_if(s->plan.steps.begin(), s->plan.steps.end(),
                                            [&](const PlanStep& p) { return p.field == f.name; });
                steps.push_back(in_plan != s->plan.steps.end()
                                    ? *in_plan
                                    : PlanStep{f.name, f.type, f.options, DefaultQuestion(f)});
            }
            s->plan.steps = std::move(steps);
            const CallStatus before = call.status;
            if (failure.empty()) {
                auto brain = MakeBrain(s->plan, CallFacts{facts, now}, engines.endpoints());
                if (brain) {
                    s->brain = std::move(*brain);
                } else {
                    failure = brain.error().message;
                }
            }
            if (failure.empty() && !engines.Stt(s->plan.stt))
                failure = "recognizer " + s->plan.stt + " is not available";
            if (!failure.empty()) {
                call.MoveTo(CallStatus::kFailed, now, failure);
                call.error = failure;
                call.ended_at = now;
                call.analysis = Analyze(Conversation{}, CallStatus::kFailed, {});
            } else {
                call.claimed_by = options.node_id;
                call.started_at = now;
                call.MoveTo(CallStatus::kRinging, now, "dialing");
            }
            return domain::SaveCall(r, call, before, now);
        });
        if (!claimed) {
            static LogThrottle throttle;
            LogLimited(throttle, spdlog::level::err, "claiming call {} failed: {}", call.id, claimed.error().message);
            return std::nullopt;
        }
        if (!*claimed || !failure.empty()) return std::nullopt;
        // The recognizer loads while the phone rings, not when the callee first speaks.
        engines.PrepareRecognizer(s->plan.stt);
        s->dialing = carrier.Dial(call.from_number, call.to_number);
        s->call = std::move(call);
        if (!s->dialing) {
            s->final_status = CallStatus::kFailed;
            s->end_reason = "the carrier cannot reach " + s->call.to_number;
            s->phase = Session::Phase::kDone;
        }
        return s;
    }
};

CallRuntime::CallRuntime(domain::Store& store, const Clock& clock, SpeechEngines& engines, telephony::Carrier& carrier,
                         RuntimeOptions options)
    : impl_(std::make_unique<Impl>(store, clock, engines, carrier, std::move(options))) {}

CallRuntime::~CallRuntime() {
    Stop();
}

Result<void> CallRuntime::Start() {
    auto& im = *impl_;
    if (!im.options.recordings_dir.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(im.options.recordings_dir, ec);
        if (ec) return Fail(ErrorCode::kInternal, "cannot create " + im.options.recordings_dir + ": " + ec.message());
    }
    // Calls this node was running when it stopped cannot be resumed: their audio is gone.
    auto orphans = domain::ReadTx(im.store, [&](domain::Repos& r) { return r.calls().ActiveOn(im.options.node_id); });
    if (!orphans) return Fail(std::move(orphans.error()));
    for (auto& c : *orphans) {
        const int64_t now = im.clock.NowMs();
        const CallStatus before = c.status;
        c.MoveTo(CallStatus::kFailed, now, "interrupted: the server stopped during the call");
        c.error = "interrupted: the server stopped during the call";
        c.ended_at = now;
        c.analysis = Analyze(Conversation{}, CallStatus::kFailed, {});
        auto saved = domain::WriteTx(im.store, [&](domain::Repos& r) { return domain::SaveCall(r, c, before, now); });
        if (!saved) return Fail(std::move(saved.error()));
    }
    im.running = true;
    im.writer_thread = std::thread([&im] { im.WriterLoop(); });
    for (int i = 0; i < std::max(1, im.options.worker_threads); ++i) {
        im.workers.emplace_back([&im] { im.WorkerLoop(); });
    }
    for (int i = 0; i < std::max(1, im.options.model_threads); ++i) {
        im.model_workers.emplace_back([&im] { im.ModelWorkerLoop(); });
    }
    im.media_thread = std::thread([&im] { im.MediaLoop(); });
    im.dispatcher_thread = std::thread([&im] { im.DispatchLoop(); });
    Wake();
    return {};
}

void CallRuntime::Stop() {
    auto& im = *impl_;
    if (!im.running.exchange(false)) return;
    im.dispatch_cv.notify_all();
    im.media_cv.notify_all();
    if (im.dispatcher_thread.joinable()) im.dispatcher_thread.join();
    if (im.media_thread.joinable()) im.media_thread.join();
    im.jobs_cv.notify_all();
    for (auto& w : im.workers) w.join();
    im.workers.clear();
    im.model_jobs_cv.notify_all();  // after the speech workers, which may still hand answers over
    for (auto& w : im.model_workers) w.join();
    im.model_workers.clear();
    im.writes_cv.notify_all();
    if (im.writer_thread.joinable()) im.writer_thread.join();
}

Result<void> CallRuntime::CheckReachable(std::string_view e164) const {
    return impl_->carrier.CheckReachable(e164);
}

std::string CallRuntime::CallerId() const {
    return impl_->options.caller_id;
}

void CallRuntime::Wake() {
    {
        std::lock_guard lock(impl_->dispatch_mutex);
        impl_->dispatch_wanted = true;
    }
    impl_->dispatch_cv.notify_one();
}

bool CallRuntime::Hangup(std::string_view call_id) {
    std::lock_guard lock(impl_->sessions_mutex);
    auto it = impl_->by_id.find(std::string(call_id));
    if (it == impl_->by_id.end()) return false;
    it->second->stop_requested = true;
    return true;
}

std::string RenderMetrics(const MediaStats& stats) {
    std::string out;
    out += "# HELP parley_media_ticks_total Ticks of the 20 ms media clock.\n";
    out += "# TYPE parley_media_ticks_total counter\n";
    out += "parley_media_ticks_total " + std::to_string(stats.ticks) + "\n";
    out += "# HELP parley_media_frame_lateness_ms How late media ticks started, over the last 20000 ticks.\n";
    out += "# TYPE parley_media_frame_lateness_ms summary\n";
    for (const auto& [quantile, value] : {std::pair<const char*, double>{"0.5", stats.lateness_p50_ms},
                                          {"0.99", stats.lateness_p99_ms},
                                          {"1", stats.lateness_max_ms}}) {
        char line[96];
        std::snprintf(line, sizeof line, "parley_media_frame_lateness_ms{quantile=\"%s\"} %.3f\n", quantile, value);
        out += line;
    }
    out += "# HELP parley_active_calls Calls this node is dialing or talking on.\n";
    out += "# TYPE parley_active_calls gauge\n";
    out += "parley_active_calls " + std::to_string(stats.active_calls) + "\n";
    return out;
}

MediaStats CallRuntime::Stats() const {
    MediaStats out;
    std::vector<double> sorted;
    {
        std::lock_guard lock(impl_->stats_mutex);
        sorted = impl_->lateness_ms;
        out.ticks = impl_->ticks;
    }
    {
        std::lock_guard lock(impl_->sessions_mutex);
        out.active_calls = impl_->active;
    }
    if (!sorted.empty()) {
        std::sort(sorted.begin(), sorted.end());
        auto at = [&](double q) { return sorted[std::min(sorted.size() - 1, static_cast<size_t>(q * sorted.size()))]; };
        out.lateness_p50_ms = at(0.50);
        out.lateness_p99_ms = at(0.99);
        out.lateness_max_ms = sorted.back();
    }
    return out;
}

}  // namespace parley::voice
