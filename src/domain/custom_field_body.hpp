#pragma once

// What a request says about custom fields, read and checked without the database: a field's
// definition, and the values a contact or a call gives them.

#include <optional>
#include <string_view>
#include <vector>

#include "domain/entities.hpp"
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

// Reads name, type, description, category, required and options present in `body` into
// `field`, then checks that the result is a consistent definition.
void ReadFieldDefinition(const Json& body, CustomField& field, Checker& checker);

}  // namespace parley::domain
