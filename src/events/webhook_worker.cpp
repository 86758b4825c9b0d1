#include "events/webhook_worker.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "common/crypto.hpp"
#include "common/log_throttle.hpp"
#include "domain/events.hpp"
#include "net/url_guard.hpp"

namespace parley::events {
namespace {

constexpr int kFanOutBatch = 500;
constexpr size_t kKeptResponseBytes = 200;
constexpr int64_t kMaxRetryAfterMs = 24LL * 3600 * 1000;

// Standard Webhooks: the HMAC key is the base64 after "whsec_".
std::string StandardKey(const std::string& secret) {
    std::string b64 = secret.starts_with("whsec_") ? secret.substr(6) : secret;
    std::replace(b64.begin(), b64.end(), '+', '-');
    std::replace(b64.begin(), b64.end(), '/', '_');
    b64.erase(std::remove(b64.begin(), b64.end(), '='), b64.end());
    return Base64UrlDecode(b64).value_or(std::string());
}

std::string StandardSignature(const std::string& secret, const std::string& id, int64_t seconds,
                              const std::string& body) {
    const std::string content = id + "." + std::to_string(seconds) + "." + body;
    return "v1," + Base64Encode(HmacSha256(StandardKey(secret), content));
}

// Retry-After as delay-seconds or an HTTP date; nothing for anything else.
std::optional<int64_t> RetryAfterMs(std::string value, int64_t wall_now_ms) {
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.pop_back();
    if (value.empty()) return std::nullopt;
    if (std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); })) {
        if (value.size() > 9) return kMaxRetryAfterMs;
        return std::min<int64_t>(kMaxRetryAfterMs, std::stoll(value) * 1000);
    }
    const time_t at = curl_getdate(value.c_str(), nullptr);
    if (at < 0) return std::nullopt;
    return std::clamp(static_cast<int64_t>(at) * 1000 - wall_now_ms, int64_t{0}, kMaxRetryAfterMs);
}

struct Transfer {
    domain::DueDelivery due;
    std::string receiver;
    CURL* easy = nullptr;
    curl_slist* headers = nullptr;
    curl_slist* pin = nullptr;  // CURLOPT_RESOLVE: the checked addresses
    std::string response;
    std::string retry_after;
    char error[CURL_ERROR_SIZE] = {};

    ~Transfer() {
        if (easy) curl_easy_cleanup(easy);
        if (headers) curl_slist_free_all(headers);
        if (pin) curl_slist_free_all(pin);
    }
};

size_t KeepResponse(char* data, size_t size, size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const size_t bytes = size * n;
    if (t->response.size() < kKeptResponseBytes) {
        t->response.append(data, std::min(bytes, kKeptResponseBytes - t->response.size()));
    }
    return bytes;
}

size_t ReadHeader(char* data, size_t size, size_t n, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const std::string_view line(data, size * n);
    constexpr std::string_view kName = "retry-after:";
    if (line.size() > kName.size()) {
        std::string head(line.substr(0, kName.size()));
        std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
        if (head == kName) {
            std::string_view v = line.substr(kName.size());
            while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
            t->retry_after = std::string(v);
        }
    }
    return size * n;
}

struct Outcome {
    domain::DueDelivery due;
    bool delivered = false;
    std::optional<int> http_status;
    std::string error;
    std::optional<int64_t> retry_after_ms;
};

}  // namespace

struct WebhookWorker::Impl {
    domain::Store& store;
    const Clock& clock;
    WorkerOptions o;
    CURLM* multi = nullptr;
    std::map<CURL*, std::unique_ptr<Transfer>> transfers;
    std::map<std::string, int> per_receiver;
    std::vector<Outcome> outcomes;
    std::mt19937_64 rng{std::random_device{}()};
    std::thread thread;
    std::atomic<bool> running{false};
    std::atomic<int64_t> delivered{0};
    std::atomic<int64_t> failed_attempts{0};
    std::atomic<int64_t> in_flight{0};
    // Something changed since the last look for due deliveries: new ones, a freed slot, a wake.
    // Without a change the look waits for the poll interval: when every receiver with due
    // deliveries is full, it reads past all of them to find nothing.
    std::atomic<bool> claim_wanted{true};
    std::chrono::steady_clock::time_point last_claim{};

    Impl(domain::Store& s, const Clock& c, WorkerOptions options) : store(s), clock(c), o(std::move(options)) {
        static std::once_flag once;
        std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
        // No per-host cap in curl: Claim already keeps each receiver to `per_receiver` transfers,
        // and a cap per host made receivers sharing one host (two endpoints of one customer's
        // server) queue behind each other's slow answers.
        multi = curl_multi_init();
    }

    ~Impl() {
        for (auto& [easy, t] : transfers) curl_multi_remove_handle(multi, easy);
        transfers.clear();
        curl_multi_cleanup(multi);
    }

    // Events into deliveries; true when there were any.
    bool FanOut() {
        bool any = false;
        while (true) {
            const int64_t now = clock.NowMs();
            auto n = domain::WriteTx(store, [&](domain::Repos& r) { return r.webhooks().FanOut(kFanOutBatch, now); });
            if (!n) {
                static LogThrottle throttle;
                LogLimited(throttle, spdlog::level::err, "webhooks: turning events into deliveries failed: {}",
                           n.error().message);
                return any;
            }
            any = any || *n > 0;
            if (*n > 0) claim_wanted = true;
            if (*n < kFanOutBatch) return any;
        }
    }

    // Leases due deliveries up to the free transfer slots and starts them; true when any started.
    bool Claim() {
        const int free = o.max_in_flight - static_cast<int>(transfers.size());
        if (free <= 0) return false;
        const auto tick = std::chrono::steady_clock::now();
        if (!claim_wanted.exchange(false) && tick - last_claim < std::chrono::milliseconds(o.poll_ms / 2)) return false;
        last_claim = tick;
        std::vector<std::string> full;
        for (const auto& [receiver, n] : per_receiver) {
            if (n >= o.per_receiver) full.push_back(receiver);
        }
        const int64_t now = clock.NowMs();
        std::vector<domain::DueDelivery> claimed;
        auto done = store.Write([&](domain::Repos& r) -> Result<void> {
            claimed.clear();
            auto due = r.webhooks().Due(now, free, full);
            if (!due) return Fail(std::move(due.error()));
            std::map<std::string, int> taking;
            std::vector<std::string> ids;
            for (const auto& d : *due) {
                auto it = per_receiver.find(d.receiver);
                if ((it == per_receiver.end() ? 0 : it->second) + taking[d.receiver] >= o.per_receiver) continue;
                ++taking[d.receiver];
                ids.push_back(d.id);
            }
            auto leased = r.webhooks().Lease(ids, now, now + o.lease_ms, o.node_id);
            if (!leased) return Fail(std::move(leased.error()));
            claimed = std::move(*leased);
            return {};
        });
        if (!done) {
            static LogThrottle throttle;
            LogLimited(throttle, spdlog::level::err, "webhooks: claiming due deliveries failed: {}",
                       done.error().message);
            return false;
        }
        for (auto& d : claimed) Begin(std::move(d));
        return !claimed.empty();
    }

    static std::string ReceiverOf(const domain::WebhookDelivery& d) { return d.endpoint_id.value_or(d.url); }

    void Begin(domain::DueDelivery due) {
        // The address is checked at each attempt and the connection pinned to it, so a DNS answer
        // that changed since the endpoint was saved cannot reach a private address.
        auto resolved = net::ResolveWebhookUrl(due.delivery.url, o.allow_private);
        if (!resolved) {
            outcomes.push_back({std::move(due), false, std::nullopt, resolved.error().message, std::nullopt});
            return;
        }
        auto t = std::make_unique<Transfer>();
        t->due = std::move(due);
        t->receiver = ReceiverOf(t->due.delivery);
        t->easy = curl_easy_init();
        const auto& d = t->due.delivery;
        const std::string& body = t->due.body;
        const int64_t seconds = o.wall_clock->NowMs() / 1000;
        std::string standard = StandardSignature(t->due.secret, d.event_id, seconds, body);
        if (t->due.previous_secret)
            standard += " " + StandardSignature(*t->due.previous_secret, d.event_id, seconds, body);
        const std::string lines[] = {
            "Content-Type: application/json",
            "User-Agent: Parley-Webhooks/1",
            "X-Parley-Event: " + d.event,
            "X-Parley-Delivery: " + d.id,
            "X-Parley-Signature: " + HexEncode(HmacSha256(t->due.secret, body)),
            "webhook-id: " + d.event_id,
            "webhook-timestamp: " + std::to_string(seconds),
            "webhook-signature: " + standard,
            "Expect:",  // no 100-continue round trip
        };
        for (const auto& line : lines) t->headers = curl_slist_append(t->headers, line.c_str());
        t->pin = curl_slist_append(nullptr, net::CurlResolveEntry(*resolved).c_str());
        CURL* h = t->easy;
        curl_easy_setopt(h, CURLOPT_URL, d.url.c_str());
        curl_easy_setopt(h, CURLOPT_RESOLVE, t->pin);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, t->headers);
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(o.timeout_ms));
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, KeepResponse);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, t.get());
        curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, ReadHeader);
        curl_easy_setopt(h, CURLOPT_HEADERDATA, t.get());
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, t->error);
        curl_easy_setopt(h, CURLOPT_PRIVATE, t.get());
        const CURLMcode added = curl_multi_add_handle(multi, h);
        if (added != CURLM_OK) {
            outcomes.push_back({std::move(t->due), false, std::nullopt, curl_multi_strerror(added), std::nullopt});
            return;
        }
        ++per_receiver[t->receiver];
        ++in_flight;
        transfers.emplace(h, std::move(t));
    }
    void Perform() {
        int running_handles = 0;
        curl_multi_perform(multi, &running_handles);
        int left = 0;
        while (CURLMsg* m = curl_multi_info_read(multi, &left)) {
            if (m->msg != CURLMSG_DONE) continue;
            auto it = transfers.find(m->easy_handle);
            if (it == transfers.end()) continue;
            Transfer& t = *it->second;
            Outcome out;
            if (m->data.result == CURLE_OK) {
                long status = 0;
                curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
                out.http_status = static_cast<int>(status);
                out.delivered = status >= 200 && status < 300;
                if (!out.delivered) {
                    out.error = "receiver answered " + std::to_string(status);
                    if (!t.response.empty()) out.error += ": " + t.response;
                    out.retry_after_ms = RetryAfterMs(t.retry_after, o.wall_clock->NowMs());
                }
            } else if (m->data.result == CURLE_OPERATION_TIMEDOUT) {
                out.error = "no answer within " + (o.timeout_ms % 1000 == 0 ? std::to_string(o.timeout_ms / 1000) + " s"
                                                                            : std::to_string(o.timeout_ms) + " ms");
            } else {
                out.error = t.error[0] != '\0' ? t.error : curl_easy_strerror(m->data.result);
            }
            out.due = std::move(t.due);
            curl_multi_remove_handle(multi, m->easy_handle);
            if (--per_receiver[t.receiver] <= 0) per_receiver.erase(t.receiver);
            --in_flight;
            transfers.erase(it);
            outcomes.push_back(std::move(out));
        }
    }

    int64_t Jittered(int64_t ms) {
        std::uniform_real_distribution<double> spread(-o.jitter, o.jitter);
        return static_cast<int64_t>(static_cast<double>(ms) * (1.0 + spread(rng)));
    }

    // Writes what happened to each finished attempt, all in one transaction.
    void Record() {
        if (outcomes.empty()) return;
        claim_wanted = true;  // slots are free again, and retries may be due at once
        const int64_t now = clock.NowMs();
        // Jitter is drawn once, so a retried transaction writes the same times.
        std::vector<int64_t> waits;
        for (const auto& out : outcomes) {
            const auto attempt = static_cast<size_t>(out.due.delivery.attempts);  // before this one
            waits.push_back(attempt < o.retry_delays_ms.size() ? Jittered(o.retry_delays_ms[attempt]) : -1);
        }
        auto done = store.Write([&](domain::Repos& r) -> Result<void> {
            for (size_t i = 0; i < outcomes.size(); ++i) {
                if (auto saved = r.webhooks().SaveAttempt(Attempted(outcomes[i], waits[i], now)); !saved) return saved;
            }
            return CountByEndpoint(r, now);
        });
        if (!done) {
            // The leases run out and the deliveries are sent again: at least once, never lost.
            static LogThrottle throttle;
            LogLimited(throttle, spdlog::level::err, "webhooks: recording {} attempts failed: {}", outcomes.size(),
                       done.error().message);
        } else {
            for (const auto& out : outcomes) (out.delivered ? delivered : failed_attempts)++;
        }
        outcomes.clear();
    }

    // The delivery after an attempt: delivered, due again after `wait` (or Retry-After), or failed
    // when the receiver is gone or the schedule is used up (`wait` < 0).
    static domain::WebhookDelivery Attempted(const Outcome& out, int64_t wait, int64_t now) {
        domain::WebhookDelivery d = out.due.delivery;
        d.attempts += 1;
        d.http_status = out.http_status;
        d.updated_at = now;
        if (out.delivered) {
            d.status = domain::DeliveryStatus::kDelivered;
            d.last_error.reset();
            d.delivered_at = now;
        } else if (out.http_status == 410 || wait < 0) {
            d.status = domain::DeliveryStatus::kFailed;
            d.last_error = out.error;
        } else {
            d.last_error = out.error;
            d.next_at = now + std::max(wait, out.retry_after_ms.value_or(0));
        }
        return d;
    }

    // Each endpoint's run of failures, in the order the attempts finished; a 410 or too many
    // failures in a row disable it and record webhook.disabled.
    Result<void> CountByEndpoint(domain::Repos& r, int64_t now) {
        struct Tally {
            bool reset = false;
            int failures = 0;  // since the last success in this batch
            const Outcome* last = nullptr;
            bool gone = false;
        };
        std::map<std::string, Tally> tallies;
        for (const auto& out : outcomes) {
            if (!out.due.delivery.endpoint_id) continue;
            Tally& t = tallies[*out.due.delivery.endpoint_id];
            if (out.delivered) {
                t.reset = true;
                t.failures = 0;
            } else {
                ++t.failures;
                t.last = &out;
                t.gone = t.gone || out.http_status == 410;
            }
        }
        for (const auto& [endpoint, t] : tallies) {
            if (!t.reset && t.failures == 0) continue;
            auto failures = r.webhooks().CountOutcomes(endpoint, t.reset, t.failures, now);
            if (!failures) return Fail(std::move(failures.error()));
            std::string reason;
            if (t.gone) {
                reason = "the receiver answered 410 Gone";
            } else if (t.failures > 0 && *failures >= o.disable_after_failures) {
                reason = std::to_string(*failures) + " consecutive deliveries failed";
            }
            if (reason.empty()) continue;
            auto disabled = r.webhooks().Disable(endpoint, reason, now);
            if (!disabled) return Fail(std::move(disabled.error()));
            if (!*disabled) continue;
            const auto& d = t.last->due.delivery;
            spdlog::warn("webhook {} ({}) disabled: {}", endpoint, d.url, reason);
            auto event = r.webhooks().Record(domain::OrgEvent(
                "webhook.disabled", d.org_id,
                {{"webhook_id", endpoint}, {"url", d.url}, {"reason", reason}, {"last_error", t.last->error}}, now));
            if (!event) return event;
        }
        return {};
    }

    // One round: new events, due deliveries, progress on transfers, results. True when it did
    // anything.
    bool Step() {
        const bool fanned = FanOut();
        const bool claimed = Claim();
        Perform();
        const bool finished = !outcomes.empty();
        Record();
        return fanned || claimed || finished;
    }

    void Loop() {
        while (running) {
            const bool busy = Step();
            if (!running) break;
            if (!busy || !transfers.empty()) {
                curl_multi_poll(multi, nullptr, 0, static_cast<int>(o.poll_ms), nullptr);
            }
        }
    }
};

WebhookWorker::WebhookWorker(domain::Store& store, const Clock& clock, WorkerOptions options)
    : impl_(std::make_unique<Impl>(store, clock, std::move(options))) {}

WebhookWorker::~WebhookWorker() {
    Stop();
}

Result<void> WebhookWorker::Start() {
    auto& im = *impl_;
    const int64_t now = im.clock.NowMs();
    auto released =
        domain::WriteTx(im.store, [&](domain::Repos& r) { return r.webhooks().ReleaseLeases(im.o.node_id, now); });
    if (!released) return Fail(std::move(released.error()));
    if (*released > 0)
        spdlog::info("webhooks: {} deliveries interrupted by the last stop will be sent again", *released);
    im.running = true;
    im.thread = std::thread([&im] { im.Loop(); });
    return {};
}

void WebhookWorker::Stop() {
    auto& im = *impl_;
    if (!im.running.exchange(false)) return;
    curl_multi_wakeup(im.multi);
    im.thread.join();
}

void WebhookWorker::Wake() {
    impl_->claim_wanted = true;
    curl_multi_wakeup(impl_->multi);
}

void WebhookWorker::RunUntilIdle() {
    auto& im = *impl_;
    im.claim_wanted = true;  // the clock may have moved
    while (true) {
        const bool busy = im.Step();
        if (!busy && im.transfers.empty()) return;
        if (!im.transfers.empty()) curl_multi_poll(im.multi, nullptr, 0, 50, nullptr);
    }
}

WorkerStats WebhookWorker::Stats() const {
    return WorkerStats{impl_->delivered.load(), impl_->failed_attempts.load(), impl_->in_flight.load()};
}

}  // namespace parley::events
