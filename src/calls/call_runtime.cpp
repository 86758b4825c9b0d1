#include "calls/call_runtime.hpp"

#include <fmt/format.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>

#include "calls/call_writer.hpp"
#include "calls/dispatcher.hpp"
#include "calls/engine_pool.hpp"
#include "calls/media_loop.hpp"
#include "calls/trunks.hpp"

namespace parley::calls {

struct CallRuntime::Impl {
    domain::Store& store;
    telephony::Carrier& carrier;
    telephony::sip::SipAgent* sip;
    RuntimeOptions options;
    CallWriter writer;
    EnginePool pool;
    MediaLoop media;
    Dispatcher dispatcher;
    std::atomic<bool> running{false};
    // The queued calls' count for /metrics, which anyone may read: counted at most once a second.
    std::mutex queued_mutex;
    std::chrono::steady_clock::time_point queued_counted_at;
    std::optional<int64_t> queued;

    Impl(domain::Store& store, const Clock& clock, voice::SpeechEngines& engines, telephony::Carrier& k,
         RuntimeOptions o, telephony::sip::SipAgent* sip)
        : store(store),
          carrier(k),
          sip(sip),
          options(std::move(o)),
          writer(store, clock, engines.prices(), std::string(k.Name()), options.recordings_dir),
          pool(engines, [this] { media.Notify(); }),
          media(options, pool, writer, [this] { dispatcher.Wake(); }),
          dispatcher(store, clock, engines, k, sip, options, media) {}
};

CallRuntime::CallRuntime(domain::Store& store, const Clock& clock, voice::SpeechEngines& engines,
                         telephony::Carrier& carrier, RuntimeOptions options, telephony::sip::SipAgent* sip)
    : impl_(std::make_unique<Impl>(store, clock, engines, carrier, std::move(options), sip)) {}

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
    if (auto failed = im.writer.FailInterrupted(im.options.node_id); !failed) return failed;
    im.running = true;
    im.writer.Start();
    im.pool.Start(im.options.worker_threads, im.options.model_threads);
    im.media.Start();
    im.dispatcher.Start();
    return {};
}

void CallRuntime::Stop() {
    auto& im = *impl_;
    if (!im.running.exchange(false)) return;
    // In the order work flows: no new calls, then the calls end and hand their last jobs and
    // writes on, then the engines finish, then the writes.
    im.dispatcher.Stop();
    im.media.Stop();
    im.pool.Stop();
    im.writer.Stop();
}

Result<void> CallRuntime::CheckReachable(std::string_view e164) const {
    return impl_->carrier.CheckReachable(e164);
}

std::string CallRuntime::CallerId() const {
    return impl_->options.caller_id;
}

void CallRuntime::Wake() {
    impl_->dispatcher.Wake();
}

bool CallRuntime::Hangup(std::string_view call_id) {
    return impl_->media.Hangup(call_id);
}

Result<domain::CarrierCheck> CallRuntime::ProbeCarrier(const domain::Carrier& carrier) {
    if (impl_->sip == nullptr) return domain::CallLauncher::ProbeCarrier(carrier);
    constexpr auto kWait = std::chrono::seconds(5);
    domain::CarrierCheck check;
    if (carrier.transport == domain::SipTransport::kTls && !impl_->sip->tls()) {
        check.reason = "SIP over TLS is off on this node (parley serve --sip-tls-port and --sip-tls-cert)";
        return check;
    }
    auto answer = impl_->sip->Ping(TrunkOf(carrier), kWait);
    if (answer && !answer->from_peer) {
        check.reason = "no answer: " + answer->phrase;
    } else if (answer) {
        check.reachable = true;
        check.sip_status = answer->status;
        check.reason = answer->phrase;
        check.round_trip_ms = answer->round_trip_ms;
    } else {
        check.reason = "no answer within 5 s";
    }
    return check;
}

void CallRuntime::TakeInbound(std::unique_ptr<telephony::sip::IncomingCall> incoming) {
    impl_->dispatcher.TakeInbound(std::move(incoming));
}

MediaStats CallRuntime::Stats() const {
    MediaStats stats = impl_->media.Stats();
    stats.call_slots = impl_->options.max_concurrent_calls;
    stats.local_call_slots = impl_->options.max_local_calls;
    stats.recognizer_backlog = impl_->pool.Backlog();
    auto& im = *impl_;
    std::lock_guard lock(im.queued_mutex);
    const auto now = std::chrono::steady_clock::now();
    if (!im.queued || now - im.queued_counted_at >= std::chrono::seconds(1)) {
        auto queued = domain::ReadTx(im.store, [](domain::Repos& r) { return r.calls().QueuedCount(); });
        im.queued = queued ? std::optional<int64_t>(*queued) : std::nullopt;
        im.queued_counted_at = now;
    }
    stats.queued_calls = im.queued;
    return stats;
}

CallLimits DeriveCallLimits(int max_calls, int max_local_calls, int speech_workers, int cores) {
    constexpr int kLocalCallsPerWorker = 6;
    constexpr int kCallsPerCore = 150;
    CallLimits limits;
    limits.calls = max_calls > 0 ? max_calls : kCallsPerCore * std::max(1, cores);
    limits.local_calls =
        max_local_calls > 0 ? max_local_calls : kLocalCallsPerWorker * std::max(1, std::min(speech_workers, cores));
    limits.local_calls = std::min(limits.local_calls, limits.calls);
    limits.model_threads = std::clamp(limits.calls, 8, 1024);
    return limits;
}

int AvailableCores() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
    return static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
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
    const auto gauge = [&](std::string_view name, std::string_view help, int64_t value) {
        out += fmt::format("# HELP {0} {1}\n# TYPE {0} gauge\n{0} {2}\n", name, help, value);
    };
    gauge("parley_active_calls", "Calls this node is dialing or talking on.", stats.active_calls);
    gauge("parley_call_slots", "Calls this node takes at once (--max-calls); more wait queued.", stats.call_slots);
    gauge("parley_active_local_calls", "Calls of parley_active_calls recognized on this node (embedded engine).",
          stats.active_local_calls);
    gauge("parley_local_call_slots", "Calls recognized on this node it takes at once; more wait queued.",
          stats.local_call_slots);
    if (stats.queued_calls) {
        gauge("parley_queued_calls", "Calls waiting queued for a line, on every node.", *stats.queued_calls);
    }
    gauge("parley_recognizer_backlog", "Recognitions and answers of calls waiting for a speech worker.",
          static_cast<int64_t>(stats.recognizer_backlog));
    return out;
}

}  // namespace parley::calls
