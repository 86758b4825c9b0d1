#include "domain/events.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "common/crypto.hpp"
#include "common/ids.hpp"
#include "common/time_format.hpp"
#include "domain/call_lifecycle.hpp"
#include "domain/render.hpp"

namespace parley::domain {
namespace {

constexpr EventType kTypes[] = {
    {"call.started", "A call connected: the callee answered"},
    {"call.completed", "A call ended after a conversation, with its analysis and transcript"},
    {"call.failed", "A call did not reach anyone: no answer, busy or failed"},
    {"call.voicemail", "A call reached voicemail"},
    {"call.tool_called", "The agent ran a tool during a call"},
    {"campaign.started", "A campaign started calling"},
    {"campaign.paused", "A campaign was paused"},
    {"campaign.resumed", "A paused campaign was resumed"},
    {"campaign.stopped", "A campaign was stopped; what was queued is canceled"},
    {"campaign.completed", "Every contact of a campaign is final"},
    {"contact.created", "A contact was added"},
    {"contact.updated", "A contact was changed, by a request or after a call"},
    {"contact.dnc_requested", "A number was put on the Do Not Call list"},
    {"billing.limit_warning", "80% of the spending limit is reached"},
    {"billing.limit_reached", "The spending limit is reached"},
    {"credits.low", "The credit balance dropped below its threshold"},
    {"webhook.disabled", "A webhook endpoint was disabled after failed deliveries"},
};

std::string SecondsIso(int64_t ms) {
    return FormatIsoTime(ms).substr(0, 19) + "Z";
}

// Number::toString of ECMAScript for a finite double: the shortest digits that read back as the
// same value, in plain notation for exponents from -7 to 20 and in e-notation outside them.
std::string JsNumber(double v) {
    if (v == 0) return "0";
    std::array<char, 64> buf{};
    auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v, std::chars_format::scientific);
    std::string sci(buf.data(), end);  // "-1.2345e+02"
    std::string sign;
    if (sci[0] == '-') {
        sign = "-";
        sci.erase(0, 1);
    }
    const auto e_pos = sci.find('e');
    std::string digits = sci.substr(0, e_pos);
    digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
    const int exponent = std::atoi(sci.c_str() + e_pos + 1);
    const int k = static_cast<int>(digits.size());
    const int n = exponent + 1;  // the decimal point sits after n digits
    if (k <= n && n <= 21) return sign + digits + std::string(static_cast<size_t>(n - k), '0');
    if (0 < n && n <= 21)
        return sign + digits.substr(0, static_cast<size_t>(n)) + "." + digits.substr(static_cast<size_t>(n));
    if (-6 < n && n <= 0) return sign + "0." + std::string(static_cast<size_t>(-n), '0') + digits;
    const std::string exp = (n - 1 >= 0 ? "+" : "-") + std::to_string(std::abs(n - 1));
    if (k == 1) return sign + digits + "e" + exp;
    return sign + digits.substr(0, 1) + "." + digits.substr(1) + "e" + exp;
}

void WriteCanonical(const Json& v, std::string& out) {
    switch (v.type()) {
        case Json::value_t::object: {
            // JavaScript objects list keys that are array indexes first, in numeric order.
            using Member = const Json::object_t::value_type*;
            std::vector<std::pair<uint32_t, Member>> indexes;
            std::vector<Member> names;
            for (const auto& member : v.get_ref<const Json::object_t&>()) {
                const std::string& k = member.first;
                uint32_t n = 0;
                auto [end, ec] = std::from_chars(k.data(), k.data() + k.size(), n);
                const bool is_index = ec == std::errc() && end == k.data() + k.size() && n != UINT32_MAX &&
                                      (k.size() == 1 || k[0] != '0');
                if (is_index) {
                    indexes.emplace_back(n, &member);
                } else {
                    names.push_back(&member);
                }
            }
            std::sort(indexes.begin(), indexes.end());
            std::vector<Member> members;
            members.reserve(indexes.size() + names.size());
            for (const auto& [n, m] : indexes) members.push_back(m);
            members.insert(members.end(), names.begin(), names.end());
            out += '{';
            bool first = true;
            for (Member m : members) {
                if (!first) out += ',';
                first = false;
                out += Json(m->first).dump(-1, ' ', false, Json::error_handler_t::replace);
                out += ':';
                WriteCanonical(m->second, out);
            }
            out += '}';
            return;
        }
        case Json::value_t::array: {
            out += '[';
            for (size_t i = 0; i < v.size(); ++i) {
                if (i > 0) out += ',';
                WriteCanonical(v[i], out);
            }
            out += ']';
            return;
        }
        case Json::value_t::number_float: {
            const double d = v.get<double>();
            out += std::isfinite(d) ? JsNumber(d) : "null";  // JSON.stringify writes NaN and Infinity as null
            return;
        }
        default:
            // Strings, integers, booleans and null: nlohmann's escapes are JSON.stringify's (short forms
            // for \b \f \n \r \t, \u00xx in lower case for other control characters, UTF-8 as it is).
            out += v.dump(-1, ' ', false, Json::error_handler_t::replace);
    }
}

Json CallData(const Call& call) {
    Json data = {{"call_id", call.id},
                 {"campaign_id", OrNull(call.campaign_id)},
                 {"contact_id", OrNull(call.contact_id)},
                 {"profile_id", call.profile_id},
                 {"batch_id", OrNull(call.batch_id)},
                 {"direction", ToString(call.direction)},
                 {"status", ToString(call.status)},
                 {"from_number", call.from_number},
                 {"to_number", call.to_number},
                 {"metadata", call.metadata},
                 {"started_at", TimeOrNull(call.started_at)},
                 {"answered_at", TimeOrNull(call.answered_at)}};
    if (IsFinal(call.status)) {
        data["ended_at"] = TimeOrNull(call.ended_at);
        data["talk_duration_seconds"] = call.talk_duration_seconds;
        data["cost_cents"] = call.cost_cents;
        data["analysis"] = call.analysis;
        data["transferred_to"] = OrNull(call.transferred_to);
        data["has_recording"] = call.recording.has_value();
        data["error"] = OrNull(call.error);
        data["transcript"] = call.transcript;
    }
    return data;
}

Event ForCall(std::string_view type, const Call& call, Json data, int64_t now) {
    Event e = OrgEvent(type, call.org_id, std::move(data), now);
    e.call_id = call.id;
    e.call_flow_id = call.profile_id;
    e.webhook_url = call.webhook_url;
    return e;
}

}  // namespace

std::span<const EventType> EventTypes() {
    return kTypes;
}

bool IsEventType(std::string_view name) {
    return std::any_of(std::begin(kTypes), std::end(kTypes), [&](const EventType& t) { return t.name == name; });
}

Json EventBody(const Event& e) {
    return Json{{"id", e.id},
                {"event", e.type},
                {"timestamp", SecondsIso(e.created_at)},
                {"organization_id", e.org_id},
                {"data", e.data}};
}

std::optional<Event> CallStatusEvent(const Call& call, int64_t now) {
    std::string_view type;
    switch (call.status) {
        case CallStatus::kInProgress: type = "call.started"; break;
        case CallStatus::kCompleted: type = "call.completed"; break;
        case CallStatus::kVoicemail: type = "call.voicemail"; break;
        case CallStatus::kNoAnswer:
        case CallStatus::kBusy:
        case CallStatus::kFailed: type = "call.failed"; break;
        default: return std::nullopt;
    }
    return ForCall(type, call, CallData(call), now);
}

Event ToolCallEvent(const Call& call, const Json& execution, int64_t now) {
    Json data = {{"call_id", call.id},
                 {"campaign_id", OrNull(call.campaign_id)},
                 {"contact_id", OrNull(call.contact_id)},
                 {"profile_id", call.profile_id},
                 {"tool", execution.value("tool", "")},
                 {"status", execution.value("status", "")},
                 {"input", execution.value("input", Json::object())},
                 {"output", execution.value("output", Json(nullptr))},
                 {"at_seconds", execution.value("at_seconds", 0.0)}};
    return ForCall("call.tool_called", call, std::move(data), now);
}

Event ContactEvent(std::string_view type, const Contact& contact, int64_t now) {
    return OrgEvent(type, contact.org_id, ToJson(contact), now);
}

Event DncRequestedEvent(const DncLedgerEntry& entry, int64_t now) {
    Json data = {{"phone", entry.phone},
                 {"reason", ToString(entry.reason)},
                 {"note", OrNull(entry.note)},
                 {"contact_id", OrNull(entry.contact_id)},
                 {"call_id", OrNull(entry.call_id)},
                 {"requested_at", FormatIsoTime(entry.created_at)}};
    return OrgEvent("contact.dnc_requested", entry.org_id, std::move(data), now);
}

Event CampaignEvent(std::string_view type, const Campaign& campaign, int64_t now) {
    Json data = {{"campaign_id", campaign.id},
                 {"name", campaign.name},
                 {"status", ToString(campaign.status)},
                 {"direction", ToString(campaign.direction)},
                 {"profile_id", campaign.profile_id},
                 {"started_at", TimeOrNull(campaign.started_at)},
                 {"ended_at", TimeOrNull(campaign.ended_at)}};
    return OrgEvent(type, campaign.org_id, std::move(data), now);
}

Event OrgEvent(std::string_view type, std::string_view org_id, Json data, int64_t now) {
    Event e;
    e.id = NewId("evt_", now);
    e.org_id = std::string(org_id);
    e.type = std::string(type);
    e.data = std::move(data);
    e.created_at = now;
    return e;
}

Event SampleEvent(std::string_view type, std::string_view org_id, int64_t now) {
    const std::string org(org_id);
    Call call;
    call.id = NewId("call_", now - 200'000);
    call.org_id = org;
    call.profile_id = NewId("prof_", now - 86'400'000);
    call.campaign_id = NewId("camp_", now - 3'600'000);
    call.contact_id = NewId("ct_", now - 7'200'000);
    call.from_number = "+14155550100";
    call.to_number = "+12125550142";
    call.metadata = {{"crm_id", "lead-1042"}};
    call.started_at = now - 180'000;
    call.answered_at = now - 174'000;
    Contact contact;
    contact.id = *call.contact_id;
    contact.org_id = org;
    contact.first_name = "John";
    contact.last_name = "Smith";
    contact.phone = call.to_number;
    contact.phone_region = "US";
    contact.email = "john.smith@example.com";
    contact.company = "Acme Dental";
    contact.timezone = "America/New_York";
    contact.tags = {"lead", "dental"};
    contact.source = "api";
    contact.custom_fields = {{"budget", 5000}};
    contact.created_at = now - 7'200'000;
    contact.updated_at = now;
    Campaign campaign;
    campaign.id = *call.campaign_id;
    campaign.org_id = org;
    campaign.name = "Spring dental outreach";
    campaign.status = CampaignStatus::kRunning;
    campaign.profile_id = call.profile_id;
    campaign.created_at = now - 86'400'000;
    campaign.started_at = now - 3'600'000;

    if (type.starts_with("call.")) {
        if (type == "call.tool_called") {
            call.status = CallStatus::kInProgress;
            return ToolCallEvent(call,
                                 {{"tool", "check_availability"},
                                  {"status", "success"},
                                  {"input", {{"date", "2026-12-01"}}},
                                  {"output", {{"slots", {"10:00", "14:30"}}}},
                                  {"at_seconds", 42.5}},
                                 now);
        }
        call.status = type == "call.started"     ? CallStatus::kInProgress
                      : type == "call.voicemail" ? CallStatus::kVoicemail
                      : type == "call.failed"    ? CallStatus::kNoAnswer
                                                 : CallStatus::kCompleted;
        if (call.status != CallStatus::kInProgress) call.ended_at = now;
        // Analyses as real calls write them (voice/analysis.cpp): every field, network outcomes
        // 100% sure.
        auto outcome = [](std::string_view disposition, std::string_view summary) {
            return Json{{"disposition", disposition}, {"sentiment", "neutral"},
                        {"summary", summary},         {"meeting_booked", false},
                        {"ai_confidence_score", 100}, {"extracted_data", {{"budget", nullptr}}}};
        };
        if (call.status == CallStatus::kNoAnswer) {
            call.answered_at.reset();
            call.analysis = outcome("no_answer", "Nobody answered.");
        }
        if (call.status == CallStatus::kVoicemail) {
            call.talk_duration_seconds = 21;
            call.cost_cents = 9;
            call.recording = call.id + ".wav";
            call.analysis = outcome("voicemail", "Reached voicemail.");
            call.transcript = Json::array({{{"speaker", "agent"},
                                            {"text", "Hi John, this is Ava from Acme Dental. Please call us back."},
                                            {"timestamp_seconds", 3.1}}});
        }
        if (call.status == CallStatus::kCompleted) {
            call.talk_duration_seconds = 154;
            call.cost_cents = 63;
            call.recording = call.id + ".wav";
            call.analysis = {
                {"disposition", "hot_lead"},
                {"sentiment", "positive"},
                {"summary", "The callee agreed to talk (budget: 5000). Booked a meeting for 2026-12-08T10:00."},
                {"meeting_booked", true},
                {"ai_confidence_score", 87},
                {"extracted_data", {{"budget", 5000}}},
                {"meeting_at", "2026-12-08T10:00"}};
            call.transcript = Json::array({{{"speaker", "agent"},
                                            {"text", "Hi John, this is Ava, an AI assistant calling for Acme Dental."},
                                            {"timestamp_seconds", 0}},
                                           {{"speaker", "callee"},
                                            {"text", "hi yes i was expecting your call"},
                                            {"timestamp_seconds", 4.2},
                                            {"confidence", 0.91}}});
        }
        return *CallStatusEvent(call, now);
    }
    if (type.starts_with("campaign.")) {
        if (type == "campaign.paused") campaign.status = CampaignStatus::kPaused;
        if (type == "campaign.stopped" || type == "campaign.completed") {
            campaign.status = type == "campaign.stopped" ? CampaignStatus::kStopped : CampaignStatus::kCompleted;
            campaign.ended_at = now;
        }
        return CampaignEvent(type, campaign, now);
    }
    if (type == "contact.dnc_requested") {
        return DncRequestedEvent(OptOutEntry(call, now), now);
    }
    if (type.starts_with("contact.")) return ContactEvent(type, contact, now);
    if (type == "webhook.disabled") {
        return OrgEvent(type, org,
                        {{"webhook_id", NewId("wh_", now - 86'400'000)},
                         {"url", "https://hooks.example.com/parley"},
                         {"reason", "10 consecutive deliveries failed"},
                         {"last_error", "server returned 500"}},
                        now);
    }
    const bool reached = type == "billing.limit_reached";
    if (type.starts_with("billing.")) {
        return OrgEvent(type, org,
                        {{"period", "2026-11"},
                         {"limit_cents", 50000},
                         {"spent_cents", reached ? 50000 : 40000},
                         {"percent", reached ? 100 : 80}},
                        now);
    }
    return OrgEvent(type, org, {{"balance_cents", 1200}, {"threshold_cents", 2000}}, now);
}

std::string NewWebhookSecret() {
    std::string bytes(24, '\0');
    RandomBytes(reinterpret_cast<uint8_t*>(bytes.data()), bytes.size());
    return "whsec_" + Base64Encode(bytes);
}

bool WebhookEndpoint::Wants(std::string_view type) const {
    return std::any_of(events.begin(), events.end(), [&](const std::string& e) { return e == "*" || e == type; });
}

std::string_view ToString(DeliveryStatus s) {
    switch (s) {
        case DeliveryStatus::kPending: return "pending";
        case DeliveryStatus::kDelivered: return "delivered";
        case DeliveryStatus::kFailed: return "failed";
    }
    return "pending";
}

std::optional<DeliveryStatus> ParseDeliveryStatus(std::string_view s) {
    for (auto v : {DeliveryStatus::kPending, DeliveryStatus::kDelivered, DeliveryStatus::kFailed}) {
        if (ToString(v) == s) return v;
    }
    return std::nullopt;
}

std::string CanonicalJson(const Json& value) {
    std::string out;
    WriteCanonical(value, out);
    return out;
}

}  // namespace parley::domain
