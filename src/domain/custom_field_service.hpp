#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "domain/custom_field_body.hpp"
#include "domain/entities.hpp"
#include "domain/repos.hpp"
#include "domain/validation.hpp"

namespace parley::domain {

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
