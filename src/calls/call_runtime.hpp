#pragma once

#include <memory>
#include <string>

#include "calls/runtime_options.hpp"
#include "common/clock.hpp"
#include "domain/call_service.hpp"
#include "domain/repos.hpp"
#include "telephony/carrier.hpp"
#include "telephony/sip/sip_agent.hpp"
#include "voice/speech_engines.hpp"

namespace parley::calls {

// The statistics as Prometheus gauges: parley_media_ticks_total, parley_media_frame_lateness_ms
// {quantile="0.5"|"0.99"|"1"} over the last 20,000 ticks, parley_active_calls, parley_call_slots,
// parley_active_local_calls, parley_local_call_slots, parley_queued_calls and
// parley_recognizer_backlog.
std::string RenderMetrics(const MediaStats& stats);

// How many calls a node admits (`parley serve --max-calls` and `--max-local-calls`).
struct CallLimits {
    int calls = 0;        // calls at once
    int local_calls = 0;  // of those, calls recognized on this node (SttEngine::OnThisNode)
    // Threads that wait on hosted engines (chat models, live and HTTP recognizers, speech
    // models): one per call (a call waits on one turn at a time), at least 8 and at most 1,024.
    // Calls that start together answer together: with fewer, the 300 calls of the fixed-delay
    // benchmark waited for threads (docs/benchmarks.md).
    int model_threads = 8;
};
// `max_calls` and `max_local_calls` as asked, 0 for auto. Calls recognized by the embedded
// recognizer get 6 per speech worker that has a core of its own: at 12 real-time sandbox calls on
// 2 cores and 2 workers the voice-to-voice p95 stayed under 1.5 s, at 16 it did not
// (docs/benchmarks.md). Other calls cost the node only their media and requests: auto allows 150
// per core, a fraction of the 1,000 SIP calls whose media 2 cores kept on time.
CallLimits DeriveCallLimits(int max_calls, int max_local_calls, int speech_workers, int cores);
// The processors this process may run on.
int AvailableCores();

// Runs calls: claims queued calls from the database, dials them through the carrier, runs the
// voice pipeline on each (VAD and endpointing, barge-in, recognition, the brain, synthesis) on a
// 20 ms media clock, and saves each call's transcript, recording, analysis and cost.
//
// It is made of one piece per job, each with its own thread or threads: the dispatcher
// (dispatcher.hpp) admits queued calls, the media loop (media_loop.hpp) runs their audio, the
// engine pool (engine_pool.hpp) recognizes, thinks and speaks, and the call writer
// (call_writer.hpp) persists what happens, ending each call through domain::CloseCall.
class CallRuntime final : public domain::CallLauncher {
public:
    // Calls from a number of the organization's own go out over SIP through `sip` (none: such
    // calls fail, saying SIP is off); every other call goes through `carrier`.
    CallRuntime(domain::Store& store, const Clock& clock, voice::SpeechEngines& engines, telephony::Carrier& carrier,
                RuntimeOptions options, telephony::sip::SipAgent* sip = nullptr);
    ~CallRuntime() override;

    // Fails calls a previous run of this node left in ringing or in_progress, then starts.
    Result<void> Start();
    // Hangs up every call (they end as failed, "server stopping") and joins the threads.
    void Stop();

    Result<void> CheckReachable(std::string_view e164) const override;
    Result<domain::CarrierCheck> ProbeCarrier(const domain::Carrier& carrier) override;
    std::string CallerId() const override;
    void Wake() override;
    bool Hangup(std::string_view call_id) override;

    MediaStats Stats() const;
    // An inbound SIP call for one of the organizations' numbers (Dispatcher::TakeInbound).
    void TakeInbound(std::unique_ptr<telephony::sip::IncomingCall> incoming);

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace parley::calls
