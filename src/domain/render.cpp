#include "domain/render.hpp"

#include "common/time_format.hpp"
#include "domain/campaign_spec.hpp"
#include "domain/profile_body.hpp"

namespace parley::domain {

Json TimeOrNull(const std::optional<int64_t>& ms) {
    return ms ? Json(FormatIsoTime(*ms)) : Json(nullptr);
}

Json ToJson(const Contact& c) {
    return Json{{"id", c.id},
                {"first_name", OrNull(c.first_name)},
                {"last_name", OrNull(c.last_name)},
                {"phone", c.phone},
                {"phone_country", c.phone_region},
                {"email", OrNull(c.email)},
                {"company", OrNull(c.company)},
                {"timezone", OrNull(c.timezone)},
                {"tags", c.tags},
                {"source", c.source},
                {"campaign_id", OrNull(c.campaign_id)},
                {"custom_fields", c.custom_fields},
                {"dnc_status", c.dnc ? "dnc" : "callable"},
                {"dnc_since", TimeOrNull(c.dnc_since)},
                {"created_at", FormatIsoTime(c.created_at)},
                {"updated_at", FormatIsoTime(c.updated_at)}};
}

Json ToJson(const CustomField& f) {
    return Json{{"id", f.id},
                {"name", f.name},
                {"type", ToString(f.type)},
                {"description", f.description},
                {"category", ToString(f.category)},
                {"required", f.required},
                {"options", f.type == FieldType::kEnum ? Json(f.options) : Json(nullptr)},
                {"created_at", FormatIsoTime(f.created_at)},
                {"updated_at", FormatIsoTime(f.updated_at)}};
}

Json ToJson(const ApiKey& k) {
    return Json{{"id", k.id},
                {"name", k.name},
                {"prefix", k.prefix},
                {"mode", ToString(k.mode)},
                {"permission", ToString(k.permission)},
                {"role", ToString(k.role)},
                {"created_by", OrNull(k.created_by)},
                {"created_at", FormatIsoTime(k.created_at)},
                {"last_used_at", TimeOrNull(k.last_used_at)},
                {"revoked_at", TimeOrNull(k.revoked_at)},
                {"status", k.revoked_at ? "revoked" : "active"}};
}

Json ToJson(const NewKey& k) {
    Json j = ToJson(k.key);
    j["key"] = k.secret;
    return j;
}

Json ToJson(const DncNumber& n) {
    return Json{{"phone", n.phone},
                {"reason", ToString(n.reason)},
                {"entry_id", n.entry_id},
                {"added_at", FormatIsoTime(n.added_at)}};
}

Json ToJson(const DncLedgerEntry& e) {
    return Json{{"id", e.id},
                {"phone", e.phone},
                {"action", ToString(e.action)},
                {"reason", ToString(e.reason)},
                {"note", OrNull(e.note)},
                {"contact_id", OrNull(e.contact_id)},
                {"call_id", OrNull(e.call_id)},
                {"api_key_id", OrNull(e.api_key_id)},
                {"created_at", FormatIsoTime(e.created_at)}};
}

Json ToJson(const DncStatus& s) {
    Json history = Json::array();
    for (const auto& e : s.history) history.push_back(ToJson(e));
    return Json{{"phone", s.phone},
                {"on_dnc_list", s.listed.has_value()},
                {"reason", s.listed ? Json(ToString(s.listed->reason)) : Json(nullptr)},
                {"added_at", s.listed ? Json(FormatIsoTime(s.listed->added_at)) : Json(nullptr)},
                {"history", std::move(history)}};
}

Json ToJson(const BulkOutcome& o, bool with_ids) {
    Json failures = Json::array();
    for (const auto& f : o.failures) {
        Json errors = Json::array();
        for (const auto& e : f.errors) errors.push_back({{"field", e.field}, {"message", e.message}});
        Json item = {{"index", f.index}, {"status", f.status}, {"errors", std::move(errors)}};
        if (f.phone) item["phone"] = *f.phone;
        if (f.existing_contact_id) item["existing_contact_id"] = *f.existing_contact_id;
        failures.push_back(std::move(item));
    }
    Json j = {{"created", o.created},
              {"duplicates", o.duplicates},
              {"invalid", o.invalid},
              {"failures", std::move(failures)}};
    if (with_ids) j["created_ids"] = o.created_ids;
    return j;
}

Json ToJson(const Organization& o) {
    return Json{
        {"id", o.id}, {"name", o.name}, {"tier", ToString(o.tier)}, {"created_at", FormatIsoTime(o.created_at)}};
}

Json ToJson(const Profile& p) {
    Json j = {{"id", p.id}, {"status", ToString(p.status)}, {"version", p.version}};
    Json spec = ToJson(p.spec);
    for (auto& [k, v] : spec.items()) j[k] = std::move(v);
    j["instructions"] = p.spec.persona;
    j["compiled"] = p.compiled;
    j["created_at"] = FormatIsoTime(p.created_at);
    j["updated_at"] = FormatIsoTime(p.updated_at);
    j["archived_at"] = TimeOrNull(p.archived_at);
    return j;
}

Json ToJson(const VoicePreset& v) {
    return Json{{"id", v.id},
                {"name", v.name},
                {"engine", v.engine},
                {"voice", v.voice},
                {"rate_wpm", v.rate_wpm == 0 ? Json(nullptr) : Json(v.rate_wpm)},
                {"pitch", OrNull(v.pitch)},
                {"language", v.language},
                {"gender", v.gender},
                {"type", "preset"},
                {"created_at", FormatIsoTime(v.created_at)},
                {"updated_at", FormatIsoTime(v.updated_at)}};
}

Json ToJson(const CarrierCheck& c) {
    return Json{{"reachable", c.reachable},
                {"sip_status", c.sip_status ? Json(*c.sip_status) : Json(nullptr)},
                {"reason", c.reason},
                {"round_trip_ms", c.round_trip_ms ? Json(*c.round_trip_ms) : Json(nullptr)}};
}

Json ToJson(const Carrier& c) {
    return Json{{"id", c.id},
                {"name", c.name},
                {"type", "custom"},
                {"sip_host", c.sip_host},
                {"sip_port", c.sip_port},
                {"transport", ToString(c.transport)},
                {"auth_username", OrNull(c.auth_username)},
                {"auth_password_set", c.auth_password.has_value()},
                {"from_domain", OrNull(c.from_domain)},
                {"outbound_proxy", OrNull(c.outbound_proxy)},
                {"caller_id_format", ToString(c.caller_id_format)},
                {"max_channels", c.max_channels},
                {"codecs", c.codecs},
                {"media_encryption", ToString(c.media_encryption)},
                {"inbound_sources", c.inbound_sources},
                {"created_at", FormatIsoTime(c.created_at)},
                {"updated_at", FormatIsoTime(c.updated_at)}};
}

Json ToJson(const OwnedNumber& n) {
    return Json{{"id", n.id},
                {"phone_number", n.number},
                {"carrier_id", n.carrier_id},
                {"friendly_name", n.friendly_name},
                {"profile_id", OrNull(n.profile_id)},
                {"created_at", FormatIsoTime(n.created_at)},
                {"updated_at", FormatIsoTime(n.updated_at)}};
}

Json ToJson(const BuiltinVoice& v) {
    return Json{{"id", v.id},         {"engine", v.engine}, {"name", v.name}, {"language", v.language},
                {"gender", v.gender}, {"type", "builtin"}};
}

Json ToJson(const ModelInfo& m) {
    return Json{{"id", m.id},
                {"provider", m.provider},
                {"kind", m.kind},
                {"base_url", m.base_url.empty() ? Json(nullptr) : Json(m.base_url)},
                {"streaming", m.streaming},
                {"tools", m.tools}};
}

Json ToJson(const Call& c, bool with_transcript) {
    Json history = Json::array();
    for (const auto& t : c.history) {
        history.push_back({{"status", ToString(t.status)}, {"at", FormatIsoTime(t.at)}, {"reason", t.reason}});
    }
    Json j = {{"id", c.id},
              {"profile_id", c.profile_id},
              {"profile_version", c.profile_version},
              {"campaign_id", OrNull(c.campaign_id)},
              {"batch_id", OrNull(c.batch_id)},
              {"contact_id", OrNull(c.contact_id)},
              {"status", ToString(c.status)},
              {"direction", ToString(c.direction)},
              {"from_number", c.from_number},
              {"to_number", c.to_number},
              {"transferred_to", OrNull(c.transferred_to)},
              {"talk_duration_seconds", c.talk_duration_seconds},
              {"cost_cents", c.cost_cents},
              {"cost_breakdown", c.cost_breakdown},
              {"analysis", c.analysis},
              {"tool_executions", c.tool_executions},
              {"extract", c.extract},
              {"variables", c.variables},
              {"metadata", c.metadata},
              {"custom_fields", c.custom_fields},
              {"webhook_url", OrNull(c.webhook_url)},
              {"has_recording", c.recording.has_value()},
              {"error", OrNull(c.error)},
              {"status_history", std::move(history)},
              {"created_at", FormatIsoTime(c.created_at)},
              {"started_at", TimeOrNull(c.started_at)},
              {"answered_at", TimeOrNull(c.answered_at)},
              {"ended_at", TimeOrNull(c.ended_at)},
              {"updated_at", FormatIsoTime(c.updated_at)}};
    if (with_transcript) j["transcript"] = c.transcript;
    if (c.queue_position) j["queue_position"] = *c.queue_position;
    return j;
}

namespace {
Json ErrorJson(const Error& e) {
    Json details = Json::array();
    for (const auto& d : e.details) details.push_back({{"field", d.field}, {"message", d.message}});
    return Json{{"code", ErrorCodeName(e.code)}, {"message", e.message}, {"details", std::move(details)}};
}
}  // namespace

Json ToJson(const BatchOutcome& o) {
    Json rejections = Json::array();
    for (const auto& r : o.rejections) {
        rejections.push_back({{"index", r.index}, {"phone", OrNull(r.phone)}, {"error", ErrorJson(r.error)}});
    }
    return Json{{"batch_id", o.batch.id},
                {"profile_id", o.batch.profile_id},
                {"total", o.batch.total},
                {"queued", o.call_ids.size()},
                {"rejected", o.rejections.size()},
                {"call_ids", o.call_ids},
                {"rejections", std::move(rejections)},
                {"created_at", FormatIsoTime(o.batch.created_at)}};
}

Json ToJson(const BatchStatus& s) {
    Json counts = Json::object();
    for (const auto& [status, n] : s.counts) counts[std::string(ToString(status))] = n;
    const bool done = s.finished == s.accepted;
    return Json{{"batch_id", s.batch.id},
                {"profile_id", s.batch.profile_id},
                {"status", done ? "completed" : "in_progress"},
                {"total", s.batch.total},
                {"queued", s.accepted},
                {"rejected", s.batch.rejected},
                {"finished", s.finished},
                {"counts", std::move(counts)},
                {"created_at", FormatIsoTime(s.batch.created_at)}};
}

Json ToJson(const ContactList& l) {
    return Json{{"id", l.id},
                {"name", l.name},
                {"description", l.description},
                {"contact_count", l.contact_count},
                {"created_at", FormatIsoTime(l.created_at)},
                {"updated_at", FormatIsoTime(l.updated_at)}};
}

Json ToJson(const SavedReport& r) {
    Json j = {{"id", r.id}, {"name", r.name}, {"description", r.description}};
    j.update(r.definition);
    j["created_at"] = FormatIsoTime(r.created_at);
    j["updated_at"] = FormatIsoTime(r.updated_at);
    return j;
}

Json ToJson(const LedgerEntry& e) {
    return {{"id", e.id},
            {"type", ToString(e.kind)},
            {"amount_cents", e.amount_cents},
            {"balance_after_cents", e.balance_after_cents},
            {"call_id", e.call_id ? Json(*e.call_id) : Json()},
            {"description", e.description},
            {"reference", e.reference ? Json(*e.reference) : Json()},
            {"components", e.components},
            {"created_by", e.created_by ? Json(*e.created_by) : Json()},
            {"created_at", FormatIsoTime(e.created_at)}};
}

Json ToJson(const ListChange& c) {
    Json j = ToJson(c.list);
    j["changed"] = c.changed;
    return j;
}

Json ToJson(const Campaign& c) {
    Json j = {{"id", c.id},
              {"name", c.name},
              {"status", ToString(c.status)},
              {"direction", ToString(c.direction)},
              {"profile_id", c.profile_id},
              {"agent_id", c.profile_id}};
    const Json spec = ToJson(c.spec);
    for (const auto& [k, v] : spec.items()) j[k] = v;
    if (c.spec_problem) j["settings_error"] = *c.spec_problem;  // the settings above are defaults
    j["created_at"] = FormatIsoTime(c.created_at);
    j["updated_at"] = FormatIsoTime(c.updated_at);
    j["started_at"] = TimeOrNull(c.started_at);
    j["ended_at"] = TimeOrNull(c.ended_at);
    return j;
}

Json ToJson(const CampaignView& v) {
    Json j = ToJson(v.campaign);
    const auto& s = v.stats;
    Json dispositions = Json::object();
    for (const auto& [name, n] : s.dispositions) dispositions[name] = n;
    j["stats"] = {{"contacts",
                   {{"total", s.contacts_total},
                    {"pending", s.contacts_pending},
                    {"in_progress", s.contacts_in_progress},
                    {"done", s.contacts_done}}},
                  {"calls", s.calls},
                  {"connected", s.connected},
                  {"dispositions", std::move(dispositions)},
                  {"meetings_booked", s.meetings_booked},
                  {"cost_cents", s.cost_cents}};
    return j;
}

Json ToJson(const DialerSettings& s) {
    return Json{{"legal_hours_guard",
                 {{"enabled", s.legal_hours_guard}, {"start", s.legal_hours_start}, {"end", s.legal_hours_end}}},
                {"max_concurrent_calls", s.max_concurrent_calls},
                {"updated_at", s.updated_at ? Json(FormatIsoTime(s.updated_at)) : Json(nullptr)}};
}

Json ToJson(const WebhookEndpoint& e) {
    return Json{{"id", e.id},
                {"url", e.url},
                {"description", e.description},
                {"events", e.events},
                {"enabled", e.enabled},
                {"disabled_reason", OrNull(e.disabled_reason)},
                {"consecutive_failures", e.consecutive_failures},
                {"secret_prefix", e.secret.substr(0, 10)},
                {"created_at", FormatIsoTime(e.created_at)},
                {"updated_at", FormatIsoTime(e.updated_at)}};
}

Json ToJson(const WebhookWithSecret& w) {
    Json j = ToJson(w.endpoint);
    j["secret"] = w.endpoint.secret;
    return j;
}

Json ToJson(const WebhookDelivery& d) {
    const bool pending = d.status == DeliveryStatus::kPending;
    return Json{{"id", d.id},
                {"event", d.event},
                {"event_id", d.event_id},
                {"webhook_id", OrNull(d.endpoint_id)},
                {"call_id", OrNull(d.call_id)},
                {"call_flow_id", OrNull(d.call_flow_id)},
                {"url", d.url},
                {"status", ToString(d.status)},
                {"http_status", OrNull(d.http_status)},
                {"attempts", d.attempts},
                {"last_error", OrNull(d.last_error)},
                {"next_attempt_at", pending ? Json(FormatIsoTime(d.next_at)) : Json(nullptr)},
                {"redelivery_of", OrNull(d.redelivery_of)},
                {"created_at", FormatIsoTime(d.created_at)},
                {"delivered_at", TimeOrNull(d.delivered_at)}};
}

}  // namespace parley::domain
