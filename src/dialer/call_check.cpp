#include "dialer/call_check.hpp"

#include "common/phone.hpp"
#include "dialer/call_policy.hpp"

namespace parley::dialer {

Result<CheckReport> CallCheck::Check(const domain::Principal& who, std::optional<std::string_view> phone,
                                     std::optional<std::string_view> campaign_id) const {
    if (!phone || phone->empty()) {
        return Fail(ErrorCode::kValidation, "phone is required", {{"phone", "is required: the number to check"}});
    }
    CheckReport report;
    report.phone = std::string(*phone);
    const int64_t now_ms = clock_.NowMs();
    report.now = date::sys_seconds{std::chrono::seconds{now_ms / 1000}};
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
        CallPolicyInput in;
        in.e164 = e164;
        in.now_ms = now_ms;
        auto listed = r.dnc().Find(who.org_id, e164);
        if (!listed) return Fail(std::move(listed.error()));
        in.on_dnc_list = listed->has_value();
        auto contact_id = r.contacts().IdByPhone(who.org_id, e164);
        if (!contact_id) return Fail(std::move(contact_id.error()));
        if (*contact_id) {
            auto contact = r.contacts().Get(who.org_id, **contact_id);
            if (!contact) return Fail(std::move(contact.error()));
            if (*contact) in.stated_zone = (*contact)->timezone;
            report.contact_id = *contact_id;
        }
        std::optional<domain::QueueEntry> entry;
        if (campaign) {
            if (campaign->spec_problem) {
                return Fail(ErrorCode::kConflict,
                            "the campaign's stored settings are not valid (" + *campaign->spec_problem + ")");
            }
            in.schedule = &campaign->spec.schedule;
            in.rules = &campaign->spec.retry_rules;
            if (report.contact_id) {
                auto found = r.campaigns().Entry(campaign->id, *report.contact_id);
                if (!found) return Fail(std::move(found.error()));
                entry = std::move(*found);
                if (entry) in.entry = &*entry;
            }
        }
        auto settings = r.campaigns().Settings(who.org_id);
        if (!settings) return Fail(std::move(settings.error()));
        in.guard = GuardOf(*settings);
        auto verdict = JudgeCall(in, launcher_, true);
        if (!verdict) return Fail(std::move(verdict.error()));
        report.reasons = std::move(verdict->reasons);
        report.zone = verdict->zone;
        report.next_allowed = verdict->next_allowed;
        report.callable = report.reasons.empty();
        return report;
    });
}

}  // namespace parley::dialer
