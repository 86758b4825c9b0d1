#include "domain/profile_body.hpp"
#include "store/sql_repos.hpp"

namespace parley::store {

using domain::Json;
using domain::Profile;

namespace {

constexpr std::string_view kProfileSelect =
    "SELECT id, org_id, name, status, version, spec, compiled, created_at, updated_at, archived_at FROM profiles ";

// A profile whose stored documents are not JSON objects (a row edited by hand) is an error value
// naming it, not an exception on whatever thread read it.
Result<Profile> ProfileFromRow(const Row& r) {
    Profile p;
    p.id = r[0].AsText();
    p.org_id = r[1].AsText();
    p.name = r[2].AsText();
    p.status = domain::ParseProfileStatus(r[3].AsText()).value_or(domain::ProfileStatus::kActive);
    p.version = static_cast<int>(r[4].AsInt());
    auto spec = domain::ParseProfileSpec(Json::parse(r[5].AsText(), nullptr, false));
    if (!spec) return Fail(ErrorCode::kInternal, "profile " + p.id + ": " + spec.error().message);
    p.spec = std::move(*spec);
    p.compiled = Json::parse(r[6].AsText(), nullptr, false);
    if (!p.compiled.is_object()) {
        return Fail(ErrorCode::kInternal, "profile " + p.id + ": its stored plan is not a JSON object");
    }
    p.created_at = r[7].AsInt();
    p.updated_at = r[8].AsInt();
    p.archived_at = r[9].AsOptionalInt();
    return p;
}

}  // namespace

Result<void> SqlProfileRepo::Insert(const Profile& p) {
    auto n = c_.Exec(
        "INSERT INTO profiles (id, org_id, name, status, version, spec, compiled, created_at, updated_at, archived_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {p.id, p.org_id, p.name, domain::ToString(p.status), p.version, domain::ToJson(p.spec).dump(),
         p.compiled.dump(), p.created_at, p.updated_at, p.archived_at});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<std::optional<Profile>> SqlProfileRepo::Get(std::string_view org_id, std::string_view id) {
    static const std::string sql = std::string(kProfileSelect) + "WHERE org_id = ? AND id = ?";
    auto row = c_.QueryOne(sql, {org_id, id});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<Profile>();
    auto profile = ProfileFromRow(**row);
    if (!profile) return Fail(std::move(profile.error()));
    return std::optional<Profile>(std::move(*profile));
}

Result<domain::Page<Profile>> SqlProfileRepo::List(std::string_view org_id, std::optional<domain::ProfileStatus> status,
                                                   const domain::PageRequest& page) {
    static const std::string all = std::string(kProfileSelect) + "WHERE org_id = ? AND id < ? ORDER BY id DESC LIMIT ?";
    static const std::string by_status =
        std::string(kProfileSelect) + "WHERE org_id = ? AND id < ? AND status = ? ORDER BY id DESC LIMIT ?";
    const std::string after = page.after_id.value_or("~");
    auto rows = status ? c_.Query(by_status, {org_id, after, domain::ToString(*status), page.limit + 1})
                       : c_.Query(all, {org_id, after, page.limit + 1});
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<Profile> profiles;
    for (const auto& r : *rows) {
        auto profile = ProfileFromRow(r);
        if (!profile) return Fail(std::move(profile.error()));
        profiles.push_back(std::move(*profile));
    }
    return ToPage(std::move(profiles), page.limit);
}

Result<bool> SqlProfileRepo::Update(const Profile& p) {
    auto n = c_.Exec(
        "UPDATE profiles SET name = ?, status = ?, version = ?, spec = ?, compiled = ?, updated_at = ?, "
        "archived_at = ? WHERE org_id = ? AND id = ? AND version = ?",
        {p.name, domain::ToString(p.status), p.version, domain::ToJson(p.spec).dump(), p.compiled.dump(), p.updated_at,
         p.archived_at, p.org_id, p.id, p.version - 1});
    if (!n) return Fail(std::move(n.error()));
    return *n > 0;
}

}  // namespace parley::store
