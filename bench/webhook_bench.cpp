// Webhook delivery on loopback: an event recorded in a transaction, signed and POSTed by the
// worker to a receiver (Parley's own HTTP server, answering 200 at once).
//
//   parley_webhook_bench [--db PATH|postgres://…] [--rate 500] [--seconds 10] [--events 20000]
//                        [--endpoints 1]
//
// Prints one line of key=value fields:
//   latency_p50_ms, latency_p99_ms  from the commit of an event's transaction to its arrival at
//                                   the receiver, events recorded one per transaction at --rate
//   deliveries_per_s                deliveries completed per second for --events recorded at once
//                                   (500 per transaction), times --endpoints receivers

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.hpp"
#include "common/ids.hpp"
#include "domain/events.hpp"
#include "domain/no_calls.hpp"
#include "domain/service_set.hpp"
#include "events/webhook_worker.hpp"
#include "http/server.hpp"
#include "store/db.hpp"
#include "store/sql_repos.hpp"

namespace {

using namespace parley;
using Wall = std::chrono::steady_clock;

int Die(const std::string& what) {
    std::fprintf(stderr, "webhook_bench: %s\n", what.c_str());
    return 1;
}

// Arrival times at the receiver by event id.
class Arrivals {
public:
    void Expect(const std::string& id, Wall::time_point committed) {
        std::lock_guard lock(mutex_);
        committed_[id] = committed;
    }
    void Arrived(const std::string& id) {
        const auto now = Wall::now();
        std::lock_guard lock(mutex_);
        ++count_;
        auto it = committed_.find(id);
        if (it != committed_.end()) {
            latencies_ms_.push_back(std::chrono::duration<double, std::milli>(now - it->second).count());
            committed_.erase(it);
        }
    }
    long count() const {
        std::lock_guard lock(mutex_);
        return count_;
    }
    std::vector<double> latencies() const {
        std::lock_guard lock(mutex_);
        return latencies_ms_;
    }

private:
    mutable std::mutex mutex_;
    std::map<std::string, Wall::time_point> committed_;
    std::vector<double> latencies_ms_;
    long count_ = 0;
};

double Percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

bool WaitFor(const Arrivals& arrivals, long count, std::chrono::seconds timeout) {
    const auto until = Wall::now() + timeout;
    while (arrivals.count() < count) {
        if (Wall::now() > until) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    std::string location;
    int rate = 500;
    int seconds = 10;
    long events = 20'000;
    int endpoints = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string arg = argv[i];
        if (arg == "--db")
            location = argv[i + 1];
        else if (arg == "--rate")
            rate = std::stoi(argv[i + 1]);
        else if (arg == "--seconds")
            seconds = std::stoi(argv[i + 1]);
        else if (arg == "--events")
            events = std::stol(argv[i + 1]);
        else if (arg == "--endpoints")
            endpoints = std::stoi(argv[i + 1]);
        else
            return Die("unknown argument " + arg);
    }
    std::filesystem::path temp;
    if (location.empty()) {
        temp = std::filesystem::temp_directory_path() / ("parley-webhook-bench-" + std::to_string(::getpid()));
        std::filesystem::create_directories(temp);
        location = (temp / "bench.db").string();
    }
    auto db = store::OpenDatabase(location, 8);
    if (!db) return Die(db.error().message);
    if (auto migrated = store::Migrate(**db); !migrated) return Die(migrated.error().message);
    auto store = store::MakeSqlStore(**db, SecretBox::Ephemeral());
    const Clock& clock = SystemClock::Shared();

    Arrivals arrivals;
    http::ServerOptions server_options;
    server_options.port = 0;
    server_options.worker_threads = 2;
    http::Server receiver(server_options, [&arrivals](http::Request& req) {
        if (auto id = req.Header("webhook-id")) arrivals.Arrived(std::string(*id));
        return http::Response{200, "text/plain", {}, "OK"};
    });
    auto port = receiver.Listen();
    if (!port) return Die(port.error().message);
    std::thread serving([&receiver] { receiver.Run(); });

    domain::NoCalls no_calls;
    domain::ServiceParts parts = no_calls.Parts();
    parts.webhook_urls = net::WebhookUrlPolicy{true};
    domain::ServiceSet services(*store, clock, parts);
    auto org = services.keys.CreateOrganization("Webhook bench", domain::Tier::kEnterprise);
    if (!org) return Die(org.error().message);
    domain::Principal who;
    who.org_id = org->first.id;
    domain::WebhookService& webhooks = services.webhooks;
    for (int i = 0; i < endpoints; ++i) {
        const std::string url = "http://127.0.0.1:" + std::to_string(*port) + "/hook/" + std::to_string(i);
        if (auto made = webhooks.Create(who, {{"url", url}, {"events", {"*"}}}); !made)
            return Die(made.error().message);
    }
    events::WorkerOptions options;
    options.allow_private = true;
    options.node_id = "bench";
    events::WebhookWorker worker(*store, clock, options);
    store->SetEventListener([&worker] { worker.Wake(); });
    if (auto started = worker.Start(); !started) return Die(started.error().message);

    // Latency: one event per transaction at a steady rate, like changes made through the API.
    const long paced = static_cast<long>(rate) * seconds;
    const auto start = Wall::now();
    for (long i = 0; i < paced; ++i) {
        std::this_thread::sleep_until(start + std::chrono::microseconds(i * 1'000'000 / rate));
        auto e = domain::SampleEvent("contact.created", who.org_id, clock.NowMs());
        // The commit time is taken before the write returns; a delivery cannot come before it.
        const auto before = Wall::now();
        for (int k = 0; k < endpoints; ++k) arrivals.Expect(e.id, before);
        if (auto w = store->Write([&](domain::Repos& r) { return r.webhooks().Record(e); }); !w) {
            return Die(w.error().message);
        }
    }
    if (!WaitFor(arrivals, paced * endpoints, std::chrono::seconds(120)))
        return Die("paced deliveries did not all arrive");
    const auto latencies = arrivals.latencies();

    // Throughput: many events at once.
    const long before_burst = arrivals.count();
    const auto burst_start = Wall::now();
    for (long done = 0; done < events;) {
        const long n = std::min<long>(500, events - done);
        auto w = store->Write([&](domain::Repos& r) -> Result<void> {
            for (long i = 0; i < n; ++i) {
                if (auto rec = r.webhooks().Record(domain::SampleEvent("call.completed", who.org_id, clock.NowMs()));
                    !rec) {
                    return rec;
                }
            }
            return {};
        });
        if (!w) return Die(w.error().message);
        done += n;
    }
    if (!WaitFor(arrivals, before_burst + events * endpoints, std::chrono::seconds(600))) {
        return Die("burst deliveries did not all arrive");
    }
    const double burst_s = std::chrono::duration<double>(Wall::now() - burst_start).count();

    worker.Stop();
    receiver.Stop();
    serving.join();
    std::printf(
        "backend=%s paced_events=%ld rate=%d latency_p50_ms=%.1f latency_p99_ms=%.1f latency_max_ms=%.1f "
        "burst_events=%ld endpoints=%d deliveries_per_s=%.0f\n",
        (*db)->dialect() == store::Dialect::kPostgres ? "postgres" : "sqlite", paced, rate, Percentile(latencies, 0.5),
        Percentile(latencies, 0.99), Percentile(latencies, 1.0), events, endpoints,
        static_cast<double>(events * endpoints) / burst_s);
    if (!temp.empty()) std::filesystem::remove_all(temp);
    return 0;
}
