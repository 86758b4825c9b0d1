#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley {

// "2026-03-23T12:00:00.123Z" (UTC, milliseconds).
std::string FormatIsoTime(int64_t epoch_ms);

// Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.fff]]" followed by "Z" or "+HH:MM"/"-HH:MM".
// A date alone means midnight UTC. Returns nothing for anything else or an impossible date.
std::optional<int64_t> ParseIsoTime(std::string_view text);

// True for a real calendar date written exactly "YYYY-MM-DD".
bool IsIsoDate(std::string_view text);

}  // namespace parley
