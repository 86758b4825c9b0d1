#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "calls/runtime_options.hpp"
#include "calls/session.hpp"
#include "common/clock.hpp"
#include "domain/repos.hpp"
#include "telephony/carrier.hpp"
#include "telephony/sip/sip_agent.hpp"
#include "voice/speech_engines.hpp"

namespace parley::calls {

class MediaLoop;

// Admits queued calls while lines are free: claims each for this node in the database (another
// node or a cancel may get it first), builds its session (the profile's plan with the contact's
// facts and the call's own questions, and its brain), dials it through the carrier and hands it
// to the media loop: through SIP when the call is from a number of the organization's own
// (that number's carrier), through `carrier` otherwise. A call that cannot run is failed with
// the reason. Runs on its own thread,
// every second and whenever Wake() is called.
class Dispatcher {
public:
    Dispatcher(domain::Store& store, const Clock& clock, voice::SpeechEngines& engines, telephony::Carrier& carrier,
               telephony::sip::SipAgent* sip, const RuntimeOptions& options, MediaLoop& media);
    ~Dispatcher();
    Dispatcher(const Dispatcher&) = delete;
    Dispatcher& operator=(const Dispatcher&) = delete;

    void Start();
    void Stop();
    // Look for queued calls now.
    void Wake();
    // An inbound SIP call: answered by the profile of the number it is for when that number's
    // carrier may send it, refused otherwise (404 unknown number, 403 source not allowed, 480 no
    // agent, 486 no free line, for its recognizer too). Any thread; never blocks.
    void TakeInbound(std::unique_ptr<telephony::sip::IncomingCall> incoming);

private:
    void ClaimQueued();
    // Whether the organization has as many calls live as it may (its dialer settings'
    // max_concurrent_calls), or as `carrier` has channels.
    static Result<bool> AtCapacity(domain::Repos& r, const std::string& org_id,
                                   const std::optional<domain::Carrier>& carrier);
    // Whether the recognizer `stt` runs on this node (and counts against max_local_calls).
    bool RecognizedHere(std::string_view stt) const;
    void RouteInbound();
    void Route(std::unique_ptr<telephony::sip::IncomingCall> incoming);
    // Claims `call` and builds its session. With `incoming`, the call is new (an inbound call,
    // inserted here) and its leg is `incoming`, which it takes and answers.
    std::optional<std::shared_ptr<Session>> Prepare(domain::Call call,
                                                    std::unique_ptr<telephony::sip::IncomingCall>* incoming = nullptr);

    domain::Store& store_;
    const Clock& clock_;
    voice::SpeechEngines& engines_;
    telephony::Carrier& carrier_;
    telephony::sip::SipAgent* sip_;
    const RuntimeOptions& options_;
    MediaLoop& media_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool running_ = false;                                               // guarded by mutex_
    bool wanted_ = false;                                                // guarded by mutex_
    std::deque<std::unique_ptr<telephony::sip::IncomingCall>> inbound_;  // guarded by mutex_
    std::thread thread_;
    // Profiles whose calls found no free line for their recognizer in this pass: their other
    // queued calls are passed over until the next (dispatcher thread only).
    std::set<std::string, std::less<>> held_local_;
};

}  // namespace parley::calls
