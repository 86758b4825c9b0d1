#pragma once

// A campaign's settings as the database keeps them: one JSON document, read back into
// CampaignSpec by the store's row mapping and nowhere else.

#include "common/error.hpp"
#include "domain/entities.hpp"

namespace parley::domain {

// The stored document as the campaigns API shows it:
//   {"contact_list_id": "cl_…" | null, "contact_tags": [...], "schedule": {...},
//    "retry_rules": {"max_attempts", "delay_minutes", "retry_on", "max_attempts_per_day"},
//    "concurrent_calls": n, "caller_ids": [...]}
Json ToJson(const CampaignSpec& spec);

// Reads a stored document back. Members that are absent keep CampaignSpec's defaults (rows
// written before a setting existed); a member of the wrong type or out of range fails with
// kInternal naming it, for the caller to set the campaign aside rather than guess.
Result<CampaignSpec> ParseCampaignSpec(const Json& stored);

}  // namespace parley::domain
