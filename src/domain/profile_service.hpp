#pragma once

#include <optional>
#include <string_view>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "domain/engine_catalog.hpp"
#include "domain/entities.hpp"
#include "domain/profile_body.hpp"
#include "domain/repos.hpp"
#include "domain/validation.hpp"

namespace parley::domain {

// Agent profiles (seed 000 "Profiles API", the same resource as seed 002's agents). Every create
// and update compiles the spec; a spec that does not compile is not saved.
class ProfileService {
public:
    ProfileService(Store& store, const Clock& clock, const ProfileCompiler& compiler, std::string default_region)
        : store_(store), clock_(clock), compiler_(compiler), default_region_(std::move(default_region)) {}

    Result<Profile> Create(const Principal& who, const Json& body);
    Result<Profile> Get(const Principal& who, std::string_view id);
    // `status`: "active" (the default), "archived" or "all".
    Result<Page<Profile>> List(const Principal& who, std::optional<std::string_view> status, const PageRequest& page);
    // Changes the fields present in `patch`, recompiles and saves a new version.
    Result<Profile> Update(const Principal& who, std::string_view id, const Json& patch);
    // Soft delete: the profile stays readable and its calls keep pointing at it, but it is no
    // longer listed as active and places no new calls. Archiving twice is not an error.
    Result<Profile> Archive(const Principal& who, std::string_view id);

private:
    Result<Json> CompileSpec(const Principal& who, const ProfileSpec& spec);

    Store& store_;
    const Clock& clock_;
    const ProfileCompiler& compiler_;
    std::string default_region_;
};

}  // namespace parley::domain
