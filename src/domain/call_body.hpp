#pragma once

// What a call request says (POST /calls, a batch and each of its calls), read and checked
// without the database: the profile it names, the fields to extract, variables, metadata, and
// each call's phone or contact.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/phone.hpp"
#include "domain/entities.hpp"
#include "domain/validation.hpp"

namespace parley::domain {

// The profile a call request names and the key it came under: "profile_id", or "agent_id" as
// seed 002's users call it.
struct RequestedProfile {
    std::string id;
    std::string_view key;
};

// Each key given is checked as a profile id, and when both are given they must be equal;
// neither given is "profile_id is required". Nullopt after adding the problems to `checker`.
std::optional<RequestedProfile> ReadRequestedProfile(const Json& body, Checker& checker);

// What every call of a request shares.
struct CallRequestFields {
    std::optional<RequestedProfile> profile;
    std::optional<std::vector<std::string>> extract;  // custom field names, when given
    Json variables = Json::object();
    Json metadata = Json::object();
    // As given: where it points is checked by the caller, which may resolve the host.
    std::optional<std::string> webhook_url;
    // The number to call from (E.164); the caller checks that it is one of the organization's.
    std::optional<std::string> from;
};
// `region` reads a `from` written without a country code.
CallRequestFields ReadCallRequest(const Json& body, std::string_view region, Checker& checker);

// One call: its number or contact, and what it adds to the request's variables and metadata.
struct CallItemFields {
    std::optional<PhoneNumber> phone;
    std::optional<std::string> contact_id;
    Json variables = Json::object();
    Json metadata = Json::object();
    Json custom_fields = Json::object();
};
CallItemFields ReadCallItem(const Json& item, const std::vector<CustomField>& definitions, std::string_view region,
                            Checker& checker);

}  // namespace parley::domain
