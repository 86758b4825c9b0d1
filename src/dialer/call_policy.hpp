#pragma once

// "May this number be called now, and if not, why": the one rule behind the dialer's passes and
// GET /api/v1/dialer/check.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "dialer/callee_zone.hpp"
#include "dialer/calling_window.hpp"
#include "domain/call_service.hpp"
#include "domain/entities.hpp"

namespace parley::dialer {

struct PolicyReason {
    // A ReasonCodeName, or unreachable, dnc, call_in_progress, contact_done, attempts_exhausted,
    // daily_cap_reached, retry_delay.
    std::string code;
    std::string message;
};

// What is known of one number now. The pointers are the caller's and outlive the judgement.
struct CallPolicyInput {
    std::string e164;
    bool on_dnc_list = false;
    std::optional<std::string> stated_zone;  // the contact's own time zone
    const domain::Schedule* schedule = nullptr;
    LegalHoursGuard guard;
    // The contact's place in a campaign and the campaign's retry rules; none outside a campaign.
    const domain::QueueEntry* entry = nullptr;
    const domain::RetryRules* rules = nullptr;
    int64_t now_ms = 0;
    // The call goes out from a number of the organization's own, whose carrier reaches any
    // number; otherwise the installation's carrier must reach it.
    bool own_carrier = false;
};

struct CallPolicyVerdict {
    std::vector<PolicyReason> reasons;  // none: it may be called now
    // When every reason passes with time (hours, days, dates, the daily cap, a retry delay): the
    // first moment they all allow a call (now, when there is none). Nothing when a reason does
    // not pass with time, or no moment within the calling window's search allows one.
    std::optional<date::sys_seconds> next_allowed;
    std::optional<CalleeZone> zone;  // set once the number got as far as the calling hours
    std::string local_date;          // the callee's date now, with the zone
    bool Callable() const { return reasons.empty(); }
    bool Has(std::string_view code) const;
};

// Judges the number in this order: the campaign's state for the contact (a call in progress,
// done, attempts used up), the Do Not Call list, the carriers, the calling hours with the
// legal-hours guard, the daily cap, the retry delay. `every_reason` goes on after a reason that
// time does not cure (the check reports them all); without it the first one ends the judgement
// (the dialer acts on it).
Result<CallPolicyVerdict> JudgeCall(const CallPolicyInput& in, const domain::CallLauncher& launcher, bool every_reason);

}  // namespace parley::dialer
