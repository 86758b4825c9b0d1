#pragma once

#include <memory>
#include <string>

#include "common/clock.hpp"
#include "domain/call_service.hpp"
#include "domain/repos.hpp"
#include "telephony/carrier.hpp"
#include "voice/engines/vad.hpp"
#include "voice/speech_engines.hpp"

namespace parley::voice {

struct RuntimeOptions {
    std::string node_id = "node";
    int max_concurrent_calls = 100;
    // Call time per wall time: 1 is real time; N runs calls N times faster, and a call's clock
    // waits while its engines work, so results do not depend on the machine's load.
    double speed = 1;
    int worker_threads = 2;
    // Threads that wait on chat models (remote brains), apart from the speech workers.
    int model_threads = 8;
    std::string recordings_dir;
    std::string caller_id = "+12025550100";
    VadConfig vad = {.start_ms = 60, .end_silence_ms = 300};
    int silence_timeout_ms = 7000;
};

// Media-clock statistics of real-time calls, for the benchmark and /metrics.
struct MediaStats {
    uint64_t ticks = 0;
    double lateness_p50_ms = 0;
    double lateness_p99_ms = 0;
    double lateness_max_ms = 0;
    int active_calls = 0;
};

// The statistics as Prometheus gauges: parley_media_ticks_total, parley_media_frame_lateness_ms
// {quantile="0.5"|"0.99"|"1"} over the last 20,000 ticks, parley_active_calls.
std::string RenderMetrics(const MediaStats& stats);

// Runs calls: claims queued calls from the database, dials them through the carrier, runs the
// voice pipeline on each (VAD and endpointing, barge-in, recognition, the brain, synthesis) on a
// 20 ms media clock, and saves each call's transcript, recording, analysis and cost.
//
// Threads: one media thread (never blocks on engines, disk or database), `worker_threads` engine
// workers, one database writer (keeps each call's writes in order) and a dispatcher.
class CallRuntime final : public domain::CallLauncher {
public:
    CallRuntime(domain::Store& store, const Clock& clock, SpeechEngines& engines, telephony::Carrier& carrier,
                RuntimeOptions options);
    ~CallRuntime() override;

    // Fails calls a previous run of this node left in ringing or in_progress, then starts.
    Result<void> Start();
    // Hangs up every call (they end as failed, "server stopping") and joins the threads.
    void Stop();

    Result<void> CheckReachable(std::string_view e164) const override;
    std::string CallerId() const override;
    void Wake() override;
    bool Hangup(std::string_view call_id) override;

    MediaStats Stats() const;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace parley::voice
