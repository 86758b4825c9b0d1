#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace parley::telephony::rtp {

// The static payload types of G.711 (RFC 3551) and the dynamic one Parley offers for RFC 4733
// telephone events.
inline constexpr int kPcmu = 0;
inline constexpr int kPcma = 8;
inline constexpr int kTelephoneEvent = 101;

// Where and how to send a call's audio, from the peer's SDP.
struct RemoteMedia {
    std::string address;
    int port = 0;
    int payload_type = kPcmu;  // the G.711 law both sides use
    int telephone_event = -1;  // the peer's RFC 4733 payload type; -1 when it has none
    bool send = true;          // false while the peer holds the call (sendonly, inactive)
    // SRTP (RFC 4568 SDES, AES_CM_128_HMAC_SHA1_80): the peer's master key and salt, 30 bytes;
    // empty for plain RTP.
    std::string srtp_key;
    int srtp_tag = 1;  // the crypto attribute's tag, which an answer repeats
};

// The length of an SRTP master key and salt (AES_CM_128_HMAC_SHA1_80).
inline constexpr size_t kSrtpKeyBytes = 30;

// The UDP ports calls take their RTP from: even ports of [first, last], RTCP on the next odd one.
class PortRange {
public:
    PortRange(int first, int last);
    // The next even port to try, round the range.
    int Next();
    int size() const { return std::max(0, (last_ - 1 - first_) / 2 + 1); }

private:
    int first_;
    int last_;
    std::atomic<unsigned> next_{0};
};

// One call's RTP and RTCP over UDP, through oRTP: G.711 µ-law or A-law at 20 ms a packet,
// oRTP's adaptive jitter buffer on what arrives, symmetric RTP (it answers where the peer's
// packets come from), SSRC and sequence numbers. Made on any thread, then used by the media
// thread alone; it never blocks and never throws there.
class RtpStream {
public:
    // A stream bound to `address` on a free port pair of `ports`; nullptr when none is free.
    static std::unique_ptr<RtpStream> Open(const std::string& address, PortRange& ports);
    ~RtpStream();
    RtpStream(const RtpStream&) = delete;
    RtpStream& operator=(const RtpStream&) = delete;

    int port() const { return port_; }
    // This stream's own SRTP master key and salt (kSrtpKeyBytes random bytes), for its SDP; used
    // once the peer's SDP has a key too.
    const std::string& srtp_key() const { return srtp_key_; }
    // Where to send, and how. With the peer's SRTP key, every packet out is encrypted and
    // authenticated with this stream's key and every packet in must be with the peer's (others
    // are dropped); once on, SRTP stays on.
    void SetRemote(const RemoteMedia& remote);
    // Sends one 20 ms frame (unless the peer holds the call) and takes the received frame of the
    // same 20 ms from the jitter buffer; silence where none arrived in time.
    void Exchange(std::span<const int16_t> out, std::span<int16_t> in);
    // Keys the peer pressed since the last call ("0"-"9", "*", "#", "A"-"D"): RFC 4733 events,
    // or DTMF tones heard in the audio from a peer that sends no events.
    std::string TakeDigits();
    // Presses `keys` ("0"-"9", "*", "#", "A"-"D"; others are skipped, 32 at most waiting) on the
    // next frames, 100 ms each with 100 ms between them, in place of the outgoing audio: as
    // RFC 4733 events to a peer that takes them, as DTMF tones otherwise.
    void SendDigits(std::string_view keys);
    uint64_t packets_sent() const { return packets_sent_; }
    uint64_t packets_received() const { return packets_received_; }

    struct Session;

private:
    RtpStream(std::unique_ptr<Session> session, int port);
    void ListenForTones(std::span<int16_t> in);
    // Sends this frame's part of the key being pressed; false when no key is (audio goes out).
    bool SendKeyFrame();

    std::unique_ptr<Session> session_;
    int port_;
    std::string srtp_key_;
    RemoteMedia remote_;
    bool has_remote_ = false;
    uint32_t send_ts_ = 0;
    uint32_t receive_ts_ = 0;
    uint64_t packets_sent_ = 0;
    uint64_t packets_received_ = 0;
    std::string keys_out_;       // keys waiting to be pressed
    int key_frame_ = 0;          // frames into the key being pressed (and the gap after it)
    uint32_t key_start_ts_ = 0;  // the RTP timestamp of the key's event
};

}  // namespace parley::telephony::rtp
