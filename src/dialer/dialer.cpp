#include "dialer/dialer.hpp"

#include <spdlog/spdlog.h>

#include <map>

#include "common/ids.hpp"
#include "common/log_throttle.hpp"
#include "dialer/call_policy.hpp"
#include "domain/billing.hpp"
#include "domain/call_lifecycle.hpp"

namespace parley::dialer {

using domain::CallStatus;
using domain::Campaign;
using domain::Json;
using domain::QueueEntry;

namespace {

constexpr int64_t kMsPerMinute = 60'000;
constexpr int64_t kMsPerDay = 24 * 3600 * 1000;
constexpr int kCampaignsPerPass = 1000;

int64_t ToMs(date::sys_seconds t) {
    return t.time_since_epoch().count() * 1000;
}

void Finish(QueueEntry& e, std::string outcome, int64_t now) {
    e.state = domain::QueueState::kDone;
    e.outcome = std::move(outcome);
    e.updated_at = now;
}

}  // namespace

domain::Call Dialer::CampaignCall(const Campaign& campaign, const domain::Profile& profile, const QueueEntry& e,
                                  int64_t now) const {
    const auto& caller_ids = campaign.spec.caller_ids;
    std::string from =
        caller_ids.empty() ? launcher_.CallerId() : caller_ids[static_cast<size_t>(e.attempts) % caller_ids.size()];
    domain::Call call = domain::QueuedCall(campaign.org_id, profile, std::move(from), *e.phone,
                                           profile.spec.extract_fields, "campaign", now);
    call.contact_id = e.contact_id;
    call.campaign_id = campaign.id;
    call.metadata = {{"campaign_id", campaign.id}, {"attempt", e.attempts + 1}};
    return call;
}

AttemptVerdict JudgeAttempt(const RetryRules& rules, CallStatus status, const std::optional<std::string>& disposition,
                            int attempts) {
    if (status == CallStatus::kCompleted) return {false, disposition.value_or("completed")};
    if (status == CallStatus::kCanceled) return {false, "canceled"};
    const std::string outcome(domain::ToString(status));
    const bool retry = rules.RetriesOn(outcome) && attempts < rules.max_attempts;
    return {retry, outcome};
}

Dialer::Dialer(domain::Store& store, const Clock& clock, domain::CallLauncher& launcher, DialerOptions options)
    : store_(store), clock_(clock), launcher_(launcher), options_(options) {}

Dialer::~Dialer() {
    Stop();
}

void Dialer::Start() {
    std::lock_guard lock(mutex_);
    if (running_) return;
    running_ = true;
    thread_ = std::thread([this] { Loop(); });
}

void Dialer::Stop() {
    {
        std::lock_guard lock(mutex_);
        if (!running_) return;
        running_ = false;
    }
    wake_.notify_all();
    thread_.join();
}

void Dialer::Wake() {
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    wake_.notify_all();
}

void Dialer::Loop() {
    std::unique_lock lock(mutex_);
    while (running_) {
        woken_ = false;
        lock.unlock();
        auto pass = RunOnce();
        static LogThrottle throttle;
        if (!pass) LogLimited(throttle, spdlog::level::err, "dialer pass failed: {}", pass.error().message);
        lock.lock();
        // A pass that placed its maximum may have more to place at once.
        if (pass && pass->placed >= options_.max_starts_per_pass) continue;
        wake_.wait_for(lock, options_.interval, [&] { return woken_ || !running_; });
    }
}

Result<PassResult> Dialer::RunOnce() {
    PassResult result;
    if (auto closed = CloseEndedAttempts(result); !closed) return Fail(std::move(closed.error()));
    auto running = domain::ReadTx(store_, [&](domain::Repos& r) {
        return r.campaigns().WithStatus(domain::CampaignStatus::kRunning, kCampaignsPerPass);
    });
    if (!running) return Fail(std::move(running.error()));
    for (const auto& campaign : *running) {
        if (campaign.direction != domain::CallDirection::kOutbound) continue;
        if (campaign.spec_problem) {
            if (auto set_aside = SetAside(campaign, result); !set_aside) return Fail(std::move(set_aside.error()));
            continue;
        }
        if (auto placed = PlaceDue(campaign, result); !placed) {
            static LogThrottle throttle;
            LogLimited(throttle, spdlog::level::err, "dialer: campaign {}: {}", campaign.id, placed.error().message);
            continue;
        }
        if (auto completed = CompleteIfDone(campaign, result); !completed) return Fail(std::move(completed.error()));
    }
    if (result.placed > 0) launcher_.Wake();
    return result;
}

Result<void> Dialer::CloseEndedAttempts(PassResult& result) {
    const int64_t now = clock_.NowMs();
    return store_.Write([&](domain::Repos& r) -> Result<void> {
        auto ended = r.campaigns().FinishedAttempts(options_.max_finished_per_pass);
        if (!ended) return Fail(std::move(ended.error()));
        // Each campaign's rules, read once per pass: whether it still calls, and its retry rules.
        struct Rules {
            bool stopped = true;
            RetryRules retry;
        };
        std::map<std::string, Rules, std::less<>> campaigns;
        std::vector<QueueEntry> entries;
        entries.reserve(ended->size());
        for (auto& attempt : *ended) {
            QueueEntry& e = attempt.entry;
            auto it = campaigns.find(e.campaign_id);
            if (it == campaigns.end()) {
                auto found = r.campaigns().Get(e.org_id, e.campaign_id);
                if (!found) return Fail(std::move(found.error()));
                Rules rules;
                if (*found) {
                    // A stopped campaign calls no one again.
                    rules.stopped = (*found)->status == domain::CampaignStatus::kStopped ||
                                    (*found)->status == domain::CampaignStatus::kCompleted;
                    rules.retry = (*found)->spec.retry_rules;
                }
                it = campaigns.emplace(e.campaign_id, std::move(rules)).first;
            }
            const RetryRules& rules = it->second.retry;
            auto verdict = JudgeAttempt(rules, attempt.status, attempt.disposition, e.attempts);
            const bool stopped = it->second.stopped;
            if (verdict.retry && !stopped) {
                e.state = domain::QueueState::kPending;
                e.outcome = verdict.outcome;
                e.next_at = now + rules.delay_minutes * kMsPerMinute;
                e.updated_at = now;
                ++result.retries;
            } else {
                Finish(e, verdict.outcome, now);
                ++result.done;
            }
            entries.push_back(e);
        }
        auto saved = r.campaigns().SaveEntries(entries, domain::QueueState::kDialing);
        if (!saved) return Fail(std::move(saved.error()));
        return {};
    });
}

Result<void> Dialer::PlaceDue(const Campaign& campaign, PassResult& result) {
    const domain::CampaignSpec& spec = campaign.spec;
    const int64_t now = clock_.NowMs();
    return store_.Write([&](domain::Repos& r) -> Result<void> {
        // Another node placing this campaign's calls now counts its lines itself.
        auto mine = r.campaigns().LockForDialing(campaign.id);
        if (!mine) return Fail(std::move(mine.error()));
        if (!*mine) return {};
        auto settings = r.campaigns().Settings(campaign.org_id);
        if (!settings) return Fail(std::move(settings.error()));
        auto dialing = r.campaigns().CountInState(campaign.id, domain::QueueState::kDialing);
        if (!dialing) return Fail(std::move(dialing.error()));
        auto active = r.campaigns().ActiveCalls(campaign.org_id);
        if (!active) return Fail(std::move(active.error()));
        auto ceiling = domain::CallCeiling(r, campaign.org_id, settings->max_concurrent_calls);
        if (!ceiling) return Fail(std::move(ceiling.error()));
        const auto room =
            std::min<int64_t>({spec.concurrent_calls - *dialing, *ceiling - *active, options_.max_starts_per_pass});
        if (room <= 0) return {};
        // An organization that may not spend (credits used up, monthly limit reached) places no
        // calls; its contacts wait where they are until it may again.
        auto refusal = domain::SpendingRefusal(r, campaign.org_id, now);
        if (!refusal) return Fail(std::move(refusal.error()));
        if (*refusal) return {};
        auto profile = r.profiles().Get(campaign.org_id, campaign.profile_id);
        if (!profile) return Fail(std::move(profile.error()));
        if (!*profile || (*profile)->status != domain::ProfileStatus::kActive) {
            return Fail(ErrorCode::kConflict,
                        "profile " + campaign.profile_id + " is archived or gone; no calls placed");
        }
        auto due = r.campaigns().ClaimDue(campaign.id, now, static_cast<int>(room));
        if (!due) return Fail(std::move(due.error()));
        CallPolicyInput in;
        if (!spec.caller_ids.empty()) {
            // The caller ids are all the organization's own numbers or none (CampaignService).
            auto owned = r.phone_numbers().FindByNumber(campaign.org_id, spec.caller_ids.front());
            if (!owned) return Fail(std::move(owned.error()));
            in.own_carrier = owned->has_value();
        }
        in.schedule = &spec.schedule;
        in.rules = &spec.retry_rules;
        in.guard = GuardOf(*settings);
        in.now_ms = now;
        std::vector<domain::Call> calls;
        calls.reserve(due->size());
        for (auto& e : *due) {
            e.updated_at = now;
            if (!e.phone) {
                Finish(e, "contact_deleted", now);
            } else {
                in.e164 = *e.phone;
                in.on_dnc_list = e.on_dnc_list;
                in.stated_zone = e.timezone;
                in.entry = &e;
                auto verdict = JudgeCall(in, launcher_, false);
                if (!verdict) return Fail(std::move(verdict.error()));
                if (verdict->Callable()) {
                    calls.push_back(CampaignCall(campaign, **profile, e, now));
                    e.state = domain::QueueState::kDialing;
                    e.call_id = calls.back().id;
                    e.attempts += 1;
                    e.day_attempts = e.day == verdict->local_date ? e.day_attempts + 1 : 1;
                    e.day = verdict->local_date;
                    ++result.placed;
                } else if (verdict->Has("attempts_exhausted")) {
                    Finish(e, e.outcome.value_or("attempts_exhausted"), now);
                } else if (verdict->Has("dnc") || verdict->Has("unreachable")) {
                    Finish(e, verdict->reasons.front().code, now);
                } else if (verdict->next_allowed) {
                    e.next_at = ToMs(*verdict->next_allowed);
                } else if (verdict->Has(ReasonCodeName(ReasonCode::kAfterEndDate))) {
                    Finish(e, "schedule_ended", now);
                } else {
                    e.next_at = now + kMsPerDay;  // nothing allowed within the search: look again tomorrow
                }
            }
            if (e.state == domain::QueueState::kDone) ++result.done;
            if (e.state == domain::QueueState::kPending) ++result.rescheduled;
        }
        // The calls and the queue in a few statements: round trips, not the database's work,
        // were most of the time per placed call on PostgreSQL.
        if (auto inserted = r.calls().InsertMany(calls); !inserted) return Fail(std::move(inserted.error()));
        auto saved = r.campaigns().SaveEntries(*due, domain::QueueState::kPending);
        if (!saved) return Fail(std::move(saved.error()));
        if (*saved != static_cast<int64_t>(due->size())) {
            return Fail(ErrorCode::kConflict, "queue entries changed while they were claimed");
        }
        return {};
    });
}

Result<void> Dialer::SetAside(const Campaign& campaign, PassResult& result) {
    const int64_t now = clock_.NowMs();
    return store_.Write([&](domain::Repos& r) -> Result<void> {
        Campaign paused = campaign;
        paused.status = domain::CampaignStatus::kPaused;
        paused.updated_at = now;
        auto saved = r.campaigns().Save(paused, domain::CampaignStatus::kRunning);
        if (!saved) return Fail(std::move(saved.error()));
        if (!*saved) return {};  // a user changed it meanwhile
        auto event = r.webhooks().Record(domain::CampaignEvent("campaign.paused", paused, now));
        if (!event) return Fail(std::move(event.error()));
        ++result.set_aside;
        spdlog::warn("campaign {} paused by the dialer: {}", campaign.id, *campaign.spec_problem);
        return {};
    });
}

Result<void> Dialer::CompleteIfDone(const Campaign& campaign, PassResult& result) {
    const int64_t now = clock_.NowMs();
    return store_.Write([&](domain::Repos& r) -> Result<void> {
        // Every contact final, and at least one: a campaign started without contacts waits for
        // the contacts it is given (seed 000 "Create Contact") until it is stopped.
        using domain::QueueState;
        for (QueueState state : {QueueState::kPending, QueueState::kDialing, QueueState::kDone}) {
            auto any = r.campaigns().AnyInState(campaign.id, state);
            if (!any) return Fail(std::move(any.error()));
            if (*any != (state == QueueState::kDone)) return {};
        }
        Campaign done = campaign;
        done.status = domain::CampaignStatus::kCompleted;
        done.ended_at = now;
        done.updated_at = now;
        auto saved = r.campaigns().Save(done, domain::CampaignStatus::kRunning);
        if (!saved) return Fail(std::move(saved.error()));
        if (*saved) {
            auto event = r.webhooks().Record(domain::CampaignEvent("campaign.completed", done, now));
            if (!event) return Fail(std::move(event.error()));
            ++result.completed_campaigns;
            spdlog::info("campaign {} completed: every contact is final", campaign.id);
        }
        return {};
    });
}

}  // namespace parley::dialer
