#pragma once

// What a request says about an agent profile, read and checked without the database, and the
// stored form of the settings.

#include <string_view>

#include "common/error.hpp"
#include "domain/entities.hpp"
#include "domain/validation.hpp"

namespace parley::domain {

inline constexpr int kMinCallSeconds = 30;
inline constexpr int kMaxCallSeconds = 4 * 3600;

// Reads the profile fields present in `body` into `spec` (members absent keep their value:
// ProfileSpec's defaults for a new profile, the current settings for an update), checking shapes
// only; what the fields refer to is checked by the compiler.
void ReadProfileFields(const Json& body, ProfileSpec& spec, Checker& checker, std::string_view default_region);

// The stored document, which is also the profile's settings as the profiles API shows them.
Json ToJson(const ProfileSpec& spec);

// Reads a stored document back with the request's rules, so a stored profile is one a request
// could have made. Members that are absent keep ProfileSpec's defaults (rows written before a
// setting existed); anything else that does not read fails with kInternal naming the member.
Result<ProfileSpec> ParseProfileSpec(const Json& stored);

}  // namespace parley::domain
