#pragma once

// The campaign dialer: a loop that turns running campaigns' queues into calls.

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "domain/call_service.hpp"
#include "domain/entities.hpp"
#include "domain/repos.hpp"

namespace parley::dialer {

using domain::RetryRules;

// What an ended attempt means for its contact.
struct AttemptVerdict {
    bool retry = false;   // call again after the rules' delay
    std::string outcome;  // the attempt's outcome: a call status, or the disposition of a conversation
};

// Retries only outcomes the rules name (no_answer, busy, failed, voicemail), while attempts are
// left; never after a conversation (whatever its disposition: an opt-out, a wrong number, a
// booked meeting), nor a canceled call.
AttemptVerdict JudgeAttempt(const RetryRules& rules, domain::CallStatus status,
                            const std::optional<std::string>& disposition, int attempts);

struct DialerOptions {
    // Calls placed per campaign per pass, so that starting a campaign of a million contacts
    // does not burst; concurrent_calls and the organization's ceiling bound it too.
    int max_starts_per_pass = 500;
    int max_finished_per_pass = 2000;
    // Wall time between passes of the background loop; Wake() starts one at once.
    std::chrono::milliseconds interval{250};
};

struct PassResult {
    int placed = 0;       // calls queued
    int rescheduled = 0;  // contacts not callable now, with the time they next may be
    int retries = 0;      // ended attempts to be tried again
    int done = 0;         // contacts that became final
    int completed_campaigns = 0;
    int set_aside = 0;  // running campaigns paused because their stored settings do not read back
};

// Every decision takes the injected clock's time, so tests run days of schedules in
// milliseconds by calling RunOnce with a manual clock. Each pass works in short transactions;
// a call is queued in the same transaction that marks its contact "dialing" with the call's id,
// so a crash at any moment neither loses a contact nor places one attempt twice, and with
// PostgreSQL several nodes claim different rows (FOR UPDATE SKIP LOCKED).
class Dialer {
public:
    Dialer(domain::Store& store, const Clock& clock, domain::CallLauncher& launcher, DialerOptions options = {});
    ~Dialer();
    Dialer(const Dialer&) = delete;
    Dialer& operator=(const Dialer&) = delete;

    // One pass: closes ended attempts (retry or done), places the due contacts of every running
    // campaign within its limits, and completes campaigns whose contacts are all final.
    Result<PassResult> RunOnce();

    // The background loop: a pass every options.interval of wall time.
    void Start();
    void Stop();
    // Asks for a pass now (a campaign started, a call ended).
    void Wake();

private:
    Result<void> CloseEndedAttempts(PassResult& result);
    Result<void> PlaceDue(const domain::Campaign& campaign, PassResult& result);
    // The call of a campaign's attempt at one contact, queued now.
    domain::Call CampaignCall(const domain::Campaign& campaign, const domain::Profile& profile,
                              const domain::QueueEntry& e, int64_t now) const;
    // Pauses a running campaign whose stored settings do not read back (Campaign::spec_problem),
    // with a campaign.paused event and the reason in the log; GET shows it as settings_error.
    Result<void> SetAside(const domain::Campaign& campaign, PassResult& result);
    Result<void> CompleteIfDone(const domain::Campaign& campaign, PassResult& result);
    void Loop();

    domain::Store& store_;
    const Clock& clock_;
    domain::CallLauncher& launcher_;
    DialerOptions options_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool running_ = false;
    bool woken_ = false;
    std::thread thread_;
};

}  // namespace parley::dialer
