#include "domain/profile_service.hpp"

#include "common/ids.hpp"

namespace parley::domain {

Result<Json> ProfileService::CompileSpec(const Principal& who, const ProfileSpec& spec) {
    CompileInput input{spec, {}, {}, {}};
    auto loaded = store_.Read([&](Repos& r) -> Result<void> {
        auto org = r.organizations().Get(who.org_id);
        if (!org) return Fail(std::move(org.error()));
        if (*org) input.organization_name = (*org)->name;
        auto fields = r.custom_fields().All(who.org_id);
        if (!fields) return Fail(std::move(fields.error()));
        input.fields = std::move(*fields);
        PageRequest all{kMaxPageLimit, std::nullopt};
        while (true) {
            auto page = r.voice_presets().List(who.org_id, all);
            if (!page) return Fail(std::move(page.error()));
            for (auto& p : page->items) input.voice_presets.push_back(std::move(p));
            if (!page->has_more) break;
            all.after_id = input.voice_presets.back().id;
        }
        return {};
    });
    if (!loaded) return Fail(std::move(loaded.error()));
    return compiler_.Compile(input);
}

Result<Profile> ProfileService::Create(const Principal& who, const Json& body) {
    if (!body.is_object()) return Fail(ErrorCode::kValidation, "request body must be a JSON object");
    ProfileSpec spec;
    Checker checker;
    ReadProfileFields(body, spec, checker, default_region_);
    if (!checker.ok()) return Fail(checker.ToError("profile is not valid"));
    auto compiled = CompileSpec(who, spec);
    if (!compiled) return Fail(std::move(compiled.error()));
    const int64_t now = clock_.NowMs();
    Profile p;
    p.id = NewId("prof_", now);
    p.org_id = who.org_id;
    p.name = spec.name;
    p.version = 1;
    p.spec = std::move(spec);
    p.compiled = std::move(*compiled);
    p.created_at = now;
    p.updated_at = now;
    auto saved = store_.Write([&](Repos& r) { return r.profiles().Insert(p); });
    if (!saved) return Fail(std::move(saved.error()));
    return p;
}

Result<Profile> ProfileService::Get(const Principal& who, std::string_view id) {
    auto found = ReadTx(store_, [&](Repos& r) { return r.profiles().Get(who.org_id, id); });
    if (!found) return Fail(std::move(found.error()));
    if (!*found) return Fail(ErrorCode::kNotFound, "profile not found");
    return std::move(**found);
}

Result<Page<Profile>> ProfileService::List(const Principal& who, std::optional<std::string_view> status,
                                           const PageRequest& page) {
    std::optional<ProfileStatus> filter = ProfileStatus::kActive;
    if (status && *status == "all") {
        filter.reset();
    } else if (status) {
        filter = ParseProfileStatus(*status);
        if (!filter) {
            return Fail(ErrorCode::kValidation, "status must be active, archived or all",
                        {{"status", "must be active, archived or all"}});
        }
    }
    return ReadTx(store_, [&](Repos& r) { return r.profiles().List(who.org_id, filter, page); });
}

Result<Profile> ProfileService::Update(const Principal& who, std::string_view id, const Json& patch) {
    if (!patch.is_object()) return Fail(ErrorCode::kValidation, "request body must be a JSON object");
    auto current = Get(who, id);
    if (!current) return Fail(std::move(current.error()));
    if (current->status == ProfileStatus::kArchived) {
        return Fail(ErrorCode::kConflict, "profile is archived; archived profiles cannot be changed");
    }
    Profile p = std::move(*current);
    Checker checker;
    ReadProfileFields(patch, p.spec, checker, default_region_);
    if (!checker.ok()) return Fail(checker.ToError("profile is not valid"));
    auto compiled = CompileSpec(who, p.spec);
    if (!compiled) return Fail(std::move(compiled.error()));
    p.name = p.spec.name;
    p.compiled = std::move(*compiled);
    p.version += 1;
    p.updated_at = clock_.NowMs();
    auto saved = WriteTx(store_, [&](Repos& r) { return r.profiles().Update(p); });
    if (!saved) return Fail(std::move(saved.error()));
    if (!*saved) return Fail(ErrorCode::kConflict, "profile was changed by another request; read it and retry");
    return p;
}

Result<Profile> ProfileService::Archive(const Principal& who, std::string_view id) {
    auto current = Get(who, id);
    if (!current) return Fail(std::move(current.error()));
    if (current->status == ProfileStatus::kArchived) return current;
    Profile p = std::move(*current);
    const int64_t now = clock_.NowMs();
    p.status = ProfileStatus::kArchived;
    p.archived_at = now;
    p.updated_at = now;
    p.version += 1;
    auto saved = WriteTx(store_, [&](Repos& r) { return r.profiles().Update(p); });
    if (!saved) return Fail(std::move(saved.error()));
    if (!*saved) return Fail(ErrorCode::kConflict, "profile was changed by another request; retry");
    return p;
}

}  // namespace parley::domain
