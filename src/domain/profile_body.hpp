#pragma once

// What a request says about an agent profile, read and checked without the database.

#include <string_view>

#include "domain/entities.hpp"
#include "domain/validation.hpp"

namespace parley::domain {

inline constexpr int kMinCallSeconds = 30;
inline constexpr int kMaxCallSeconds = 4 * 3600;
inline constexpr int kDefaultMaxCallSeconds = 600;

// Reads the profile fields present in `body` into `spec` (a complete spec: every key present),
// checking shapes only; what the fields refer to is checked by the compiler.
void ReadProfileFields(const Json& body, Json& spec, Checker& checker, std::string_view default_region);

// The spec of a new profile before the request's fields are applied.
Json DefaultProfileSpec();

}  // namespace parley::domain
