#include "telephony/rtp/rtp_stream.hpp"

#include <ortp/ortp.h>
#include <spandsp.h>

#include <algorithm>
#include <array>
#include <mutex>

namespace parley::telephony::rtp {

namespace {

constexpr int kSamplesPerPacket = 160;  // 20 ms at 8 kHz
// The jitter buffer starts at 40 ms and adapts to the network's jitter from there.
constexpr int kJitterMs = 40;

RtpProfile* Profile() {
    static RtpProfile* profile = [] {
        ortp_init();
        // oRTP logs through bctoolbox to stderr; a call's media problems are reported by Parley.
        bctbx_set_log_level(nullptr, BCTBX_LOG_FATAL);
        RtpProfile* p = rtp_profile_new("parley");
        rtp_profile_set_payload(p, kPcmu, &payload_type_pcmu8000);
        rtp_profile_set_payload(p, kPcma, &payload_type_pcma8000);
        rtp_profile_set_payload(p, kTelephoneEvent, &payload_type_telephone_event);
        return p;
    }();
    return profile;
}

char DigitOf(int event) {
    static constexpr std::string_view kDigits = "0123456789*#ABCD";
    return event >= 0 && event < static_cast<int>(kDigits.size()) ? kDigits[static_cast<size_t>(event)] : '\0';
}

}  // namespace

PortRange::PortRange(int first, int last) : first_(first + (first % 2)), last_(last) {}

int PortRange::Next() {
    return first_ + 2 * static_cast<int>(next_.fetch_add(1) % static_cast<unsigned>(size()));
}

struct RtpStream::Session {
    RtpSession* rtp = nullptr;
    // Keys heard as tones in the audio, for peers that send no RFC 4733 events (spandsp).
    dtmf_rx_state_t* tones = nullptr;
    // Once the peer has sent an RFC 4733 event, its keys come that way alone: a phone that sends
    // both would otherwise press every key twice.
    bool sends_events = false;
    std::string digits;  // keys received, from callbacks on the media thread
    ~Session() {
        if (rtp) rtp_session_destroy(rtp);
        if (tones) dtmf_rx_free(tones);
    }
    void Add(char digit) {
        if (digit != '\0' && digits.size() < 64) digits.push_back(digit);
    }
};

namespace {

void OnTelephoneEvent(RtpSession* /*session*/, void* event, void* user, void* /*unused*/) {
    auto* self = static_cast<RtpStream::Session*>(user);
    self->sends_events = true;
    self->Add(DigitOf(static_cast<int>(reinterpret_cast<intptr_t>(event))));
}

void OnTones(void* user, const char* digits, int len) {
    auto* self = static_cast<RtpStream::Session*>(user);
    if (self->sends_events) return;
    for (int i = 0; i < len; ++i) self->Add(digits[i]);
}

}  // namespace

std::unique_ptr<RtpStream> RtpStream::Open(const std::string& address, PortRange& ports) {
    RtpProfile* profile = Profile();
    auto session = std::make_unique<Session>();
    session->rtp = rtp_session_new(RTP_SESSION_SENDRECV);
    RtpSession* s = session->rtp;
    rtp_session_set_scheduling_mode(s, 0);
    rtp_session_set_blocking_mode(s, 0);
    rtp_session_set_profile(s, profile);
    rtp_session_set_payload_type(s, kPcmu);
    rtp_session_set_symmetric_rtp(s, TRUE);
    rtp_session_enable_adaptive_jitter_compensation(s, TRUE);
    rtp_session_set_jitter_compensation(s, kJitterMs);
    rtp_session_signal_connect(s, "telephone-event", reinterpret_cast<RtpCallback>(&OnTelephoneEvent), session.get());
    session->tones = dtmf_rx_init(nullptr, &OnTones, session.get());
    if (session->tones == nullptr) return nullptr;
    // oRTP sets SO_REUSEADDR and SO_REUSEPORT by default, which would let a second call bind a
    // port a live call holds and take its packets.
    rtp_session_set_reuseaddr(s, FALSE);
    for (int tries = 0; tries < ports.size(); ++tries) {
        const int port = ports.Next();
        if (rtp_session_set_local_addr(s, address.c_str(), port, port + 1) == 0) {
            return std::unique_ptr<RtpStream>(new RtpStream(std::move(session), port));
        }
    }
    return nullptr;
}

RtpStream::RtpStream(std::unique_ptr<Session> session, int port) : session_(std::move(session)), port_(port) {}

RtpStream::~RtpStream() = default;

void RtpStream::SetRemote(const RemoteMedia& remote) {
    RtpSession* s = session_->rtp;
    if (!has_remote_ || remote.address != remote_.address || remote.port != remote_.port) {
        rtp_session_set_remote_addr_and_port(s, remote.address.c_str(), remote.port, remote.port + 1);
    }
    if (!has_remote_ || remote.payload_type != remote_.payload_type) {
        rtp_session_set_send_payload_type(s, remote.payload_type);
        rtp_session_set_recv_payload_type(s, remote.payload_type);
    }
    if (remote.telephone_event >= 0) rtp_session_set_send_telephone_event_payload_type(s, remote.telephone_event);
    remote_ = remote;
    has_remote_ = true;
}

void RtpStream::Exchange(std::span<const int16_t> out, std::span<int16_t> in) {
    RtpSession* s = session_->rtp;
    const bool alaw = remote_.payload_type == kPcma;
    if (has_remote_ && remote_.send) {
        std::array<uint8_t, kSamplesPerPacket> packet{};
        const size_t n = std::min(out.size(), packet.size());
        for (size_t i = 0; i < n; ++i) packet[i] = alaw ? linear_to_alaw(out[i]) : linear_to_ulaw(out[i]);
        if (rtp_session_send_with_ts(s, packet.data(), static_cast<int>(n), send_ts_) >= 0) ++packets_sent_;
    }
    send_ts_ += kSamplesPerPacket;

    std::fill(in.begin(), in.end(), int16_t{0});
    mblk_t* m = rtp_session_recvm_with_ts(s, receive_ts_);
    receive_ts_ += kSamplesPerPacket;
    if (m == nullptr) {
        ListenForTones(in);  // a gap ends a tone too
        return;
    }
    ++packets_received_;
    const int type = rtp_get_payload_type(m);
    unsigned char* payload = nullptr;
    const int size = rtp_get_payload(m, &payload);
    // Audio in another G.711 law than agreed is still G.711; anything else is not audio.
    if ((type == kPcmu || type == kPcma) && size > 0) {
        const size_t n = std::min(static_cast<size_t>(size), in.size());
        for (size_t i = 0; i < n; ++i) in[i] = type == kPcma ? alaw_to_linear(payload[i]) : ulaw_to_linear(payload[i]);
    }
    freemsg(m);
    ListenForTones(in);
}

void RtpStream::ListenForTones(std::span<int16_t> in) {
    if (!session_->sends_events) dtmf_rx(session_->tones, in.data(), static_cast<int>(in.size()));
}

std::string RtpStream::TakeDigits() {
    std::string digits;
    digits.swap(session_->digits);
    return digits;
}

}  // namespace parley::telephony::rtp
