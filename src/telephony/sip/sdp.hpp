#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "telephony/rtp/rtp_stream.hpp"

namespace parley::telephony::sip {

// The largest SDP body Parley reads; carriers' offers are a few hundred bytes.
inline constexpr size_t kMaxSdpBytes = 8 * 1024;

// Parley's SRTP key in its SDP (RFC 4568 SDES, AES_CM_128_HMAC_SHA1_80): the key and salt
// (rtp::kSrtpKeyBytes) and the crypto attribute's tag (an answer repeats the offer's).
struct SdesKey {
    std::string key;
    int tag = 1;
};

// Parley's SDP for one call: audio at `address`:`port`, the G.711 laws of `codecs` in their
// order ("PCMU", "PCMA"), 20 ms packets, and RFC 4733 telephone events; with `srtp`, as
// RTP/SAVP with that key.
std::string OfferSdp(std::string_view address, int port, const std::vector<std::string>& codecs,
                     const SdesKey* srtp = nullptr);

// Reads the peer's SDP (an answer, or an offer in a re-INVITE): the first audio stream's
// address and port, the first of its codecs that is one of `codecs`, its telephone-event type
// and whether it holds the call; with `srtp`, its SRTP key, which it must have. An error names
// what is wrong: not SDP, no audio, a port out of range, no codec in common, no SRTP key when
// one is needed, encrypted audio when none is.
// The other body Parley reads from peers: a NOTIFY's message/sipfrag (RFC 3420) on a transfer,
// "SIP/2.0 200 OK". Its status code and the rest of its status line ("200 OK"); nothing when
// the body is not a status line.
struct Sipfrag {
    int status = 0;
    std::string line;
};
std::optional<Sipfrag> ReadSipfrag(std::string_view body);

std::expected<rtp::RemoteMedia, std::string> ReadRemoteSdp(std::string_view sdp, const std::vector<std::string>& codecs,
                                                           bool srtp = false);

}  // namespace parley::telephony::sip
