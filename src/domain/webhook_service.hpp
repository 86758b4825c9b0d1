#pragma once

#include <functional>
#include <optional>
#include <string_view>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "domain/entities.hpp"
#include "domain/events.hpp"
#include "domain/repos.hpp"
#include "net/url_guard.hpp"

namespace parley::domain {

inline constexpr int kMaxEndpointsPerOrg = 50;
// After a rotation the old secret keeps signing (beside the new one) this long.
inline constexpr int64_t kSecretOverlapMs = 24LL * 3600 * 1000;

// An endpoint as made or rotated: the only answers that show its whole secret.
struct WebhookWithSecret {
    WebhookEndpoint endpoint;
};

struct DeliveryPage {
    std::vector<WebhookDelivery> items;
    int limit = 0;
    int64_t offset = 0;
    bool has_more = false;
};

// Webhook endpoints and the delivery log (seed 000 "Webhooks", seed 001 "Webhook Deliveries").
class WebhookService {
public:
    // A URL whose host is or resolves to an address `urls` forbids (loopback, private, link-local,
    // metadata) is refused. `wake_worker` is called when deliveries become due.
    WebhookService(Store& store, const Clock& clock, net::WebhookUrlPolicy urls, std::function<void()> wake_worker = {})
        : store_(store), clock_(clock), urls_(std::move(urls)), wake_worker_(std::move(wake_worker)) {}

    // {url, events, description?, enabled?}
    Result<WebhookWithSecret> Create(const Principal& who, const Json& body);
    Result<WebhookEndpoint> Get(const Principal& who, std::string_view id);
    Result<Page<WebhookEndpoint>> List(const Principal& who, const PageRequest& page);
    // {url?, events?, description?, enabled?}. Enabling a disabled endpoint resumes its deliveries.
    Result<WebhookEndpoint> Update(const Principal& who, std::string_view id, const Json& patch);
    // Pending deliveries of the endpoint fail.
    Result<void> Delete(const Principal& who, std::string_view id);
    // A new secret; the old one keeps signing for kSecretOverlapMs.
    Result<WebhookWithSecret> RotateSecret(const Principal& who, std::string_view id);
    // The body a receiver gets for `event` (GET /api/v1/webhooks/sample?event=…).
    Result<Json> Sample(const Principal& who, std::optional<std::string_view> event);
    // The secret that signs deliveries to a call's own webhook_url.
    Result<std::string> CallSecret(const Principal& who);

    // status, call_flow_id, call_id, event, webhook_id; limit 1-100 (default 50), offset >= 0.
    Result<DeliveryPage> Deliveries(const Principal& who,
                                    const std::function<std::optional<std::string_view>(std::string_view)>& query);
    Result<WebhookDelivery> Delivery(const Principal& who, std::string_view id);
    // Sends the delivery's event again to the same receiver, as a new delivery.
    Result<WebhookDelivery> Redeliver(const Principal& who, std::string_view id);

private:
    // What is wrong with the body's "url", found before any transaction opens: it resolves the host.
    std::optional<std::string> UrlProblem(const Json& body) const;
    Result<void> Apply(const Json& body, WebhookEndpoint& endpoint, bool creating,
                       const std::optional<std::string>& url_problem);

    Store& store_;
    const Clock& clock_;
    net::WebhookUrlPolicy urls_;
    std::function<void()> wake_worker_;
};

}  // namespace parley::domain
