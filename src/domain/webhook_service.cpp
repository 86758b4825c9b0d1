#include "domain/webhook_service.hpp"

#include <charconv>

#include "common/ids.hpp"
#include "domain/validation.hpp"
#include "net/url_guard.hpp"

namespace parley::domain {
namespace {

constexpr size_t kMaxUrlBytes = 2048;
constexpr size_t kMaxDescriptionBytes = 500;
constexpr size_t kMaxEvents = 64;

// The events member: a non-empty array of event types or "*"; each bad item named by its index.
void ReadEvents(const Json& body, Checker& checker, bool required, WebhookEndpoint& endpoint) {
    auto it = body.find("events");
    if (it == body.end() || it->is_null()) {
        if (required) checker.Add("events", "is required: a list of event types, or [\"*\"] for every event");
        return;
    }
    if (!it->is_array() || it->empty() || it->size() > kMaxEvents) {
        checker.Add("events", "must be a list of 1 to 64 event types");
        return;
    }
    std::vector<std::string> events;
    for (size_t i = 0; i < it->size(); ++i) {
        const Json& v = (*it)[i];
        const std::string field = "events[" + std::to_string(i) + "]";
        if (!v.is_string()) {
            checker.Add(field, "must be an event type");
        } else if (v != "*" && !IsEventType(v.get<std::string>())) {
            checker.Add(field,
                        "\"" + v.get<std::string>() + "\" is not an event (GET /api/v1/webhooks/events lists them)");
        } else if (std::find(events.begin(), events.end(), v.get<std::string>()) == events.end()) {
            events.push_back(v.get<std::string>());
        }
    }
    endpoint.events = std::move(events);
}

std::optional<int64_t> NonNegative(std::string_view text) {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v < 0) return std::nullopt;
    return v;
}

Error NotFound() {
    return Error{ErrorCode::kNotFound, "webhook not found", {}};
}

}  // namespace

std::optional<std::string> WebhookService::UrlProblem(const Json& body) const {
    if (!body.is_object()) return std::nullopt;
    const auto it = body.find("url");
    if (it == body.end() || !it->is_string() || it->get_ref<const std::string&>().size() > kMaxUrlBytes) {
        return std::nullopt;
    }
    return urls_.Problem(it->get_ref<const std::string&>());
}

Result<void> WebhookService::Apply(const Json& body, WebhookEndpoint& endpoint, bool creating,
                                   const std::optional<std::string>& url_problem) {
    if (!body.is_object()) return Fail(ErrorCode::kValidation, "request body must be a JSON object");
    Checker checker;
    checker.RejectUnknownKeys(body, {"url", "events", "description", "enabled"});
    std::optional<std::string> url = checker.String(body, "url", kMaxUrlBytes, creating);
    if (auto d = checker.String(body, "description", kMaxDescriptionBytes, false, true)) endpoint.description = *d;
    ReadEvents(body, checker, creating, endpoint);
    const auto enabled = checker.Bool(body, "enabled");
    if (url) {
        if (url_problem) checker.Add("url", *url_problem);
        endpoint.url = *url;
    }
    if (!checker.ok()) return Fail(checker.ToError(creating ? "webhook is not valid" : "webhook change is not valid"));
    if (enabled && *enabled != endpoint.enabled) {
        endpoint.enabled = *enabled;
        endpoint.disabled_reason = *enabled ? std::nullopt : std::optional<std::string>("disabled by a user");
        if (*enabled) endpoint.consecutive_failures = 0;
    }
    return {};
}

Result<WebhookWithSecret> WebhookService::Create(const Principal& who, const Json& body) {
    const int64_t now = clock_.NowMs();
    WebhookEndpoint e;
    if (auto applied = Apply(body, e, true, UrlProblem(body)); !applied) return Fail(std::move(applied.error()));
    e.id = NewId("wh_", now);
    e.org_id = who.org_id;
    e.secret = NewWebhookSecret();
    e.created_at = e.updated_at = now;
    return WriteTx(store_, [&](Repos& r) -> Result<WebhookWithSecret> {
        auto existing = r.webhooks().List(who.org_id, PageRequest{kMaxEndpointsPerOrg, std::nullopt});
        if (!existing) return Fail(std::move(existing.error()));
        if (existing->items.size() >= static_cast<size_t>(kMaxEndpointsPerOrg)) {
            return Fail(ErrorCode::kConflict, "an organization can have at most 50 webhooks; delete one first");
        }
        if (auto in = r.webhooks().Insert(e); !in) return Fail(std::move(in.error()));
        return WebhookWithSecret{e};
    });
}

Result<WebhookEndpoint> WebhookService::Get(const Principal& who, std::string_view id) {
    auto found = ReadTx(store_, [&](Repos& r) { return r.webhooks().Get(who.org_id, id); });
    if (!found) return Fail(std::move(found.error()));
    if (!*found) return Fail(NotFound());
    return std::move(**found);
}

Result<Page<WebhookEndpoint>> WebhookService::List(const Principal& who, const PageRequest& page) {
    return ReadTx(store_, [&](Repos& r) { return r.webhooks().List(who.org_id, page); });
}

Result<WebhookEndpoint> WebhookService::Update(const Principal& who, std::string_view id, const Json& patch) {
    const int64_t now = clock_.NowMs();
    bool resumed = false;
    const auto url_problem = UrlProblem(patch);
    auto saved = WriteTx(store_, [&](Repos& r) -> Result<WebhookEndpoint> {
        auto found = r.webhooks().Get(who.org_id, id);
        if (!found) return Fail(std::move(found.error()));
        if (!*found) return Fail(NotFound());
        WebhookEndpoint e = std::move(**found);
        const bool was_enabled = e.enabled;
        if (auto applied = Apply(patch, e, false, url_problem); !applied) return Fail(std::move(applied.error()));
        e.updated_at = now;
        if (auto up = r.webhooks().Update(e); !up) return Fail(std::move(up.error()));
        if (e.enabled && !was_enabled) {
            auto n = r.webhooks().Resume(e.id, now);
            if (!n) return Fail(std::move(n.error()));
            resumed = *n > 0;
        }
        return e;
    });
    if (saved && resumed && wake_worker_) wake_worker_();
    return saved;
}

Result<void> WebhookService::Delete(const Principal& who, std::string_view id) {
    const int64_t now = clock_.NowMs();
    auto deleted =
        WriteTx(store_, [&](Repos& r) { return r.webhooks().Delete(who.org_id, id, "webhook deleted", now); });
    if (!deleted) return Fail(std::move(deleted.error()));
    if (!*deleted) return Fail(NotFound());
    return {};
}

Result<WebhookWithSecret> WebhookService::RotateSecret(const Principal& who, std::string_view id) {
    const int64_t now = clock_.NowMs();
    return WriteTx(store_, [&](Repos& r) -> Result<WebhookWithSecret> {
        auto found = r.webhooks().Get(who.org_id, id);
        if (!found) return Fail(std::move(found.error()));
        if (!*found) return Fail(NotFound());
        WebhookEndpoint e = std::move(**found);
        e.previous_secret = e.secret;
        e.previous_secret_until = now + kSecretOverlapMs;
        e.secret = NewWebhookSecret();
        e.updated_at = now;
        if (auto up = r.webhooks().Update(e); !up) return Fail(std::move(up.error()));
        return WebhookWithSecret{e};
    });
}

Result<Json> WebhookService::Sample(const Principal& who, std::optional<std::string_view> event) {
    if (!event || event->empty()) {
        return Fail(ErrorCode::kValidation, "event is required", {{"event", "is required, e.g. call.completed"}});
    }
    if (!IsEventType(*event)) {
        return Fail(
            ErrorCode::kValidation, "unknown event",
            {{"event", "\"" + std::string(*event) + "\" is not an event (GET /api/v1/webhooks/events lists them)"}});
    }
    return EventBody(SampleEvent(*event, who.org_id, clock_.NowMs()));
}

Result<std::string> WebhookService::CallSecret(const Principal& who) {
    auto secret = ReadTx(store_, [&](Repos& r) { return r.webhooks().FindOrgSecret(who.org_id); });
    if (!secret) return Fail(std::move(secret.error()));
    // Every organization gets its secret when it is made, or at the first start of a server
    // that knows of them; a read never makes one.
    if (!*secret) return Fail(ErrorCode::kNotFound, "this organization has no signing secret yet; restart the server");
    return std::move(**secret);
}

Result<DeliveryPage> WebhookService::Deliveries(
    const Principal& who, const std::function<std::optional<std::string_view>(std::string_view)>& query) {
    Checker checker;
    DeliveryPage page;
    page.limit = kDefaultPageLimit;
    if (auto limit = query("limit")) {
        auto v = NonNegative(*limit);
        if (!v || *v < 1 || *v > kMaxPageLimit) {
            checker.Add("limit", "must be a whole number from 1 to 100");
        } else {
            page.limit = static_cast<int>(*v);
        }
    }
    if (auto offset = query("offset")) {
        auto v = NonNegative(*offset);
        if (!v) {
            checker.Add("offset", "must be a whole number of 0 or more");
        } else {
            page.offset = *v;
        }
    }
    DeliveryFilter filter;
    if (auto status = query("status")) {
        filter.status = ParseDeliveryStatus(*status);
        if (!filter.status) checker.Add("status", "must be delivered, failed or pending");
    }
    if (auto event = query("event")) {
        if (!IsEventType(*event)) checker.Add("event", "\"" + std::string(*event) + "\" is not an event");
        filter.event = std::string(*event);
    }
    if (auto v = query("call_flow_id")) filter.call_flow_id = std::string(*v);
    if (auto v = query("call_id")) filter.call_id = std::string(*v);
    if (auto v = query("webhook_id")) filter.endpoint_id = std::string(*v);
    if (!checker.ok()) return Fail(checker.ToError("delivery filters are not valid"));
    auto rows =
        ReadTx(store_, [&](Repos& r) { return r.webhooks().Deliveries(who.org_id, filter, page.limit, page.offset); });
    if (!rows) return Fail(std::move(rows.error()));
    page.has_more = rows->size() > static_cast<size_t>(page.limit);
    if (page.has_more) rows->resize(static_cast<size_t>(page.limit));
    page.items = std::move(*rows);
    return page;
}

Result<WebhookDelivery> WebhookService::Delivery(const Principal& who, std::string_view id) {
    auto found = ReadTx(store_, [&](Repos& r) { return r.webhooks().Delivery(who.org_id, id); });
    if (!found) return Fail(std::move(found.error()));
    if (!*found) return Fail(ErrorCode::kNotFound, "delivery not found");
    return std::move(**found);
}

Result<WebhookDelivery> WebhookService::Redeliver(const Principal& who, std::string_view id) {
    const int64_t now = clock_.NowMs();
    auto made = WriteTx(store_, [&](Repos& r) -> Result<WebhookDelivery> {
        auto found = r.webhooks().Delivery(who.org_id, id);
        if (!found) return Fail(std::move(found.error()));
        if (!*found) return Fail(ErrorCode::kNotFound, "delivery not found");
        const WebhookDelivery& original = **found;
        if (original.endpoint_id) {
            auto endpoint = r.webhooks().Get(who.org_id, *original.endpoint_id);
            if (!endpoint) return Fail(std::move(endpoint.error()));
            if (!*endpoint) return Fail(ErrorCode::kConflict, "the webhook of this delivery was deleted");
        }
        WebhookDelivery d = original;
        d.id = NewId("whd_", now);
        d.status = DeliveryStatus::kPending;
        d.http_status.reset();
        d.attempts = 0;
        d.last_error.reset();
        d.next_at = now;
        d.redelivery_of = original.id;
        d.created_at = d.updated_at = now;
        d.delivered_at.reset();
        if (auto in = r.webhooks().InsertDelivery(d); !in) return Fail(std::move(in.error()));
        return d;
    });
    if (made && wake_worker_) wake_worker_();
    return made;
}

}  // namespace parley::domain
