#pragma once

#include <string>
#include <string_view>

#include "common/error.hpp"

namespace parley {

struct PhoneNumber {
    std::string e164;    // "+12025550123"
    std::string region;  // ISO 3166 region, "US"
};

// Parses a number written by a person ("(202) 555-0123", "+44 20 7946 0958") into E.164.
// Numbers without a country code are read in `default_region`. Fails with kValidation when the
// text is not a valid number for its region.
Result<PhoneNumber> ParsePhone(std::string_view text, std::string_view default_region);

// The number as dialled inside its country, digits only ("+12025550123" -> "2025550123",
// "+442079460958" -> "02079460958"); `e164` as given when it does not parse.
std::string NationalDigits(std::string_view e164);

// True for a region code libphonenumber knows ("US", "GB", "IN" …).
bool IsSupportedRegion(std::string_view region);

}  // namespace parley
