#pragma once

// The composition root of the domain: every service over one store, built in one place for the
// server, the API tests, the dialer tests and the benchmarks, so they all run the same wiring.

#include <functional>
#include <string>

#include "common/clock.hpp"
#include "domain/analytics_service.hpp"
#include "domain/billing.hpp"
#include "domain/call_service.hpp"
#include "domain/campaign_service.hpp"
#include "domain/contact_list_service.hpp"
#include "domain/contact_service.hpp"
#include "domain/custom_field_service.hpp"
#include "domain/engine_catalog.hpp"
#include "domain/key_service.hpp"
#include "domain/oauth_service.hpp"
#include "domain/phone_number_service.hpp"
#include "domain/profile_service.hpp"
#include "domain/report_service.hpp"
#include "domain/voice_preset_service.hpp"
#include "domain/webhook_service.hpp"
#include "net/url_guard.hpp"

namespace parley::domain {

// What the services need from outside the domain: the voice runtime's engines and compiler, the
// carriers (through the call launcher), the installation's settings, and whom to wake.
struct ServiceParts {
    const EngineCatalog& catalog;
    const ProfileCompiler& compiler;
    CallLauncher& launcher;
    std::string default_region = "US";
    net::WebhookUrlPolicy webhook_urls = {};
    int64_t key_cache_ms = KeyService::kDefaultCacheMs;
    std::function<void()> wake_dialer = {};    // a campaign started or resumed
    std::function<void()> wake_webhooks = {};  // a webhook was tested
};

class ServiceSet {
public:
    ServiceSet(Store& store, const Clock& clock, const ServiceParts& parts)
        : store(store),
          catalog(parts.catalog),
          keys(store, clock, parts.key_cache_ms),
          contacts(store, clock, parts.default_region),
          custom_fields(store, clock),
          profiles(store, clock, parts.compiler, parts.default_region),
          voice_presets(store, clock, parts.catalog),
          calls(store, clock, parts.launcher, parts.default_region, parts.webhook_urls),
          campaigns(store, clock, parts.default_region, parts.launcher, parts.wake_dialer),
          contact_lists(store, clock),
          webhooks(store, clock, parts.webhook_urls, parts.wake_webhooks),
          phone_numbers(store, clock, parts.launcher, parts.default_region),
          oauth(store, clock),
          analytics(store, clock),
          reports(store, clock, analytics),
          billing(store, clock) {}
    ServiceSet(const ServiceSet&) = delete;
    ServiceSet& operator=(const ServiceSet&) = delete;

    Store& store;
    const EngineCatalog& catalog;
    KeyService keys;
    ContactService contacts;
    CustomFieldService custom_fields;
    ProfileService profiles;
    VoicePresetService voice_presets;
    CallService calls;
    CampaignService campaigns;
    ContactListService contact_lists;
    WebhookService webhooks;
    PhoneNumberService phone_numbers;
    OAuthService oauth;
    AnalyticsService analytics;
    ReportService reports;
    BillingService billing;
};

}  // namespace parley::domain
