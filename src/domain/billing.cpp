#include "domain/billing.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "common/ids.hpp"
#include "common/time_format.hpp"
#include "domain/analytics_service.hpp"
#include "domain/events.hpp"
#include "domain/validation.hpp"

namespace parley::domain {
namespace {

constexpr std::string_view kCurrency = "USD";

Json SettingsJson(const BillingSettings& s) {
    return {
        {"prepaid", s.prepaid},
        {"low_balance_threshold_cents", s.low_balance_threshold_cents ? Json(*s.low_balance_threshold_cents) : Json()},
        {"monthly_limit_cents", s.monthly_limit_cents ? Json(*s.monthly_limit_cents) : Json()}};
}

// This month's call charges as the account has them: none when its month is an earlier one.
std::pair<int64_t, int64_t> MonthSpending(const BillingAccount& a, std::string_view month) {
    if (a.month != month) return {0, 0};
    return {a.month_calls, a.month_spent_cents};
}

std::optional<Error> Refusal(const BillingAccount& a, int64_t now) {
    if (a.settings.prepaid && a.balance_cents <= 0) {
        return Error{ErrorCode::kInsufficientCredits,
                     fmt::format("the credit balance is {} cents: add credits (POST /api/v1/credits/purchase) to place "
                                 "calls",
                                 a.balance_cents),
                     {}};
    }
    const std::string month = MonthOf(now);
    const auto [calls, spent] = MonthSpending(a, month);
    if (a.settings.monthly_limit_cents && spent >= *a.settings.monthly_limit_cents) {
        return Error{ErrorCode::kInsufficientCredits,
                     fmt::format("the monthly spending limit of {} cents is reached ({} cents spent in {}): raise "
                                 "monthly_limit_cents (PATCH /api/v1/billing/settings) or wait for next month",
                                 *a.settings.monthly_limit_cents, spent, month),
                     {}};
    }
    return std::nullopt;
}

Event LimitEvent(std::string_view type, std::string_view org_id, std::string_view month, int64_t limit, int64_t spent,
                 int64_t now) {
    return OrgEvent(type, org_id,
                    {{"period", month},
                     {"limit_cents", limit},
                     {"spent_cents", spent},
                     {"percent", limit == 0 ? 100 : spent * 100 / limit}},
                    now);
}

}  // namespace

std::optional<int> TierCallLimit(Tier tier) {
    switch (tier) {
        case Tier::kStandard: return 10;
        case Tier::kProfessional: return 50;
        case Tier::kEnterprise: return std::nullopt;
    }
    return 10;
}

Result<int> CallCeiling(Repos& r, std::string_view org_id, int setting) {
    auto org = r.organizations().Get(org_id);
    if (!org) return Fail(std::move(org.error()));
    const auto limit = *org ? TierCallLimit((*org)->tier) : std::nullopt;
    return limit ? std::min(*limit, setting) : setting;
}

std::string MonthOf(int64_t ms) {
    return FormatIsoTime(ms).substr(0, 7);
}

Result<std::optional<Error>> SpendingRefusal(Repos& r, std::string_view org_id, int64_t now) {
    auto account = r.billing().Account(org_id);
    if (!account) return Fail(std::move(account.error()));
    return Refusal(*account, now);
}

Result<bool> PostEntry(Repos& r, LedgerEntry& entry, int64_t now) {
    auto account = r.billing().Account(entry.org_id);
    if (!account) return Fail(std::move(account.error()));
    const std::string month = MonthOf(entry.created_at);
    auto posted = r.billing().Post(entry, month);
    if (!posted) return Fail(std::move(posted.error()));
    if (!*posted) return false;
    const Posting& p = **posted;
    // The settings were read in this transaction; the balance before is what this posting
    // moved from, whatever other postings came between the read and it.
    const BillingSettings& s = account->settings;
    const int64_t before = p.balance_cents - entry.amount_cents;
    if (s.low_balance_threshold_cents && before >= *s.low_balance_threshold_cents &&
        p.balance_cents < *s.low_balance_threshold_cents) {
        auto recorded = r.webhooks().Record(
            OrgEvent("credits.low", entry.org_id,
                     {{"balance_cents", p.balance_cents}, {"threshold_cents", *s.low_balance_threshold_cents}}, now));
        if (!recorded) return Fail(std::move(recorded.error()));
    }
    if (s.monthly_limit_cents && entry.kind == LedgerKind::kCallCharge && p.month == month) {
        const int64_t limit = *s.monthly_limit_cents;
        const int64_t spent_before = p.month_spent_cents + entry.amount_cents;  // the charge is negative
        const int64_t spent = p.month_spent_cents;
        // 80% of the limit, compared in whole cents times five so no rounding decides it.
        if (spent_before * 5 < limit * 4 && spent * 5 >= limit * 4) {
            auto recorded =
                r.webhooks().Record(LimitEvent("billing.limit_warning", entry.org_id, month, limit, spent, now));
            if (!recorded) return Fail(std::move(recorded.error()));
        }
        if (spent_before < limit && spent >= limit) {
            auto recorded =
                r.webhooks().Record(LimitEvent("billing.limit_reached", entry.org_id, month, limit, spent, now));
            if (!recorded) return Fail(std::move(recorded.error()));
        }
    }
    return true;
}

Result<void> ChargeCall(Repos& r, const Call& call, int64_t now) {
    if (call.cost_cents <= 0) return {};
    LedgerEntry e;
    e.id = NewId("txn_", now);
    e.org_id = call.org_id;
    e.kind = LedgerKind::kCallCharge;
    e.amount_cents = -static_cast<int64_t>(call.cost_cents);
    e.call_id = call.id;
    e.description = fmt::format("call to {}, {} s", call.to_number, call.talk_duration_seconds);
    for (const auto& [component, cents] : call.cost_breakdown.items()) {
        if (cents.is_number_integer() && cents.get<int64_t>() != 0) e.components[component] = cents;
    }
    e.created_at = now;
    auto posted = PostEntry(r, e, now);
    if (!posted) return Fail(std::move(posted.error()));
    return {};
}

Result<Json> BillingService::Balance(const Principal& who) {
    const int64_t now = clock_.NowMs();
    auto account = ReadTx(store_, [&](Repos& r) { return r.billing().Account(who.org_id); });
    if (!account) return Fail(std::move(account.error()));
    const std::string month = MonthOf(now);
    const auto [calls, spent] = MonthSpending(*account, month);
    const auto& limit = account->settings.monthly_limit_cents;
    Json out = {{"balance_cents", account->balance_cents}, {"currency", kCurrency}};
    out.update(SettingsJson(account->settings));
    out["month"] = {{"period", month},
                    {"calls", calls},
                    {"spent_cents", spent},
                    {"limit_cents", limit ? Json(*limit) : Json()},
                    {"remaining_cents", limit ? Json(std::max<int64_t>(0, *limit - spent)) : Json()}};
    const auto refusal = Refusal(*account, now);
    out["can_place_calls"] = !refusal;
    out["refusal"] = refusal ? Json(refusal->message) : Json();
    return out;
}

Result<Page<LedgerEntry>> BillingService::History(const Principal& who, std::optional<std::string_view> kind,
                                                  const PageRequest& page) {
    std::optional<LedgerKind> k;
    if (kind) {
        k = ParseLedgerKind(*kind);
        if (!k) {
            return Fail(Error{ErrorCode::kValidation,
                              "type must be call_charge, purchase or adjustment",
                              {{"type", "\"" + std::string(kind->substr(0, 32)) + "\" is not a ledger entry type"}}});
        }
    }
    return ReadTx(store_, [&](Repos& r) { return r.billing().History(who.org_id, k, page); });
}

Result<Json> BillingService::Usage(const Principal& who, const Json& params) {
    Checker check;
    auto period = ReadPeriod(params, clock_.NowMs(), check);
    if (!check.ok() || !period) return Fail(check.ToError("the period is not valid"));
    std::vector<ChargeSlice> charges;
    std::vector<ComponentSlice> components;
    auto read = store_.Read([&](Repos& r) -> Result<void> {
        auto c = r.billing().Charges(who.org_id, period->since, period->until);
        if (!c) return Fail(std::move(c.error()));
        charges = std::move(*c);
        auto parts = r.billing().Components(who.org_id, period->since, period->until);
        if (!parts) return Fail(std::move(parts.error()));
        components = std::move(*parts);
        return {};
    });
    if (!read) return Fail(std::move(read.error()));
    const auto days = LocalDays(*period);
    // The local day a slice falls on: every UTC offset is a multiple of a slice, so a slice never
    // straddles two.
    auto day_of = [&](int64_t slice_start) {
        auto it = std::upper_bound(days.begin(), days.end(), slice_start,
                                   [](int64_t t, const auto& day) { return t < day.second; });
        return static_cast<size_t>(std::max<std::ptrdiff_t>(0, (it - days.begin()) - 1));
    };
    struct DaySums {
        int64_t calls = 0;
        int64_t cents = 0;
        std::map<std::string, int64_t> parts;
    };
    std::vector<DaySums> sums(days.size());
    DaySums total;
    for (const auto& c : charges) {
        auto& d = sums[day_of(c.slice_start)];
        d.calls += c.calls;
        d.cents += c.cents;
        total.calls += c.calls;
        total.cents += c.cents;
    }
    for (const auto& c : components) {
        sums[day_of(c.slice_start)].parts[c.component] += c.cents;
        total.parts[c.component] += c.cents;
    }
    auto parts_json = [](const std::map<std::string, int64_t>& parts) {
        Json out = Json::object();
        for (const auto& [name, cents] : parts) out[name] = cents;
        return out;
    };
    Json day_rows = Json::array();
    for (size_t i = 0; i < days.size(); ++i) {
        day_rows.push_back({{"date", days[i].first},
                            {"calls", sums[i].calls},
                            {"cost_cents", sums[i].cents},
                            {"components", parts_json(sums[i].parts)}});
    }
    return Json{{"period", PeriodJson(*period)},
                {"currency", kCurrency},
                {"calls", total.calls},
                {"cost_cents", total.cents},
                {"components", parts_json(total.parts)},
                {"days", std::move(day_rows)}};
}

Result<LedgerEntry> BillingService::Record(const Principal& who, LedgerEntry entry) {
    const int64_t now = clock_.NowMs();
    entry.id = NewId("txn_", now);
    entry.org_id = who.org_id;
    entry.created_by = who.key_id;
    entry.created_at = now;
    auto done = store_.Write([&](Repos& r) -> Result<void> {
        auto posted = PostEntry(r, entry, now);
        if (!posted) return Fail(std::move(posted.error()));
        return {};
    });
    if (!done) return Fail(std::move(done.error()));
    return entry;
}

Result<LedgerEntry> BillingService::Purchase(const Principal& who, const Json& body) {
    if (!body.is_object()) return Fail(ErrorCode::kValidation, "request body must be a JSON object");
    Checker check;
    check.RejectUnknownKeys(body, {"amount_cents", "description", "reference"});
    LedgerEntry e;
    e.kind = LedgerKind::kPurchase;
    if (!body.contains("amount_cents")) check.Add("amount_cents", "is required");
    if (auto amount = check.Int(body, "amount_cents", 1, kMaxPurchaseCents)) e.amount_cents = *amount;
    e.description = check.String(body, "description", kMaxLedgerTextBytes).value_or("credit purchase");
    if (e.description.empty()) check.Add("description", "must not be empty");
    e.reference = check.String(body, "reference", 128);
    if (!check.ok()) return Fail(check.ToError("purchase is not valid"));
    return Record(who, std::move(e));
}

Result<LedgerEntry> BillingService::Adjust(const Principal& who, const Json& body) {
    if (!body.is_object()) return Fail(ErrorCode::kValidation, "request body must be a JSON object");
    Checker check;
    check.RejectUnknownKeys(body, {"amount_cents", "reason"});
    LedgerEntry e;
    e.kind = LedgerKind::kAdjustment;
    if (!body.contains("amount_cents")) check.Add("amount_cents", "is required");
    if (auto amount = check.Int(body, "amount_cents", -kMaxPurchaseCents, kMaxPurchaseCents)) {
        if (*amount == 0) check.Add("amount_cents", "must not be 0");
        e.amount_cents = *amount;
    }
    if (auto reason = check.String(body, "reason", kMaxLedgerTextBytes, true)) {
        if (reason->empty()) check.Add("reason", "must not be empty");
        e.description = *reason;
    }
    if (!check.ok()) return Fail(check.ToError("adjustment is not valid"));
    return Record(who, std::move(e));
}

Result<Json> BillingService::Settings(const Principal& who) {
    auto account = ReadTx(store_, [&](Repos& r) { return r.billing().Account(who.org_id); });
    if (!account) return Fail(std::move(account.error()));
    return SettingsJson(account->settings);
}

Result<Json> BillingService::UpdateSettings(const Principal& who, const Json& patch) {
    if (!patch.is_object()) return Fail(ErrorCode::kValidation, "request body must be a JSON object");
    Checker check;
    check.RejectUnknownKeys(patch, {"prepaid", "low_balance_threshold_cents", "monthly_limit_cents"});
    const bool prepaid_given = patch.contains("prepaid");
    const auto prepaid = check.Bool(patch, "prepaid");
    if (prepaid_given && !prepaid && check.ok()) check.Add("prepaid", "must be true or false");
    auto cents = [&](std::string_view key, int lo) -> std::optional<std::optional<int64_t>> {
        if (!patch.contains(key)) return std::nullopt;
        if (patch.at(std::string(key)).is_null()) return std::optional<int64_t>();
        auto n = check.Int(patch, key, lo, kMaxBillingSettingCents);
        if (!n) return std::nullopt;
        return std::optional<int64_t>(*n);
    };
    const auto threshold = cents("low_balance_threshold_cents", 0);
    const auto limit = cents("monthly_limit_cents", 1);
    if (!check.ok()) return Fail(check.ToError("billing settings are not valid"));
    BillingSettings saved;
    auto done = store_.Write([&](Repos& r) -> Result<void> {
        auto account = r.billing().Account(who.org_id);
        if (!account) return Fail(std::move(account.error()));
        saved = account->settings;
        if (prepaid) saved.prepaid = *prepaid;
        if (threshold) saved.low_balance_threshold_cents = *threshold;
        if (limit) saved.monthly_limit_cents = *limit;
        return r.billing().SaveSettings(who.org_id, saved, clock_.NowMs());
    });
    if (!done) return Fail(std::move(done.error()));
    return SettingsJson(saved);
}

}  // namespace parley::domain
