#pragma once

#include <string>
#include <string_view>

namespace parley {

// Well-formed UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view text);

// True when the text holds a control character other than tab, CR and LF.
bool HasControlCharacters(std::string_view text);

// A name from the IANA time-zone database on this machine, e.g. "America/New_York".
bool IsKnownTimeZone(std::string_view name);

std::string ToLower(std::string_view text);
std::string_view Trim(std::string_view text);

}  // namespace parley
