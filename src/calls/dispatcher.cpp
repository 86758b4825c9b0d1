#include "calls/dispatcher.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "calls/call_writer.hpp"
#include "calls/media_loop.hpp"
#include "calls/trunks.hpp"
#include "common/log_throttle.hpp"
#include "common/phone.hpp"
#include "domain/billing.hpp"
#include "domain/call_lifecycle.hpp"
#include "domain/carrier_body.hpp"
#include "domain/outbox.hpp"
#include "voice/brain.hpp"
#include "voice/plan_compiler.hpp"

namespace parley::calls {

using domain::Call;
using domain::CallStatus;
using domain::Json;

namespace {

constexpr auto kDispatchInterval = std::chrono::milliseconds(1000);
// Inbound calls waiting to be routed; more are answered 503 at once (a flood, or a stalled store).
constexpr size_t kMaxInboundWaiting = 256;

}  // namespace

Dispatcher::Dispatcher(domain::Store& store, const Clock& clock, voice::SpeechEngines& engines,
                       telephony::Carrier& carrier, telephony::sip::SipAgent* sip, const RuntimeOptions& options,
                       MediaLoop& media)
    : store_(store), clock_(clock), engines_(engines), carrier_(carrier), sip_(sip), options_(options), media_(media) {}

Dispatcher::~Dispatcher() {
    Stop();
}

void Dispatcher::Start() {
    {
        std::lock_guard lock(mutex_);
        running_ = true;
        wanted_ = true;
    }
    thread_ = std::thread([this] {
        std::unique_lock lock(mutex_);
        while (running_) {
            cv_.wait_for(lock, kDispatchInterval, [&] { return wanted_ || !running_; });
            wanted_ = false;
            if (!running_) break;
            lock.unlock();
            RouteInbound();
            ClaimQueued();
            lock.lock();
        }
    });
}

void Dispatcher::Stop() {
    {
        std::lock_guard lock(mutex_);
        running_ = false;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void Dispatcher::Wake() {
    {
        std::lock_guard lock(mutex_);
        wanted_ = true;
    }
    cv_.notify_one();
}

Result<bool> Dispatcher::AtCapacity(domain::Repos& r, const std::string& org_id,
                                    const std::optional<domain::Carrier>& carrier) {
    if (carrier) {
        auto live = r.calls().Live(org_id, carrier->id);
        if (!live) return Fail(std::move(live.error()));
        if (*live >= carrier->max_channels) return true;
    }
    auto settings = r.campaigns().Settings(org_id);
    if (!settings) return Fail(std::move(settings.error()));
    auto ceiling = domain::CallCeiling(r, org_id, settings->max_concurrent_calls);
    if (!ceiling) return Fail(std::move(ceiling.error()));
    auto live = r.calls().Live(org_id, std::nullopt);
    if (!live) return Fail(std::move(live.error()));
    return *live >= *ceiling;
}

bool Dispatcher::RecognizedHere(std::string_view stt) const {
    const auto* engine = engines_.Stt(stt);
    return engine != nullptr && engine->OnThisNode();
}

void Dispatcher::TakeInbound(std::unique_ptr<telephony::sip::IncomingCall> incoming) {
    {
        std::lock_guard lock(mutex_);
        if (running_ && inbound_.size() < kMaxInboundWaiting) {
            inbound_.push_back(std::move(incoming));
            wanted_ = true;
            cv_.notify_one();
            return;
        }
    }
    incoming->Reject(503, "Service Unavailable");
}

void Dispatcher::RouteInbound() {
    for (;;) {
        std::unique_ptr<telephony::sip::IncomingCall> incoming;
        {
            std::lock_guard lock(mutex_);
            if (inbound_.empty()) return;
            incoming = std::move(inbound_.front());
            inbound_.pop_front();
        }
        Route(std::move(incoming));
    }
}

void Dispatcher::Route(std::unique_ptr<telephony::sip::IncomingCall> incoming) {
    static LogThrottle failed;
    static LogThrottle unknown;
    static LogThrottle forbidden;
    // The Request-URI's user is the number called, with or without its "+".
    std::string dialled = incoming->to_user();
    if (!dialled.starts_with('+')) dialled.insert(0, "+");
    const auto number = ParsePhone(dialled, "US");
    std::optional<domain::OwnedNumber> owned;
    std::optional<domain::Carrier> carrier;
    std::optional<domain::Profile> profile;
    std::optional<std::string> campaign_id;
    auto found = domain::ReadTx(store_, [&](domain::Repos& r) -> Result<bool> {
        if (!number) return false;
        auto o = r.phone_numbers().Owner(number->e164);
        if (!o) return Fail(std::move(o.error()));
        if (!*o) return false;
        owned = std::move(*o);
        auto c = r.carriers().Get(owned->org_id, owned->carrier_id);
        if (!c) return Fail(std::move(c.error()));
        carrier = std::move(*c);
        // A running inbound campaign that answers the number takes the call, with its profile,
        // and counts it in its stats; the number's own profile answers otherwise.
        std::optional<std::string> profile_id = owned->profile_id;
        domain::CampaignFilter inbound;
        inbound.status = domain::CampaignStatus::kRunning;
        inbound.direction = domain::CallDirection::kInbound;
        auto campaigns = r.campaigns().List(owned->org_id, inbound, domain::PageRequest{.limit = 100});
        if (!campaigns) return Fail(std::move(campaigns.error()));
        for (const auto& campaign : campaigns->items) {
            if (std::ranges::find(campaign.spec.caller_ids, owned->number) == campaign.spec.caller_ids.end()) continue;
            campaign_id = campaign.id;
            profile_id = campaign.profile_id;
            break;
        }
        if (profile_id) {
            auto p = r.profiles().Get(owned->org_id, *profile_id);
            if (!p) return Fail(std::move(p.error()));
            profile = std::move(*p);
        }
        return true;
    });
    if (!found) {
        LogLimited(failed, spdlog::level::err, "routing an inbound call failed: {}", found.error().message);
        incoming->Reject(503, "Service Unavailable");
        return;
    }
    if (!owned || !carrier) {
        LogLimited(unknown, spdlog::level::info, "inbound call from {} to unknown number {}: 404", incoming->source(),
                   incoming->to_user());
        incoming->Reject(404, "Not Found");
        return;
    }
    if (!domain::SourceAllowed(incoming->source(), carrier->inbound_sources)) {
        LogLimited(forbidden, spdlog::level::warn,
                   "inbound call to {} from {}, which carrier {} does not list in inbound_sources: 403", owned->number,
                   incoming->source(), carrier->id);
        incoming->Reject(403, "Forbidden");
        return;
    }
    if (!profile || profile->status == domain::ProfileStatus::kArchived) {
        incoming->Reject(480, "Temporarily Unavailable");
        return;
    }
    const int64_t now = clock_.NowMs();
    auto refusal =
        domain::ReadTx(store_, [&](domain::Repos& r) { return domain::SpendingRefusal(r, owned->org_id, now); });
    if (refusal && *refusal) {
        LogLimited(forbidden, spdlog::level::warn, "inbound call to {}: {}: 402", owned->number, (**refusal).message);
        incoming->Reject(402, "Payment Required");
        return;
    }
    auto full = domain::ReadTx(store_, [&](domain::Repos& r) { return AtCapacity(r, owned->org_id, carrier); });
    if (!refusal || media_.FreeLines(RecognizedHere(profile->spec.stt)) <= 0 || !full || *full) {
        incoming->Reject(486, "Busy Here");
        return;
    }
    // The caller's number as E.164 when it is one; as the From header wrote it otherwise.
    std::string caller = incoming->from_user();
    if (auto parsed = ParsePhone(caller.starts_with('+') ? caller : "+" + caller, "US")) caller = parsed->e164;
    Call call = domain::QueuedCall(owned->org_id, *profile, caller, owned->number, profile->spec.extract_fields,
                                   "inbound", now);
    call.direction = domain::CallDirection::kInbound;
    call.campaign_id = campaign_id;
    if (auto session = Prepare(std::move(call), &incoming)) media_.Add(std::move(*session));
    if (incoming) incoming->Reject(480, "Temporarily Unavailable");
}

void Dispatcher::ClaimQueued() {
    const int free_lines = media_.FreeLines();
    if (free_lines <= 0) return;
    // Calls held back by a full carrier or organization stay queued in front of the others, so
    // the dispatcher looks past them.
    constexpr int kHeldWindow = 100;
    auto queued = domain::ReadTx(store_, [&](domain::Repos& r) { return r.calls().Queued(free_lines + kHeldWindow); });
    if (!queued) {
        static LogThrottle throttle;
        LogLimited(throttle, spdlog::level::err, "reading queued calls failed: {}", queued.error().message);
        return;
    }
    held_local_.clear();
    for (auto& call : *queued) {
        if (media_.FreeLines() <= 0) break;
        if (held_local_.contains(call.profile_id)) continue;
        if (auto session = Prepare(std::move(call))) media_.Add(std::move(*session));
    }
}

// Claims one queued call for this node and builds its session; nothing when another node or a
// cancel got it first, or when it cannot run (then it is failed).
std::optional<std::shared_ptr<Session>> Dispatcher::Prepare(Call call,
                                                            std::unique_ptr<telephony::sip::IncomingCall>* incoming) {
    const int64_t now = clock_.NowMs();
    auto s = std::make_shared<Session>(options_.vad);
    std::string failure;
    std::optional<domain::Carrier> trunk;
    auto claimed = domain::WriteTx(store_, [&](domain::Repos& r) -> Result<bool> {
        if (incoming) {
            // A new inbound call: the caller's contact when the organization has one.
            auto contact = r.contacts().IdByPhone(call.org_id, call.from_number);
            if (!contact) return Fail(std::move(contact.error()));
            call.contact_id = *contact;
            if (auto inserted = r.calls().Insert(call); !inserted) return Fail(std::move(inserted.error()));
        }
        auto profile = r.profiles().Get(call.org_id, call.profile_id);
        if (!profile) return Fail(std::move(profile.error()));
        auto defs = r.custom_fields().All(call.org_id);
        if (!defs) return Fail(std::move(defs.error()));
        Json facts = Json::object();
        if (*profile) {
            s->plan = voice::PlanFromJson((*profile)->compiled);
            for (const auto& [k, v] : s->plan.variables.items()) {
                if (!v.is_null()) facts[k] = v;
            }
        } else {
            failure = "profile not found";
        }
        // A call from a number of the organization's own goes out through that number's carrier;
        // an inbound call came in through the carrier of the number it is for.
        auto owned = r.phone_numbers().FindByNumber(call.org_id, incoming ? call.to_number : call.from_number);
        if (!owned) return Fail(std::move(owned.error()));
        if (*owned) {
            auto carrier = r.carriers().Get(call.org_id, (*owned)->carrier_id);
            if (!carrier) return Fail(std::move(carrier.error()));
            if (*carrier) trunk = std::move(**carrier);
        }
        // A queued call over its carrier's channels or the organization's ceiling, or without a
        // line for its recognizer, waits (an inbound call was checked before it was answered).
        s->local_recognizer = RecognizedHere(s->plan.stt);
        if (!incoming && failure.empty() && s->local_recognizer && media_.FreeLines(true) <= 0) {
            held_local_.insert(call.profile_id);
            return false;
        }
        if (!incoming) {
            auto full = AtCapacity(r, call.org_id, trunk);
            if (!full) return Fail(std::move(full.error()));
            if (*full) return false;
            // A call queued before the organization's credits ran out or its monthly limit was
            // reached fails with the reason, rather than waiting in front of other calls.
            auto refusal = domain::SpendingRefusal(r, call.org_id, now);
            if (!refusal) return Fail(std::move(refusal.error()));
            if (*refusal && failure.empty()) failure = (*refusal)->message;
        }
        if (call.contact_id) {
            auto contact = r.contacts().Get(call.org_id, *call.contact_id);
            if (!contact) return Fail(std::move(contact.error()));
            if (*contact) {
                const auto& ct = **contact;
                if (ct.first_name) facts["first_name"] = *ct.first_name;
                if (ct.last_name) facts["last_name"] = *ct.last_name;
                if (ct.company) facts["company"] = *ct.company;
                if (ct.email) facts["email"] = *ct.email;
            }
        }
        facts["phone"] = call.to_number;
        facts.update(call.variables);
        for (const auto& name : call.extract) {
            for (const auto& d : *defs) {
                if (d.name == name) s->extract_fields.push_back(d);
            }
        }
        // The call's own extract list (trigger's override) decides the questions.
        std::vector<voice::PlanStep> steps;
        for (const auto& f : s->extract_fields) {
            auto in_plan = std::find_if(s->plan.steps.begin(), s->plan.steps.end(),
                                        [&](const voice::PlanStep& p) { return p.field == f.name; });
            steps.push_back(in_plan != s->plan.steps.end()
                                ? *in_plan
                                : voice::PlanStep{f.name, f.type, f.options, voice::DefaultQuestion(f)});
        }
        s->plan.steps = std::move(steps);
        if (failure.empty()) {
            auto brain = voice::MakeBrain(s->plan, voice::CallFacts{facts, now}, engines_.endpoints());
            if (brain) {
                s->brain = std::move(*brain);
            } else {
                failure = brain.error().message;
            }
        }
        if (failure.empty() && !engines_.Stt(s->plan.stt)) failure = "recognizer " + s->plan.stt + " is not available";
        if (!failure.empty()) {
            // Only while it is still queued: another node may have claimed it meanwhile.
            return domain::CloseCall(r, call, FailedOutcome(failure), engines_.prices(), now, CallStatus::kQueued);
        }
        const CallStatus before = call.status;
        call.claimed_by = options_.node_id;
        call.started_at = now;
        call.MoveTo(CallStatus::kRinging, now, incoming ? "answering" : "dialing");
        return domain::SaveCall(r, call, before, now);
    });
    if (!claimed) {
        static LogThrottle throttle;
        LogLimited(throttle, spdlog::level::err, "claiming call {} failed: {}", call.id, claimed.error().message);
        return std::nullopt;
    }
    if (!*claimed || !failure.empty()) return std::nullopt;
    // The recognizer loads while the phone rings, not when the callee first speaks.
    engines_.PrepareRecognizer(s->plan.stt);
    engines_.PrepareLines(s->plan);  // on a node that has not run this profile yet
    if (incoming) {
        s->carrier = "byoc";
        (*incoming)->Answer(trunk ? TrunkOf(*trunk) : telephony::sip::SipTrunk{});
        s->dialing = std::move(*incoming);
    } else if (trunk && sip_ == nullptr) {
        s->end_reason = "SIP is off on this node (parley serve --sip-listen)";
    } else if (trunk && trunk->transport == domain::SipTransport::kTls && !sip_->tls()) {
        s->end_reason =
            "the carrier's transport is tls, and SIP over TLS is off on this node (parley serve "
            "--sip-tls-port and --sip-tls-cert)";
    } else if (trunk) {
        s->carrier = "byoc";
        s->dialing = sip_->Dial(TrunkOf(*trunk), CallerIdFor(*trunk, call.from_number), call.to_number);
        if (!s->dialing) s->end_reason = "no RTP port is free";
    } else {
        s->dialing = carrier_.Dial(call.from_number, call.to_number);
    }
    if (s->dialing && trunk && sip_ != nullptr) {
        // A bridged transfer's second call goes out over the same carrier, from the same number.
        const std::string our_number = incoming ? call.to_number : call.from_number;
        s->dial_transfer = [sip = sip_, line = TrunkOf(*trunk), from = CallerIdFor(*trunk, our_number)](
                               const std::string& to) { return sip->Dial(line, from, to); };
    }
    s->call = std::move(call);
    if (!s->dialing) {
        s->final_status = CallStatus::kFailed;
        if (s->end_reason.empty()) s->end_reason = "the carrier cannot reach " + s->call.to_number;
        s->phase = Session::Phase::kDone;
    }
    return s;
}

}  // namespace parley::calls
