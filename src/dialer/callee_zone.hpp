#pragma once

// Which time zone a callee lives in, so calling hours are kept in the callee's local time.

#include <date/tz.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace parley::dialer {

// The IANA zone of a phone number in E.164 ("+12025550123" -> "America/New_York"), from Parley's
// own tables (libphonenumber has no zone mapper in C++): countries with one zone by region;
// the US and Canada by NANP area code; Australia by area code (mobiles have none: nullopt); Mexico,
// Brazil, Russia, Indonesia, Spain, Portugal and Chile by the area codes of their other zones,
// else their main zone. An area code split between zones takes the zone most of its people
// live in. Nothing for a number that is not valid, has no place (toll-free, mobile in a
// multi-zone country) or lies in a country whose zone is not known.
std::optional<std::string> ZoneForNumber(const std::string& e164);

// Every zone name ZoneForNumber can answer, each once; for tests and diagnostics.
std::vector<std::string_view> NumberZoneNames();

// The zone called `name` in the time-zone database; nullptr when there is none. Cheap: date/tz
// keeps the database in memory and finds a zone by binary search.
const date::time_zone* FindZone(std::string_view name);

// Where a callee's zone came from, in order of trust.
enum class ZoneSource { kContact, kPhoneNumber, kCampaign };

// "contact", "phone_number", "campaign"
std::string_view ZoneSourceName(ZoneSource source);

struct CalleeZone {
    std::string name;  // IANA, "America/New_York"
    ZoneSource source = ZoneSource::kCampaign;
    const date::time_zone* zone = nullptr;  // never null in a resolved CalleeZone
};

// The zone to keep a callee's calling hours in: the contact's stated zone when it has one (it
// wins over the number's: people move and keep their numbers), else the zone of the number,
// else the campaign's. A stated zone the database no longer knows is passed over. Fails with
// kValidation only when it comes to the campaign's zone and that is not a known zone.
Result<CalleeZone> ResolveZone(const std::optional<std::string>& contact_timezone, const std::string& e164,
                               std::string_view campaign_timezone);

}  // namespace parley::dialer
