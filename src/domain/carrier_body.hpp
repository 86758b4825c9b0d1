#pragma once

// What a request says about a carrier or a phone number (seed 003 "Phone Numbers"), read and
// checked without the database.

#include <string_view>

#include "domain/entities.hpp"
#include "domain/validation.hpp"

namespace parley::domain {

inline constexpr int kMaxCarrierChannels = 10'000;
inline constexpr size_t kMaxInboundSources = 50;

// Reads the carrier fields present in `body` into `carrier`; `creating` makes name and sip_host
// required. A null auth_password or auth_username removes it.
void ReadCarrierFields(const Json& body, Carrier& carrier, Checker& checker, bool creating);

// True when `address` (an IP address as text) is one of `sources`' addresses or in one of its
// CIDR blocks. An empty list allows nobody.
bool SourceAllowed(std::string_view address, const std::vector<std::string>& sources);

// Reads the phone number fields present in `body` into `number`; `creating` makes number and
// carrier_id required (the number cannot change afterwards: delete it and add it again).
void ReadPhoneNumberFields(const Json& body, OwnedNumber& number, Checker& checker, bool creating,
                           std::string_view default_region);

// "host", "host:port" or "[v6]:port" with a host name or an IP address; false otherwise.
bool IsSipHostPort(std::string_view text);
// An IPv4 or IPv6 address, or a CIDR block of one ("203.0.113.0/24", "2001:db8::/32").
bool IsAddressOrBlock(std::string_view text);

}  // namespace parley::domain
