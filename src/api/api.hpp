#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "domain/repos.hpp"
#include "domain/service_set.hpp"
#include "http/message.hpp"
#include "http/server.hpp"

namespace parley::dialer {
class CallCheck;
}

namespace parley::api {

inline constexpr int64_t kDefaultRecordingLinkSeconds = 3600;
inline constexpr int64_t kMaxRecordingLinkSeconds = 7 * 24 * 3600;

// Where call recordings are and how links to them are signed: a link carries an expiry and an
// HMAC of the call id and expiry, so it can be fetched without an API key until it expires.
struct RecordingAccess {
    std::string signing_key;
    std::string directory;
    // The base of the links, e.g. "https://parley.example.com"; the request's Host when empty.
    std::string public_url;
    // How long a new link works, 1 .. kMaxRecordingLinkSeconds.
    int64_t link_seconds = kDefaultRecordingLinkSeconds;
};

struct Services {
    domain::Store& store;
    domain::KeyService& keys;
    domain::ContactService& contacts;
    domain::CustomFieldService& custom_fields;
    domain::ProfileService& profiles;
    domain::VoicePresetService& voice_presets;
    domain::CallService& calls;
    domain::CampaignService& campaigns;
    domain::ContactListService& contact_lists;
    domain::WebhookService& webhooks;
    domain::PhoneNumberService& phone_numbers;
    domain::OAuthService& oauth;
    domain::AnalyticsService& analytics;
    domain::ReportService& reports;
    domain::BillingService& billing;
    const dialer::CallCheck& dialer_check;
    const domain::EngineCatalog& catalog;
    RecordingAccess recordings;
    // Reports whether the database answers; used by /healthz.
    std::function<bool()> database_ok;
    // More series for /metrics in the Prometheus text format (the call runtime's), or empty.
    std::function<std::string()> extra_metrics;
};

// The API's view of the composition root's services.
inline Services ServicesOf(domain::ServiceSet& set, const dialer::CallCheck& dialer_check, RecordingAccess recordings,
                           std::function<bool()> database_ok, std::function<std::string()> extra_metrics = {}) {
    return Services{set.store,
                    set.keys,
                    set.contacts,
                    set.custom_fields,
                    set.profiles,
                    set.voice_presets,
                    set.calls,
                    set.campaigns,
                    set.contact_lists,
                    set.webhooks,
                    set.phone_numbers,
                    set.oauth,
                    set.analytics,
                    set.reports,
                    set.billing,
                    dialer_check,
                    set.catalog,
                    std::move(recordings),
                    std::move(database_ok),
                    std::move(extra_metrics)};
}

struct ApiOptions {
    size_t body_limit = 1024 * 1024;
    size_t bulk_body_limit = 8 * 1024 * 1024;
    size_t import_body_limit = 64 * 1024 * 1024;
    // Count rate limits in the database (several nodes on one PostgreSQL) instead of memory.
    bool shared_rate_limits = false;
    // This node's name: its unfinished Idempotency-Key claims are released when it restarts.
    std::string node_id;
};

// The REST API: routing, authentication, permissions, rate limits, idempotency, metrics and
// the error envelope around the handlers of each resource.
class Api {
public:
    Api(Services services, const Clock& clock, ApiOptions options = {});
    ~Api();

    // Once the header of a request has arrived, before its body is read: finds the route and
    // answers what the header alone decides (404, 405, 400 for a repeated query parameter,
    // 401, 429, 403, 415). Otherwise remembers the route and the caller in req.admission and
    // returns nullopt.
    std::optional<http::Response> Admit(http::Request& req);
    // The whole request; admits it first when Admit has not run.
    http::Response Handle(http::Request& req);
    // The route's body limit and lane; cheap, for the server's I/O threads.
    http::RouteInfo Route(std::string_view method, std::string_view target) const;
    // Frees the Idempotency-Key claims this node left unfinished when it stopped (a kill -9 or
    // a crash): their requests ended with the process. Run at start, before serving.
    Result<int64_t> ReleaseUnfinishedClaims();

    // "METHOD /pattern" of every route, for the OpenAPI completeness test.
    std::vector<std::string> RouteList() const;
    // What every route needs of a key, as the OpenAPI description's x-parley-access ("public",
    // "read", "write" or "secret") and x-parley-roles (empty: any role) say it, for the test
    // that holds the two together.
    struct RouteAccess {
        std::string method;
        std::string pattern;
        std::string access;
        std::vector<std::string> roles;
    };
    std::vector<RouteAccess> RouteAccessList() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The OpenAPI 3.1 description served at /api/v1/openapi.json.
std::string_view OpenApiDocument();

}  // namespace parley::api
