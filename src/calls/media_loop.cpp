#include "calls/media_loop.hpp"

#include <pthread.h>
#include <sched.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "calls/call_writer.hpp"
#include "calls/engine_pool.hpp"

namespace parley::calls {

using audio::kFrameMs;
using audio::kFrameSamples;
using domain::CallStatus;
using domain::Json;

namespace {

constexpr size_t kPreRollFrames = 10;         // audio kept from before the VAD fired (200 ms)
constexpr int kMergeWindowFrames = 50;        // speech resuming within 1 s of an endpoint continues it
constexpr int kOvertimeGraceFrames = 750;     // 15 s to say goodbye after the maximum duration
constexpr int kVoicemailQuietFrames = 50;     // a voicemail message starts 1 s after the beep
constexpr int kVoicemailMaxWaitFrames = 500;  // or after 10 s whatever the line does
constexpr size_t kLatenessWindow = 20000;
constexpr int kFramesPerPassUnpaced = 50;  // speed 0: frames each call advances per pass
// A blind transfer the callee's side accepted but never reported on counts as done after 30 s;
// one it did not even accept, as failed.
constexpr int kReferWaitFrames = 1500;
// A bridged call is a conversation between people, not bounded by the profile's duration, but
// bounded: its recording is held in memory until the call ends.
constexpr int kMaxBridgedFrames = 3600 * 1000 / kFrameMs;
constexpr int kExtensionDelayFrames = 50;
constexpr const char* kTransferFailedWords =
    "I am sorry, I could not connect you right now. Someone from our team will call you back. Goodbye.";

// Hangs up every line of the call: the callee's, and the transfer's being placed or bridged.
void HangUpAll(Session& s) {
    if (s.leg) s.leg->Hangup();
    if (s.transfer.dialing) s.transfer.dialing->Cancel();
    if (s.transfer.target) s.transfer.target->Hangup();
}

void End(Session& s, CallStatus status, std::string reason) {
    if (s.phase == Session::Phase::kDone) return;
    s.final_status = status;
    s.end_reason = std::move(reason);
    HangUpAll(s);
    s.phase = Session::Phase::kDone;
    s.ended = true;
}

void Transferred(Session& s) {
    s.call.transferred_to = s.transfer.to;
    End(s, CallStatus::kCompleted, "transferred");
}

}  // namespace

MediaLoop::MediaLoop(const RuntimeOptions& options, EnginePool& engines, CallWriter& writer,
                     std::function<void()> line_freed)
    : options_(options), engines_(engines), writer_(writer), line_freed_(std::move(line_freed)) {}

MediaLoop::~MediaLoop() {
    Stop();
}

void MediaLoop::Start() {
    {
        std::lock_guard lock(mutex_);
        running_ = true;
    }
    thread_ = std::thread([this] { Run(); });
}

void MediaLoop::Stop() {
    {
        std::lock_guard lock(mutex_);
        running_ = false;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

int MediaLoop::FreeLines(bool local_recognizer) const {
    std::lock_guard lock(mutex_);
    const int free = options_.max_concurrent_calls - active_;
    return local_recognizer ? std::min(free, options_.max_local_calls - active_local_) : free;
}

void MediaLoop::Add(std::shared_ptr<Session> session) {
    {
        std::lock_guard lock(mutex_);
        by_id_[session->call.id] = session;
        if (session->local_recognizer) ++active_local_;
        incoming_.push_back(std::move(session));
        ++active_;
    }
    cv_.notify_one();
}

bool MediaLoop::Hangup(std::string_view call_id) {
    std::lock_guard lock(mutex_);
    auto it = by_id_.find(call_id);
    if (it == by_id_.end()) return false;
    it->second->stop_requested = true;
    return true;
}

void MediaLoop::Notify() {
    cv_.notify_one();
}

void MediaLoop::Run() {
    // Real-time calls' packets must leave every 20 ms whatever the speech workers and the request
    // threads are doing: the media thread takes a real-time priority where the system allows it.
    // (Not for accelerated calls, whose clock runs as fast as it can and would starve the rest.)
    if (!Accelerated()) {
        sched_param param{};
        param.sched_priority = 10;
        if (const int failed = pthread_setschedparam(pthread_self(), SCHED_FIFO, &param); failed != 0) {
            spdlog::info("the media thread runs at normal priority (real-time scheduling: {})", std::strerror(failed));
        }
    }
    using Steady = std::chrono::steady_clock;
    std::vector<std::shared_ptr<Session>> sessions;
    std::vector<std::shared_ptr<Session>> finished;
    auto next = Steady::now();
    double owed = 0;  // frames owed to each session at this speed
    while (running_) {
        {
            std::unique_lock lock(mutex_);
            if (sessions.empty() && incoming_.empty()) {
                cv_.wait_for(lock, std::chrono::milliseconds(100), [&] { return !incoming_.empty() || !running_; });
                next = Steady::now();
            }
            for (auto& s : incoming_) sessions.push_back(std::move(s));
            incoming_.clear();
        }
        if (!running_) break;
        int frames = 1;
        if (options_.speed <= 0) {
            frames = kFramesPerPassUnpaced;
        } else if (Accelerated()) {
            owed += options_.speed;
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
        finished.clear();
        std::erase_if(sessions, [&](const std::shared_ptr<Session>& s) {
            if (s->phase != Session::Phase::kDone || (s->job && !s->job->done)) return false;
            finished.push_back(s);
            return true;
        });
        for (auto& s : finished) Finish(s);
        if (options_.speed <= 0) {
            if (!advanced) {
                std::unique_lock lock(mutex_);
                cv_.wait_for(lock, std::chrono::milliseconds(2));
            }
            continue;
        }
        next += std::chrono::milliseconds(kFrameMs);
        std::this_thread::sleep_until(next);
        const auto woke = Steady::now();
        const auto scheduled = next;
        if (next < woke - std::chrono::milliseconds(200)) next = woke;  // fell far behind: do not burst
        if (!Accelerated() && !sessions.empty()) {
            RecordLateness(std::chrono::duration<double, std::milli>(woke - scheduled).count());
        }
    }
    for (auto& s : sessions) {
        HangUpAll(*s);
        if (s->dialing) s->dialing->Cancel();
        s->final_status = CallStatus::kFailed;
        s->end_reason = "server stopping";
        s->phase = Session::Phase::kDone;
        Finish(s);
    }
}

void MediaLoop::RecordLateness(double late_ms) {
    std::lock_guard lock(stats_mutex_);
    if (lateness_ms_.size() < kLatenessWindow) {
        lateness_ms_.push_back(late_ms);
    } else {
        lateness_ms_[lateness_next_++ % kLatenessWindow] = late_ms;
    }
    ++ticks_;
}

MediaStats MediaLoop::Stats() const {
    MediaStats out;
    std::vector<double> sorted;
    {
        std::lock_guard lock(stats_mutex_);
        sorted = lateness_ms_;
        out.ticks = ticks_;
    }
    {
        std::lock_guard lock(mutex_);
        out.active_calls = active_;
        out.active_local_calls = active_local_;
    }
    if (!sorted.empty()) {
        std::sort(sorted.begin(), sorted.end());
        auto at = [&](double q) {
            return sorted[std::min(sorted.size() - 1, static_cast<size_t>(q * static_cast<double>(sorted.size())))];
        };
        out.lateness_p50_ms = at(0.50);
        out.lateness_p99_ms = at(0.99);
        out.lateness_max_ms = sorted.back();
    }
    return out;
}

void MediaLoop::Submit(const std::shared_ptr<Session>& sp, std::shared_ptr<Job> job) {
    engines_.Submit(sp, std::move(job));
}

void MediaLoop::Tick(const std::shared_ptr<Session>& sp) {
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
        writer_.Answered(s.call);
        auto job = std::make_shared<Job>();
        job->kind = Job::Kind::kStart;
        job->brain = s.brain->Clone();
        Submit(sp, job);
        return;
    }
    ConnectedTick(sp);
}

void MediaLoop::ConnectedTick(const std::shared_ptr<Session>& sp) {
    Session& s = *sp;
    if (s.transfer.state != Session::Transfer::State::kNone) {
        TransferTick(sp);
        return;
    }
    if (s.job && s.job->done && !s.job->superseded) Commit(sp);
    if (s.job && s.job->done && s.job->superseded) s.job.reset();
    if (s.job && !s.job->superseded) PlaySpoken(s, *s.job);  // an answer's first sentences, while it is made

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
    // Keys the callee presses are an answer like words, once the agent has finished the last one.
    s.pending_digits += s.leg->TakeDigits();
    if (!s.pending_digits.empty() && (!s.job || s.job->done) && !s.hang_up_after_audio) {
        s.speech_end_frame = s.frame;
        auto job = HearJob(s, {});
        job->digits = std::move(s.pending_digits);
        s.pending_digits.clear();
        s.utterance_start_frame = s.frame;
        Submit(sp, job);
    }

    const auto event = s.vad.Process(in);
    s.callee_quiet_frames = s.vad.InSpeech() ? 0 : s.callee_quiet_frames + 1;
    if (s.voicemail_message && (s.callee_quiet_frames >= kVoicemailQuietFrames ||
                                s.frame - s.voicemail_waiting_since >= kVoicemailMaxWaitFrames)) {
        s.barge_in_allowed = false;
        Play(s, *s.voicemail_message, s.voicemail_text, false);
        s.voicemail_message.reset();
    }
    if (s.vad.InSpeech() || event == audio::Vad::Event::kSpeechEnd) {
        s.utterance.insert(s.utterance.end(), in, in + kFrameSamples);
        if (s.stream && s.stream->Push(std::span<const int16_t>(in, kFrameSamples))) engines_.Feed(s.stream);
        if (s.stream && s.stream_paused && s.vad.InSpeech() && s.vad.SilenceMs() == 0) {  // the pause was not the end
            s.stream->Resumed();
            s.stream_paused = false;
        }
    } else {
        s.pre_roll.emplace_back(in, in + kFrameSamples);
        if (s.pre_roll.size() > kPreRollFrames) s.pre_roll.pop_front();
    }
    if (event == audio::Vad::Event::kSpeechStart) OnSpeechStart(s);
    if (event == audio::Vad::Event::kSpeechEnd) OnSpeechEnd(sp);
    MaybeTakeGrammarAnswer(sp);
    MaybeTakeEndpointed(sp);
    if (s.vad.InSpeech()) s.quiet_since_frame = s.frame;

    const bool idle = !s.job && s.agent_audio.empty() && !s.voicemail_message && !s.vad.InSpeech();
    if (idle && s.transfer_after_audio) {
        StartTransfer(sp);
        return;
    }
    if (idle && s.hang_up_after_audio) {
        End(s, s.brain->conversation().voicemail ? CallStatus::kVoicemail : CallStatus::kCompleted,
            s.transfer.failure.empty() ? "agent hung up" : "transfer failed: " + s.transfer.failure);
        return;
    }
    const int64_t talk_ms = (s.frame - s.answered_frame) * kFrameMs;
    const int64_t max_ms = static_cast<int64_t>(s.plan.max_call_seconds) * 1000;
    if (!s.overtime && talk_ms >= max_ms) {
        s.overtime = true;
        if (!s.job) {
            auto job = std::make_shared<Job>();
            job->kind = Job::Kind::kSay;
            job->fixed_say = "I am sorry, we have run out of time for this call. Goodbye.";
            s.agent_audio.clear();
            Submit(sp, job);
        }
    }
    if (s.overtime && talk_ms >= max_ms + kOvertimeGraceFrames * kFrameMs) {
        End(s, CallStatus::kCompleted, "maximum call duration");
        return;
    }
    if (idle && !s.hang_up_after_audio && (s.frame - s.quiet_since_frame) * kFrameMs >= options_.silence_timeout_ms) {
        auto job = std::make_shared<Job>();
        job->kind = Job::Kind::kSilence;
        job->brain = s.brain->Clone();
        job->at_seconds = s.Seconds(s.frame);
        s.quiet_since_frame = s.frame;
        Submit(sp, job);
    }
}

// The agent has said it is connecting the callee. On the sandbox the line hands the call over at
// once; on a real line Parley asks the callee's side to call the number (blind) or calls it
// itself and joins the two calls (bridged).
void MediaLoop::StartTransfer(const std::shared_ptr<Session>& sp) {
    Session& s = *sp;
    auto& t = s.transfer;
    t.to = *s.transfer_after_audio;
    s.transfer_after_audio.reset();
    t.since_frame = s.frame;
    if (!s.dial_transfer) {
        Transferred(s);
    } else if (s.plan.transfer_mode == "blind") {
        if (s.leg->Refer(t.to)) {
            t.state = Session::Transfer::State::kReferring;
        } else {
            TransferFailed(sp, "the line cannot transfer blind");
        }
    } else {
        t.dialing = s.dial_transfer(t.to);
        if (t.dialing) {
            t.state = Session::Transfer::State::kDialing;
        } else {
            TransferFailed(sp, "no RTP port is free");
        }
    }
}

// A transfer under way: the callee hears silence until the target answers, then the target.
void MediaLoop::TransferTick(const std::shared_ptr<Session>& sp) {
    Session& s = *sp;
    auto& t = s.transfer;
    using State = Session::Transfer::State;
    if (t.state != State::kBridged) t.heard.fill(0);
    int16_t in[kFrameSamples];
    s.leg->Exchange(t.heard, in);
    s.rec_out.insert(s.rec_out.end(), t.heard.begin(), t.heard.end());
    s.rec_in.insert(s.rec_in.end(), in, in + kFrameSamples);
    s.leg->TakeDigits();  // keys are for the agent, who has left
    std::string reason;
    switch (t.state) {
        case State::kReferring: {
            const auto progress = s.leg->ReferProgress(reason);
            const bool waited = s.frame - t.since_frame >= kReferWaitFrames;
            if (progress == telephony::ReferState::kDone ||
                (progress == telephony::ReferState::kAccepted && (waited || s.leg->HungUp()))) {
                Transferred(s);
            } else if (progress == telephony::ReferState::kFailed) {
                TransferFailed(sp, reason);
            } else if (s.leg->HungUp()) {
                End(s, CallStatus::kCompleted, "callee hung up");
            } else if (waited) {
                TransferFailed(sp, "the callee's side did not take the transfer");
            }
            return;
        }
        case State::kDialing:
            if (s.leg->HungUp()) {
                End(s, CallStatus::kCompleted, "callee hung up");
                return;
            }
            switch (t.dialing->Tick()) {
                case telephony::DialState::kRinging: return;
                case telephony::DialState::kBusy: TransferFailed(sp, t.to + " is busy"); return;
                case telephony::DialState::kNoAnswer: TransferFailed(sp, t.to + " did not answer"); return;
                case telephony::DialState::kFailed: TransferFailed(sp, t.dialing->FailureReason()); return;
                case telephony::DialState::kAnswered: break;
            }
            t.target = t.dialing->TakeLeg();
            t.dialing.reset();
            t.state = State::kBridged;
            t.answered_frame = s.frame;
            t.heard.fill(0);
            return;
        case State::kBridged: {
            // An extension is pressed a second after the answer, when a PBX's menu listens.
            if (s.frame - t.answered_frame == kExtensionDelayFrames && !s.plan.transfer_extension.empty()) {
                t.target->SendDigits(s.plan.transfer_extension);
            }
            t.target->Exchange(std::span<const int16_t>(in, kFrameSamples), t.heard);
            t.target->TakeDigits();
            if (s.leg->HungUp() || t.target->HungUp()) {
                Transferred(s);
            } else if (s.frame - t.since_frame >= kMaxBridgedFrames) {
                s.call.transferred_to = t.to;
                End(s, CallStatus::kCompleted, "maximum bridged call duration");
            }
            return;
        }
        case State::kNone: return;
    }
}

// The agent takes the call back to apologize, then hangs up; the conversation was not transferred.
void MediaLoop::TransferFailed(const std::shared_ptr<Session>& sp, std::string reason) {
    Session& s = *sp;
    spdlog::info("call {}: transfer to {} failed: {}", s.call.id, s.transfer.to, reason);
    if (s.transfer.dialing) s.transfer.dialing->Cancel();
    s.transfer.dialing.reset();
    s.transfer.state = Session::Transfer::State::kNone;
    s.transfer.failure = reason.empty() ? "unknown" : std::move(reason);
    s.brain->conversation().transferred_to.reset();
    s.hang_up_after_audio = true;
    auto job = std::make_shared<Job>();
    job->kind = Job::Kind::kSay;
    job->fixed_say = kTransferFailedWords;
    Submit(sp, job);
}

void MediaLoop::OnSpeechStart(Session& s) {
    // The utterance began start_ms ago; keep what came before it too.
    audio::Pcm start;
    for (const auto& f : s.pre_roll) start.insert(start.end(), f.begin(), f.end());
    s.pre_roll.clear();
    start.insert(start.end(), s.utterance.begin(), s.utterance.end());
    s.utterance = std::move(start);
    s.utterance_start_frame = s.frame - options_.vad.start_ms / kFrameMs;
    const bool answering = s.job && s.job->playing && !s.job->done;  // between two sentences, maybe
    if ((!s.agent_audio.empty() || answering) && s.barge_in_allowed) {
        // Barge-in: the callee talks over the agent, who stops at once.
        if (s.job) s.job->cut = true;
        s.agent_audio.clear();
        s.barge_ins.push_back({{"at_seconds", s.Seconds(s.frame)}, {"cut_after_ms", options_.vad.start_ms}});
        if (s.agent_line < s.transcript.size()) s.transcript[s.agent_line]["interrupted"] = true;
    }
    if (s.job && !s.job->done && !Accelerated() && s.frame - s.held_end_frame <= kMergeWindowFrames) {
        // The callee was only pausing: answer the whole utterance instead (recognized whole).
        s.job->superseded = true;
        s.job->cut = true;
        s.stream.reset();
        s.final_pending.reset();
    } else {
        s.held.clear();
        s.stream = engines_.OpenStream(s, s.expect);
        s.stream_paused = false;
        if (s.stream && s.stream->Push(s.utterance)) engines_.Feed(s.stream);
    }
}

// While the callee is quiet, before the VAD calls the utterance finished: an answer the step's
// grammar accepts is taken now; anything else waits for the endpoint and the open model.
void MediaLoop::MaybeTakeGrammarAnswer(const std::shared_ptr<Session>& sp) {
    Session& s = *sp;
    const int at_ms = options_.grammar_end_silence_ms;
    if (!s.stream || at_ms <= 0 || at_ms >= options_.vad.end_silence_ms || s.vad.SilenceMs() != at_ms) return;
    if (s.job || s.hang_up_after_audio || !s.expect || s.expect->kind == voice::AnswerKind::kText) return;
    if (!s.local_recognizer) return;  // hosted recognizers have no grammar
    s.held_end_frame = s.frame;
    s.speech_end_frame = s.frame - at_ms / kFrameMs;
    auto job = HearJob(s, s.utterance);  // what the grammar hears; counted as recognized audio
    s.held = job->audio;
    job->stream = s.stream;
    s.stream_paused = true;
    job->grammar_only = true;
    Submit(sp, job);
}

// A hosted recognizer's own endpointing may end the utterance before Parley's: its words are
// answered at once.
void MediaLoop::MaybeTakeEndpointed(const std::shared_ptr<Session>& sp) {
    Session& s = *sp;
    if (!s.stream || s.job || s.hang_up_after_audio || !s.vad.InSpeech()) return;
    auto heard = s.stream->Endpointed();
    if (!heard) return;
    s.speech_end_frame = s.frame - s.vad.SilenceMs() / kFrameMs;
    s.held = s.utterance;
    s.held_end_frame = s.frame;
    auto job = HearJob(s, std::move(s.utterance));
    job->heard = std::move(*heard);
    // The utterance is over, whatever the VAD still waits for.
    s.utterance.clear();
    s.stream.reset();
    s.vad.Reset();
    Submit(sp, job);
}

void MediaLoop::OnSpeechEnd(const std::shared_ptr<Session>& sp) {
    Session& s = *sp;
    if (s.hang_up_after_audio) {  // the agent is saying goodbye or leaving a message
        s.utterance.clear();
        s.stream.reset();
        return;
    }
    const int64_t silence_frames = options_.vad.end_silence_ms / kFrameMs;
    audio::Pcm heard = std::move(s.utterance);
    s.utterance.clear();
    if (s.job && s.job->grammar_only && !s.job->superseded) {
        if (!s.job->done) {  // the grammar is still deciding: the open model waits for it
            s.final_pending = Session::PendingUtterance{std::move(heard), s.frame - silence_frames};
            return;
        }
        Commit(sp);
        if (!s.stream) return;  // the grammar's answer was taken
    }
    SubmitHear(sp, std::move(heard), s.frame - silence_frames);
}

// The utterance has ended: recognize it (from its stream when it has one) and answer.
void MediaLoop::SubmitHear(const std::shared_ptr<Session>& sp, audio::Pcm heard, int64_t end_frame) {
    Session& s = *sp;
    if (s.job && s.job->superseded && !s.held.empty()) {
        audio::Pcm merged = std::move(s.held);
        merged.insert(merged.end(), heard.begin(), heard.end());
        heard = std::move(merged);
    } else if (s.job && !s.job->done) {
        s.stream.reset();
        return;  // still answering the last utterance: the callee talked over the pause
    }
    s.held = heard;
    s.held_end_frame = s.frame;
    s.speech_end_frame = end_frame;
    auto job = HearJob(s, std::move(heard));
    job->stream = std::move(s.stream);
    s.stream.reset();
    Submit(sp, job);
}

// A job to hear `audio`, which ended at s.speech_end_frame, and answer it.
std::shared_ptr<Job> MediaLoop::HearJob(const Session& s, audio::Pcm audio) {
    auto job = std::make_shared<Job>();
    job->kind = Job::Kind::kHear;
    job->audio = std::move(audio);
    job->expect = s.expect;
    job->brain = s.brain->Clone();
    job->at_seconds = s.Seconds(s.speech_end_frame);
    return job;
}

void MediaLoop::Commit(const std::shared_ptr<Session>& sp) {
    Session& s = *sp;
    std::shared_ptr<Job> job = std::move(s.job);
    s.job.reset();
    if (!job->channel.empty()) s.channel = job->channel;
    if (job->grammar_only) {
        if (job->undecided) {
            if (s.final_pending) {  // the utterance ended meanwhile: the open model's turn
                auto pending = std::move(*s.final_pending);
                s.final_pending.reset();
                SubmitHear(sp, std::move(pending.audio), pending.end_frame);
            }
            return;
        }
        // Taken: the utterance is over, whatever the VAD still waits for.
        s.stream.reset();
        s.final_pending.reset();
        s.utterance.clear();
        s.vad.Reset();
    }
    s.stt_audio_seconds += job->stt_audio_seconds;
    s.tts_chars += job->tts_chars;
    if (!job->error.empty()) {
        spdlog::warn("call {}: {}", s.call.id, job->error);
        if (job->kind == Job::Kind::kStart) End(s, CallStatus::kFailed, job->error);
        return;
    }
    if (job->kind == Job::Kind::kHear) {
        s.engine_ms.push_back({{"stt_ms", job->stt_ms}, {"brain_ms", job->brain_ms}, {"tts_ms", job->tts_ms}});
        if (job->words.empty() && job->turn.say.empty()) return;  // noise
        TranscribeCallee(s, *job);
    }
    if (job->brain) s.brain = std::move(job->brain);
    ReportTools(s);
    s.held.clear();
    const voice::Turn& turn = job->turn;
    if (turn.expect) s.expect = turn.expect;
    if (turn.hang_up) s.hang_up_after_audio = true;
    if (turn.transfer) s.transfer_after_audio = turn.transfer;
    if (turn.leave_voicemail && job->speech && !job->speech->empty()) {
        s.voicemail_message = job->speech;
        s.voicemail_text = turn.say;
        s.voicemail_waiting_since = s.frame;
    }
    PlaySpoken(s, *job);
    s.quiet_since_frame = s.frame;
}

// The callee's words the job heard, in the transcript (none when the recognizer failed).
void MediaLoop::TranscribeCallee(Session& s, Job& job) {
    if (job.words.empty() || job.transcribed) return;
    job.transcribed = true;
    s.transcript.push_back({{"speaker", "callee"},
                            {"text", job.words},
                            {"timestamp_seconds", s.Seconds(s.utterance_start_frame)},
                            {"confidence", job.confidence}});
    if (!job.digits.empty()) s.transcript.back()["dtmf"] = true;
}

// Plays what has come of the job's answer: its first piece opens the agent's line in the
// transcript, later sentences add their words to it (and to what the callee's side hears).
void MediaLoop::PlaySpoken(Session& s, Job& job) {
    auto pieces = job.spoken.Take();
    if (job.cut) return;  // the callee talked over it
    for (auto& piece : pieces) {
        if (!job.playing) {
            if (job.kind == Job::Kind::kHear) TranscribeCallee(s, job);  // what is answered comes first
            job.playing = true;
            Play(s, piece.audio, piece.words, job.kind == Job::Kind::kHear);
            continue;
        }
        s.agent_audio.insert(s.agent_audio.end(), piece.audio.begin(), piece.audio.end());
        if (piece.words.empty() || s.agent_line >= s.transcript.size()) continue;
        Json& text = s.transcript[s.agent_line]["text"];
        text = text.get<std::string>() + " " + piece.words;
        s.leg->Caption(text.get<std::string>());
    }
}

// Each tool the agent runs is recorded when it runs, not when the call ends.
void MediaLoop::ReportTools(Session& s) {
    const auto& tools = s.brain->conversation().tools;
    for (; s.tools_reported < tools.size(); ++s.tools_reported)
        writer_.ToolCalled(s.call, ToolJson(tools[s.tools_reported]));
}

// Queues the agent's audio and its line in the transcript; the callee's side hears the words.
void MediaLoop::Play(Session& s, const audio::Pcm& speech, const std::string& words, bool answers_callee) {
    s.agent_audio.insert(s.agent_audio.end(), speech.begin(), speech.end());
    s.leg->Caption(words);
    s.agent_line = s.transcript.size();
    s.transcript.push_back({{"speaker", "agent"}, {"text", words}, {"timestamp_seconds", s.Seconds(s.frame)}});
    s.awaiting_first_audio = answers_callee;
}

void MediaLoop::Finish(const std::shared_ptr<Session>& s) {
    {
        std::lock_guard lock(mutex_);
        by_id_.erase(s->call.id);
        --active_;
        if (s->local_recognizer) --active_local_;
    }
    line_freed_();
    writer_.Finished(s);
}

}  // namespace parley::calls
