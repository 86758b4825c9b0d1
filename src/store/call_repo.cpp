#include <map>

#include "store/sql_repos.hpp"

namespace parley::store {

using domain::Call;
using domain::CallStatus;
using domain::Json;

namespace {

constexpr std::string_view kCallSelect =
    "SELECT id, org_id, profile_id, profile_version, contact_id, campaign_id, batch_id, direction, status, "
    "from_number, to_number, talk_duration_seconds, cost_cents, claimed_by, body, created_at, updated_at FROM calls ";

// A value that may be missing: the value, or null.
template <class T>
Json OrNull(const std::optional<T>& v) {
    return v ? Json(*v) : Json(nullptr);
}

std::optional<int64_t> TimeFrom(const Json& body, const char* key) {
    auto it = body.find(key);
    if (it == body.end() || !it->is_number_integer()) return std::nullopt;
    return it->get<int64_t>();
}

std::optional<std::string> TextFrom(const Json& body, const char* key) {
    auto it = body.find(key);
    if (it == body.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

// Everything of a call that no list filters on. Written field by field: building one JSON
// object of the call would copy each of its parts first, and the dialer writes hundreds of
// calls per pass.
std::string BodyOf(const Call& c) {
    Json history = Json::array();
    for (const auto& t : c.history) {
        history.push_back({{"status", domain::ToString(t.status)}, {"at", t.at}, {"reason", t.reason}});
    }
    std::string out = "{";
    auto field = [&out](std::string_view key, const Json& value) {
        if (out.size() > 1) out += ',';
        out += '"';
        out += key;
        out += "\":";
        // Most parts of a call just placed are empty; the serializer costs more than they do.
        if (value.is_null())
            out += "null";
        else if (value.empty())
            out += value.is_object() ? "{}" : "[]";
        else
            out += value.dump();
    };
    field("extract", Json(c.extract));
    field("variables", c.variables);
    field("metadata", c.metadata);
    field("custom_fields", c.custom_fields);
    field("webhook_url", OrNull(c.webhook_url));
    field("transferred_to", OrNull(c.transferred_to));
    field("history", history);
    field("started_at", OrNull(c.started_at));
    field("answered_at", OrNull(c.answered_at));
    field("ended_at", OrNull(c.ended_at));
    field("cost_breakdown", c.cost_breakdown);
    field("analysis", c.analysis);
    field("tool_executions", c.tool_executions);
    field("transcript", c.transcript);
    field("recording", OrNull(c.recording));
    field("error", OrNull(c.error));
    out += '}';
    return out;
}

Call CallFromRow(const Row& r) {
    Call c;
    c.id = r[0].AsText();
    c.org_id = r[1].AsText();
    c.profile_id = r[2].AsText();
    c.profile_version = static_cast<int>(r[3].AsInt());
    c.contact_id = r[4].AsOptionalText();
    c.campaign_id = r[5].AsOptionalText();
    c.batch_id = r[6].AsOptionalText();
    c.direction = domain::ParseCallDirection(r[7].AsText()).value_or(domain::CallDirection::kOutbound);
    c.status = domain::ParseCallStatus(r[8].AsText()).value_or(CallStatus::kFailed);
    c.from_number = r[9].AsText();
    c.to_number = r[10].AsText();
    c.talk_duration_seconds = static_cast<int>(r[11].AsInt());
    c.cost_cents = static_cast<int>(r[12].AsInt());
    c.claimed_by = r[13].AsOptionalText();
    const Json body = Json::parse(r[14].AsText());
    c.created_at = r[15].AsInt();
    c.updated_at = r[16].AsInt();
    c.extract = body.value("extract", std::vector<std::string>{});
    c.variables = body.value("variables", Json::object());
    c.metadata = body.value("metadata", Json::object());
    c.custom_fields = body.value("custom_fields", Json::object());
    c.webhook_url = TextFrom(body, "webhook_url");
    c.transferred_to = TextFrom(body, "transferred_to");
    for (const auto& t : body.value("history", Json::array())) {
        c.history.push_back({domain::ParseCallStatus(t.value("status", "")).value_or(CallStatus::kFailed),
                             t.value("at", int64_t{0}), t.value("reason", "")});
    }
    c.started_at = TimeFrom(body, "started_at");
    c.answered_at = TimeFrom(body, "answered_at");
    c.ended_at = TimeFrom(body, "ended_at");
    c.cost_breakdown = body.value("cost_breakdown", Json::object());
    c.analysis = body.value("analysis", Json(nullptr));
    c.tool_executions = body.value("tool_executions", Json::array());
    c.transcript = body.value("transcript", Json::array());
    c.recording = TextFrom(body, "recording");
    c.error = TextFrom(body, "error");
    return c;
}

Result<std::vector<Call>> CallsOf(Result<Rows> rows) {
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<Call> calls;
    calls.reserve(rows->size());
    for (const auto& r : *rows) calls.push_back(CallFromRow(r));
    return calls;
}

// A call's part in its campaign's stats (campaign_call_counts): the group of its disposition
// ('' before it has one) and what it adds there.
struct CampaignShare {
    std::string disposition;
    int64_t calls = 0;
    int64_t connected = 0;
    int64_t meetings = 0;
    int64_t cost_cents = 0;

    bool IsZero() const { return calls == 0 && connected == 0 && meetings == 0 && cost_cents == 0; }
};

CampaignShare ShareOf(std::string_view status, const std::optional<std::string>& disposition, bool meeting,
                      int64_t cost) {
    return {disposition.value_or(""), 1, status == "completed" || status == "voicemail" ? 1 : 0, meeting ? 1 : 0, cost};
}

CampaignShare ShareOf(const Call& c) {
    return ShareOf(domain::ToString(c.status), c.Disposition(), c.MeetingBooked(), c.cost_cents);
}

// Adds `share` (negative to take it away) to the campaign's group of its disposition.
Result<void> AddToCampaign(Connection& c, std::string_view org_id, std::string_view campaign_id,
                           const CampaignShare& share) {
    if (share.IsZero()) return {};
    auto n = c.Exec(
        "INSERT INTO campaign_call_counts AS s (campaign_id, disposition, org_id, calls, connected, meetings, "
        "cost_cents) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (campaign_id, disposition) DO UPDATE SET "
        "calls = s.calls + excluded.calls, connected = s.connected + excluded.connected, "
        "meetings = s.meetings + excluded.meetings, cost_cents = s.cost_cents + excluded.cost_cents",
        {campaign_id, share.disposition, org_id, share.calls, share.connected, share.meetings, share.cost_cents});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

}  // namespace

Result<void> SqlCallRepo::Insert(const Call& c) {
    return InsertMany({&c, 1});
}

Result<void> SqlCallRepo::InsertMany(std::span<const Call> calls) {
    constexpr size_t kColumns = 19;
    return InChunks(calls.size(), [&](size_t begin, size_t end) -> Result<void> {
        std::vector<Value> params;
        params.reserve((end - begin) * kColumns);
        for (const Call& c : calls.subspan(begin, end - begin)) {
            params.insert(
                params.end(),
                {Value(c.id), Value(c.org_id), Value(c.profile_id), Value(c.profile_version), Value(c.contact_id),
                 Value(c.campaign_id), Value(c.batch_id), Value(domain::ToString(c.direction)),
                 Value(domain::ToString(c.status)), Value(c.from_number), Value(c.to_number), Value(c.Disposition()),
                 Value(c.MeetingBooked()), Value(c.talk_duration_seconds), Value(c.cost_cents), Value(c.claimed_by),
                 Value(BodyOf(c)), Value(c.created_at), Value(c.updated_at)});
        }
        auto n = c_.Exec(
            "INSERT INTO calls (id, org_id, profile_id, profile_version, contact_id, campaign_id, batch_id, direction, "
            "status, from_number, to_number, disposition, meeting_booked, talk_duration_seconds, cost_cents, "
            "claimed_by, body, created_at, updated_at) VALUES " +
                RowList(end - begin, Placeholders(kColumns)),
            params);
        if (!n) return Fail(std::move(n.error()));
        // The campaigns' stats: the chunk's calls summed per campaign and disposition.
        std::map<std::pair<std::string, std::string>, std::pair<std::string, CampaignShare>> shares;
        for (const Call& c : calls.subspan(begin, end - begin)) {
            if (!c.campaign_id) continue;
            const CampaignShare one = ShareOf(c);
            auto& [org, sum] = shares[{*c.campaign_id, one.disposition}];
            org = c.org_id;
            sum.disposition = one.disposition;
            sum.calls += one.calls;
            sum.connected += one.connected;
            sum.meetings += one.meetings;
            sum.cost_cents += one.cost_cents;
        }
        for (const auto& [key, share] : shares) {
            if (auto added = AddToCampaign(c_, share.first, key.first, share.second); !added) return added;
        }
        return {};
    });
}

Result<std::optional<Call>> SqlCallRepo::Get(std::string_view org_id, std::string_view id) {
    static const std::string sql = std::string(kCallSelect) + "WHERE org_id = ? AND id = ?";
    auto row = c_.QueryOne(sql, {org_id, id});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<Call>();
    return CallFromRow(**row);
}

Result<domain::Page<Call>> SqlCallRepo::List(std::string_view org_id, const domain::CallFilter& f,
                                             const domain::PageRequest& page) {
    std::string sql = std::string(kCallSelect) + "WHERE org_id = ? AND id < ?";
    std::vector<Value> params{org_id, page.after_id.value_or("~")};
    auto add = [&](const char* clause, Value v) {
        sql += clause;
        params.push_back(std::move(v));
    };
    if (f.campaign_id) add(" AND campaign_id = ?", *f.campaign_id);
    if (f.disposition) add(" AND disposition = ?", *f.disposition);
    if (f.status) add(" AND status = ?", domain::ToString(*f.status));
    if (f.direction) add(" AND direction = ?", domain::ToString(*f.direction));
    if (f.contact_id) add(" AND contact_id = ?", *f.contact_id);
    if (f.batch_id) add(" AND batch_id = ?", *f.batch_id);
    if (f.since) add(" AND created_at >= ?", *f.since);
    if (f.until) add(" AND created_at < ?", *f.until);
    if (f.min_duration) add(" AND talk_duration_seconds >= ?", *f.min_duration);
    if (f.has_meeting) add(" AND meeting_booked = ?", *f.has_meeting);
    sql += " ORDER BY id DESC LIMIT ?";
    params.emplace_back(page.limit + 1);
    auto calls = CallsOf(c_.Query(sql, params));
    if (!calls) return Fail(std::move(calls.error()));
    return ToPage(std::move(*calls), page.limit);
}

Result<bool> SqlCallRepo::Save(const Call& c, CallStatus expected) {
    // A campaign's call: what it added to the campaign's stats before this change, read under
    // the row's lock (PostgreSQL; SQLite has one writer) so the change moves exactly that.
    std::optional<CampaignShare> before;
    if (c.campaign_id) {
        const std::string sql =
            "SELECT status, disposition, meeting_booked, cost_cents FROM calls WHERE org_id = ? AND id = ? AND "
            "status = ?" +
            std::string(c_.dialect() == Dialect::kPostgres ? " FOR UPDATE" : "");
        auto row = c_.QueryOne(sql, {c.org_id, c.id, domain::ToString(expected)});
        if (!row) return Fail(std::move(row.error()));
        if (!*row) return false;
        const Row& r = **row;
        before = ShareOf(r[0].AsText(), r[1].AsOptionalText(), r[2].AsInt() != 0, r[3].AsInt());
    }
    auto n = c_.Exec(
        "UPDATE calls SET contact_id = ?, status = ?, disposition = ?, meeting_booked = ?, "
        "talk_duration_seconds = ?, cost_cents = ?, claimed_by = ?, body = ?, updated_at = ? "
        "WHERE org_id = ? AND id = ? AND status = ?",
        {c.contact_id, domain::ToString(c.status), c.Disposition(), c.MeetingBooked(), c.talk_duration_seconds,
         c.cost_cents, c.claimed_by, BodyOf(c), c.updated_at, c.org_id, c.id, domain::ToString(expected)});
    if (!n) return Fail(std::move(n.error()));
    if (*n == 0) return false;
    if (before) {
        const CampaignShare after = ShareOf(c);
        CampaignShare gone = *before;
        if (gone.disposition == after.disposition) {
            // The same group: only what changed within it.
            gone = {after.disposition, 0, after.connected - before->connected, after.meetings - before->meetings,
                    after.cost_cents - before->cost_cents};
            if (auto moved = AddToCampaign(c_, c.org_id, *c.campaign_id, gone); !moved)
                return Fail(std::move(moved.error()));
        } else {
            gone = {before->disposition, -before->calls, -before->connected, -before->meetings, -before->cost_cents};
            if (auto left = AddToCampaign(c_, c.org_id, *c.campaign_id, gone); !left)
                return Fail(std::move(left.error()));
            if (auto joined = AddToCampaign(c_, c.org_id, *c.campaign_id, after); !joined) {
                return Fail(std::move(joined.error()));
            }
        }
    }
    return true;
}

Result<std::vector<Call>> SqlCallRepo::Queued(int limit) {
    static const std::string sql =
        std::string(kCallSelect) + "WHERE " + std::string(kNotEnded) + " AND status = 'queued' ORDER BY id LIMIT ?";
    return CallsOf(c_.Query(sql, {limit}));
}

// Both counts walk the partial index of calls not ended (calls_active), never the table.
Result<int64_t> SqlCallRepo::QueuePosition(std::string_view call_id) {
    auto row = c_.QueryOne(
        "SELECT COUNT(*) FROM calls WHERE " + std::string(kNotEnded) + " AND status = 'queued' AND id <= ?", {call_id});
    if (!row) return Fail(std::move(row.error()));
    return (*row) ? (**row)[0].AsInt() : 0;
}

Result<int64_t> SqlCallRepo::QueuedCount() {
    auto row = c_.QueryOne("SELECT COUNT(*) FROM calls WHERE " + std::string(kNotEnded) + " AND status = 'queued'");
    if (!row) return Fail(std::move(row.error()));
    return (*row) ? (**row)[0].AsInt() : 0;
}

Result<std::vector<Call>> SqlCallRepo::ActiveOn(std::string_view node) {
    static const std::string sql = std::string(kCallSelect) + "WHERE " + std::string(kNotEnded) +
                                   " AND status IN ('ringing', 'in_progress') AND claimed_by = ? ORDER BY id";
    return CallsOf(c_.Query(sql, {node}));
}

Result<int64_t> SqlCallRepo::Live(std::string_view org_id, std::optional<std::string_view> carrier_id) {
    auto row = carrier_id
                   ? c_.QueryOne(
                         "SELECT COUNT(*) FROM calls WHERE org_id = ? AND status IN ('ringing', 'in_progress') "
                         "AND (from_number IN (SELECT number FROM phone_numbers WHERE org_id = ? AND carrier_id = ?) "
                         "OR to_number IN (SELECT number FROM phone_numbers WHERE org_id = ? AND carrier_id = ?))",
                         {org_id, org_id, *carrier_id, org_id, *carrier_id})
                   : c_.QueryOne("SELECT COUNT(*) FROM calls WHERE org_id = ? AND status IN ('ringing', 'in_progress')",
                                 {org_id});
    if (!row) return Fail(std::move(row.error()));
    return (*row) ? (**row)[0].AsInt() : 0;
}

Result<std::vector<std::pair<CallStatus, int>>> SqlCallRepo::BatchCounts(std::string_view org_id,
                                                                         std::string_view batch_id) {
    auto rows = c_.Query("SELECT status, COUNT(*) FROM calls WHERE org_id = ? AND batch_id = ? GROUP BY status",
                         {org_id, batch_id});
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<std::pair<CallStatus, int>> counts;
    for (const auto& r : *rows) {
        if (auto s = domain::ParseCallStatus(r[0].AsText())) counts.emplace_back(*s, static_cast<int>(r[1].AsInt()));
    }
    return counts;
}

Result<void> SqlCallRepo::InsertBatch(const domain::CallBatch& b) {
    auto n = c_.Exec(
        "INSERT INTO call_batches (id, org_id, profile_id, total, rejected, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        {b.id, b.org_id, b.profile_id, b.total, b.rejected, b.created_at});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<std::optional<domain::CallBatch>> SqlCallRepo::GetBatch(std::string_view org_id, std::string_view id) {
    auto row = c_.QueryOne(
        "SELECT id, org_id, profile_id, total, rejected, created_at FROM call_batches WHERE org_id = ? AND id = ?",
        {org_id, id});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<domain::CallBatch>();
    const Row& r = **row;
    return domain::CallBatch{
        r[0].AsText(), r[1].AsText(), r[2].AsText(), static_cast<int>(r[3].AsInt()), static_cast<int>(r[4].AsInt()),
        r[5].AsInt()};
}

namespace {

// The column (or expression) of a dimension in the calls table. A call's own number is the one
// it was placed from or answered on.
std::string_view CallColumn(domain::CallDimension d) {
    switch (d) {
        case domain::CallDimension::kCampaign: return "campaign_id";
        case domain::CallDimension::kProfile: return "profile_id";
        case domain::CallDimension::kDisposition: return "disposition";
        case domain::CallDimension::kNumber:
            return "(CASE WHEN direction = 'outbound' THEN from_number ELSE to_number END)";
        case domain::CallDimension::kDirection: return "direction";
        case domain::CallDimension::kStatus: return "status";
    }
    return "NULL";
}

// "FROM calls WHERE …" for the calls a query counts, on the index calls_by_time (V015).
std::string CountedCalls(std::string_view org_id, const domain::CallAggregateQuery& q, std::vector<Value>& params) {
    std::string sql =
        " FROM calls WHERE org_id = ? AND created_at >= ? AND created_at < ? AND status IN ('in_progress', "
        "'completed', 'voicemail', 'no_answer', 'busy', 'failed')";
    params.insert(params.end(), {org_id, q.since, q.until});
    for (const auto& [dimension, values] : q.filters) {
        sql += " AND " + std::string(CallColumn(dimension)) + " IN (" + Placeholders(values.size()) + ")";
        for (const auto& v : values) params.emplace_back(v);
    }
    return sql;
}

}  // namespace

Result<std::vector<domain::CallAggregateRow>> SqlCallRepo::Aggregate(std::string_view org_id,
                                                                     const domain::CallAggregateQuery& q) {
    std::string groups;
    auto group = [&](std::string_view expression) {
        groups += groups.empty() ? "" : ", ";
        groups += expression;
    };
    if (q.by_slice) group("created_at / " + std::to_string(domain::kCallSliceMs));
    for (auto d : q.dimensions) group(CallColumn(d));
    std::vector<Value> params;
    std::string sql = "SELECT " + groups + (groups.empty() ? "" : ", ") +
                      "COUNT(*), SUM(CASE WHEN status IN ('completed', 'in_progress') THEN 1 ELSE 0 END), "
                      "SUM(CASE WHEN status = 'voicemail' THEN 1 ELSE 0 END), SUM(talk_duration_seconds), "
                      "SUM(cost_cents), SUM(meeting_booked), SUM(CASE WHEN disposition = 'hot_lead' THEN 1 ELSE 0 "
                      "END), SUM(CASE WHEN disposition IN ('hot_lead', 'interested') OR meeting_booked = 1 THEN 1 "
                      "ELSE 0 END)" +
                      CountedCalls(org_id, q, params);
    if (!groups.empty()) sql += " GROUP BY " + groups;
    auto rows = c_.Query(sql, params);
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<domain::CallAggregateRow> out;
    out.reserve(rows->size());
    for (const auto& r : *rows) {
        size_t i = 0;
        domain::CallAggregateRow row;
        if (q.by_slice) row.slice_start = r[i++].AsInt() * domain::kCallSliceMs;
        for (size_t d = 0; d < q.dimensions.size(); ++d) row.keys.push_back(r[i++].AsOptionalText());
        auto sum = [&] { return r[i++].AsOptionalInt().value_or(0); };
        row.totals = {sum(), sum(), sum(), sum(), sum(), sum(), sum(), sum()};
        if (row.totals.calls == 0) continue;  // the one row of an aggregate without groups over nothing
        out.push_back(std::move(row));
    }
    return out;
}

Result<int64_t> SqlCallRepo::OtherParties(std::string_view org_id, const domain::CallAggregateQuery& q) {
    std::vector<Value> params;
    const std::string sql =
        "SELECT COUNT(DISTINCT CASE WHEN direction = 'outbound' THEN to_number ELSE from_number END)" +
        CountedCalls(org_id, q, params);
    auto rows = c_.Query(sql, params);
    if (!rows) return Fail(std::move(rows.error()));
    return rows->empty() ? 0 : rows->front()[0].AsInt();
}

}  // namespace parley::store
