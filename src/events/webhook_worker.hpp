#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "domain/repos.hpp"

namespace parley::events {

struct WorkerOptions {
    std::string node_id = "local";
    // Send to loopback, private and link-local addresses (parley serve --allow-private-webhooks).
    bool allow_private = false;
    int max_in_flight = 256;  // transfers at once
    int per_receiver = 8;     // transfers at once to one endpoint (or one call's webhook_url)
    int64_t timeout_ms = 10'000;
    // A claimed delivery is another node's to retry if this node has not finished it by then.
    int64_t lease_ms = 60'000;
    // How often the database is looked at when nothing wakes the worker (other nodes' events,
    // retries coming due).
    int64_t poll_ms = 250;
    // Waits after the first, second, … failed attempt (seed 000: the first attempt is immediate);
    // after the last one the delivery has failed.
    std::vector<int64_t> retry_delays_ms = {5'000,      300'000,    1'800'000,  7'200'000, 18'000'000,
                                            36'000'000, 50'400'000, 72'000'000, 86'400'000};
    double jitter = 0.1;              // each wait is stretched or shortened by up to this share
    int disable_after_failures = 10;  // consecutive failed deliveries that disable an endpoint
    // Clock for the webhook-timestamp header: receivers compare it with their own wall clock,
    // so it is not the scheduling clock tests move.
    const Clock* wall_clock = &SystemClock::Shared();
};

struct WorkerStats {
    int64_t delivered = 0;
    int64_t failed_attempts = 0;
    int64_t in_flight = 0;
};

// Sends every pending delivery (libcurl multi interface: many transfers on one thread, connections
// kept open and reused), at least once: a delivery is marked delivered only after its receiver
// answered 2xx, and a node that dies mid-transfer leaves it to be sent again. Retries back off
// (retry_delays_ms with jitter) and honour Retry-After; 410 Gone or `disable_after_failures`
// consecutive failures disable the endpoint and record webhook.disabled.
class WebhookWorker {
public:
    WebhookWorker(domain::Store& store, const Clock& clock, WorkerOptions options = {});
    ~WebhookWorker();
    WebhookWorker(const WebhookWorker&) = delete;
    WebhookWorker& operator=(const WebhookWorker&) = delete;

    // Ends this node's leases left by a previous run, then works on a thread of its own.
    Result<void> Start();
    void Stop();
    // Thread-safe: there may be new events or due deliveries.
    void Wake();
    // Without Start: works on the caller's thread until nothing is due at the clock's time and
    // nothing is in flight (tests, with a manual clock).
    void RunUntilIdle();
    WorkerStats Stats() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace parley::events
