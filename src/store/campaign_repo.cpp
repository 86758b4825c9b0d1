#include <map>

#include "domain/campaign_spec.hpp"
#include "store/sql_repos.hpp"

namespace parley::store {

using domain::Campaign;
using domain::CampaignStatus;
using domain::Json;

namespace {

constexpr std::string_view kCampaignSelect =
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
    // A document that does not read back leaves the defaults and says why (Campaign::spec_problem).
    auto stored = Json::parse(r[6].AsText(), nullptr, false);
    auto spec = stored.is_discarded()
                    ? Result<domain::CampaignSpec>(Fail(ErrorCode::kInternal, "stored campaign settings are not JSON"))
                    : domain::ParseCampaignSpec(stored);
    if (spec) {
        c.spec = std::move(*spec);
    } else {
        c.spec_problem = spec.error().message;
    }
    c.created_at = r[7].AsInt();
    c.updated_at = r[8].AsInt();
    c.started_at = r[9].AsOptionalInt();
    c.ended_at = r[10].AsOptionalInt();
    return c;
}

// The list a campaign calls, kept in a column to find the campaigns a new list member joins.
Value ListIdOf(const Campaign& c) {
    if (!c.spec.contact_list_id) return nullptr;
    return *c.spec.contact_list_id;
}

// The queue row of a contact that has not been called yet, due at once.
constexpr std::string_view kEnqueueColumns =
    "INSERT INTO campaign_contacts (campaign_id, contact_id, org_id, state, attempts, day, day_attempts, next_at, "
    "call_id, outcome, updated_at) ";
// The start of an INSERT … SELECT of such rows from a source named c with an org_id column, whose
// column contact_id holds the contact's id (c.id in contacts, c.contact_id in contact_tags).
std::string EnqueueFrom(std::string_view contact_id) {
    return std::string(kEnqueueColumns) + "SELECT ?, " + std::string(contact_id) +
           ", c.org_id, 'pending', 0, '', 0, ?, NULL, NULL, ? FROM ";
}
constexpr std::string_view kIfNew = " ON CONFLICT (campaign_id, contact_id) DO NOTHING";
constexpr int64_t kAnalyzeAfterRows = 10'000;

// Contacts a change moved into (+) or out of (-) each queue state of one campaign.
struct QueueDelta {
    int64_t pending = 0;
    int64_t dialing = 0;
    int64_t done = 0;

    void Add(domain::QueueState state, int64_t n) {
        switch (state) {
            case domain::QueueState::kPending: pending += n; break;
            case domain::QueueState::kDialing: dialing += n; break;
            case domain::QueueState::kDone: done += n; break;
        }
    }
};

// Adds a change to the campaign's counts (campaign_queue_counts), in the change's transaction.
Result<void> AddQueueCounts(Connection& c, std::string_view campaign_id, const QueueDelta& d) {
    if (d.pending == 0 && d.dialing == 0 && d.done == 0) return {};
    auto n = c.Exec(
        "INSERT INTO campaign_queue_counts AS q (campaign_id, pending, dialing, done) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (campaign_id) DO UPDATE SET pending = q.pending + excluded.pending, "
        "dialing = q.dialing + excluded.dialing, done = q.done + excluded.done",
        {campaign_id, d.pending, d.dialing, d.done});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

constexpr std::string_view kQueueColumns =
    "q.campaign_id, q.contact_id, q.org_id, q.state, q.attempts, q.day, q.day_attempts, q.next_at, q.call_id, "
    "q.outcome, q.updated_at, ";
// A queue row with its contact's number and time zone (joined as ct).
const std::string kEntryColumns = std::string(kQueueColumns) + "ct.phone, ct.timezone";
// A queue row without its contact: closing an attempt needs neither.
const std::string kEntryColumnsWithoutContact = std::string(kQueueColumns) + "NULL, NULL";

domain::QueueEntry EntryFromRow(const Row& r) {
    domain::QueueEntry e;
    e.campaign_id = r[0].AsText();
    e.contact_id = r[1].AsText();
    e.org_id = r[2].AsText();
    // An unknown state (a row edited by hand) counts as final: the dialer never calls it.
    e.state = domain::ParseQueueState(r[3].AsText()).value_or(domain::QueueState::kDone);
    e.attempts = static_cast<int>(r[4].AsInt());
    e.day = r[5].AsText();
    e.day_attempts = static_cast<int>(r[6].AsInt());
    e.next_at = r[7].AsInt();
    e.call_id = r[8].AsOptionalText();
    e.outcome = r[9].AsOptionalText();
    e.updated_at = r[10].AsInt();
    e.phone = r[11].AsOptionalText();
    e.timezone = r[12].AsOptionalText();
    return e;
}

// The advisory lock one node at a time holds to close ended attempts (PostgreSQL).
constexpr int64_t kClosingLock = 7'270'002;

// A queue state as an SQL literal: the partial indexes on the queue (pending rows, dialing rows)
// are used only by a query that names their state, not by a parameter.
std::string StateLiteral(domain::QueueState state) {
    return "'" + std::string(domain::ToString(state)) + "'";
}

}  // namespace

Result<void> SqlCampaignRepo::Insert(const Campaign& c) {
    auto n = c_.Exec(
        "INSERT INTO campaigns (id, org_id, name, status, direction, profile_id, list_id, spec, created_at, "
        "updated_at, started_at, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {c.id, c.org_id, c.name, domain::ToString(c.status), domain::ToString(c.direction), c.profile_id, ListIdOf(c),
         domain::ToJson(c.spec).dump(), c.created_at, c.updated_at, c.started_at, c.ended_at});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<std::optional<Campaign>> SqlCampaignRepo::Get(std::string_view org_id, std::string_view id) {
    static const std::string sql = std::string(kCampaignSelect) + "WHERE org_id = ? AND id = ?";
    auto row = c_.QueryOne(sql, {org_id, id});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<Campaign>();
    return CampaignFromRow(**row);
}

Result<domain::Page<Campaign>> SqlCampaignRepo::List(std::string_view org_id, const domain::CampaignFilter& filter,
                                                     const domain::PageRequest& page) {
    std::string sql = std::string(kCampaignSelect) + "WHERE org_id = ? AND id < ?";
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
    // Settings that did not read back stay as they are stored: the defaults in their place are
    // not what the user set.
    auto n = c.spec_problem
                 ? c_.Exec(
                       "UPDATE campaigns SET name = ?, status = ?, direction = ?, profile_id = ?, updated_at = ?, "
                       "started_at = ?, ended_at = ? WHERE org_id = ? AND id = ? AND status = ?",
                       {c.name, domain::ToString(c.status), domain::ToString(c.direction), c.profile_id, c.updated_at,
                        c.started_at, c.ended_at, c.org_id, c.id, domain::ToString(expected)})
                 : c_.Exec(
                       "UPDATE campaigns SET name = ?, status = ?, direction = ?, profile_id = ?, list_id = ?, "
                       "spec = ?, updated_at = ?, started_at = ?, ended_at = ? WHERE org_id = ? AND id = ? AND "
                       "status = ?",
                       {c.name, domain::ToString(c.status), domain::ToString(c.direction), c.profile_id, ListIdOf(c),
                        domain::ToJson(c.spec).dump(), c.updated_at, c.started_at, c.ended_at, c.org_id, c.id,
                        domain::ToString(expected)});
    if (!n) return Fail(std::move(n.error()));
    return *n > 0;
}

Result<std::vector<Campaign>> SqlCampaignRepo::ActiveUsingList(std::string_view org_id, std::string_view list_id) {
    static const std::string sql = std::string(kCampaignSelect) +
                                   "WHERE org_id = ? AND list_id = ? AND status IN ('running', 'paused') ORDER BY id";
    auto rows = c_.Query(sql, {org_id, list_id});
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<Campaign> campaigns;
    for (const auto& r : *rows) campaigns.push_back(CampaignFromRow(r));
    return campaigns;
}

Result<domain::CampaignStats> SqlCampaignRepo::Stats(std::string_view org_id, std::string_view id) {
    domain::CampaignStats stats;
    auto counts = c_.QueryOne(
        "SELECT q.pending, q.dialing, q.done FROM campaign_queue_counts q JOIN campaigns c ON c.id = q.campaign_id "
        "WHERE c.org_id = ? AND q.campaign_id = ?",
        {org_id, id});
    if (!counts) return Fail(std::move(counts.error()));
    if (*counts) {
        stats.contacts_pending = (**counts)[0].AsInt();
        stats.contacts_in_progress = (**counts)[1].AsInt();
        stats.contacts_done = (**counts)[2].AsInt();
        stats.contacts_total = stats.contacts_pending + stats.contacts_in_progress + stats.contacts_done;
    }
    // The calls, summed by disposition as each call was inserted and changed (campaign_call_counts).
    auto groups = c_.Query(
        "SELECT disposition, calls, connected, meetings, cost_cents FROM campaign_call_counts "
        "WHERE org_id = ? AND campaign_id = ? ORDER BY disposition",
        {org_id, id});
    if (!groups) return Fail(std::move(groups.error()));
    for (const auto& r : *groups) {
        stats.calls += r[1].AsInt();
        stats.connected += r[2].AsInt();
        stats.meetings_booked += r[3].AsInt();
        stats.cost_cents += r[4].AsInt();
        if (!r[0].AsText().empty() && r[1].AsInt() > 0) stats.dispositions.emplace_back(r[0].AsText(), r[1].AsInt());
    }
    return stats;
}

Result<int64_t> SqlCampaignRepo::EnqueueAudience(const Campaign& campaign, const domain::Audience& audience,
                                                 int64_t now) {
    int64_t added = 0;
    auto run = [&](std::string_view contact_id, const std::string& source, std::vector<Value> params) -> Result<void> {
        params.insert(params.begin(), {Value(campaign.id), Value(now), Value(now)});
        auto n = c_.Exec(EnqueueFrom(contact_id) + source + std::string(kIfNew), params);
        if (!n) return Fail(std::move(n.error()));
        added += *n;
        return {};
    };
    auto own = run("c.id", "contacts c WHERE c.org_id = ? AND c.campaign_id = ?", {campaign.org_id, campaign.id});
    if (!own) return Fail(std::move(own.error()));
    if (audience.list_id) {
        auto r = run("c.id",
                     "contacts c JOIN contact_list_members m ON m.contact_id = c.id "
                     "WHERE c.org_id = ? AND m.list_id = ?",
                     {campaign.org_id, *audience.list_id});
        if (!r) return Fail(std::move(r.error()));
    }
    // A tag row's contact exists (a foreign key, and deleting a contact deletes its tags first), so
    // the tags alone name the contacts: joining a million of them to the contacts took a third of
    // the start on PostgreSQL.
    for (const auto& tag : audience.tags) {
        auto r = run("c.contact_id", "contact_tags c WHERE c.org_id = ? AND c.tag = ?", {campaign.org_id, tag});
        if (!r) return Fail(std::move(r.error()));
    }
    if (auto counted = AddQueueCounts(c_, campaign.id, {.pending = added}); !counted) {
        return Fail(std::move(counted.error()));
    }
    // A large start changes the queue table's size at once. PostgreSQL would plan the dialer's
    // statements on the old statistics until autovacuum came round (a generic plan chose an
    // index scan of every pending row to update one: 15 ms a statement), so they are renewed now.
    if (c_.dialect() == Dialect::kPostgres && added >= kAnalyzeAfterRows) {
        if (auto analyzed = c_.Exec("ANALYZE campaign_contacts"); !analyzed) return Fail(std::move(analyzed.error()));
    }
    return added;
}

Result<bool> SqlCampaignRepo::EnqueueContact(const Campaign& campaign, std::string_view contact_id, int64_t now) {
    static const std::string sql =
        EnqueueFrom("c.id") + "contacts c WHERE c.org_id = ? AND c.id = ?" + std::string(kIfNew);
    auto n = c_.Exec(sql, {campaign.id, now, now, campaign.org_id, contact_id});
    if (!n) return Fail(std::move(n.error()));
    if (auto counted = AddQueueCounts(c_, campaign.id, {.pending = *n}); !counted) {
        return Fail(std::move(counted.error()));
    }
    return *n > 0;
}

Result<bool> SqlCampaignRepo::DequeueUnlessSelected(const Campaign& campaign, const domain::Audience& audience,
                                                    std::string_view contact_id) {
    std::string sql =
        "DELETE FROM campaign_contacts WHERE campaign_id = ? AND contact_id = ? AND state = 'pending' "
        "AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.org_id = ? AND c.id = ? AND c.campaign_id = ?)";
    std::vector<Value> params{campaign.id, contact_id, campaign.org_id, contact_id, campaign.id};
    if (audience.list_id) {
        sql +=
            " AND NOT EXISTS (SELECT 1 FROM contact_list_members m WHERE m.org_id = ? AND m.list_id = ? AND "
            "m.contact_id = ?)";
        params.insert(params.end(), {Value(campaign.org_id), Value(*audience.list_id), Value(contact_id)});
    }
    if (!audience.tags.empty()) {
        sql += " AND NOT EXISTS (SELECT 1 FROM contact_tags t WHERE t.org_id = ? AND t.contact_id = ? AND t.tag IN (" +
               Placeholders(audience.tags.size()) + "))";
        params.insert(params.end(), {Value(campaign.org_id), Value(contact_id)});
        for (const auto& tag : audience.tags) params.emplace_back(tag);
    }
    auto n = c_.Exec(sql, params);
    if (!n) return Fail(std::move(n.error()));
    if (auto counted = AddQueueCounts(c_, campaign.id, {.pending = -*n}); !counted) {
        return Fail(std::move(counted.error()));
    }
    return *n > 0;
}

Result<int64_t> SqlCampaignRepo::CancelPending(std::string_view campaign_id, int64_t now) {
    auto n = c_.Exec(
        "UPDATE campaign_contacts SET state = 'done', outcome = 'canceled', updated_at = ? "
        "WHERE campaign_id = ? AND state = 'pending'",
        {now, campaign_id});
    if (!n) return Fail(std::move(n.error()));
    if (auto counted = AddQueueCounts(c_, campaign_id, {.pending = -*n, .done = *n}); !counted) {
        return Fail(std::move(counted.error()));
    }
    return *n;
}

Result<std::vector<Campaign>> SqlCampaignRepo::WithStatus(CampaignStatus status, int limit) {
    static const std::string sql = std::string(kCampaignSelect) + "WHERE status = ? ORDER BY id LIMIT ?";
    auto rows = c_.Query(sql, {domain::ToString(status), limit});
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<Campaign> campaigns;
    for (const auto& r : *rows) campaigns.push_back(CampaignFromRow(r));
    return campaigns;
}

Result<std::vector<domain::FinishedAttempt>> SqlCampaignRepo::FinishedAttempts(int limit) {
    // One lock for the whole step rather than a lock on each row: two nodes never close the same
    // attempts, and a node that finds another closing skips the step this time. (SQLite has one
    // writer at a time.)
    if (c_.dialect() == Dialect::kPostgres) {
        auto locked = c_.QueryOne("SELECT pg_try_advisory_xact_lock(?)", {kClosingLock});
        if (!locked) return Fail(std::move(locked.error()));
        if (!*locked || (**locked)[0].AsInt() != 1) return std::vector<domain::FinishedAttempt>();
    }
    const std::string sql = "SELECT " + kEntryColumnsWithoutContact +
                            ", c.status, c.disposition, c.updated_at FROM campaign_contacts q "
                            "JOIN calls c ON c.id = q.call_id "
                            "WHERE q.state = 'dialing' AND c.status IN ('completed', 'no_answer', 'busy', "
                            "'voicemail', 'failed', 'canceled') LIMIT ?";
    auto rows = c_.Query(sql, {limit});
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<domain::FinishedAttempt> out;
    for (const auto& r : *rows) {
        domain::FinishedAttempt a;
        a.entry = EntryFromRow(r);
        a.status = domain::ParseCallStatus(r[13].AsText()).value_or(domain::CallStatus::kFailed);
        a.disposition = r[14].AsOptionalText();
        a.ended_at = r[15].AsInt();
        out.push_back(std::move(a));
    }
    return out;
}

Result<std::vector<domain::QueueEntry>> SqlCampaignRepo::ClaimDue(std::string_view campaign_id, int64_t now,
                                                                  int limit) {
    // The Do Not Call list is read here, in the transaction that places the calls. The rows are
    // not locked one by one: the caller holds the campaign (LockForDialing), so no other node
    // claims them, and a row a stop changed meanwhile fails SaveEntries' state check.
    const std::string sql = "SELECT " + kEntryColumns +
                            ", d.phone FROM campaign_contacts q LEFT JOIN contacts ct ON ct.id = q.contact_id "
                            "LEFT JOIN dnc_numbers d ON d.org_id = q.org_id AND d.phone = ct.phone "
                            "WHERE q.campaign_id = ? AND q.state = 'pending' AND q.next_at <= ? "
                            "ORDER BY q.next_at, q.contact_id LIMIT ?";
    auto rows = c_.Query(sql, {campaign_id, now, limit});
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<domain::QueueEntry> out;
    out.reserve(rows->size());
    for (const auto& r : *rows) {
        out.push_back(EntryFromRow(r));
        out.back().on_dnc_list = !r[13].IsNull();
    }
    return out;
}

Result<bool> SqlCampaignRepo::LockForDialing(std::string_view campaign_id) {
    if (c_.dialect() != Dialect::kPostgres) return true;  // SQLite writes one transaction at a time
    auto row = c_.QueryOne("SELECT id FROM campaigns WHERE id = ? FOR UPDATE SKIP LOCKED", {campaign_id});
    if (!row) return Fail(std::move(row.error()));
    return row->has_value();
}

Result<int64_t> SqlCampaignRepo::CountInState(std::string_view campaign_id, domain::QueueState state) {
    auto row =
        c_.QueryOne("SELECT COUNT(*) FROM campaign_contacts WHERE campaign_id = ? AND state = " + StateLiteral(state),
                    {campaign_id});
    if (!row) return Fail(std::move(row.error()));
    return (*row) ? (**row)[0].AsInt() : 0;
}

Result<bool> SqlCampaignRepo::AnyInState(std::string_view campaign_id, domain::QueueState state) {
    auto row = c_.QueryOne(
        "SELECT 1 FROM campaign_contacts WHERE campaign_id = ? AND state = " + StateLiteral(state) + " LIMIT 1",
        {campaign_id});
    if (!row) return Fail(std::move(row.error()));
    return row->has_value();
}

Result<int64_t> SqlCampaignRepo::SaveEntries(const std::vector<domain::QueueEntry>& entries,
                                             domain::QueueState expected_state) {
    // One UPDATE per hundred entries, joined to their new values by primary key. The numbers are
    // cast so PostgreSQL types the VALUES columns; the expected state is checked in a CASE so no
    // index on state is used to find rows the primary key finds.
    constexpr std::string_view kRow =
        "?, ?, ?, CAST(? AS BIGINT), ?, CAST(? AS BIGINT), CAST(? AS BIGINT), ?, ?, CAST(? AS BIGINT)";
    int64_t saved = 0;
    std::map<std::string, QueueDelta> deltas;  // ordered: counts are locked in one order
    auto done = InChunks(entries.size(), [&](size_t begin, size_t end) -> Result<void> {
        std::vector<Value> params;
        for (size_t i = begin; i < end; ++i) {
            const auto& e = entries[i];
            params.insert(params.end(), {Value(e.campaign_id), Value(e.contact_id), Value(domain::ToString(e.state)),
                                         Value(e.attempts), Value(e.day), Value(e.day_attempts), Value(e.next_at),
                                         Value(e.call_id), Value(e.outcome), Value(e.updated_at)});
        }
        params.emplace_back(domain::ToString(expected_state));
        auto rows = c_.Query(
            "UPDATE campaign_contacts SET state = v.column3, attempts = v.column4, day = v.column5, "
            "day_attempts = v.column6, next_at = v.column7, call_id = v.column8, outcome = v.column9, "
            "updated_at = v.column10 FROM (VALUES " +
                RowList(end - begin, kRow) +
                ") AS v WHERE campaign_contacts.campaign_id = v.column1 AND campaign_contacts.contact_id = v.column2 "
                "AND CASE WHEN campaign_contacts.state = ? THEN 1 ELSE 0 END = 1 "
                "RETURNING campaign_contacts.campaign_id, campaign_contacts.state",
            params);
        if (!rows) return Fail(std::move(rows.error()));
        for (const auto& r : *rows) {
            auto& d = deltas[r[0].AsText()];
            d.Add(expected_state, -1);
            d.Add(domain::ParseQueueState(r[1].AsText()).value_or(domain::QueueState::kDone), 1);
        }
        saved += static_cast<int64_t>(rows->size());
        return {};
    });
    if (!done) return Fail(std::move(done.error()));
    for (const auto& [campaign_id, delta] : deltas) {
        if (auto counted = AddQueueCounts(c_, campaign_id, delta); !counted) return Fail(std::move(counted.error()));
    }
    return saved;
}

Result<std::optional<domain::QueueEntry>> SqlCampaignRepo::Entry(std::string_view campaign_id,
                                                                 std::string_view contact_id) {
    const std::string sql = "SELECT " + kEntryColumns +
                            " FROM campaign_contacts q LEFT JOIN contacts ct ON ct.id = q.contact_id "
                            "WHERE q.campaign_id = ? AND q.contact_id = ?";
    auto row = c_.QueryOne(sql, {campaign_id, contact_id});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<domain::QueueEntry>();
    return EntryFromRow(**row);
}

Result<int64_t> SqlCampaignRepo::ActiveCalls(std::string_view org_id) {
    auto row = c_.QueryOne("SELECT COUNT(*) FROM calls WHERE " + std::string(kNotEnded) + " AND org_id = ?", {org_id});
    if (!row) return Fail(std::move(row.error()));
    return (*row) ? (**row)[0].AsInt() : 0;
}

Result<domain::DialerSettings> SqlCampaignRepo::Settings(std::string_view org_id) {
    auto row = c_.QueryOne(
        "SELECT legal_hours_guard, legal_hours_start, legal_hours_end, max_concurrent_calls, updated_at "
        "FROM dialer_settings WHERE org_id = ?",
        {org_id});
    if (!row) return Fail(std::move(row.error()));
    domain::DialerSettings s;
    if (*row) {
        const Row& r = **row;
        s.legal_hours_guard = r[0].AsInt() != 0;
        s.legal_hours_start = r[1].AsText();
        s.legal_hours_end = r[2].AsText();
        s.max_concurrent_calls = static_cast<int>(r[3].AsInt());
        s.updated_at = r[4].AsInt();
    }
    return s;
}

Result<void> SqlCampaignRepo::SaveSettings(std::string_view org_id, const domain::DialerSettings& s) {
    auto n = c_.Exec(
        "INSERT INTO dialer_settings (org_id, legal_hours_guard, legal_hours_start, legal_hours_end, "
        "max_concurrent_calls, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (org_id) DO UPDATE SET "
        "legal_hours_guard = excluded.legal_hours_guard, legal_hours_start = excluded.legal_hours_start, "
        "legal_hours_end = excluded.legal_hours_end, max_concurrent_calls = excluded.max_concurrent_calls, "
        "updated_at = excluded.updated_at",
        {org_id, s.legal_hours_guard, s.legal_hours_start, s.legal_hours_end, s.max_concurrent_calls, s.updated_at});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

}  // namespace parley::store
