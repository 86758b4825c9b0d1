#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "domain/entities.hpp"

namespace parley::domain {

// What happened, as every receiver gets it (seed 000 "Webhooks"). An event is written to the
// outbox in the transaction of the change that caused it; the webhook worker turns it into one
// delivery per subscribed endpoint (and one to its call's own webhook_url).
struct Event {
    std::string id;  // evt_…, also the Standard Webhooks message id
    std::string org_id;
    std::string type;  // "call.completed", …
    Json data = Json::object();
    std::optional<std::string> call_id;
    std::optional<std::string> call_flow_id;  // the agent profile that ran the call
    std::optional<std::string> webhook_url;   // the call's own receiver, when it names one
    int64_t created_at = 0;
};

struct EventType {
    std::string_view name;
    std::string_view description;
};

// Every event Parley records, in the order the documentation lists them.
std::span<const EventType> EventTypes();
bool IsEventType(std::string_view name);

// {"id", "event", "timestamp", "organization_id", "data"}: the body of every delivery.
Json EventBody(const Event& e);

// The event a call's move to its current status causes: call.started when it is answered;
// call.completed, call.voicemail or call.failed (no answer, busy, failed) when it ends; none for
// other moves or a canceled call.
std::optional<Event> CallStatusEvent(const Call& call, int64_t now);
// A tool the agent ran during a call (seed 003 "tool calls").
Event ToolCallEvent(const Call& call, const Json& execution, int64_t now);
Event ContactEvent(std::string_view type, const Contact& contact, int64_t now);
// contact.dnc_requested for an addition to the Do Not Call list.
Event DncRequestedEvent(const DncLedgerEntry& entry, int64_t now);
Event CampaignEvent(std::string_view type, const Campaign& campaign, int64_t now);
// An organization-level event with its data.
Event OrgEvent(std::string_view type, std::string_view org_id, Json data, int64_t now);

// A new endpoint secret: "whsec_" and the base64 of 24 random bytes (Standard Webhooks).
std::string NewWebhookSecret();

// A realistic event of `type` for the organization, built by the same code as real ones.
Event SampleEvent(std::string_view type, std::string_view org_id, int64_t now);

// JSON text exactly as JavaScript's JSON.stringify writes the same value, so that a receiver
// that parses a body and serialises it again (seed 000's verifyWebhook) gets the signed bytes.
std::string CanonicalJson(const Json& value);

// A receiver an organization subscribed to some events (seed 000 MCP "Webhooks" tools).
struct WebhookEndpoint {
    std::string id;  // wh_…
    std::string org_id;
    std::string url;
    std::string description;
    std::vector<std::string> events;  // event types, or "*" for every one
    std::string secret;               // whsec_…
    // After a rotation the old secret still signs (Standard Webhooks signature list) until then.
    std::optional<std::string> previous_secret;
    std::optional<int64_t> previous_secret_until;
    bool enabled = true;
    std::optional<std::string> disabled_reason;
    int consecutive_failures = 0;
    int64_t created_at = 0;
    int64_t updated_at = 0;

    bool Wants(std::string_view type) const;
};

enum class DeliveryStatus { kPending, kDelivered, kFailed };
std::string_view ToString(DeliveryStatus s);
std::optional<DeliveryStatus> ParseDeliveryStatus(std::string_view s);

// One event for one receiver (seed 001 "Webhook Deliveries").
struct WebhookDelivery {
    std::string id;  // whd_…
    std::string org_id;
    std::string event_id;
    std::string event;
    std::optional<std::string> endpoint_id;  // none: the call's own webhook_url
    std::string url;
    std::optional<std::string> call_id;
    std::optional<std::string> call_flow_id;
    DeliveryStatus status = DeliveryStatus::kPending;
    std::optional<int> http_status;
    int attempts = 0;
    std::optional<std::string> last_error;
    int64_t next_at = 0;
    std::optional<std::string> redelivery_of;
    int64_t created_at = 0;
    int64_t updated_at = 0;
    std::optional<int64_t> delivered_at;
};

struct DeliveryFilter {
    std::optional<DeliveryStatus> status;
    std::optional<std::string> call_flow_id;
    std::optional<std::string> call_id;
    std::optional<std::string> event;
    std::optional<std::string> endpoint_id;
};

// A claimed delivery with what sending it needs.
// A due delivery as the worker first sees it: enough to choose what to send.
struct DueRef {
    std::string id;
    std::string receiver;  // endpoint id, or the url of a call's own webhook_url
};

struct DueDelivery {
    WebhookDelivery delivery;
    std::string body;  // the event's body, byte for byte as signed
    std::string secret;
    std::optional<std::string> previous_secret;  // still valid
};

}  // namespace parley::domain
