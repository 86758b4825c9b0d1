#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <optional>

#include "common/ids.hpp"
#include "store/sql_repos.hpp"

namespace parley::store {

using domain::DeliveryStatus;
using domain::Json;
using domain::WebhookDelivery;
using domain::WebhookEndpoint;

namespace {

constexpr std::string_view kEndpointColumns =
    "id, org_id, url, description, events, secret, previous_secret, previous_secret_until, enabled, "
    "disabled_reason, consecutive_failures, created_at, updated_at";

// Secrets are stored sealed (common/secret_box.hpp) and opened as rows are read.
Result<WebhookEndpoint> EndpointFromRow(const Row& r, const SecretBox& box) {
    WebhookEndpoint e;
    e.id = r[0].AsText();
    e.org_id = r[1].AsText();
    e.url = r[2].AsText();
    e.description = r[3].AsText();
    const Json events = Json::parse(r[4].AsText(), nullptr, false);
    const bool names =
        events.is_array() && std::all_of(events.begin(), events.end(), [](const Json& n) { return n.is_string(); });
    if (!names) return Fail(ErrorCode::kInternal, "its stored events are not a JSON array of event names");
    e.events = events.get<std::vector<std::string>>();
    auto secret = box.Open(r[5].AsText());
    if (!secret) return Fail(ErrorCode::kInternal, "its signing secret does not open: " + secret.error().message);
    e.secret = std::move(*secret);
    if (auto previous = r[6].AsOptionalText()) {
        auto opened = box.Open(*previous);
        if (!opened) return Fail(std::move(opened.error()));
        e.previous_secret = std::move(*opened);
    }
    e.previous_secret_until = r[7].AsOptionalInt();
    e.enabled = r[8].AsInt() != 0;
    e.disabled_reason = r[9].AsOptionalText();
    e.consecutive_failures = static_cast<int>(r[10].AsInt());
    e.created_at = r[11].AsInt();
    e.updated_at = r[12].AsInt();
    return e;
}

constexpr std::string_view kDeliveryColumns =
    "d.id, d.org_id, d.event_id, d.event, d.endpoint_id, d.url, d.call_id, d.call_flow_id, d.status, d.http_status, "
    "d.attempts, d.last_error, d.next_at, d.redelivery_of, d.created_at, d.updated_at, d.delivered_at";
constexpr size_t kDeliveryColumnCount = 17;

WebhookDelivery DeliveryFromRow(const Row& r) {
    WebhookDelivery d;
    d.id = r[0].AsText();
    d.org_id = r[1].AsText();
    d.event_id = r[2].AsText();
    d.event = r[3].AsText();
    d.endpoint_id = r[4].AsOptionalText();
    d.url = r[5].AsText();
    d.call_id = r[6].AsOptionalText();
    d.call_flow_id = r[7].AsOptionalText();
    d.status = domain::ParseDeliveryStatus(r[8].AsText()).value_or(DeliveryStatus::kPending);
    if (auto s = r[9].AsOptionalInt()) d.http_status = static_cast<int>(*s);
    d.attempts = static_cast<int>(r[10].AsInt());
    d.last_error = r[11].AsOptionalText();
    d.next_at = r[12].AsInt();
    d.redelivery_of = r[13].AsOptionalText();
    d.created_at = r[14].AsInt();
    d.updated_at = r[15].AsInt();
    d.delivered_at = r[16].AsOptionalInt();
    return d;
}

constexpr std::string_view kInsertDelivery =
    "INSERT INTO webhook_deliveries (id, org_id, event_id, event, endpoint_id, url, call_id, call_flow_id, status, "
    "http_status, attempts, last_error, next_at, redelivery_of, created_at, updated_at, delivered_at) VALUES ";

void AppendDelivery(const WebhookDelivery& d, std::vector<Value>& params) {
    params.insert(params.end(),
                  {Value(d.id), Value(d.org_id), Value(d.event_id), Value(d.event), Value(d.endpoint_id), Value(d.url),
                   Value(d.call_id), Value(d.call_flow_id), Value(domain::ToString(d.status)), Value(d.http_status),
                   Value(d.attempts), Value(d.last_error), Value(d.next_at), Value(d.redelivery_of),
                   Value(d.created_at), Value(d.updated_at), Value(d.delivered_at)});
}

std::string SkipLocked(const Connection& c) {
    return c.dialect() == Dialect::kPostgres ? " FOR UPDATE SKIP LOCKED" : "";
}

}  // namespace

Result<void> SqlWebhookRepo::Record(const domain::Event& e) {
    auto n = c_.Exec(
        "INSERT INTO events (id, org_id, type, body, call_id, call_flow_id, webhook_url, created_at, fanned_out) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
        {e.id, e.org_id, e.type, domain::CanonicalJson(domain::EventBody(e)), e.call_id, e.call_flow_id, e.webhook_url,
         e.created_at});
    if (!n) return Fail(std::move(n.error()));
    recorded_ = true;
    return {};
}

Result<std::vector<domain::OutboxEvent>> SqlWebhookRepo::EventsAfter(std::string_view org_id, int64_t from,
                                                                     std::string_view after_id, int limit) {
    auto rows = c_.Query(
        "SELECT id, type, body, created_at FROM events WHERE org_id = ? AND (created_at > ? OR (created_at = ? AND "
        "id > ?)) ORDER BY created_at, id LIMIT ?",
        {org_id, from, from, after_id, limit});
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<domain::OutboxEvent> out;
    out.reserve(rows->size());
    for (const auto& r : *rows) out.push_back({r[0].AsText(), r[1].AsText(), r[2].AsText(), r[3].AsInt()});
    return out;
}

Result<std::optional<domain::OutboxEvent>> SqlWebhookRepo::LatestEvent(std::string_view org_id) {
    auto row = c_.QueryOne(
        "SELECT id, type, body, created_at FROM events WHERE org_id = ? ORDER BY created_at DESC, id DESC LIMIT 1",
        {org_id});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<domain::OutboxEvent>();
    const Row& r = **row;
    return domain::OutboxEvent{r[0].AsText(), r[1].AsText(), r[2].AsText(), r[3].AsInt()};
}

Result<void> SqlWebhookRepo::Insert(const WebhookEndpoint& e) {
    static const std::string sql = "INSERT INTO webhook_endpoints (" + std::string(kEndpointColumns) +
                                   ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    auto n = c_.Exec(sql, {e.id, e.org_id, e.url, e.description, Json(e.events).dump(), box_.Seal(e.secret),
                           SealIfSet(box_, e.previous_secret), e.previous_secret_until, e.enabled, e.disabled_reason,
                           e.consecutive_failures, e.created_at, e.updated_at});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<std::optional<WebhookEndpoint>> SqlWebhookRepo::Get(std::string_view org_id, std::string_view id) {
    static const std::string sql =
        "SELECT " + std::string(kEndpointColumns) + " FROM webhook_endpoints WHERE org_id = ? AND id = ?";
    auto row = c_.QueryOne(sql, {org_id, id});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<WebhookEndpoint>();
    auto endpoint = EndpointFromRow(**row, box_);
    if (!endpoint) return Fail(std::move(endpoint.error()));
    return std::optional<WebhookEndpoint>(std::move(*endpoint));
}

Result<domain::Page<WebhookEndpoint>> SqlWebhookRepo::List(std::string_view org_id, const domain::PageRequest& page) {
    static const std::string sql = "SELECT " + std::string(kEndpointColumns) +
                                   " FROM webhook_endpoints WHERE org_id = ? AND id < ? ORDER BY id DESC LIMIT ?";
    auto rows = c_.Query(sql, {org_id, page.after_id.value_or("~"), page.limit + 1});
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<WebhookEndpoint> items;
    for (const auto& r : *rows) {
        auto endpoint = EndpointFromRow(r, box_);
        if (!endpoint) return Fail(std::move(endpoint.error()));
        items.push_back(std::move(*endpoint));
    }
    return ToPage(std::move(items), page.limit);
}

Result<void> SqlWebhookRepo::Update(const WebhookEndpoint& e) {
    auto n = c_.Exec(
        "UPDATE webhook_endpoints SET url = ?, description = ?, events = ?, secret = ?, previous_secret = ?, "
        "previous_secret_until = ?, enabled = ?, disabled_reason = ?, consecutive_failures = ?, updated_at = ? "
        "WHERE org_id = ? AND id = ?",
        {e.url, e.description, Json(e.events).dump(), box_.Seal(e.secret), SealIfSet(box_, e.previous_secret),
         e.previous_secret_until, e.enabled, e.disabled_reason, e.consecutive_failures, e.updated_at, e.org_id, e.id});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<bool> SqlWebhookRepo::Delete(std::string_view org_id, std::string_view id, std::string_view reason,
                                    int64_t now) {
    auto failed = c_.Exec(
        "UPDATE webhook_deliveries SET status = 'failed', last_error = ?, claimed_by = NULL, updated_at = ? "
        "WHERE endpoint_id = ? AND status = 'pending' AND org_id = ?",
        {reason, now, id, org_id});
    if (!failed) return Fail(std::move(failed.error()));
    auto n = c_.Exec("DELETE FROM webhook_endpoints WHERE org_id = ? AND id = ?", {org_id, id});
    if (!n) return Fail(std::move(n.error()));
    return *n > 0;
}

Result<std::string> SqlWebhookRepo::OrgSecret(std::string_view org_id, int64_t now) {
    auto made = c_.Exec(
        "INSERT INTO webhook_org_secrets (org_id, secret, created_at) VALUES (?, ?, ?) "
        "ON CONFLICT (org_id) DO NOTHING",
        {org_id, box_.Seal(domain::NewWebhookSecret()), now});
    if (!made) return Fail(std::move(made.error()));
    auto row = c_.QueryOne("SELECT secret FROM webhook_org_secrets WHERE org_id = ?", {org_id});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return Fail(ErrorCode::kInternal, "organization webhook secret vanished");
    return box_.Open((**row)[0].AsText());
}

Result<std::optional<std::string>> SqlWebhookRepo::FindOrgSecret(std::string_view org_id) {
    auto row = c_.QueryOne("SELECT secret FROM webhook_org_secrets WHERE org_id = ?", {org_id});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<std::string>();
    auto secret = box_.Open((**row)[0].AsText());
    if (!secret) return Fail(std::move(secret.error()));
    return std::optional<std::string>(std::move(*secret));
}

Result<int64_t> SqlWebhookRepo::CreateMissingOrgSecrets(int64_t now) {
    auto rows = c_.Query(
        "SELECT id FROM organizations o WHERE NOT EXISTS (SELECT 1 FROM webhook_org_secrets s WHERE s.org_id = o.id)");
    if (!rows) return Fail(std::move(rows.error()));
    for (const auto& row : *rows) {
        if (auto made = OrgSecret(row[0].AsText(), now); !made) return Fail(std::move(made.error()));
    }
    return static_cast<int64_t>(rows->size());
}

Result<std::vector<WebhookDelivery>> SqlWebhookRepo::Deliveries(std::string_view org_id,
                                                                const domain::DeliveryFilter& f, int limit,
                                                                int64_t offset) {
    std::string sql = "SELECT " + std::string(kDeliveryColumns) + " FROM webhook_deliveries d WHERE d.org_id = ?";
    std::vector<Value> params{org_id};
    auto add = [&](const char* clause, Value v) {
        sql += clause;
        params.push_back(std::move(v));
    };
    if (f.status) add(" AND d.status = ?", domain::ToString(*f.status));
    if (f.call_flow_id) add(" AND d.call_flow_id = ?", *f.call_flow_id);
    if (f.call_id) add(" AND d.call_id = ?", *f.call_id);
    if (f.event) add(" AND d.event = ?", *f.event);
    if (f.endpoint_id) add(" AND d.endpoint_id = ?", *f.endpoint_id);
    sql += " ORDER BY d.id DESC LIMIT ? OFFSET ?";
    params.emplace_back(limit + 1);
    params.emplace_back(offset);
    auto rows = c_.Query(sql, params);
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<WebhookDelivery> out;
    for (const auto& r : *rows) out.push_back(DeliveryFromRow(r));
    return out;
}

Result<std::optional<WebhookDelivery>> SqlWebhookRepo::Delivery(std::string_view org_id, std::string_view id) {
    static const std::string sql =
        "SELECT " + std::string(kDeliveryColumns) + " FROM webhook_deliveries d WHERE d.org_id = ? AND d.id = ?";
    auto row = c_.QueryOne(sql, {org_id, id});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<WebhookDelivery>();
    return DeliveryFromRow(**row);
}

Result<void> SqlWebhookRepo::InsertDelivery(const WebhookDelivery& d) {
    std::vector<Value> params;
    AppendDelivery(d, params);
    auto n = c_.Exec(std::string(kInsertDelivery) + RowList(1, Placeholders(17)), params);
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<int64_t> SqlWebhookRepo::Resume(std::string_view endpoint_id, int64_t now) {
    return c_.Exec(
        "UPDATE webhook_deliveries SET next_at = ?, claimed_by = NULL, updated_at = ? "
        "WHERE endpoint_id = ? AND status = 'pending'",
        {now, now, endpoint_id});
}

Result<int> SqlWebhookRepo::FanOut(int limit, int64_t now) {
    const std::string sql =
        "SELECT id, org_id, type, call_id, call_flow_id, webhook_url FROM events "
        "WHERE fanned_out = 0 ORDER BY id LIMIT ?" +
        SkipLocked(c_);
    auto events = c_.Query(sql, {limit});
    if (!events) return Fail(std::move(events.error()));
    // Each organization's endpoints are read once per pass.
    std::map<std::string, std::vector<WebhookEndpoint>> endpoints;
    std::vector<WebhookDelivery> deliveries;
    std::vector<std::string> event_ids;
    for (const auto& ev : *events) {
        const std::string event_id = ev[0].AsText();
        const std::string org = ev[1].AsText();
        const std::string type = ev[2].AsText();
        auto it = endpoints.find(org);
        if (it == endpoints.end()) {
            static const std::string select =
                "SELECT " + std::string(kEndpointColumns) + " FROM webhook_endpoints WHERE org_id = ? ORDER BY id";
            auto rows = c_.Query(select, {org});
            if (!rows) return Fail(std::move(rows.error()));
            std::vector<WebhookEndpoint> list;
            for (const auto& r : *rows) {
                auto endpoint = EndpointFromRow(r, box_);
                if (endpoint) {
                    list.push_back(std::move(*endpoint));
                } else if (auto set_aside = SetAside(r[0].AsText(), endpoint.error().message, now); !set_aside) {
                    return Fail(std::move(set_aside.error()));
                }
            }
            it = endpoints.emplace(org, std::move(list)).first;
        }
        WebhookDelivery d;
        d.org_id = org;
        d.event_id = event_id;
        d.event = type;
        d.call_id = ev[3].AsOptionalText();
        d.call_flow_id = ev[4].AsOptionalText();
        d.next_at = now;
        d.created_at = now;
        d.updated_at = now;
        // A disabled endpoint still gets its deliveries: they wait until it is enabled again.
        for (const auto& endpoint : it->second) {
            if (!endpoint.Wants(type)) continue;
            d.id = NewId("whd_", now);
            d.endpoint_id = endpoint.id;
            d.url = endpoint.url;
            deliveries.push_back(d);
        }
        if (auto own = ev[5].AsOptionalText()) {
            d.id = NewId("whd_", now);
            d.endpoint_id.reset();
            d.url = *own;
            deliveries.push_back(d);
        }
        event_ids.push_back(event_id);
    }
    // Many rows per statement: one round trip per hundred rows, not per row.
    auto inserted = InChunks(deliveries.size(), [&](size_t begin, size_t end) -> Result<void> {
        std::vector<Value> params;
        for (size_t i = begin; i < end; ++i) AppendDelivery(deliveries[i], params);
        auto n = c_.Exec(std::string(kInsertDelivery) + RowList(end - begin, Placeholders(17)), params);
        if (!n) return Fail(std::move(n.error()));
        return {};
    });
    if (!inserted) return Fail(std::move(inserted.error()));
    auto marked = InChunks(event_ids.size(), [&](size_t begin, size_t end) -> Result<void> {
        std::vector<Value> params(event_ids.begin() + static_cast<long>(begin),
                                  event_ids.begin() + static_cast<long>(end));
        auto n = c_.Exec("UPDATE events SET fanned_out = 1 WHERE id IN (" + Placeholders(end - begin) + ")", params);
        if (!n) return Fail(std::move(n.error()));
        return {};
    });
    if (!marked) return Fail(std::move(marked.error()));
    return static_cast<int>(events->size());
}

Result<void> SqlWebhookRepo::SetAside(const std::string& endpoint_id, const std::string& problem, int64_t now) {
    // Fan-out reads disabled endpoints too (their deliveries wait), so only the first time counts.
    const std::string reason = "the stored endpoint does not read back: " + problem;
    auto n = c_.Exec(
        "UPDATE webhook_endpoints SET enabled = 0, disabled_reason = ?, updated_at = ? WHERE id = ? AND enabled = 1",
        {reason, now, endpoint_id});
    if (!n) return Fail(std::move(n.error()));
    if (*n > 0) spdlog::error("webhook endpoint {} disabled: {}", endpoint_id, reason);
    return {};
}

Result<std::vector<domain::DueRef>> SqlWebhookRepo::Due(int64_t now, int limit, const std::vector<std::string>& skip) {
    // Only ids and receivers: the worker takes a few per receiver from a page of many, and bodies
    // are read for those it leased. Receivers without room are left out in SQL, so one slow
    // receiver's backlog cannot fill the page and starve the others.
    // A subquery rather than a join: PostgreSQL then walks the due index in order and stops at the
    // limit, whatever its statistics say (a join planned on an empty table read every due row
    // and sorted them).
    std::string sql =
        "SELECT d.id, COALESCE(d.endpoint_id, d.url) FROM webhook_deliveries d "
        "WHERE d.status = 'pending' AND d.next_at <= ? AND (d.endpoint_id IS NULL OR EXISTS "
        "(SELECT 1 FROM webhook_endpoints e WHERE e.id = d.endpoint_id AND e.enabled = 1))";
    std::vector<Value> params{now};
    for (const auto& key : skip) {
        sql += " AND COALESCE(d.endpoint_id, d.url) <> ?";
        params.emplace_back(key);
    }
    sql += " ORDER BY d.next_at LIMIT ?";
    params.emplace_back(limit);
    auto rows = c_.Query(sql, params);
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<domain::DueRef> out;
    out.reserve(rows->size());
    for (const auto& r : *rows) out.push_back({r[0].AsText(), r[1].AsText()});
    return out;
}

Result<std::vector<domain::DueDelivery>> SqlWebhookRepo::Lease(const std::vector<std::string>& ids, int64_t now,
                                                               int64_t until, std::string_view node) {
    std::vector<domain::DueDelivery> out;
    auto done = InChunks(ids.size(), [&](size_t begin, size_t end) -> Result<void> {
        std::vector<Value> params{until, node, now};
        params.insert(params.end(), ids.begin() + static_cast<long>(begin), ids.begin() + static_cast<long>(end));
        // The state is checked in a CASE so neither database can use the due index for it: both
        // would, when their statistics say few deliveries are pending, and walk every pending
        // row to find these few.
        auto leased = c_.Query(
            "UPDATE webhook_deliveries SET next_at = ?, claimed_by = ? WHERE CASE WHEN status = "
            "'pending' AND next_at <= ? THEN 1 ELSE 0 END = 1 AND id IN (" +
                Placeholders(end - begin) + ") RETURNING id",
            params);
        if (!leased) return Fail(std::move(leased.error()));
        if (leased->empty()) return {};
        std::vector<Value> got;
        for (const auto& r : *leased) got.emplace_back(r[0].AsText());
        auto rows = c_.Query("SELECT " + std::string(kDeliveryColumns) +
                                 ", ev.body, e.secret, e.previous_secret, e.previous_secret_until, s.secret "
                                 "FROM webhook_deliveries d JOIN events ev ON ev.id = d.event_id "
                                 "LEFT JOIN webhook_endpoints e ON e.id = d.endpoint_id "
                                 "LEFT JOIN webhook_org_secrets s ON s.org_id = d.org_id "
                                 "WHERE d.id IN (" +
                                 Placeholders(got.size()) + ") ORDER BY d.id",
                             got);
        if (!rows) return Fail(std::move(rows.error()));
        for (const auto& r : *rows) {
            domain::DueDelivery due;
            due.delivery = DeliveryFromRow(r);
            const size_t k = kDeliveryColumnCount;
            due.body = r[k].AsText();
            // A stored secret that does not open (a row edited by hand, a key that was lost) fails
            // this delivery, with why, rather than every delivery leased with it. Database errors
            // fail the lease as before.
            std::optional<Error> unopened;
            auto open = [&](const std::string& sealed) -> std::string {
                auto opened = box_.Open(sealed);
                if (opened) return std::move(*opened);
                if (!unopened) unopened = std::move(opened.error());
                return {};
            };
            if (due.delivery.endpoint_id) {
                due.secret = open(r[k + 1].AsText());
                const auto previous_until = r[k + 3].AsOptionalInt();
                if (auto previous = r[k + 2].AsOptionalText(); previous && previous_until && *previous_until > now) {
                    due.previous_secret = open(*previous);
                }
            } else if (auto stored = r[k + 4].AsOptionalText()) {
                due.secret = open(*stored);
            } else {
                auto made = OrgSecret(due.delivery.org_id, now);
                if (!made) return Fail(std::move(made.error()));
                due.secret = std::move(*made);
            }
            if (!unopened) {
                out.push_back(std::move(due));
                continue;
            }
            const std::string why =
                "cannot be signed: its stored signing secret does not open (" + unopened->message + ")";
            spdlog::error("webhook delivery {} {}", due.delivery.id, why);
            auto failed = c_.Exec(
                "UPDATE webhook_deliveries SET status = 'failed', last_error = ?, claimed_by = NULL, updated_at = ? "
                "WHERE id = ?",
                {why, now, due.delivery.id});
            if (!failed) return Fail(std::move(failed.error()));
        }
        return {};
    });
    if (!done) return Fail(std::move(done.error()));
    return out;
}

Result<void> SqlWebhookRepo::SaveAttempt(const WebhookDelivery& d) {
    auto n = c_.Exec(
        "UPDATE webhook_deliveries SET status = ?, http_status = ?, attempts = ?, last_error = ?, next_at = ?, "
        "claimed_by = NULL, updated_at = ?, delivered_at = ? WHERE id = ?",
        {domain::ToString(d.status), d.http_status, d.attempts, d.last_error, d.next_at, d.updated_at, d.delivered_at,
         d.id});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<int> SqlWebhookRepo::CountOutcomes(std::string_view endpoint_id, bool reset, int failures, int64_t now) {
    if (reset) {
        auto n = c_.Exec(
            "UPDATE webhook_endpoints SET consecutive_failures = ?, updated_at = ? WHERE id = ? AND "
            "consecutive_failures <> ?",
            {failures, now, endpoint_id, failures});
        if (!n) return Fail(std::move(n.error()));
        return failures;
    }
    auto row = c_.QueryOne(
        "UPDATE webhook_endpoints SET consecutive_failures = consecutive_failures + ?, updated_at = ? WHERE id = ? "
        "RETURNING consecutive_failures",
        {failures, now, endpoint_id});
    if (!row) return Fail(std::move(row.error()));
    return *row ? static_cast<int>((**row)[0].AsInt()) : 0;
}

Result<bool> SqlWebhookRepo::Disable(std::string_view endpoint_id, std::string_view reason, int64_t now) {
    auto n = c_.Exec(
        "UPDATE webhook_endpoints SET enabled = 0, disabled_reason = ?, updated_at = ? WHERE id = ? AND enabled = 1",
        {reason, now, endpoint_id});
    if (!n) return Fail(std::move(n.error()));
    return *n == 1;
}

Result<int64_t> SqlWebhookRepo::ReleaseLeases(std::string_view node, int64_t now) {
    return c_.Exec(
        "UPDATE webhook_deliveries SET next_at = ?, claimed_by = NULL WHERE claimed_by = ? AND status = 'pending'",
        {now, node});
}

}  // namespace parley::store
