#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace parley::telephony {

// How a blind transfer is going: asked, accepted by the callee's side (202), done (the callee's
// side reports that the new call was answered), or failed.
enum class ReferState { kAsked, kAccepted, kDone, kFailed };

// The media of one answered call, driven by the media clock one 20 ms frame at a time. Never
// blocks and never throws: it runs on the media thread.
class CallLeg {
public:
    virtual ~CallLeg() = default;
    // Sends one frame of the agent's audio and receives the callee's frame of the same 20 ms.
    virtual void Exchange(std::span<const int16_t> agent_out, std::span<int16_t> callee_in) = 0;
    // The words the agent starts speaking now. A real line ignores it; the sandbox's simulated
    // callee "hears" them through it instead of recognizing the agent's audio.
    virtual void Caption(std::string_view agent_words) = 0;
    // The keys the callee pressed since the last call ("0"-"9", "*", "#", "A"-"D"); none on a
    // line that carries no telephone events.
    virtual std::string TakeDigits() { return {}; }
    // Presses `keys` on the line (a PBX extension, say); false when this line cannot.
    virtual bool SendDigits(std::string_view /*keys*/) { return false; }
    // Asks the callee's side to call `e164` in Parley's place (a blind transfer, SIP REFER); false
    // when this line cannot.
    virtual bool Refer(std::string_view /*e164*/) { return false; }
    // How the transfer Refer() asked for is going; why, when it failed.
    virtual ReferState ReferProgress(std::string& /*reason*/) { return ReferState::kFailed; }
    // True once the callee has hung up.
    virtual bool HungUp() const = 0;
    virtual void Hangup() = 0;
};

enum class DialState { kRinging, kAnswered, kBusy, kNoAnswer, kFailed };

// An outbound call being placed, polled by the media clock once per frame.
class Dialing {
public:
    virtual ~Dialing() = default;
    // Advances the call by one 20 ms frame.
    virtual DialState Tick() = 0;
    // The connected call, once Tick() returned kAnswered (called once).
    virtual std::unique_ptr<CallLeg> TakeLeg() = 0;
    // Why the call failed (kFailed).
    virtual std::string FailureReason() const { return {}; }
    virtual void Cancel() = 0;
};

// A way to reach phones: the sandbox, or a SIP trunk.
class Carrier {
public:
    virtual ~Carrier() = default;
    virtual std::string_view Name() const = 0;
    // kUnprocessable naming why when this carrier cannot call `e164`.
    virtual Result<void> CheckReachable(std::string_view e164) const = 0;
    virtual std::unique_ptr<Dialing> Dial(std::string_view from, std::string_view to) = 0;
};

}  // namespace parley::telephony
