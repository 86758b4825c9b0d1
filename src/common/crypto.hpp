#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley {

// Cryptographically strong random bytes (OpenSSL). Aborts if the generator fails: nothing
// that needs randomness can continue safely without it.
void RandomBytes(uint8_t* out, size_t size);

// `length` characters from [0-9A-Za-z], uniformly distributed.
std::string RandomAlphanumeric(size_t length);

std::string Sha256Hex(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);  // raw 32 bytes
std::string HexEncode(std::string_view bytes);
std::string Base64Encode(std::string_view bytes);
std::string Base64UrlEncode(std::string_view bytes);  // no padding
std::optional<std::string> Base64UrlDecode(std::string_view text);

// Compares in time independent of where the inputs differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace parley
