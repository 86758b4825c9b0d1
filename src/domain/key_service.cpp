#include "domain/key_service.hpp"

#include "common/crypto.hpp"
#include "common/ids.hpp"
#include "domain/validation.hpp"

namespace parley::domain {
namespace {

constexpr size_t kSecretLength = 32;
constexpr size_t kPrefixLength = 16;
constexpr size_t kMaxNameBytes = 100;
constexpr int64_t kLastUsedResolutionMs = 60'000;
constexpr size_t kMaxCachedKeys = 100'000;

bool IsWellFormedKey(std::string_view token) {
    std::string_view rest;
    if (token.starts_with("pl_live_")) {
        rest = token.substr(8);
    } else if (token.starts_with("pl_test_")) {
        rest = token.substr(8);
    } else {
        return false;
    }
    if (rest.size() != kSecretLength) return false;
    for (char c : rest) {
        if (!std::isalnum(static_cast<unsigned char>(c))) return false;
    }
    return true;
}

}  // namespace

Result<std::pair<Organization, NewKey>> KeyService::CreateOrganization(std::string_view name, Tier tier) {
    if (name.empty() || name.size() > kMaxNameBytes) {
        return Fail(ErrorCode::kValidation, "organization name must be 1 to 100 bytes");
    }
    Organization org;
    org.created_at = clock_.NowMs();
    org.id = NewId("org_", org.created_at);
    org.name = std::string(name);
    org.tier = tier;
    auto done = store_.Write([&](Repos& r) -> Result<void> {
        if (auto in = r.organizations().Insert(org); !in) return in;
        auto secret = r.webhooks().OrgSecret(org.id, org.created_at);
        if (!secret) return Fail(std::move(secret.error()));
        return {};
    });
    if (!done) return Fail(std::move(done.error()));
    auto key = CreateKey(org.id, KeyRequest{"Owner key", KeyMode::kLive, Permission::kFull, Role::kOwner});
    if (!key) return Fail(std::move(key.error()));
    return std::pair{std::move(org), std::move(*key)};
}

Result<NewKey> KeyService::CreateKey(std::string_view org_id, const KeyRequest& request,
                                     std::optional<std::string> created_by) {
    if (request.name.empty() || request.name.size() > kMaxNameBytes) {
        return Fail(ErrorCode::kValidation, "name must be 1 to 100 bytes", {{"name", "must be 1 to 100 bytes"}});
    }
    if (request.mode == KeyMode::kTest && request.permission != Permission::kReadOnly) {
        return Fail(ErrorCode::kValidation, "test keys are read-only",
                    {{"permission", "must be read_only for a test key"}});
    }
    NewKey out;
    const int64_t now = clock_.NowMs();
    out.secret =
        std::string(request.mode == KeyMode::kLive ? "pl_live_" : "pl_test_") + RandomAlphanumeric(kSecretLength);
    out.key.id = NewId("key_", now);
    out.key.org_id = std::string(org_id);
    out.key.name = request.name;
    out.key.prefix = out.secret.substr(0, kPrefixLength);
    out.key.mode = request.mode;
    out.key.permission = request.permission;
    out.key.role = request.role;
    out.key.created_by = std::move(created_by);
    out.key.created_at = now;
    auto done = store_.Write([&](Repos& r) -> Result<void> {
        auto org = r.organizations().Get(org_id);
        if (!org) return Fail(std::move(org.error()));
        if (!*org) return Fail(ErrorCode::kNotFound, "organization not found");
        return r.api_keys().Insert(out.key, Sha256Hex(out.secret));
    });
    if (!done) return Fail(std::move(done.error()));
    return out;
}

Result<void> KeyService::CheckManager(const Principal& who) const {
    if (who.role != Role::kOwner && who.role != Role::kAdmin) {
        return Fail(ErrorCode::kForbidden, "managing API keys needs a key with the owner or admin role");
    }
    return {};
}

Result<NewKey> KeyService::CreateKey(const Principal& who, const Json& body) {
    if (auto ok = CheckManager(who); !ok) return Fail(std::move(ok.error()));
    if (!body.is_object()) return Fail(ErrorCode::kValidation, "request body must be a JSON object");
    Checker checker;
    checker.RejectUnknownKeys(body, {"name", "mode", "permission", "role"});
    KeyRequest request;
    if (auto name = checker.String(body, "name", kMaxNameBytes, true)) request.name = *name;
    if (auto mode = checker.String(body, "mode", 16)) {
        if (auto m = ParseKeyMode(*mode)) {
            request.mode = *m;
        } else {
            checker.Add("mode", "must be live or test");
        }
    }
    if (request.mode == KeyMode::kTest) request.permission = Permission::kReadOnly;
    if (auto permission = checker.String(body, "permission", 16)) {
        if (auto p = ParsePermission(*permission)) {
            request.permission = *p;
        } else {
            checker.Add("permission", "must be full, read_only or write_only");
        }
    }
    if (auto role = checker.String(body, "role", 16)) {
        if (auto r = ParseRole(*role)) {
            request.role = *r;
        } else {
            checker.Add("role", "must be owner, admin or member");
        }
    }
    if (!checker.ok()) return Fail(checker.ToError("API key request is not valid"));
    if (request.role == Role::kOwner && who.role != Role::kOwner) {
        return Fail(ErrorCode::kForbidden, "only an owner key can create owner keys");
    }
    return CreateKey(who.org_id, request, who.key_id);
}

Result<Page<ApiKey>> KeyService::List(const Principal& who, const PageRequest& page) {
    if (auto ok = CheckManager(who); !ok) return Fail(std::move(ok.error()));
    return List(who.org_id, page);
}

Result<Page<ApiKey>> KeyService::List(std::string_view org_id, const PageRequest& page) {
    return ReadTx(store_, [&](Repos& r) { return r.api_keys().List(org_id, page); });
}

Result<ApiKey> KeyService::Revoke(const Principal& who, std::string_view id) {
    if (auto ok = CheckManager(who); !ok) return Fail(std::move(ok.error()));
    auto key = ReadTx(store_, [&](Repos& r) { return r.api_keys().Get(who.org_id, id); });
    if (!key) return Fail(std::move(key.error()));
    if (!*key) return Fail(ErrorCode::kNotFound, "API key not found");
    if ((*key)->role == Role::kOwner && who.role != Role::kOwner) {
        return Fail(ErrorCode::kForbidden, "only an owner key can revoke owner keys");
    }
    return Revoke(who.org_id, id);
}

Result<ApiKey> KeyService::Revoke(std::string_view org_id, std::string_view id) {
    auto key = WriteTx(store_, [&](Repos& r) -> Result<std::optional<ApiKey>> {
        auto revoked = r.api_keys().Revoke(org_id, id, clock_.NowMs());
        if (!revoked) return Fail(std::move(revoked.error()));
        return r.api_keys().Get(org_id, id);
    });
    if (!key) return Fail(std::move(key.error()));
    if (!*key) return Fail(ErrorCode::kNotFound, "API key not found");
    Forget(id);
    return std::move(**key);
}

void KeyService::Forget(std::string_view key_id) {
    std::lock_guard lock(mutex_);
    std::erase_if(cache_, [&](const auto& entry) { return entry.second.principal.key_id == key_id; });
}

Result<Principal> KeyService::Authenticate(std::string_view token) {
    if (!IsWellFormedKey(token)) return Fail(ErrorCode::kUnauthorized, "Invalid or missing API key");
    const std::string hash = Sha256Hex(token);
    const int64_t now = clock_.NowMs();
    bool write_last_used = false;
    {
        std::lock_guard lock(mutex_);
        if (auto it = cache_.find(hash); it != cache_.end() && now - it->second.checked_at < cache_ms_) {
            if (now - it->second.last_used_written < kLastUsedResolutionMs) return it->second.principal;
            it->second.last_used_written = now;
            write_last_used = true;
        }
    }
    std::string key_id;
    if (!write_last_used) {
        auto found = ReadTx(store_, [&](Repos& r) { return r.api_keys().FindByHash(hash); });
        if (!found) return Fail(std::move(found.error()));
        if (!*found || (*found)->first.revoked_at) return Fail(ErrorCode::kUnauthorized, "Invalid or missing API key");
        const auto& [key, tier] = **found;
        Principal p{key.org_id, key.id, key.mode, key.permission, key.role, tier};
        const bool stale = !key.last_used_at || now - *key.last_used_at >= kLastUsedResolutionMs;
        {
            std::lock_guard lock(mutex_);
            if (cache_.size() >= kMaxCachedKeys) cache_.clear();
            cache_[hash] = Cached{p, now, stale ? now : *key.last_used_at};
        }
        if (!stale) return p;
        key_id = key.id;
    }
    Principal principal;
    {
        std::lock_guard lock(mutex_);
        principal = cache_[hash].principal;
    }
    // Recording use is best effort: a failure here must not refuse a valid key.
    (void)store_.Write([&](Repos& r) { return r.api_keys().TouchLastUsed(principal.key_id, now); });
    return principal;
}

}  // namespace parley::domain
