#pragma once

// What a request says about a campaign, read and checked without the database.

#include <optional>
#include <string>
#include <string_view>

#include "domain/entities.hpp"
#include "domain/validation.hpp"

namespace parley::domain {

inline constexpr int kMaxConcurrentCalls = 500;
inline constexpr int kMaxAttempts = 20;
inline constexpr int kMaxDelayMinutes = 7 * 24 * 60;
inline constexpr int kMaxOrganizationCalls = 10000;

// What a campaign request refers to, which must exist in the organization.
struct CampaignRefs {
    std::optional<std::string> profile_id;
    std::optional<std::string> list_id;
};

// Reads the campaign fields present in `body` (an object) into `campaign` (a new campaign with
// CampaignSpec's defaults on create, the stored one on update); problems go into `checker`.
CampaignRefs ReadCampaignFields(const Json& body, Campaign& campaign, bool creating, std::string_view region,
                                Checker& checker);

}  // namespace parley::domain
