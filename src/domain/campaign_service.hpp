#pragma once

#include <functional>
#include <optional>
#include <string_view>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "domain/call_service.hpp"
#include "domain/campaign_body.hpp"
#include "domain/entities.hpp"
#include "domain/repos.hpp"
#include "domain/validation.hpp"

namespace parley::domain {

struct CampaignView {
    Campaign campaign;
    CampaignStats stats;
};

// Campaigns (seed 002 "Campaigns", seed 000 "Campaign Control"). A campaign is created as a draft,
// started (its audience enters the dialer's queue), paused and resumed, stopped (what is queued
// is canceled), and completes by itself when it has contacts and every one is final.
class CampaignService {
public:
    // `wake_dialer` is called when a campaign starts or resumes, so its first calls need not
    // wait for the dialer's next pass. `launcher` says which caller ids the installation's own
    // carrier places calls from.
    CampaignService(Store& store, const Clock& clock, std::string default_region, const CallLauncher& launcher,
                    std::function<void()> wake_dialer = {})
        : store_(store),
          clock_(clock),
          default_region_(std::move(default_region)),
          launcher_(launcher),
          wake_dialer_(std::move(wake_dialer)) {}

    Result<Campaign> Create(const Principal& who, const Json& body);
    Result<CampaignView> Get(const Principal& who, std::string_view id);
    // `status` and `direction` filter when set.
    Result<Page<Campaign>> List(const Principal& who, std::optional<std::string_view> status,
                                std::optional<std::string_view> direction, const PageRequest& page);
    // Only a draft or a paused campaign can be changed; 409 with the current status otherwise.
    Result<CampaignView> Update(const Principal& who, std::string_view id, const Json& patch);

    // draft -> running. 409 with the current status from any other status.
    Result<CampaignView> Start(const Principal& who, std::string_view id);
    // running -> paused: no new calls; calls in progress finish.
    Result<CampaignView> Pause(const Principal& who, std::string_view id);
    // paused -> running.
    Result<CampaignView> Resume(const Principal& who, std::string_view id);
    // draft, running or paused -> stopped: queued contacts are canceled; calls in progress finish.
    Result<CampaignView> Stop(const Principal& who, std::string_view id);

    // The organization's dialer rules: the legal-hours guard and the ceiling of concurrent calls.
    Result<DialerSettings> Settings(const Principal& who);
    // {legal_hours_guard: {enabled, start, end}, max_concurrent_calls}; owner or admin keys only.
    Result<DialerSettings> UpdateSettings(const Principal& who, const Json& patch);

private:
    Result<void> CheckCallerIds(Repos& r, const Principal& who, const std::vector<std::string>& ids);
    Result<void> Apply(const Principal& who, const Json& body, Campaign& campaign, bool creating);
    Result<CampaignView> Transition(const Principal& who, std::string_view id, std::string_view action);

    Store& store_;
    const Clock& clock_;
    std::string default_region_;
    const CallLauncher& launcher_;
    std::function<void()> wake_dialer_;
};

// Who a campaign's spec says to call.
Audience AudienceOf(const CampaignSpec& spec);

}  // namespace parley::domain
