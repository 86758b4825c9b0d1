#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "domain/call_service.hpp"
#include "domain/entities.hpp"
#include "domain/repos.hpp"

namespace parley::domain {

// An organization's own carriers and the phone numbers it owns on them (seed 003 "Phone Numbers",
// BYOC): a carrier is a SIP trunk or PBX with its address, credentials and limits; a number
// belongs to one carrier and says which agent profile answers it.
class PhoneNumberService {
public:
    PhoneNumberService(Store& store, const Clock& clock, CallLauncher& launcher, std::string default_region)
        : store_(store), clock_(clock), launcher_(launcher), default_region_(std::move(default_region)) {}

    Result<Carrier> CreateCarrier(const Principal& who, const Json& body);
    Result<Carrier> GetCarrier(const Principal& who, std::string_view id);
    Result<Page<Carrier>> ListCarriers(const Principal& who, const PageRequest& page);
    Result<Carrier> UpdateCarrier(const Principal& who, std::string_view id, const Json& patch);
    // 409 while a number of the organization is on the carrier.
    Result<void> DeleteCarrier(const Principal& who, std::string_view id);
    // Whether the carrier answers a SIP OPTIONS, and how fast (kUnprocessable without SIP).
    Result<CarrierCheck> TestCarrier(const Principal& who, std::string_view id);

    Result<OwnedNumber> CreateNumber(const Principal& who, const Json& body);
    Result<OwnedNumber> GetNumber(const Principal& who, std::string_view id);
    Result<Page<OwnedNumber>> ListNumbers(const Principal& who, std::optional<std::string_view> carrier_id,
                                          const PageRequest& page);
    Result<OwnedNumber> UpdateNumber(const Principal& who, std::string_view id, const Json& patch);
    Result<void> DeleteNumber(const Principal& who, std::string_view id);

private:
    // The number's carrier and profile exist in the organization (and the profile is active).
    Result<void> CheckReferences(Repos& r, const OwnedNumber& number);

    Store& store_;
    const Clock& clock_;
    CallLauncher& launcher_;
    std::string default_region_;
};

}  // namespace parley::domain
