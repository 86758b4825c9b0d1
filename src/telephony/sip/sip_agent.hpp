#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "telephony/carrier.hpp"

namespace parley::telephony::sip {

enum class Transport { kUdp, kTcp, kTls };

// A SIP trunk as calls are placed over it: where its signalling goes, how Parley signs in, and
// what media it speaks. The call runtime makes one from an organization's carrier.
struct SipTrunk {
    std::string host;
    int port = 5060;
    Transport transport = Transport::kUdp;
    std::optional<std::string> username;
    std::optional<std::string> password;
    std::string from_domain;     // the From header's host; `host` when empty
    std::string outbound_proxy;  // "host" or "host:port": every request goes there first
    std::vector<std::string> codecs{"PCMU", "PCMA"};
    bool srtp = false;  // media as SRTP with SDES keys, never plain RTP
};

// Where Parley's SIP listens, the address it gives peers, and the ports its RTP takes.
struct SipOptions {
    std::string listen_host = "0.0.0.0";
    int listen_port = 5060;
    // The address written in Contact headers and SDP, for a node behind NAT; empty: the listen
    // address, or (listening on every address) the local address that reaches each peer.
    std::string advertised_host;
    int rtp_first_port = 10000;
    int rtp_last_port = 20000;
    std::string user_agent = "Parley";
    // SIP over TLS, on listen_host:tls_port (0: no TLS), with this certificate: one PEM file
    // holding the certificate chain and its unencrypted private key. Carriers' certificates are
    // verified against tls_ca (a PEM bundle), or the system's bundle when it is empty.
    int tls_port = 0;
    std::string tls_certificate;
    std::string tls_ca;
};

// An INVITE from outside, waiting for Parley to decide: the caller hears ringing until Answer()
// or Reject(). As a Dialing it rings until the answer is acknowledged, and fails when the caller
// gives up first.
class IncomingCall : public Dialing {
public:
    virtual const std::string& to_user() const = 0;    // the Request-URI's user: the number called
    virtual const std::string& from_user() const = 0;  // the caller, as the From header gives it
    virtual const std::string& source() const = 0;     // the IP address the INVITE came from
    // Answers 200 with Parley's SDP for the codecs of the carrier's the caller offered; the call
    // is then the carrier's (a blind transfer asks the caller to call the carrier's host).
    virtual void Answer(const SipTrunk& trunk) = 0;
    virtual void Reject(int status, const std::string& phrase) = 0;
};

// A peer's answer to an OPTIONS.
struct PingAnswer {
    int status = 0;
    std::string phrase;
    double round_trip_ms = 0;
    bool from_peer = true;  // false: the SIP stack answered for a peer it could not reach
};

// Takes each inbound call on the SIP thread; it must not block (hand the call to another thread).
using InboundHandler = std::function<void(std::unique_ptr<IncomingCall>)>;

// How the final answer to an INVITE ends a call (RFC 3261 codes as carriers use them): 486, 600
// and 603 are busy; 408, 480 and 487 no answer; any other failure is a failure.
DialState StateForFinalStatus(int status);

// Parley's SIP user agent, over sofia-sip's NUA: one thread runs the SIP stack; calls are
// placed from any thread and their state is read by the media thread without locks. Each
// call's media is an oRTP stream on a port of the RTP range.
class SipAgent {
public:
    explicit SipAgent(SipOptions options);
    ~SipAgent();
    SipAgent(const SipAgent&) = delete;
    SipAgent& operator=(const SipAgent&) = delete;

    // Who takes inbound calls; without one every INVITE from outside is answered 404. Set it
    // before Start().
    void OnInbound(InboundHandler handler);
    // Binds the SIP port (UDP and TCP, and TLS when configured) and starts the SIP thread.
    Result<void> Start();
    // Whether calls can go over TLS (SipOptions::tls_port).
    bool tls() const;
    // Ends every call and stops the thread.
    void Stop();

    // An outbound call over `trunk`, from and to the user parts the carrier expects ("+1415…").
    // nullptr when no RTP port is free.
    std::unique_ptr<Dialing> Dial(const SipTrunk& trunk, const std::string& from_user, const std::string& to_user);

    // Sends an OPTIONS to the trunk (through its outbound proxy) and waits up to `timeout` for an
    // answer; nothing when none came. Any thread but the SIP thread.
    std::optional<PingAnswer> Ping(const SipTrunk& trunk, std::chrono::milliseconds timeout);

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

}  // namespace parley::telephony::sip
