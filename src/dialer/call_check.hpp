#pragma once

// GET /api/v1/dialer/check: may this number be called now, and if not, every reason.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "dialer/call_policy.hpp"
#include "domain/call_service.hpp"
#include "domain/repos.hpp"

namespace parley::dialer {

// A PolicyReason (call_policy.hpp), or invalid_number.
using CheckReason = PolicyReason;

struct CheckReport {
    std::string phone;  // as asked
    std::optional<std::string> e164;
    std::optional<std::string> campaign_id;
    std::optional<std::string> contact_id;
    bool callable = false;
    std::optional<CalleeZone> zone;
    std::optional<date::sys_seconds> now;
    std::vector<CheckReason> reasons;
    // When every reason is one of time (hours, days, dates, the daily cap): the first moment
    // they all allow a call. Nothing when a reason does not pass with time.
    std::optional<date::sys_seconds> next_allowed;
};

class CallCheck {
public:
    CallCheck(domain::Store& store, const Clock& clock, const domain::CallLauncher& launcher, std::string region)
        : store_(store), clock_(clock), launcher_(launcher), region_(std::move(region)) {}

    // Checks the number against the organization's Do Not Call list and legal-hours guard, the
    // carriers, and with a campaign its schedule and the contact's attempts in it. 400 when no
    // phone is given, 404 for a campaign the organization does not have.
    Result<CheckReport> Check(const domain::Principal& who, std::optional<std::string_view> phone,
                              std::optional<std::string_view> campaign_id) const;

private:
    domain::Store& store_;
    const Clock& clock_;
    const domain::CallLauncher& launcher_;
    std::string region_;
};

}  // namespace parley::dialer
