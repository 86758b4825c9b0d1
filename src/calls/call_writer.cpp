#include "calls/call_writer.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "audio/wav.hpp"
#include "domain/outbox.hpp"
#include "voice/analysis.hpp"

namespace parley::calls {

using domain::Call;
using domain::CallStatus;
using domain::Json;

Json ToolJson(const voice::ToolExecution& t) {
    return {
        {"tool", t.tool}, {"status", t.status}, {"input", t.input}, {"output", t.output}, {"at_seconds", t.at_seconds}};
}

domain::CallOutcome FailedOutcome(std::string reason) {
    domain::CallOutcome outcome;
    outcome.status = CallStatus::kFailed;
    outcome.reason = std::move(reason);
    outcome.analysis = voice::Analyze(voice::Conversation{}, CallStatus::kFailed, {});
    return outcome;
}

CallWriter::CallWriter(domain::Store& store, const Clock& clock, const domain::PriceTable& prices, std::string carrier,
                       std::string recordings_dir)
    : store_(store),
      clock_(clock),
      prices_(prices),
      carrier_(std::move(carrier)),
      recordings_dir_(std::move(recordings_dir)) {}

CallWriter::~CallWriter() {
    Stop();
}

void CallWriter::Start() {
    {
        std::lock_guard lock(mutex_);
        running_ = true;
    }
    thread_ = std::thread([this] {
        std::unique_lock lock(mutex_);
        while (true) {
            cv_.wait(lock, [&] { return !writes_.empty() || !running_; });
            if (writes_.empty()) return;
            auto write = std::move(writes_.front());
            writes_.pop_front();
            lock.unlock();
            write();
            lock.lock();
        }
    });
}

void CallWriter::Stop() {
    {
        std::lock_guard lock(mutex_);
        running_ = false;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void CallWriter::Queue(std::function<void()> write) {
    {
        std::lock_guard lock(mutex_);
        writes_.push_back(std::move(write));
    }
    cv_.notify_one();
}

void CallWriter::Answered(const Call& call) {
    Queue([this, org = call.org_id, call_id = call.id, now = clock_.NowMs()] {
        auto done = store_.Write([&](domain::Repos& r) -> Result<void> {
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
    });
}

void CallWriter::ToolCalled(const Call& call, Json execution) {
    Queue([this, call, execution = std::move(execution)] {
        const int64_t now = clock_.NowMs();
        auto done = store_.Write(
            [&](domain::Repos& r) { return r.webhooks().Record(domain::ToolCallEvent(call, execution, now)); });
        if (!done) spdlog::error("call {}: recording a tool call failed: {}", call.id, done.error().message);
    });
}

void CallWriter::Finished(std::shared_ptr<Session> session) {
    Queue([this, session = std::move(session)] { Save(*session); });
}

void CallWriter::Save(Session& s) {
    const voice::Conversation& conversation = s.brain->conversation();
    domain::CallOutcome outcome;
    outcome.status = s.final_status;
    outcome.reason = s.end_reason;
    outcome.transcript = s.transcript;
    for (const auto& t : conversation.tools) outcome.tool_executions.push_back(ToolJson(t));
    outcome.transferred_to = s.call.transferred_to ? s.call.transferred_to : conversation.transferred_to;
    outcome.analysis = voice::Analyze(conversation, s.final_status, s.extract_fields);
    outcome.analysis["timings"] = {
        {"voice_to_voice_ms", s.voice_to_voice_ms}, {"engine_ms", s.engine_ms}, {"barge_ins", s.barge_ins}};
    outcome.opted_out = conversation.opted_out;
    outcome.usage = domain::CallUsage{.carrier = s.carrier.empty() ? carrier_ : s.carrier,
                                      .stt = s.plan.stt,
                                      .tts = s.plan.tts_engine,
                                      .brain = s.plan.brain,
                                      .connected = s.leg != nullptr,
                                      .talk_seconds = s.TalkSeconds(),
                                      .stt_audio_seconds = s.stt_audio_seconds,
                                      .tts_chars = s.tts_chars};
    if (s.leg && !recordings_dir_.empty()) {
        const std::string name = s.call.id + ".wav";
        if (auto written =
                audio::WriteWav((std::filesystem::path(recordings_dir_) / name).string(), s.rec_in, s.rec_out)) {
            outcome.recording = name;
        } else {
            spdlog::error("call {}: writing the recording failed: {}", s.call.id, written.error().message);
        }
    }
    const int64_t now = clock_.NowMs();
    auto saved = store_.Write([&](domain::Repos& r) -> Result<void> {
        auto closed = domain::CloseCall(r, s.call, outcome, prices_, now);
        if (!closed) return Fail(std::move(closed.error()));
        return {};
    });
    if (!saved) spdlog::error("call {}: saving the result failed: {}", s.call.id, saved.error().message);
}

Result<void> CallWriter::FailInterrupted(const std::string& node_id) {
    auto interrupted = domain::ReadTx(store_, [&](domain::Repos& r) { return r.calls().ActiveOn(node_id); });
    if (!interrupted) return Fail(std::move(interrupted.error()));
    const auto outcome = FailedOutcome("interrupted: the server stopped during the call");
    for (const auto& c : *interrupted) {
        auto closed = domain::WriteTx(
            store_, [&](domain::Repos& r) { return domain::CloseCall(r, c, outcome, prices_, clock_.NowMs()); });
        if (!closed) return Fail(std::move(closed.error()));
    }
    return {};
}

}  // namespace parley::calls
