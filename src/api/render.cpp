#include "api/render.hpp"

#include "common/time_format.hpp"

namespace parley::api {

Json TimeOrNull(const std::optional<int64_t>& ms) { return ms ? Json(FormatIsoTime(*ms)) : Json(nullptr); }

Json ToJson(const domain::Contact& c) {
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

Json ToJson(const domain::CustomField& f) {
    return Json{{"id", f.id},
                {"name", f.name},
                {"type", domain::ToString(f.type)},
                {"description", f.description},
                {"category", domain::ToString(f.category)},
                {"required", f.required},
                {"options", f.type == domain::FieldType::kEnum ? Json(f.options) : Json(nullptr)},
                {"created_at", FormatIsoTime(f.created_at)},
                {"updated_at", FormatIsoTime(f.updated_at)}};
}

Json ToJson(const domain::ApiKey& k) {
    return Json{{"id", k.id},
                {"name", k.name},
                {"prefix", k.prefix},
                {"mode", domain::ToString(k.mode)},
                {"permission", domain::ToString(k.permission)},
                {"role", domain::ToString(k.role)},
                {"created_by", OrNull(k.created_by)},
                {"created_at", FormatIsoTime(k.created_at)},
                {"last_used_at", TimeOrNull(k.last_used_at)},
                {"revoked_at", TimeOrNull(k.revoked_at)},
                {"status", k.revoked_at ? "revoked" : "active"}};
}

Json ToJson(const domain::NewKey& k) {
    Json j = ToJson(k.key);
    j["key"] = k.secret;
    return j;
}

Json ToJson(const domain::DncNumber& n) {
    return Json{{"phone", n.phone},
                {"reason", domain::ToString(n.reason)},
                {"entry_id", n.entry_id},
                {"added_at", FormatIsoTime(n.added_at)}};
}

Json ToJson(const domain::DncLedgerEntry& e) {
    return Json{{"id", e.id},
                {"phone", e.phone},
                {"action", domain::ToString(e.action)},
                {"reason", domain::ToString(e.reason)},
                {"note", OrNull(e.note)},
                {"contact_id", OrNull(e.contact_id)},
                {"call_id", OrNull(e.call_id)},
                {"api_key_id", OrNull(e.api_key_id)},
                {"created_at", FormatIsoTime(e.created_at)}};
}

Json ToJson(const domain::DncStatus& s) {
    Json history = Json::array();
    for (const auto& e : s.history) history.push_back(ToJson(e));
    return Json{{"phone", s.phone},
                {"on_dnc_list", s.listed.has_value()},
                {"reason", s.listed ? Json(domain::ToString(s.listed->reason)) : Json(nullptr)},
                {"added_at", s.listed ? Json(FormatIsoTime(s.listed->added_at)) : Json(nullptr)},
                {"history", std::move(history)}};
}

Json ToJson(const domain::BulkOutcome& o, bool with_ids) {
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

Json ToJson(const domain::Organization& o) {
    return Json{{"id", o.id},
                {"name", o.name},
                {"tier", domain::ToString(o.tier)},
                {"created_at", FormatIsoTime(o.created_at)}};
}

}  // namespace parley::api
