#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace parley {

// A prefixed, time-sortable id: prefix + 26 lower-case Crockford base32 characters holding a
// 48-bit millisecond timestamp and 80 random bits (the ULID layout). Ids made by one process in
// the same millisecond still sort in creation order. Examples: "ct_01jd…", "org_01jd…".
std::string NewId(std::string_view prefix, int64_t now_ms);

// True when `id` is `prefix` followed by a well-formed 26-character body.
bool IsWellFormedId(std::string_view id, std::string_view prefix);

}  // namespace parley
