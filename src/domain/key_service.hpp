#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "domain/entities.hpp"
#include "domain/repos.hpp"

namespace parley::domain {

// A key as created: the secret is in this object only and is never stored.
struct NewKey {
    ApiKey key;
    std::string secret;
};

struct KeyRequest {
    std::string name;
    KeyMode mode = KeyMode::kLive;
    Permission permission = Permission::kFull;
    Role role = Role::kMember;
};

// Organizations and their API keys. Keys look like pl_live_<32 characters> or
// pl_test_<32 characters>; only their SHA-256 is stored.
class KeyService {
public:
    // How long a successful key lookup is trusted before the database is asked again, by
    // default. A key revoked through this process stops working at once; one revoked through
    // another process (another node, or `parley key revoke`) within this time.
    static constexpr int64_t kDefaultCacheMs = 5'000;

    KeyService(Store& store, const Clock& clock, int64_t cache_ms = kDefaultCacheMs)
        : store_(store), clock_(clock), cache_ms_(cache_ms) {}

    // A new organization and its first key (role owner, full permission, live).
    Result<std::pair<Organization, NewKey>> CreateOrganization(std::string_view name, Tier tier);

    // For operators (the command line): no caller to check.
    Result<NewKey> CreateKey(std::string_view org_id, const KeyRequest& request,
                             std::optional<std::string> created_by = {});
    // For the API: body {name, mode?, permission?, role?}; owners and admins only, and only an
    // owner makes owner keys. Test keys are read-only.
    Result<NewKey> CreateKey(const Principal& who, const Json& body);
    Result<Page<ApiKey>> List(const Principal& who, const PageRequest& page);
    Result<Page<ApiKey>> List(std::string_view org_id, const PageRequest& page);
    Result<ApiKey> Revoke(const Principal& who, std::string_view id);
    Result<ApiKey> Revoke(std::string_view org_id, std::string_view id);

    // kUnauthorized for a missing, malformed, unknown or revoked key.
    Result<Principal> Authenticate(std::string_view token);

private:
    struct Cached {
        Principal principal;
        int64_t checked_at = 0;
        int64_t last_used_written = 0;
    };

    Result<void> CheckManager(const Principal& who) const;
    void Forget(std::string_view key_id);

    Store& store_;
    const Clock& clock_;
    const int64_t cache_ms_;
    std::mutex mutex_;
    std::unordered_map<std::string, Cached> cache_;  // by key hash
};

}  // namespace parley::domain
