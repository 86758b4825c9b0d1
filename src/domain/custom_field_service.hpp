#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "domain/entities.hpp"
#include "domain/repos.hpp"
#include "domain/validation.hpp"

namespace parley::domain {

// Bounds of one record's custom_fields and of an organization's definitions.
inline constexpr size_t kMaxCustomValues = 100;
inline constexpr size_t kMaxCustomValueBytes = 2000;        // a value, as JSON
inline constexpr size_t kMaxCustomValuesBytes = 16 * 1024;  // all of them, names included
inline constexpr size_t kMaxCustomFields = 200;

// Type-checks `values` (a custom_fields object) against the organization's definitions, as seed
// 000 "Validation" says: names that are not defined are allowed; defined ones must have their
// type (enum: one of the options); with `enforce_required`, every required definition that
// applies to `purpose` must be present. Problems go into `checker` as "custom_fields.<name>".
// Whatever the definitions, at most kMaxCustomValues values of at most kMaxCustomValueBytes
// each and kMaxCustomValuesBytes in all are accepted.
void CheckCustomValues(const Json& values, const std::vector<CustomField>& definitions, FieldCategory purpose,
                       bool enforce_required, Checker& checker);

// The value a CSV cell stands for under a definition ("42" → 42 for a number, "yes" → true for a
// boolean); undefined names stay text. Nothing when the cell cannot be that type.
std::optional<Json> CoerceCell(std::string_view cell, const CustomField* definition);

class CustomFieldService {
public:
    CustomFieldService(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

    Result<CustomField> Create(const Principal& who, const Json& body);
    Result<CustomField> Get(const Principal& who, std::string_view id);
    Result<Page<CustomField>> List(const Principal& who, std::optional<std::string_view> category,
                                   const PageRequest& page);
    Result<CustomField> Update(const Principal& who, std::string_view id, const Json& body);
    // Values already stored on contacts stay; they become undefined (and so unchecked) names.
    Result<void> Delete(const Principal& who, std::string_view id);

private:
    Store& store_;
    const Clock& clock_;
};

}  // namespace parley::domain
