#include "domain/call_lifecycle.hpp"

#include <cmath>

#include "common/ids.hpp"
#include "domain/billing.hpp"
#include "domain/outbox.hpp"

namespace parley::domain {
namespace {

double PriceOf(const std::map<std::string, double>& table, const std::string& name) {
    auto it = table.find(name);
    return it == table.end() ? 0.0 : it->second;
}

int Cents(double v) {
    return static_cast<int>(std::lround(v));
}

}  // namespace

Call QueuedCall(std::string org_id, const Profile& profile, std::string from, std::string to,
                std::vector<std::string> extract, std::string_view source, int64_t now) {
    Call call;
    call.id = NewId("call_", now);
    call.org_id = std::move(org_id);
    call.profile_id = profile.id;
    call.profile_version = profile.version;
    call.from_number = std::move(from);
    call.to_number = std::move(to);
    call.extract = std::move(extract);
    call.created_at = now;
    call.MoveTo(CallStatus::kQueued, now, std::string(source));
    return call;
}

Json PriceCall(const PriceTable& prices, const CallUsage& usage) {
    Json breakdown = Json::object();
    breakdown[usage.carrier] = Cents(PriceOf(prices.per_minute_cents, usage.carrier) * usage.talk_seconds / 60.0);
    breakdown[usage.stt] = Cents(PriceOf(prices.per_minute_cents, usage.stt) * usage.stt_audio_seconds / 60.0);
    breakdown[usage.tts] =
        Cents(PriceOf(prices.per_1k_chars_cents, usage.tts) * static_cast<double>(usage.tts_chars) / 1000.0);
    breakdown[usage.brain] = usage.connected ? Cents(PriceOf(prices.per_call_cents, usage.brain)) : 0;
    return breakdown;
}

DncLedgerEntry OptOutEntry(const Call& call, int64_t now) {
    DncLedgerEntry entry = NewDncEntry(call.org_id, call.to_number, DncAction::kAdd, DncReason::kCallOptOut, now);
    entry.note = "asked on the call not to be called again";
    entry.contact_id = call.contact_id;
    entry.call_id = call.id;
    return entry;
}

Result<bool> CloseCall(Repos& r, const Call& call, const CallOutcome& outcome, const PriceTable& prices, int64_t now,
                       std::optional<CallStatus> only_from) {
    auto current = r.calls().Get(call.org_id, call.id);
    if (!current) return Fail(std::move(current.error()));
    if (!*current || IsFinal((*current)->status)) return false;
    if (only_from && (*current)->status != *only_from) return false;
    // The stored call is the base: it has the transitions other writers made (the answer).
    Call c = std::move(**current);
    const CallStatus stored = c.status;
    c.MoveTo(outcome.status, now, outcome.reason);
    if (outcome.status == CallStatus::kFailed) c.error = outcome.reason;
    c.ended_at = now;
    c.analysis = outcome.analysis;
    c.transcript = outcome.transcript;
    c.tool_executions = outcome.tool_executions;
    if (outcome.transferred_to) c.transferred_to = outcome.transferred_to;
    if (outcome.recording) c.recording = outcome.recording;
    c.cost_breakdown = Json::object();
    c.cost_cents = 0;
    c.talk_duration_seconds = 0;
    if (outcome.usage) {
        c.talk_duration_seconds = static_cast<int>(std::lround(outcome.usage->talk_seconds));
        c.cost_breakdown = PriceCall(prices, *outcome.usage);
        for (const auto& [k, v] : c.cost_breakdown.items()) c.cost_cents += v.get<int>();
    }
    auto saved = SaveCall(r, c, stored, now);
    if (!saved || !*saved) return saved;
    if (auto charged = ChargeCall(r, c, now); !charged) return Fail(std::move(charged.error()));
    if (outcome.opted_out) {
        if (auto recorded = RecordDnc(r, OptOutEntry(c, now)); !recorded) return Fail(std::move(recorded.error()));
    }
    return true;
}

}  // namespace parley::domain
