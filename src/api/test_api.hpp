#pragma once

#include <memory>

#include "api/api.hpp"
#include "common/clock.hpp"
#include "dialer/call_check.hpp"
#include "domain/no_calls.hpp"
#include "domain/service_set.hpp"
#include "store/temp_store.hpp"

namespace parley::api {

// A real Api over a migrated SQLite database in a temporary file, wired by the composition root
// as the server is, with no voice runtime (domain::NoCalls). The integration tests run profiles and
// calls against the real runtime.
class ApiOverSqlite {
public:
    explicit ApiOverSqlite(const Clock& clock = SystemClock::Shared(), net::WebhookUrlPolicy webhook_urls = {})
        : services_(temp_.store(), clock, PartsWith(webhook_urls)),
          dialer_check_(temp_.store(), clock, no_calls_, "US"),
          api_(std::make_unique<Api>(
              ServicesOf(services_, dialer_check_, RecordingAccess{"test-key", "", ""}, [] { return true; }), clock)) {}

    ~ApiOverSqlite() { api_.reset(); }

    Api& api() { return *api_; }
    domain::KeyService& keys() { return services_.keys; }
    domain::OAuthService& oauth() { return services_.oauth; }
    domain::Store& store() { return temp_.store(); }
    store::Database& db() { return temp_.db(); }

private:
    domain::ServiceParts PartsWith(net::WebhookUrlPolicy webhook_urls) {
        domain::ServiceParts parts = no_calls_.Parts();
        parts.webhook_urls = webhook_urls;
        return parts;
    }

    store::TempSqliteStore temp_{"api-test"};
    domain::NoCalls no_calls_;
    domain::ServiceSet services_;
    dialer::CallCheck dialer_check_;
    std::unique_ptr<Api> api_;
};

}  // namespace parley::api
