#pragma once

// Money (seeds 001 "Billing", 002 "Credits" and "Rate Limits", 003 "Account" and 402): an
// organization's ledger in integer cents, its balance, what it chose about spending, and the
// rules that stop calls when it may not spend. Payment providers are out of scope: a purchase
// records credits an owner or admin bought elsewhere.

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "domain/entities.hpp"
#include "domain/repos.hpp"

namespace parley::domain {

inline constexpr int kMaxPurchaseCents = 100'000'000;          // one purchase or adjustment: $1,000,000
inline constexpr int kMaxBillingSettingCents = 1'000'000'000;  // a threshold or monthly limit: $10,000,000
inline constexpr size_t kMaxLedgerTextBytes = 500;

// How many calls an organization of `tier` may have live at once (seed 002's table): 10
// standard, 50 professional; none for enterprise, whose ceiling is its own dialer setting.
std::optional<int> TierCallLimit(Tier tier);

// The most calls the organization may have live at once: `setting` (its dialer settings'
// max_concurrent_calls) within its tier's limit.
Result<int> CallCeiling(Repos& r, std::string_view org_id, int setting);

// "2026-12": the UTC month of `ms`.
std::string MonthOf(int64_t ms);

// Why the organization may not start a call now, as 402 INSUFFICIENT_CREDITS: a prepaid
// balance at or below zero, or this month's spending limit reached. None when it may.
Result<std::optional<Error>> SpendingRefusal(Repos& r, std::string_view org_id, int64_t now);

// Writes `entry` (its id and created_at set) to the ledger and moves the balance, and records
// the events the move crosses, each once: credits.low when the balance goes from at or above
// the organization's threshold to below it; billing.limit_warning and billing.limit_reached
// when this month's call charges go from under 80% or 100% of its limit to at or over it.
// False, changing nothing, when the entry's call was charged before.
Result<bool> PostEntry(Repos& r, LedgerEntry& entry, int64_t now);

// The charge of a call that ended with a cost (nothing for a call that cost nothing), its
// components the call's cost_breakdown. Made in the transaction that ends the call, and unique
// per call in the database, so retries and restarts never charge it twice.
Result<void> ChargeCall(Repos& r, const Call& call, int64_t now);

class BillingService {
public:
    BillingService(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

    // {balance_cents, currency, prepaid, low_balance_threshold_cents, monthly_limit_cents,
    // month: {period, calls, spent_cents, limit_cents, remaining_cents}, can_place_calls,
    // refusal}: seed 001's billing balance, seed 002's credits balance, seed 003's balance.
    Result<Json> Balance(const Principal& who);
    // Ledger entries newest first, of one kind (call_charge, purchase, adjustment) or all.
    Result<Page<LedgerEntry>> History(const Principal& who, std::optional<std::string_view> kind,
                                      const PageRequest& page);
    // Call charges of a period (the analytics period fields: date_range, date_from/date_to,
    // since/until, timezone) by local day and by component:
    // {period, calls, cost_cents, components: {name: cents}, days: [{date, calls, cost_cents, components}]}.
    Result<Json> Usage(const Principal& who, const Json& params);
    // {amount_cents (1 to kMaxPurchaseCents), description?, reference?}: credits bought.
    Result<LedgerEntry> Purchase(const Principal& who, const Json& body);
    // {amount_cents (non-zero, either sign), reason}: a correction a person makes.
    Result<LedgerEntry> Adjust(const Principal& who, const Json& body);
    // {prepaid, low_balance_threshold_cents, monthly_limit_cents}.
    Result<Json> Settings(const Principal& who);
    // Any of those; null removes the threshold or the limit.
    Result<Json> UpdateSettings(const Principal& who, const Json& patch);

private:
    Result<LedgerEntry> Record(const Principal& who, LedgerEntry entry);

    Store& store_;
    const Clock& clock_;
};

}  // namespace parley::domain
