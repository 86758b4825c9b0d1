#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "domain/call_body.hpp"
#include "domain/entities.hpp"
#include "domain/repos.hpp"
#include "domain/validation.hpp"
#include "net/url_guard.hpp"

namespace parley::domain {

inline constexpr size_t kMaxBatchCalls = 1000;

// What a carrier answered to a SIP OPTIONS (POST /phone-numbers/carriers/:id/test).
struct CarrierCheck {
    bool reachable = false;         // it answered, whatever the answer
    std::optional<int> sip_status;  // its answer's status code
    std::string reason;             // its answer's reason phrase, or why there was none
    std::optional<double> round_trip_ms;
};

// The part of the voice runtime the call API needs: which numbers the carriers reach, and a
// nudge when work is queued. Implemented by the runtime; the domain only asks.
class CallLauncher {
public:
    virtual ~CallLauncher() = default;
    // Sends the carrier a SIP OPTIONS and waits a few seconds for its answer; kUnprocessable
    // when this node has no SIP.
    virtual Result<CarrierCheck> ProbeCarrier(const Carrier& /*carrier*/) {
        return Fail(ErrorCode::kUnprocessable, "SIP is off on this node (parley serve --sip-listen)");
    }
    // kUnprocessable naming why when no carrier of this installation can call `e164`.
    virtual Result<void> CheckReachable(std::string_view e164) const = 0;
    // The number calls are placed from.
    virtual std::string CallerId() const = 0;
    // A call was queued; it runs when a line is free.
    virtual void Wake() = 0;
    // Asks this node to hang up a call it is running; false when it runs no such call.
    virtual bool Hangup(std::string_view call_id) = 0;
};

// The filters of a call list as a user writes them (seed 000 "List Calls"); checked by List.
struct CallQuery {
    std::optional<std::string> campaign_id;
    std::optional<std::string> disposition;
    std::optional<std::string> status;
    std::optional<std::string> direction;
    std::optional<std::string> contact_id;
    std::optional<std::string> batch_id;
    std::optional<std::string> since;
    std::optional<std::string> until;
    std::optional<std::string> min_duration;
    std::optional<std::string> has_meeting;
};

struct BatchOutcome {
    struct Rejection {
        long index = 0;
        std::optional<std::string> phone;
        Error error;
    };
    CallBatch batch;
    std::vector<std::string> call_ids;
    std::vector<Rejection> rejections;
};

struct BatchStatus {
    CallBatch batch;
    std::vector<std::pair<CallStatus, int>> counts;
    int finished = 0;  // calls in a final status
    int accepted = 0;  // calls queued by the batch
};

// The dispositions an analysis can give (seed 000 "Call Response").
inline constexpr std::string_view kDispositions[] = {"hot_lead",  "interested",  "not_interested", "callback_requested",
                                                     "voicemail", "dnc_request", "wrong_number",   "no_answer",
                                                     "busy",      "failed"};

class CallService {
public:
    // A call's webhook_url is held to `webhook_urls`, as webhook endpoints are.
    CallService(Store& store, const Clock& clock, CallLauncher& launcher, std::string default_region,
                net::WebhookUrlPolicy webhook_urls = {})
        : store_(store),
          clock_(clock),
          launcher_(launcher),
          default_region_(std::move(default_region)),
          webhook_urls_(std::move(webhook_urls)) {}

    // Queues one outbound call (seed 000 trigger_call; seed 003 POST /v1/calls).
    Result<Call> Trigger(const Principal& who, const Json& body);
    // Queues up to 1,000 calls; rows that cannot be called are reported and the rest queued.
    Result<BatchOutcome> TriggerBatch(const Principal& who, const Json& body, const Progress& progress = {});
    Result<Call> Get(const Principal& who, std::string_view id);
    Result<Page<Call>> List(const Principal& who, const CallQuery& query, const PageRequest& page);
    // Hangs up a ringing or in-progress call; it ends as completed (or canceled while ringing)
    // with the reason "stopped".
    Result<Call> Stop(const Principal& who, std::string_view id);
    // Cancels a queued call before it is placed.
    Result<Call> Cancel(const Principal& who, std::string_view id);
    Result<BatchStatus> GetBatch(const Principal& who, std::string_view id);

private:
    struct Shared;
    Result<Call> Prepare(Repos& r, const Principal& who, const Json& item, const Shared& shared, int64_t now);
    // What every call of the request shares, read and its webhook_url checked before any
    // transaction opens: checking the URL resolves its host.
    CallRequestFields ReadShared(const Json& body, Checker& checker) const;
    Result<Shared> LoadShared(Repos& r, const Principal& who, CallRequestFields fields, Checker& checker);

    Store& store_;
    const Clock& clock_;
    CallLauncher& launcher_;
    std::string default_region_;
    net::WebhookUrlPolicy webhook_urls_;
};

}  // namespace parley::domain
