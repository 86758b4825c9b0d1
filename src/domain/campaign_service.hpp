#pragma once

#include <optional>
#include <string_view>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "domain/entities.hpp"
#include "domain/repos.hpp"
#include "domain/validation.hpp"

namespace parley::domain {

inline constexpr int kMaxConcurrentCalls = 500;
inline constexpr int kDefaultConcurrentCalls = 5;
inline constexpr int kMaxAttempts = 20;
inline constexpr int kDefaultMaxAttempts = 3;
inline constexpr int kDefaultDelayMinutes = 60;
inline constexpr int kMaxDelayMinutes = 7 * 24 * 60;
inline constexpr int kDefaultAttemptsPerDay = 3;

struct CampaignView {
    Campaign campaign;
    CampaignStats stats;
};

// Campaigns (seed 002 "Campaigns", seed 000 "Campaign Control"). A campaign is created as a draft,
// started (its audience enters the dialer's queue), paused and resumed, stopped (what is queued
// is canceled), and completes by itself when every contact is final.
class CampaignService {
public:
    CampaignService(Store& store, const Clock& clock, std::string default_region)
        : store_(store), clock_(clock), default_region_(std::move(default_region)) {}

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

private:
    Result<void> Apply(const Principal& who, const Json& body, Campaign& campaign, bool creating);
    Result<CampaignView> Transition(const Principal& who, std::string_view id, std::string_view action);

    Store& store_;
    const Clock& clock_;
    std::string default_region_;
};

// The default settings of a new campaign, before a request's fields are applied.
Json DefaultCampaignSpec();

// Who a campaign's spec says to call.
Audience AudienceOf(const Json& spec);

}  // namespace parley::domain
