#include "dialer/call_policy.hpp"

#include <algorithm>

namespace parley::dialer {
namespace {

date::sys_seconds ToSeconds(int64_t ms) {
    return date::sys_seconds{std::chrono::seconds{ms / 1000}};
}

// A reason in the campaign's own state for the contact that time does not cure.
std::optional<PolicyReason> CampaignStateReason(const domain::QueueEntry& e, const domain::RetryRules& rules) {
    if (e.state == domain::QueueState::kDialing) {
        return PolicyReason{"call_in_progress",
                            "the campaign's call " + e.call_id.value_or("") + " to this contact has not ended yet"};
    }
    if (e.state == domain::QueueState::kDone && e.attempts < rules.max_attempts) {
        return PolicyReason{"contact_done", "the campaign is done with this contact: " + e.outcome.value_or("done")};
    }
    if (e.attempts >= rules.max_attempts) {
        return PolicyReason{"attempts_exhausted", "the campaign has called this contact " + std::to_string(e.attempts) +
                                                      " of " + std::to_string(rules.max_attempts) + " times"};
    }
    return std::nullopt;
}

}  // namespace

bool CallPolicyVerdict::Has(std::string_view code) const {
    return std::any_of(reasons.begin(), reasons.end(), [&](const PolicyReason& r) { return r.code == code; });
}

Result<CallPolicyVerdict> JudgeCall(const CallPolicyInput& in, const domain::CallLauncher& launcher,
                                    bool every_reason) {
    CallPolicyVerdict v;
    bool only_time = true;
    auto refuse = [&](PolicyReason reason) {
        v.reasons.push_back(std::move(reason));
        only_time = false;
        return !every_reason;  // true: stop here
    };
    const bool in_campaign = in.entry && in.rules;
    const auto state_reason = in_campaign ? CampaignStateReason(*in.entry, *in.rules) : std::nullopt;
    if (state_reason && refuse(*state_reason)) return v;
    if (in.on_dnc_list && refuse({"dnc", in.e164 + " is on the organization's Do Not Call list"})) return v;
    if (auto reachable = in.own_carrier ? Result<void>{} : launcher.CheckReachable(in.e164); !reachable) {
        if (refuse({"unreachable", reachable.error().message})) return v;
    }

    // Calling hours: the campaign's schedule, or at any time, with the legal-hours guard.
    domain::Schedule any_time;
    any_time.hours = {std::chrono::minutes{0}, std::chrono::hours{24}};
    any_time.days.fill(true);
    const domain::Schedule& schedule = in.schedule ? *in.schedule : any_time;
    auto zone = ResolveZone(in.stated_zone, in.e164, schedule.timezone);
    if (!zone) return Fail(std::move(zone.error()));
    v.zone = *zone;
    const date::time_zone& tz = *zone->zone;
    const auto now = ToSeconds(in.now_ms);
    v.local_date = LocalDate(tz, now);
    const auto window = Evaluate(schedule, tz, in.guard, now);
    for (const auto& reason : window.reasons) {
        v.reasons.push_back({std::string(ReasonCodeName(reason.code)), reason.message});
    }
    std::optional<date::sys_seconds> next = window.next_allowed;

    if (in_campaign && !state_reason) {
        const domain::QueueEntry& e = *in.entry;
        const domain::RetryRules& rules = *in.rules;
        if (e.day == v.local_date && e.day_attempts >= rules.max_attempts_per_day) {
            v.reasons.push_back({"daily_cap_reached", "the campaign has called this contact " +
                                                          std::to_string(e.day_attempts) + " times today (at most " +
                                                          std::to_string(rules.max_attempts_per_day) + " a day)"});
            // The next allowed moment from the callee's next day on.
            next = Evaluate(schedule, tz, in.guard, NextLocalDay(tz, now)).next_allowed;
        } else if (e.state == domain::QueueState::kPending && e.attempts > 0 && e.next_at > in.now_ms) {
            const date::sys_seconds retry_at{std::chrono::seconds{(e.next_at + 999) / 1000}};
            v.reasons.push_back({"retry_delay", "the last attempt ended " + e.outcome.value_or("") +
                                                    "; the campaign tries again after its retry delay"});
            // The retry is due then if the calling hours allow it, else at their next opening.
            if (next && *next < retry_at) next = Evaluate(schedule, tz, in.guard, retry_at).next_allowed;
        }
    }
    if (only_time) v.next_allowed = next;
    return v;
}

}  // namespace parley::dialer
