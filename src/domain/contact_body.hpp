#pragma once

// What a request says about a contact, read and checked without the database.

#include <optional>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "domain/entities.hpp"
#include "domain/validation.hpp"

namespace parley::domain {

inline constexpr size_t kMaxContactTags = 50;

// Reads every contact field present in `input` into `contact`. On create, `contact` starts
// empty and a phone is required; on update it holds the stored contact and null clears a field.
// Custom values are checked against `defs`. `dnc` receives the "dnc" of a create; without it,
// "dnc" is refused.
void ReadContactFields(const Json& input, Contact& contact, bool creating, const std::vector<CustomField>& defs,
                       std::string_view region, Checker& checker, std::optional<bool>* dnc);

// tags, campaign_id and source that a bulk request or an import gives every row.
Json ReadRowDefaults(const Json& body, Checker& checker);

// The optional body of a DNC change: {"note", "reason": "api"}, and "phone" where the number
// comes from the body. Gives the note.
Result<std::optional<std::string>> ReadNote(const Json& body, bool phone_in_body);

}  // namespace parley::domain
