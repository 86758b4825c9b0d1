#include "telephony/rtp/rtp_stream.hpp"

#include <ortp/ortp.h>
#include <ortp/telephonyevents.h>
#include <spandsp.h>
#include <srtp2/srtp.h>

#include <algorithm>
#include <array>
#include <mutex>

#include "common/crypto.hpp"

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

// libsrtp's global state, made once.
bool SrtpReady() {
    static const bool ready = srtp_init() == srtp_err_status_ok;
    return ready;
}

// An SRTP context for one direction: `key` (30 bytes) protects what this side sends
// (ssrc_any_outbound) or checks what it receives (ssrc_any_inbound).
srtp_t NewSrtp(const std::string& key, srtp_ssrc_type_t direction) {
    if (!SrtpReady() || key.size() != kSrtpKeyBytes) return nullptr;
    srtp_policy_t policy{};
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
    srtp_crypto_policy_set_rtcp_default(&policy.rtcp);
    policy.ssrc.type = direction;
    std::array<unsigned char, kSrtpKeyBytes> material{};
    std::copy(key.begin(), key.end(), material.begin());
    policy.key = material.data();
    policy.window_size = 0;  // libsrtp's default replay window
    policy.next = nullptr;
    srtp_t context = nullptr;
    if (srtp_create(&context, &policy) != srtp_err_status_ok) return nullptr;
    return context;
}

constexpr std::string_view kDigits = "0123456789*#ABCD";  // RFC 4733's events 0-15
constexpr int kKeyFrames = 5;                             // a key is pressed for 100 ms
constexpr int kKeyGapFrames = 5;                          // and released for 100 ms
constexpr uint8_t kKeyVolume = 10;                        // -10 dBm0

char DigitOf(int event) {
    return event >= 0 && event < static_cast<int>(kDigits.size()) ? kDigits[static_cast<size_t>(event)] : '\0';
}

}  // namespace

PortRange::PortRange(int first, int last) : first_(first + (first % 2)), last_(last) {}

int PortRange::Next() {
    return first_ + 2 * static_cast<int>(next_.fetch_add(1) % static_cast<unsigned>(size()));
}

struct RtpStream::Session {
    RtpSession* rtp = nullptr;
    dtmf_tx_state_t* key_tones = nullptr;  // keys pressed as tones, for a peer without events
    // SRTP, both directions, applied by oRTP transport modifiers on the RTP and RTCP sockets.
    srtp_t srtp_out = nullptr;
    srtp_t srtp_in = nullptr;
    std::string srtp_in_key;
    // Keys heard as tones in the audio, for peers that send no RFC 4733 events (spandsp).
    dtmf_rx_state_t* tones = nullptr;
    // Once the peer has sent an RFC 4733 event, its keys come that way alone: a phone that sends
    // both would otherwise press every key twice.
    bool sends_events = false;
    std::string digits;  // keys received, from callbacks on the media thread
    ~Session() {
        if (rtp) rtp_session_destroy(rtp);  // and with it the modifiers, which use the contexts
        if (tones) dtmf_rx_free(tones);
        if (key_tones) dtmf_tx_free(key_tones);
        if (srtp_out) srtp_dealloc(srtp_out);
        if (srtp_in) srtp_dealloc(srtp_in);
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

// oRTP transport modifiers: they see each packet in network order, on the media thread, and
// answer its new length (0 drops a received packet; a send of 0 is not sent).
template <bool kRtcp>
int ProtectOnSend(RtpTransportModifier* t, mblk_t* m) {
    auto* self = static_cast<RtpStream::Session*>(t->data);
    if (self->srtp_out == nullptr) return 0;  // never in the clear
    // oRTP allocates packets to size: room for the authentication tag first.
    const auto room = static_cast<size_t>(dblk_lim(m->b_datap) - m->b_wptr);
    if (m->b_cont != nullptr || room < SRTP_MAX_TRAILER_LEN + 4) {
        msgpullup(m, static_cast<size_t>(msgdsize(m)) + SRTP_MAX_TRAILER_LEN + 4);
    }
    int len = static_cast<int>(m->b_wptr - m->b_rptr);
    const srtp_err_status_t status =
        kRtcp ? srtp_protect_rtcp(self->srtp_out, m->b_rptr, &len) : srtp_protect(self->srtp_out, m->b_rptr, &len);
    return status == srtp_err_status_ok ? len : 0;
}

template <bool kRtcp>
int UnprotectOnReceive(RtpTransportModifier* t, mblk_t* m) {
    auto* self = static_cast<RtpStream::Session*>(t->data);
    int len = static_cast<int>(m->b_wptr - m->b_rptr);
    if (self->srtp_in == nullptr) return 0;
    const srtp_err_status_t status =
        kRtcp ? srtp_unprotect_rtcp(self->srtp_in, m->b_rptr, &len) : srtp_unprotect(self->srtp_in, m->b_rptr, &len);
    return status == srtp_err_status_ok ? len : 0;  // forged, replayed or plain: dropped
}

void DestroyModifier(RtpTransportModifier* t) {
    delete t;
}

template <bool kRtcp>
void AddSrtpModifier(RtpTransport* transport, RtpStream::Session* session) {
    auto* m = new RtpTransportModifier{};
    m->data = session;
    m->t_process_on_send = &ProtectOnSend<kRtcp>;
    m->t_process_on_receive = &UnprotectOnReceive<kRtcp>;
    m->t_destroy = &DestroyModifier;
    meta_rtp_transport_append_modifier(transport, m);
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
    session->key_tones = dtmf_tx_init(nullptr);
    if (session->tones == nullptr || session->key_tones == nullptr) return nullptr;
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

RtpStream::RtpStream(std::unique_ptr<Session> session, int port) : session_(std::move(session)), port_(port) {
    srtp_key_.resize(kSrtpKeyBytes);
    RandomBytes(reinterpret_cast<uint8_t*>(srtp_key_.data()), srtp_key_.size());
}

RtpStream::~RtpStream() = default;

void RtpStream::SetRemote(const RemoteMedia& remote) {
    RtpSession* s = session_->rtp;
    Session& state = *session_;
    if (!remote.srtp_key.empty() && remote.srtp_key != state.srtp_in_key) {
        // The peer's key (a re-INVITE may bring a new one); ours stays.
        srtp_t in = NewSrtp(remote.srtp_key, ssrc_any_inbound);
        if (state.srtp_in) srtp_dealloc(state.srtp_in);
        state.srtp_in = in;  // nullptr (a key libsrtp refuses): every packet in is dropped
        state.srtp_in_key = remote.srtp_key;
        if (state.srtp_out == nullptr) {
            state.srtp_out = NewSrtp(srtp_key_, ssrc_any_outbound);
            RtpTransport* rtp = nullptr;
            RtpTransport* rtcp = nullptr;
            rtp_session_get_transports(s, &rtp, &rtcp);
            AddSrtpModifier<false>(rtp, &state);
            AddSrtpModifier<true>(rtcp, &state);
        }
    }
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
    if (has_remote_ && remote_.send && !SendKeyFrame()) {
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

void RtpStream::SendDigits(std::string_view keys) {
    for (const char key : keys) {
        if (kDigits.find(key) != std::string_view::npos && keys_out_.size() < 32) keys_out_.push_back(key);
    }
}

bool RtpStream::SendKeyFrame() {
    if (keys_out_.empty()) return false;
    RtpSession* s = session_->rtp;
    const char key = keys_out_.front();
    const int frame = key_frame_++;
    if (key_frame_ == kKeyFrames + kKeyGapFrames) {
        keys_out_.erase(0, 1);
        key_frame_ = 0;
    }
    if (frame >= kKeyFrames) return false;  // the gap: audio (the agent is silent meanwhile)
    if (remote_.telephone_event >= 0) {
        // One event: every packet has the timestamp of its start and the duration so far; the
        // last has the end bit and goes three times (RFC 4733 section 2.5.1.4).
        if (frame == 0) key_start_ts_ = send_ts_;
        const bool end = frame == kKeyFrames - 1;
        for (int copy = 0; copy < (end ? 3 : 1); ++copy) {
            mblk_t* packet = rtp_session_create_telephone_event_packet(s, frame == 0 && copy == 0 ? 1 : 0);
            if (packet == nullptr) return true;
            rtp_session_add_telephone_event(s, packet, static_cast<uint8_t>(kDigits.find(key)), end ? 1 : 0, kKeyVolume,
                                            static_cast<uint16_t>((frame + 1) * kSamplesPerPacket));
            if (rtp_session_sendm_with_ts(s, packet, key_start_ts_) >= 0) ++packets_sent_;
        }
        return true;
    }
    // No events: the key's two tones in the audio.
    if (frame == 0) dtmf_tx_put(session_->key_tones, std::string(1, key).c_str(), 1);
    std::array<int16_t, kSamplesPerPacket> tones{};
    dtmf_tx(session_->key_tones, tones.data(), kSamplesPerPacket);
    std::array<uint8_t, kSamplesPerPacket> packet{};
    const bool alaw = remote_.payload_type == kPcma;
    for (size_t i = 0; i < packet.size(); ++i) packet[i] = alaw ? linear_to_alaw(tones[i]) : linear_to_ulaw(tones[i]);
    if (rtp_session_send_with_ts(s, packet.data(), kSamplesPerPacket, send_ts_) >= 0) ++packets_sent_;
    return true;
}

std::string RtpStream::TakeDigits() {
    std::string digits;
    digits.swap(session_->digits);
    return digits;
}

}  // namespace parley::telephony::rtp
