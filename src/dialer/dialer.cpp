#include "dialer/dialer.hpp"

#include <spdlog/spdlog.h>

#include <map>

#include "common/ids.hpp"
#include "common/log_throttle.hpp"
#include "dialer/callee_zone.hpp"
#include "dialer/calling_window.hpp"
#include "domain/schedule.hpp"

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
date::sys_seconds ToSeconds(int64_t ms) {
    return date::sys_seconds{std::chrono::seconds{ms / 1000}};
}

void Finish(QueueEntry& e, std::string outcome, int64_t now) {
    e.state = "done";
    e.outcome = std::move(outcome);
    e.updated_at = now;
}

}  // namespace

RetryRules RetryRulesOf(const Json& spec) {
    RetryRules rules;
    const Json& r = spec.contains("retry_rules") ? spec["retry_rules"] : Json::object();
    rules.max_attempts = r.value("max_attempts", rules.max_attempts);
    rules.delay_minutes = r.value("delay_minutes", rules.delay_minutes);
    rules.max_attempts_per_day = r.value("max_attempts_per_day", rules.max_attempts_per_day);
    if (auto it = r.find("retry_on"); it != r.end() && it->is_array()) {
        rules.retry_on.clear();
        for (const auto& v : *it) rules.retry_on.insert(v.get<std::string>());
    }
    return rules;
}

AttemptVerdict JudgeAttempt(const RetryRules& rules, CallStatus status, const std::optional<std::string>& disposition,
                            int attempts) {
    if (status == CallStatus::kCompleted) return {false, disposition.value_or("completed")};
    if (status == CallStatus::kCanceled) return {false, "canceled"};
    const std::string outcome(domain::ToString(status));
    const bool retry = rules.retry_on.contains(outcome) && attempts < rules.max_attempts;
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
                    rules.retry = RetryRulesOf((*found)->spec);
                }
                it = campaigns.emplace(e.campaign_id, std::move(rules)).first;
            }
            const RetryRules& rules = it->second.retry;
            auto verdict = JudgeAttempt(rules, attempt.status, attempt.disposition, e.attempts);
            const bool stopped = it->second.stopped;
            if (verdict.retry && !stopped) {
                e.state = "pending";
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
        auto saved = r.campaigns().SaveEntries(entries, "dialing");
        if (!saved) return Fail(std::move(saved.error()));
        return {};
    });
}

Result<void> Dialer::PlaceDue(const Campaign& campaign, PassResult& result) {
    auto schedule = domain::ParseSchedule(campaign.spec.value("schedule", Json::object()));
    if (!schedule) return Fail(ErrorCode::kInternal, "stored schedule is not valid: " + schedule.error().message);
    const RetryRules rules = RetryRulesOf(campaign.spec);
    const int concurrent = campaign.spec.value("concurrent_calls", 1);
    std::vector<std::string> caller_ids;
    if (auto it = campaign.spec.find("caller_ids"); it != campaign.spec.end() && it->is_array()) {
        for (const auto& n : *it) caller_ids.push_back(n.get<std::string>());
    }
    const int64_t now = clock_.NowMs();
    const auto now_s = ToSeconds(now);
    return store_.Write([&](domain::Repos& r) -> Result<void> {
        // Another node placing this campaign's calls now counts its lines itself.
        auto mine = r.campaigns().LockForDialing(campaign.id);
        if (!mine) return Fail(std::move(mine.error()));
        if (!*mine) return {};
        auto settings = r.campaigns().Settings(campaign.org_id);
        if (!settings) return Fail(std::move(settings.error()));
        auto dialing = r.campaigns().CountInState(campaign.id, "dialing");
        if (!dialing) return Fail(std::move(dialing.error()));
        auto active = r.campaigns().ActiveCalls(campaign.org_id);
        if (!active) return Fail(std::move(active.error()));
        const int64_t room = std::min<int64_t>(
            {concurrent - *dialing, settings->max_concurrent_calls - *active, options_.max_starts_per_pass});
        if (room <= 0) return {};
        auto profile = r.profiles().Get(campaign.org_id, campaign.profile_id);
        if (!profile) return Fail(std::move(profile.error()));
        if (!*profile || (*profile)->status != domain::ProfileStatus::kActive) {
            return Fail(ErrorCode::kConflict,
                        "profile " + campaign.profile_id + " is archived or gone; no calls placed");
        }
        auto due = r.campaigns().ClaimDue(campaign.id, now, static_cast<int>(room));
        if (!due) return Fail(std::move(due.error()));
        const LegalHoursGuard guard = GuardOf(*settings);
        std::vector<domain::Call> calls;
        calls.reserve(due->size());
        for (auto& e : *due) {
            e.updated_at = now;
            if (!e.phone) {
                Finish(e, "contact_deleted", now);
            } else if (e.attempts >= rules.max_attempts) {
                Finish(e, e.outcome.value_or("attempts_exhausted"), now);
            } else if (e.on_dnc_list) {
                Finish(e, "dnc", now);
            } else if (auto reachable = launcher_.CheckReachable(*e.phone); !reachable) {
                Finish(e, "unreachable", now);
            } else {
                auto zone = ResolveZone(e.timezone, *e.phone, schedule->timezone);
                if (!zone) return Fail(std::move(zone.error()));
                const auto verdict = Evaluate(*schedule, *zone->zone, guard, now_s);
                const std::string today = LocalDate(*zone->zone, now_s);
                if (!verdict.allowed) {
                    if (verdict.next_allowed) {
                        e.next_at = ToMs(*verdict.next_allowed);
                    } else if (!verdict.reasons.empty() &&
                               std::any_of(verdict.reasons.begin(), verdict.reasons.end(), [](const Reason& reason) {
                                   return reason.code == ReasonCode::kAfterEndDate;
                               })) {
                        Finish(e, "schedule_ended", now);
                    } else {
                        e.next_at = now + kMsPerDay;  // nothing allowed within the search: look again tomorrow
                    }
                } else if (e.day == today && e.day_attempts >= rules.max_attempts_per_day) {
                    e.next_at = ToMs(NextLocalDay(*zone->zone, now_s));
                } else {
                    domain::Call call;
                    call.id = NewId("call_", now);
                    call.org_id = campaign.org_id;
                    call.profile_id = campaign.profile_id;
                    call.profile_version = (*profile)->version;
                    call.contact_id = e.contact_id;
                    call.campaign_id = campaign.id;
                    call.to_number = *e.phone;
                    call.from_number = caller_ids.empty()
                                           ? launcher_.CallerId()
                                           : caller_ids[static_cast<size_t>(e.attempts) % caller_ids.size()];
                    call.extract = (*profile)->spec.value("extract_fields", std::vector<std::string>{});
                    call.metadata = {{"campaign_id", campaign.id}, {"attempt", e.attempts + 1}};
                    call.created_at = now;
                    call.MoveTo(CallStatus::kQueued, now, "campaign");
                    calls.push_back(std::move(call));
                    e.state = "dialing";
                    e.call_id = calls.back().id;
                    e.attempts += 1;
                    e.day_attempts = e.day == today ? e.day_attempts + 1 : 1;
                    e.day = today;
                    ++result.placed;
                }
            }
            if (e.state == "done") ++result.done;
            if (e.state == "pending") ++result.rescheduled;
        }
        // The calls and the queue in a few statements: round trips, not the database's work,
        // were most of the time per placed call on PostgreSQL.
        if (auto inserted = r.calls().InsertMany(calls); !inserted) return Fail(std::move(inserted.error()));
        auto saved = r.campaigns().SaveEntries(*due, "pending");
        if (!saved) return Fail(std::move(saved.error()));
        if (*saved != static_cast<int64_t>(due->size())) {
            return Fail(ErrorCode::kConflict, "queue entries changed while they were claimed");
        }
        return {};
    });
}

Result<void> Dialer::CompleteIfDone(const Campaign& campaign, PassResult& result) {
    const int64_t now = clock_.NowMs();
    return store_.Write([&](domain::Repos& r) -> Result<void> {
        // Every contact final, and at least one: a campaign started without contacts waits for
        // the contacts it is given (seed 000 "Create Contact") until it is stopped.
        for (const char* state : {"pending", "dialing", "done"}) {
            auto any = r.campaigns().AnyInState(campaign.id, state);
            if (!any) return Fail(std::move(any.error()));
            if (*any != (std::string_view(state) == "done")) return {};
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
