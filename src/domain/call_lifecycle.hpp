#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/error.hpp"
#include "domain/entities.hpp"
#include "domain/repos.hpp"

namespace parley::domain {

// How every call begins and ends, whoever places it (the calls API, the dialer, later inbound
// calls) and whatever carries it (the sandbox, SIP).

// A call to `to` with `profile`, queued at `now`: what the API and the dialer both create. The
// caller adds what its request says (contact, campaign, variables, metadata, …).
Call QueuedCall(std::string org_id, const Profile& profile, std::string from, std::string to,
                std::vector<std::string> extract, std::string_view source, int64_t now);

// What engines and carriers cost, from the engines file: cents per minute for carriers
// (connected time) and recognizers (audio heard), per 1,000 characters for speech synthesis,
// per call for brains. An engine missing from a table costs nothing.
struct PriceTable {
    std::map<std::string, double> per_minute_cents;
    std::map<std::string, double> per_1k_chars_cents;
    std::map<std::string, double> per_call_cents;
};

// What one call used, to be priced.
struct CallUsage {
    std::string carrier;
    std::string stt;
    std::string tts;
    std::string brain;
    bool connected = false;  // the callee answered: the brain's per-call price applies
    double talk_seconds = 0;
    double stt_audio_seconds = 0;
    size_t tts_chars = 0;
};

// The call's cost_breakdown in whole cents: {"<carrier>": n, "<stt>": n, "<tts>": n, "<brain>": n}.
Json PriceCall(const PriceTable& prices, const CallUsage& usage);

// How a call ended, as the runtime that ran it saw it: sandbox, SIP and inbound calls alike.
struct CallOutcome {
    CallStatus status = CallStatus::kCompleted;
    std::string reason;              // the final transition's reason; the call's error when it failed
    Json analysis = Json::object();  // seed 000 "Call Response" analysis
    Json transcript = Json::array();
    Json tool_executions = Json::array();
    std::optional<std::string> transferred_to;
    std::optional<std::string> recording;
    std::optional<CallUsage> usage;  // none for a call that never reached a carrier
    bool opted_out = false;          // the callee asked not to be called again
};

// Ends `call` with `outcome` in the caller's transaction, the one place a call's end is decided:
// the final status and its transition (kept after the transitions the database already has),
// talk time, transcript, analysis, tools, cost and its charge to the organization's balance,
// the call's event, and, when the callee opted out, the Do Not Call ledger entry with its
// events. False, changing nothing, when the stored call is already final, or is not in
// `only_from` when that is given (a queued call another node claimed first).
Result<bool> CloseCall(Repos& r, const Call& call, const CallOutcome& outcome, const PriceTable& prices, int64_t now,
                       std::optional<CallStatus> only_from = std::nullopt);

// The Do Not Call ledger entry for a callee who asked on `call` not to be called again.
DncLedgerEntry OptOutEntry(const Call& call, int64_t now);

}  // namespace parley::domain
