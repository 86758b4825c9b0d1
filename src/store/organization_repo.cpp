#include "store/sql_repos.hpp"

namespace parley::store {

using domain::Organization;

Result<void> SqlOrganizationRepo::Insert(const Organization& org) {
    auto n = c_.Exec("INSERT INTO organizations (id, name, tier, created_at) VALUES (?, ?, ?, ?)",
                     {org.id, org.name, domain::ToString(org.tier), org.created_at});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<std::optional<Organization>> SqlOrganizationRepo::Get(std::string_view id) {
    auto row = c_.QueryOne("SELECT id, name, tier, created_at FROM organizations WHERE id = ?", {id});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<Organization>();
    const auto& r = **row;
    return Organization{r[0].AsText(), r[1].AsText(),
                        domain::ParseTier(r[2].AsText()).value_or(domain::Tier::kStandard), r[3].AsInt()};
}

Result<int64_t> SqlOrganizationRepo::Count() {
    auto row = c_.QueryOne("SELECT COUNT(*) FROM organizations");
    if (!row) return Fail(std::move(row.error()));
    return (**row)[0].AsInt();
}

}  // namespace parley::store
