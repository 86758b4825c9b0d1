#include "store/sql_repos.hpp"

namespace parley::store {

using domain::Campaign;
using domain::CampaignStatus;
using domain::Json;

namespace {

constexpr std::string_view kSelect =
    "SELECT id, org_id, name, status, direction, profile_id, spec, created_at, updated_at, started_at, ended_at "
    "FROM campaigns ";

Campaign CampaignFromRow(const Row& r) {
    Campaign c;
    c.id = r[0].AsText();
    c.org_id = r[1].AsText();
    c.name = r[2].AsText();
    c.status = domain::ParseCampaignStatus(r[3].AsText()).value_or(CampaignStatus::kDraft);
    c.direction = domain::ParseCallDirection(r[4].AsText()).value_or(domain::CallDirection::kOutbound);
    c.profile_id = r[5].AsText();
    c.spec = Json::parse(r[6].AsText());
    c.created_at = r[7].AsInt();
    c.updated_at = r[8].AsInt();
    c.started_at = r[9].AsOptionalInt();
    c.ended_at = r[10].AsOptionalInt();
    return c;
}

// The list a campaign calls, kept in a column to find the campaigns a new list member joins.
Value ListIdOf(const Campaign& c) {
    auto it = c.spec.find("contact_list_id");
    if (it == c.spec.end() || !it->is_string()) return nullptr;
    return it->get<std::string>();
}

// The queue row of a contact that has not been called yet, due at once.
constexpr std::string_view kEnqueueColumns =
    "INSERT INTO campaign_contacts (campaign_id, contact_id, org_id, state, attempts, day, day_attempts, next_at, "
    "call_id, outcome, updated_at) ";
constexpr std::string_view kEnqueueValues = "SELECT ?, c.id, c.org_id, 'pending', 0, '', 0, ?, NULL, NULL, ? ";
constexpr std::string_view kIfNew = " ON CONFLICT (campaign_id, contact_id) DO NOTHING";

}  // namespace

Result<void> SqlCampaignRepo::Insert(const Campaign& c) {
    auto n = c_.Exec(
        "INSERT INTO campaigns (id, org_id, name, status, direction, profile_id, list_id, spec, created_at, "
        "updated_at, started_at, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {c.id, c.org_id, c.name, domain::ToString(c.status), domain::ToString(c.direction), c.profile_id, ListIdOf(c),
         c.spec.dump(), c.created_at, c.updated_at, c.started_at, c.ended_at});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<std::optional<Campaign>> SqlCampaignRepo::Get(std::string_view org_id, std::string_view id) {
    static const std::string sql = std::string(kSelect) + "WHERE org_id = ? AND id = ?";
    auto row = c_.QueryOne(sql, {org_id, id});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<Campaign>();
    return CampaignFromRow(**row);
}

Result<domain::Page<Campaign>> SqlCampaignRepo::List(std::string_view org_id, const domain::CampaignFilter& filter,
                                                     const domain::PageRequest& page) {
    std::string sql = std::string(kSelect) + "WHERE org_id = ? AND id < ?";
    std::vector<Value> params{org_id, page.after_id.value_or("~")};
    if (filter.status) {
        sql += " AND status = ?";
        params.emplace_back(domain::ToString(*filter.status));
    }
    if (filter.direction) {
        sql += " AND direction = ?";
        params.emplace_back(domain::ToString(*filter.direction));
    }
    sql += " ORDER BY id DESC LIMIT ?";
    params.emplace_back(page.limit + 1);
    auto rows = c_.Query(sql, params);
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<Campaign> campaigns;
    for (const auto& r : *rows) campaigns.push_back(CampaignFromRow(r));
    return ToPage(std::move(campaigns), page.limit);
}

Result<bool> SqlCampaignRepo::Save(const Campaign& c, CampaignStatus expected) {
    auto n = c_.Exec(
        "UPDATE campaigns SET name = ?, status = ?, direction = ?, profile_id = ?, list_id = ?, spec = ?, "
        "updated_at = ?, started_at = ?, ended_at = ? WHERE org_id = ? AND id = ? AND status = ?",
        {c.name, domain::ToString(c.status), domain::ToString(c.direction), c.profile_id, ListIdOf(c), c.spec.dump(),
         c.updated_at,
         c.started_at, c.ended_at, c.org_id, c.id, domain::ToString(expected)});
    if (!n) return Fail(std::move(n.error()));
    return *n > 0;
}

Result<std::vector<Campaign>> SqlCampaignRepo::ActiveUsingList(std::string_view org_id, std::string_view list_id) {
    static const std::string sql =
        std::string(kSelect) + "WHERE org_id = ? AND list_id = ? AND status IN ('running', 'paused') ORDER BY id";
    auto rows = c_.Query(sql, {org_id, list_id});
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<Campaign> campaigns;
    for (const auto& r : *rows) campaigns.push_back(CampaignFromRow(r));
    return campaigns;
}

Result<domain::CampaignStats> SqlCampaignRepo::Stats(std::string_view org_id, std::string_view id) {
    domain::CampaignStats stats;
    auto states = c_.Query(
        "SELECT state, COUNT(*) FROM campaign_contacts WHERE org_id = ? AND campaign_id = ? GROUP BY state",
        {org_id, id});
    if (!states) return Fail(std::move(states.error()));
    for (const auto& r : *states) {
        const std::string state = r[0].AsText();
        const int64_t n = r[1].AsInt();
        stats.contacts_total += n;
        if (state == "pending") stats.contacts_pending += n;
        if (state == "dialing") stats.contacts_in_progress += n;
        if (state == "done") stats.contacts_done += n;
    }
    auto calls = c_.QueryOne(
        "SELECT COUNT(*), SUM(CASE WHEN status IN ('completed', 'voicemail') THEN 1 ELSE 0 END), "
        "SUM(meeting_booked), SUM(cost_cents) FROM calls WHERE org_id = ? AND campaign_id = ?",
        {org_id, id});
    if (!calls) return Fail(std::move(calls.error()));
    if (*calls) {
        const Row& r = **calls;
        stats.calls = r[0].AsInt();
        stats.connected = r[1].AsOptionalInt().value_or(0);
        stats.meetings_booked = r[2].AsOptionalInt().value_or(0);
        stats.cost_cents = r[3].AsOptionalInt().value_or(0);
    }
    auto dispositions = c_.Query(
        "SELECT disposition, COUNT(*) FROM calls WHERE org_id = ? AND campaign_id = ? AND disposition IS NOT NULL "
        "GROUP BY disposition ORDER BY disposition",
        {org_id, id});
    if (!dispositions) return Fail(std::move(dispositions.error()));
    for (const auto& r : *dispositions) stats.dispositions.emplace_back(r[0].AsText(), r[1].AsInt());
    return stats;
}

Result<int64_t> SqlCampaignRepo::EnqueueAudience(const Campaign& campaign, const domain::Audience& audience,
                                                 int64_t now) {
    const std::string head = std::string(kEnqueueColumns) + std::string(kEnqueueValues) + "FROM contacts c ";
    int64_t added = 0;
    auto run = [&](const std::string& where, std::vector<Value> params) -> Result<void> {
        params.insert(params.begin(), {Value(campaign.id), Value(now), Value(now)});
        auto n = c_.Exec(head + where + std::string(kIfNew), params);
        if (!n) return Fail(std::move(n.error()));
        added += *n;
        return {};
    };
    if (auto r = run("WHERE c.org_id = ? AND c.campaign_id = ?", {campaign.org_id, campaign.id}); !r) {
        return Fail(std::move(r.error()));
    }
    if (audience.list_id) {
        auto r = run("JOIN contact_list_members m ON m.contact_id = c.id WHERE c.org_id = ? AND m.list_id = ?",
                     {campaign.org_id, *audience.list_id});
        if (!r) return Fail(std::move(r.error()));
    }
    for (const auto& tag : audience.tags) {
        auto r = run("JOIN contact_tags t ON t.contact_id = c.id AND t.org_id = c.org_id WHERE c.org_id = ? AND t.tag = ?",
                     {campaign.org_id, tag});
        if (!r) return Fail(std::move(r.error()));
    }
    return added;
}

Result<bool> SqlCampaignRepo::EnqueueContact(const Campaign& campaign, std::string_view contact_id, int64_t now) {
    static const std::string sql = std::string(kEnqueueColumns) + std::string(kEnqueueValues) +
                                   "FROM contacts c WHERE c.org_id = ? AND c.id = ?" + std::string(kIfNew);
    auto n = c_.Exec(sql, {campaign.id, now, now, campaign.org_id, contact_id});
    if (!n) return Fail(std::move(n.error()));
    return *n > 0;
}

Result<int64_t> SqlCampaignRepo::CancelPending(std::string_view campaign_id, int64_t now) {
    auto n = c_.Exec(
        "UPDATE campaign_contacts SET state = 'done', outcome = 'canceled', updated_at = ? "
        "WHERE campaign_id = ? AND state = 'pending'",
        {now, campaign_id});
    if (!n) return Fail(std::move(n.error()));
    return *n;
}

}  // namespace parley::store
