#include "dialer/call_check.hpp"

#include <algorithm>

#include "common/phone.hpp"
#include "dialer/dialer.hpp"
#include "domain/schedule.hpp"

namespace parley::dialer {

using domain::Json;

Result<CheckReport> CallCheck::Check(const domain::Principal& who, std::optional<std::string_view> phone,
                                     std::optional<std::string_view> campaign_id) const {
    if (!phone || phone->empty()) {
        return Fail(ErrorCode::kValidation, "phone is required", {{"phone", "is required: the number to check"}});
    }
    CheckReport report;
    report.phone = std::string(*phone);
    const auto now = date::sys_seconds{std::chrono::seconds{clock_.NowMs() / 1000}};
    report.now = now;
    return domain::ReadTx(store_, [&](domain::Repos& r) -> Result<CheckReport> {
        std::optional<domain::Campaign> campaign;
        if (campaign_id) {
            auto found = r.campaigns().Get(who.org_id, *campaign_id);
            if (!found) return Fail(std::move(found.error()));
            if (!*found) return Fail(ErrorCode::kNotFound, "campaign not found", {{"campaign_id", "no such campaign"}});
            campaign = std::move(**found);
            report.campaign_id = campaign->id;
        }
        auto parsed = ParsePhone(*phone, region_);
        if (!parsed) {
            report.reasons.push_back({"invalid_number", parsed.error().message});
            return report;
        }
        const std::string& e164 = parsed->e164;
        report.e164 = e164;
        bool only_time = true;  // every reason passes with time
        if (auto reachable = launcher_.CheckReachable(e164); !reachable) {
            report.reasons.push_back({"unreachable", reachable.error().message});
            only_time = false;
        }
        auto listed = r.dnc().Find(who.org_id, e164);
        if (!listed) return Fail(std::move(listed.error()));
        if (*listed) {
            report.reasons.push_back({"dnc", e164 + " is on the organization's Do Not Call list"});
            only_time = false;
        }
        auto contact_id = r.contacts().IdByPhone(who.org_id, e164);
        if (!contact_id) return Fail(std::move(contact_id.error()));
        std::optional<std::string> stated_zone;
        if (*contact_id) {
            auto contact = r.contacts().Get(who.org_id, **contact_id);
            if (!contact) return Fail(std::move(contact.error()));
            if (*contact) stated_zone = (*contact)->timezone;
            report.contact_id = *contact_id;
        }
        // Without a campaign the calling hours are the guard's alone.
        domain::Schedule schedule;
        schedule.hours = {std::chrono::minutes{0}, std::chrono::hours{24}};
        schedule.days.fill(true);
        if (campaign) {
            auto stored = domain::ParseSchedule(campaign->spec.value("schedule", Json::object()));
            if (!stored) return Fail(ErrorCode::kInternal, "stored schedule is not valid");
            schedule = *stored;
        }
        auto zone = ResolveZone(stated_zone, e164, schedule.timezone);
        if (!zone) return Fail(std::move(zone.error()));
        report.zone = *zone;
        auto settings = r.campaigns().Settings(who.org_id);
        if (!settings) return Fail(std::move(settings.error()));
        const auto verdict = Evaluate(schedule, *zone->zone, GuardOf(*settings), now);
        for (const auto& reason : verdict.reasons) {
            report.reasons.push_back({std::string(ReasonCodeName(reason.code)), reason.message});
        }
        std::optional<date::sys_seconds> next = verdict.next_allowed;
        if (campaign && report.contact_id) {
            auto entry = r.campaigns().Entry(campaign->id, *report.contact_id);
            if (!entry) return Fail(std::move(entry.error()));
            const RetryRules rules = RetryRulesOf(campaign->spec);
            if (*entry && (*entry)->state == "dialing") {
                report.reasons.push_back({"call_in_progress", "the campaign's call " + (*entry)->call_id.value_or("") +
                                                                  " to this contact has not ended yet"});
                only_time = false;
            } else if (*entry && (*entry)->state == "done" && (*entry)->attempts < rules.max_attempts) {
                report.reasons.push_back(
                    {"contact_done", "the campaign is done with this contact: " + (*entry)->outcome.value_or("done")});
                only_time = false;
            } else if (*entry && (*entry)->attempts >= rules.max_attempts) {
                report.reasons.push_back({"attempts_exhausted", "the campaign has called this contact " +
                                                                    std::to_string((*entry)->attempts) + " of " +
                                                                    std::to_string(rules.max_attempts) + " times"});
                only_time = false;
            } else if (*entry && (*entry)->day == LocalDate(*zone->zone, now) &&
                       (*entry)->day_attempts >= rules.max_attempts_per_day) {
                report.reasons.push_back(
                    {"daily_cap_reached", "the campaign has called this contact " +
                                              std::to_string((*entry)->day_attempts) + " times today (at most " +
                                              std::to_string(rules.max_attempts_per_day) + " a day)"});
                // The next allowed moment from the callee's next day on.
                const auto tomorrow = NextLocalDay(*zone->zone, now);
                next = Evaluate(schedule, *zone->zone, GuardOf(*settings), tomorrow).next_allowed;
            } else if (*entry && (*entry)->state == "pending" && (*entry)->attempts > 0 &&
                       (*entry)->next_at > clock_.NowMs()) {
                const date::sys_seconds retry_at{std::chrono::seconds{((*entry)->next_at + 999) / 1000}};
                report.reasons.push_back({"retry_delay", "the last attempt ended " + (*entry)->outcome.value_or("") +
                                                             "; the campaign tries again after its retry delay"});
                // The retry is due then if the calling hours allow it, else at their next opening.
                if (next && *next < retry_at) {
                    next = Evaluate(schedule, *zone->zone, GuardOf(*settings), retry_at).next_allowed;
                }
            }
        }
        report.callable = report.reasons.empty();
        if (only_time) report.next_allowed = next;
        return report;
    });
}

}  // namespace parley::dialer
