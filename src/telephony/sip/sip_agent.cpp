#include "telephony/sip/sip_agent.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sofia-sip/msg_addr.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/soa_tag.h>
#include <sofia-sip/su_log.h>
#include <sofia-sip/su_tag_io.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/tport_tag.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "audio/audio.hpp"
#include "common/log_throttle.hpp"
#include "telephony/rtp/rtp_stream.hpp"
#include "telephony/sip/sdp.hpp"

// The logs of sofia-sip's transport, transaction, user agent and SDP layers, which it exports
// without declaring them in its public headers.
extern "C" {
extern su_log_t tport_log[];
extern su_log_t nta_log[];
extern su_log_t nua_log[];
extern su_log_t soa_log[];
}

namespace parley::telephony::sip {

namespace {

// A carrier's usual ring timeout: an unanswered call is cancelled after 30 s.
constexpr int64_t kRingTimeoutFrames = 30'000 / audio::kFrameMs;
// Calls this agent keeps at once, ringing or connected; an INVITE beyond them is answered 503.
constexpr size_t kMaxCalls = 4096;
// The longest user part of a Request-URI or From header Parley reads; phone numbers are shorter.
constexpr size_t kMaxUserBytes = 64;
const std::vector<std::string> kAllCodecs{"PCMU", "PCMA"};

bool IsWildcard(const std::string& host) {
    return host.empty() || host == "0.0.0.0" || host == "::";
}

// The local address the kernel would send from to reach `host` (no packet is sent).
std::string LocalAddressToward(const std::string& host, int port) {
    addrinfo hints{};
    hints.ai_family = AF_INET;
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* found = nullptr;
    if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || found == nullptr) {
        return "127.0.0.1";
    }
    std::string local = "127.0.0.1";
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd >= 0) {
        sockaddr_in me{};
        socklen_t size = sizeof me;
        if (connect(fd, found->ai_addr, found->ai_addrlen) == 0 &&
            getsockname(fd, reinterpret_cast<sockaddr*>(&me), &size) == 0) {
            char text[INET_ADDRSTRLEN] = {};
            if (inet_ntop(AF_INET, &me.sin_addr, text, sizeof text) != nullptr) local = text;
        }
        close(fd);
    }
    freeaddrinfo(found);
    return local;
}

std::string_view TransportParam(Transport t) {
    switch (t) {
        case Transport::kTcp: return ";transport=tcp";
        case Transport::kTls: return ";transport=tls";
        case Transport::kUdp: break;
    }
    return "";
}

// sofia-sip's own logs (a peer's port refusing a datagram is three lines, on every retransmission)
// go through Parley's log, at most a line a second, instead of straight to stderr.
void SofiaLog(void* /*stream*/, const char* format, va_list args) {
    static LogThrottle throttle;
    char line[512];
    va_list copy;
    va_copy(copy, args);
    const int n = std::vsnprintf(line, sizeof line, format, copy);
    va_end(copy);
    if (n <= 0) return;
    std::string_view text(line, std::min<size_t>(static_cast<size_t>(n), sizeof line - 1));
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    if (!text.empty()) LogLimited(throttle, spdlog::level::info, "sip: {}", text);
}

// The system's bundle of certificate authorities (Debian's ca-certificates).
constexpr const char* kSystemCaBundle = "/etc/ssl/certs/ca-certificates.crt";

// sofia-sip reads its TLS certificate and trusted authorities from files of fixed names in one
// folder: a private one is made for it from the files of the configuration, and removed once the
// stack has read them.
class CertificateFolder {
public:
    CertificateFolder(const std::string& certificate, const std::string& ca) {
        char path[] = "/tmp/parley-sip-tls-XXXXXX";
        if (mkdtemp(path) == nullptr) return;
        path_ = path;
        namespace fs = std::filesystem;
        std::error_code ec;
        fs::copy_file(certificate, path_ / "agent.pem", ec);
        if (ec) {
            error_ = "cannot read the TLS certificate " + certificate + ": " + ec.message();
            return;
        }
        fs::copy_file(ca.empty() ? kSystemCaBundle : ca, path_ / "cafile.pem", ec);
        if (ec && !ca.empty()) error_ = "cannot read the TLS certificate authorities " + ca + ": " + ec.message();
    }
    ~CertificateFolder() {
        std::error_code ec;
        if (!path_.empty()) std::filesystem::remove_all(path_, ec);
    }
    CertificateFolder(const CertificateFolder&) = delete;
    CertificateFolder& operator=(const CertificateFolder&) = delete;

    std::string path() const { return path_.string(); }
    // Why the folder could not be made; empty when it was.
    std::string error() const { return path_.empty() ? "cannot make a folder for the TLS certificate" : error_; }

private:
    std::filesystem::path path_;
    std::string error_;
};

// The Route header that sends requests through the trunk's outbound proxy; empty without one.
std::string RouteOf(const SipTrunk& t) {
    return t.outbound_proxy.empty() ? "" : fmt::format("<sip:{};lr{}>", t.outbound_proxy, TransportParam(t.transport));
}

}  // namespace

DialState StateForFinalStatus(int status) {
    if (status >= 200 && status < 300) return DialState::kAnswered;
    if (status == 486 || status == 600 || status == 603) return DialState::kBusy;
    if (status == 408 || status == 480 || status == 487) return DialState::kNoAnswer;
    return DialState::kFailed;
}

// One outbound call. The SIP thread writes its state; the media thread reads it.
struct Call {
    // Shared with the media thread.
    std::atomic<DialState> state{DialState::kRinging};
    std::atomic<bool> ended{false};  // the dialog is over (BYE either way, or the INVITE failed)
    std::atomic<uint32_t> media_version{0};
    std::atomic<ReferState> refer{ReferState::kAsked};
    std::mutex mutex;     // guards failure, refer_failure and remote
    std::string failure;  // "SIP 407 Proxy Authentication Required"
    std::string refer_failure;
    rtp::RemoteMedia remote;

    // The SIP thread's own.
    SipTrunk trunk;
    nua_handle_t* handle = nullptr;
    bool inbound = false;
    std::string offer;       // an inbound call's SDP offer
    std::string media_host;  // an inbound call's address in Parley's SDP
    int media_port = 0;
    std::string srtp_key;  // the RTP stream's own, for Parley's SDP
    std::string contact;   // Parley's Contact on this call
    int auth_attempts = 0;
    bool answered = false;
    bool hanging_up = false;
    std::string media_error;  // why the peer's SDP could not be used

    void ReferFailed(std::string why) {
        {
            std::lock_guard lock(mutex);
            if (refer_failure.empty()) refer_failure = std::move(why);
        }
        refer = ReferState::kFailed;
    }

    void Fail(DialState final_state, std::string why) {
        {
            std::lock_guard lock(mutex);
            if (failure.empty()) failure = std::move(why);
        }
        DialState ringing = DialState::kRinging;
        state.compare_exchange_strong(ringing, final_state);
    }
};

// An OPTIONS waiting for its answer.
struct Probe {
    std::promise<PingAnswer> answered;
    std::chrono::steady_clock::time_point sent;
};

struct SipAgent::Impl {
    explicit Impl(SipOptions o) : options(std::move(o)), ports(options.rtp_first_port, options.rtp_last_port) {}

    SipOptions options;
    rtp::PortRange ports;
    InboundHandler inbound;
    std::weak_ptr<Impl> self;
    std::thread thread;

    // Commands for the SIP thread, from any thread; a message through the root wakes it.
    std::mutex post_mutex;
    std::deque<std::function<void()>> posted;  // guarded by post_mutex
    bool accepting = false;                    // guarded by post_mutex: the root runs
    su_root_t* root = nullptr;
    nua_t* nua = nullptr;

    std::mutex start_mutex;
    std::condition_variable start_cv;
    std::optional<std::string> start_result;  // "" once started; why it failed otherwise

    std::map<nua_handle_t*, std::shared_ptr<Call>> calls;    // SIP thread only
    std::map<nua_handle_t*, std::shared_ptr<Probe>> probes;  // SIP thread only

    bool Post(std::function<void()> fn);
    void RunPosted();
    void Run();
    void OnEvent(nua_event_t event, int status, const char* phrase, nua_handle_t* nh, Call* call, const sip_t* sip,
                 tagi_t tags[]);
    void OnCallEvent(nua_event_t event, int status, const char* phrase, Call& call, const sip_t* sip, tagi_t tags[]);
    void Invite(const std::shared_ptr<Call>& call, const std::string& from, const std::string& to,
                const std::string& request_uri, const std::string& sdp);
    void Hangup(Call& call);
    void Answer(Call& call, const SipTrunk& trunk);
    void Refer(Call& call, const std::string& to_user);
    void Reject(Call& call, int status, const std::string& phrase);
    void OnIncoming(nua_handle_t* nh, const sip_t* sip);
    static void OnReferNotify(Call& call, const sip_t* sip);
    // Parley's Contact for a call over `transport` with `host` as its address.
    std::string Contact(Transport transport, const std::string& host) const;
    std::string MediaHost(const std::string& peer, int port) const;
};

namespace {

void OnPostedMessage(su_root_magic_t* magic, su_msg_r /*msg*/, su_msg_arg_t* /*arg*/) {
    reinterpret_cast<SipAgent::Impl*>(magic)->RunPosted();
}

void OnNuaEvent(nua_event_t event, int status, const char* phrase, nua_t* /*nua*/, nua_magic_t* magic, nua_handle_t* nh,
                nua_hmagic_t* hmagic, const sip_t* sip, tagi_t tags[]) {
    reinterpret_cast<SipAgent::Impl*>(magic)->OnEvent(event, status, phrase, nh, reinterpret_cast<Call*>(hmagic), sip,
                                                      tags);
}

}  // namespace

bool SipAgent::Impl::Post(std::function<void()> fn) {
    std::lock_guard lock(post_mutex);
    if (!accepting) return false;
    posted.push_back(std::move(fn));
    if (posted.size() > 1) return true;  // a wake-up is on its way already
    su_msg_r msg = SU_MSG_R_INIT;
    if (su_msg_create(msg, su_root_task(root), su_task_null, &OnPostedMessage, 0) != 0 || su_msg_send(msg) != 0) {
        posted.pop_back();
        return false;
    }
    return true;
}

void SipAgent::Impl::RunPosted() {
    std::deque<std::function<void()>> batch;
    {
        std::lock_guard lock(post_mutex);
        batch.swap(posted);
    }
    for (auto& fn : batch) fn();
}

void SipAgent::Impl::Run() {
    su_init();
    for (su_log_t* log : {su_log_default, tport_log, nta_log, nua_log, soa_log})
        su_log_redirect(log, &SofiaLog, nullptr);
    root = su_root_create(reinterpret_cast<su_root_magic_t*>(this));
    const auto bind_url = [&](std::string_view scheme, int port) {
        if (options.advertised_host.empty()) return fmt::format("{}:{}:{}", scheme, options.listen_host, port);
        return fmt::format("{}:{}:{};maddr={}", scheme, options.advertised_host, port, options.listen_host);
    };
    const std::string url = bind_url("sip", options.listen_port);
    const std::string tls_url = options.tls_port > 0 ? bind_url("sips", options.tls_port) : "";
    std::optional<CertificateFolder> certificates;
    std::string failure;
    if (options.tls_port > 0) {
        certificates.emplace(options.tls_certificate, options.tls_ca);
        failure = certificates->error();
    }
    if (root != nullptr && failure.empty()) {
        nua = nua_create(
            root, &OnNuaEvent, reinterpret_cast<nua_magic_t*>(this), NUTAG_URL(url.c_str()),
            TAG_IF(!tls_url.empty(), NUTAG_SIPS_URL(tls_url.c_str())),
            TAG_IF(certificates.has_value(), NUTAG_CERTIFICATE_DIR(certificates ? certificates->path().c_str() : "")),
            TAG_IF(certificates.has_value(), TPTAG_TLS_VERIFY_POLICY(TPTLS_VERIFY_OUT)),
            SIPTAG_USER_AGENT_STR(options.user_agent.c_str()),
            NUTAG_ALLOW("INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE, NOTIFY"), NUTAG_ENABLEMESSAGE(0),
            NUTAG_ENABLEMESSENGER(0), TAG_END());
        if (nua == nullptr) failure = "cannot listen for SIP on " + url + (tls_url.empty() ? "" : " and " + tls_url);
    }
    certificates.reset();  // read by now
    {
        std::lock_guard lock(start_mutex);
        start_result = root == nullptr ? "cannot start the SIP stack" : failure;
    }
    start_cv.notify_all();
    if (nua == nullptr) {
        if (root != nullptr) su_root_destroy(root);
        su_deinit();
        return;
    }
    {
        std::lock_guard lock(post_mutex);
        accepting = true;
    }
    su_root_run(root);
    {
        std::lock_guard lock(post_mutex);
        accepting = false;
        posted.clear();
    }
    calls.clear();
    probes.clear();
    nua_destroy(nua);
    su_root_destroy(root);
    su_deinit();
}

std::string SipAgent::Impl::Contact(Transport transport, const std::string& host) const {
    if (transport == Transport::kTls) return fmt::format("<sip:{}:{};transport=tls>", host, options.tls_port);
    return fmt::format("<sip:{}:{}{}>", host, options.listen_port, TransportParam(transport));
}

std::string SipAgent::Impl::MediaHost(const std::string& peer, int port) const {
    if (!options.advertised_host.empty()) return options.advertised_host;
    if (!IsWildcard(options.listen_host)) return options.listen_host;
    return LocalAddressToward(peer, port);
}

void SipAgent::Impl::Invite(const std::shared_ptr<Call>& call, const std::string& from, const std::string& to,
                            const std::string& request_uri, const std::string& sdp) {
    const SipTrunk& t = call->trunk;
    nua_handle_t* nh = nua_handle(nua, reinterpret_cast<nua_hmagic_t*>(call.get()), SIPTAG_FROM_STR(from.c_str()),
                                  SIPTAG_TO_STR(to.c_str()), TAG_END());
    if (nh == nullptr) {
        call->Fail(DialState::kFailed, "the SIP stack could not make a call");
        call->ended = true;
        return;
    }
    call->handle = nh;
    calls[nh] = call;
    const std::string route = RouteOf(t);
    nua_invite(nh, NUTAG_URL(request_uri.c_str()), SOATAG_USER_SDP_STR(sdp.c_str()),
               SOATAG_AUDIO_AUX("telephone-event"), TAG_IF(!route.empty(), SIPTAG_ROUTE_STR(route.c_str())),
               SIPTAG_CONTACT_STR(call->contact.c_str()), TAG_END());
}

void SipAgent::Impl::Hangup(Call& call) {
    if (call.handle == nullptr || call.hanging_up || call.ended) return;
    call.hanging_up = true;
    if (call.answered) {
        nua_bye(call.handle, TAG_END());
    } else if (call.inbound) {
        nua_respond(call.handle, SIP_480_TEMPORARILY_UNAVAILABLE, TAG_END());
    } else {
        nua_cancel(call.handle, TAG_END());
    }
}

void SipAgent::Impl::Answer(Call& call, const SipTrunk& trunk) {
    if (call.handle == nullptr || call.hanging_up || call.ended) return;
    call.trunk = trunk;
    const std::vector<std::string>& codecs = trunk.codecs;
    auto media = ReadRemoteSdp(call.offer, codecs, trunk.srtp);
    if (!media) {
        call.Fail(DialState::kFailed, media.error());
        Reject(call, SIP_488_NOT_ACCEPTABLE);
        return;
    }
    {
        std::lock_guard lock(call.mutex);
        call.remote = *media;
    }
    call.media_version.fetch_add(1, std::memory_order_release);
    call.media_error.clear();  // the offer read before the carrier was known does not count
    const SdesKey key{call.srtp_key, media->srtp_tag};
    const std::string sdp = OfferSdp(call.media_host, call.media_port, codecs, trunk.srtp ? &key : nullptr);
    nua_respond(call.handle, SIP_200_OK, SOATAG_USER_SDP_STR(sdp.c_str()), SOATAG_AUDIO_AUX("telephone-event"),
                SIPTAG_CONTACT_STR(call.contact.c_str()), TAG_END());
}

// A blind transfer: the peer is asked to call `to_user` on the carrier's host instead (RFC 3515),
// and reports how that call went in NOTIFYs with a sipfrag.
void SipAgent::Impl::Refer(Call& call, const std::string& to_user) {
    if (call.handle == nullptr || call.hanging_up || call.ended || !call.answered) {
        call.ReferFailed("the call is over");
        return;
    }
    const SipTrunk& t = call.trunk;
    const std::string target = fmt::format("<sip:{}@{}:{}{}>", to_user, t.host, t.port, TransportParam(t.transport));
    nua_refer(call.handle, SIPTAG_REFER_TO_STR(target.c_str()), TAG_END());
}

// A NOTIFY of the transfer's progress: its body is the status line of the peer's call to the
// target ("SIP/2.0 180 Ringing", then "SIP/2.0 200 OK" or a failure).
void SipAgent::Impl::OnReferNotify(Call& call, const sip_t* sip) {
    if (sip == nullptr || sip->sip_payload == nullptr || sip->sip_payload->pl_data == nullptr) return;
    const auto frag = ReadSipfrag(std::string_view(sip->sip_payload->pl_data, sip->sip_payload->pl_len));
    if (!frag) return;
    if (frag->status >= 200 && frag->status < 300) {
        call.refer = ReferState::kDone;
    } else if (frag->status >= 300) {
        call.ReferFailed(fmt::format("the transfer's call was answered SIP {}", frag->line));
    }
}

void SipAgent::Impl::Reject(Call& call, int status, const std::string& phrase) {
    if (call.handle == nullptr || call.hanging_up || call.ended || call.answered) return;
    call.hanging_up = true;
    call.Fail(DialState::kFailed, fmt::format("refused with SIP {} {}", status, phrase));
    // NUA keeps the phrase's pointer until the answer is sent, after this returns: the standard
    // phrase is static ("Not Found"), the caller's string is not.
    const char* standard = sip_status_phrase(status);
    nua_respond(call.handle, status, standard != nullptr ? standard : "Refused", TAG_END());
}

void SipAgent::Impl::OnEvent(nua_event_t event, int status, const char* phrase, nua_handle_t* nh, Call* call,
                             const sip_t* sip, tagi_t tags[]) {
    if (event == nua_r_shutdown) {
        if (status >= 200) su_root_break(root);
        return;
    }
    if (auto probe = probes.find(nh); probe != probes.end()) {
        if (event == nua_r_options && status >= 200) {
            const double ms =
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - probe->second->sent)
                    .count();
            // The stack answers 503 itself when the peer's port refuses the datagram, and 408 when
            // nothing comes back; those have no Server or User-Agent header, which peers send.
            const bool made_here = (status == 503 || status == 408) &&
                                   (sip == nullptr || (sip->sip_server == nullptr && sip->sip_user_agent == nullptr));
            const bool from_peer = !made_here;
            probe->second->answered.set_value({status, phrase ? phrase : "", ms, from_peer});
            probes.erase(probe);
            nua_handle_destroy(nh);
        }
        return;
    }
    if (call == nullptr) {
        if (event == nua_i_invite) {
            OnIncoming(nh, sip);
        } else if (event == nua_i_state) {
            int state = nua_callstate_init;
            tl_gets(tags, NUTAG_CALLSTATE_REF(state), TAG_END());
            if (state == nua_callstate_terminated) nua_handle_destroy(nh);
        }
        return;
    }
    auto it = calls.find(nh);
    if (it == calls.end()) return;
    const std::shared_ptr<Call> keep = it->second;  // the event may end the call
    OnCallEvent(event, status, phrase, *keep, sip, tags);
}

void SipAgent::Impl::OnCallEvent(nua_event_t event, int status, const char* phrase, Call& call, const sip_t* sip,
                                 tagi_t tags[]) {
    const SipTrunk& t = call.trunk;
    switch (event) {
        case nua_r_invite: {
            if ((status == 401 || status == 407) && call.auth_attempts == 0 && t.username && t.password && sip) {
                const msg_auth_t* challenge = status == 401 ? sip->sip_www_authenticate : sip->sip_proxy_authenticate;
                const char* realm = challenge ? msg_params_find(challenge->au_params, "realm=") : nullptr;
                if (challenge != nullptr && realm != nullptr) {
                    ++call.auth_attempts;
                    const std::string credentials =
                        fmt::format("{}:{}:{}:{}", challenge->au_scheme, realm, *t.username, *t.password);
                    nua_authenticate(call.handle, NUTAG_AUTH(credentials.c_str()), TAG_END());
                    return;
                }
            }
            if (status >= 300) {
                call.Fail(StateForFinalStatus(status), fmt::format("SIP {} {}", status, phrase ? phrase : ""));
            }
            return;
        }
        case nua_i_state: {
            int state = nua_callstate_init;
            const char* remote_sdp = nullptr;
            tl_gets(tags, NUTAG_CALLSTATE_REF(state), SOATAG_REMOTE_SDP_STR_REF(remote_sdp), TAG_END());
            if (remote_sdp != nullptr) {
                auto media = ReadRemoteSdp(remote_sdp, t.codecs, t.srtp);
                if (media) {
                    {
                        std::lock_guard lock(call.mutex);
                        call.remote = *media;
                    }
                    call.media_version.fetch_add(1, std::memory_order_release);
                    call.media_error.clear();
                } else {
                    call.media_error = media.error();
                }
            }
            if (state == nua_callstate_ready && !call.answered) {
                call.answered = true;
                if (call.media_version.load() > 0 && call.media_error.empty()) {
                    DialState ringing = DialState::kRinging;
                    call.state.compare_exchange_strong(ringing, DialState::kAnswered);
                } else {
                    call.Fail(DialState::kFailed,
                              call.media_error.empty() ? "the callee answered without SDP" : call.media_error);
                    Hangup(call);
                }
            }
            if (state == nua_callstate_terminated) {
                call.Fail(DialState::kFailed, call.inbound ? "the caller hung up before the answer"
                                                           : fmt::format("SIP {} {}", status, phrase ? phrase : ""));
                call.ended = true;
                nua_handle_t* nh = call.handle;
                call.handle = nullptr;
                nua_handle_destroy(nh);
                calls.erase(nh);
            }
            return;
        }
        case nua_i_bye: call.ended = true; return;
        case nua_r_refer:
            if (status >= 300) {
                call.ReferFailed(
                    fmt::format("the callee's side refused the transfer: SIP {} {}", status, phrase ? phrase : ""));
            } else if (status >= 200) {
                ReferState asked = ReferState::kAsked;
                call.refer.compare_exchange_strong(asked, ReferState::kAccepted);
            }
            return;
        case nua_i_notify: OnReferNotify(call, sip); return;
        default: return;
    }
}

namespace {

// The media of an answered call: the RTP stream, told of the peer's new address or codec when a
// re-INVITE changes them.
class SipLeg final : public CallLeg {
public:
    SipLeg(std::shared_ptr<SipAgent::Impl> agent, std::shared_ptr<Call> call, std::unique_ptr<rtp::RtpStream> stream)
        : agent_(std::move(agent)), call_(std::move(call)), stream_(std::move(stream)) {}
    ~SipLeg() override { Hangup(); }

    void Exchange(std::span<const int16_t> agent_out, std::span<int16_t> callee_in) override {
        const uint32_t version = call_->media_version.load(std::memory_order_acquire);
        if (version != media_version_) {
            // Never waits: a frame with the old address is better than a late frame.
            std::unique_lock lock(call_->mutex, std::try_to_lock);
            if (lock.owns_lock()) {
                stream_->SetRemote(call_->remote);
                media_version_ = version;
            }
        }
        stream_->Exchange(agent_out, callee_in);
    }
    void Caption(std::string_view /*agent_words*/) override {}
    std::string TakeDigits() override { return stream_->TakeDigits(); }
    bool SendDigits(std::string_view keys) override {
        stream_->SendDigits(keys);
        return true;
    }
    bool HungUp() const override { return call_->ended.load(); }
    bool Refer(std::string_view e164) override {
        call_->refer = ReferState::kAsked;
        return agent_->Post([agent = agent_, call = call_, to = std::string(e164)] { agent->Refer(*call, to); });
    }
    ReferState ReferProgress(std::string& reason) override {
        const ReferState state = call_->refer.load();
        if (state == ReferState::kFailed) {
            std::lock_guard lock(call_->mutex);
            reason = call_->refer_failure;
        }
        return state;
    }
    void Hangup() override {
        if (hung_up_) return;
        hung_up_ = true;
        agent_->Post([agent = agent_, call = call_] { agent->Hangup(*call); });
    }

private:
    std::shared_ptr<SipAgent::Impl> agent_;
    std::shared_ptr<Call> call_;
    std::unique_ptr<rtp::RtpStream> stream_;
    uint32_t media_version_ = 0;
    bool hung_up_ = false;
};

class SipDialing final : public Dialing {
public:
    SipDialing(std::shared_ptr<SipAgent::Impl> agent, std::shared_ptr<Call> call,
               std::unique_ptr<rtp::RtpStream> stream)
        : agent_(std::move(agent)), call_(std::move(call)), stream_(std::move(stream)) {}
    ~SipDialing() override {
        if (stream_) Cancel();  // never answered, or answered and never taken
    }

    DialState Tick() override {
        if (++frames_ >= kRingTimeoutFrames && call_->state.load() == DialState::kRinging) {
            call_->Fail(DialState::kNoAnswer, "no answer within 30 s");
            Cancel();
        }
        return call_->state.load();
    }
    std::unique_ptr<CallLeg> TakeLeg() override { return std::make_unique<SipLeg>(agent_, call_, std::move(stream_)); }
    std::string FailureReason() const override {
        std::lock_guard lock(call_->mutex);
        return call_->failure;
    }
    void Cancel() override {
        if (!agent_->Post([agent = agent_, call = call_] { agent->Hangup(*call); })) call_->ended = true;
    }

private:
    std::shared_ptr<SipAgent::Impl> agent_;
    std::shared_ptr<Call> call_;
    std::unique_ptr<rtp::RtpStream> stream_;
    int64_t frames_ = 0;
};

// An inbound call until Parley answers or refuses it; then, once answered, its leg.
class SipIncoming final : public IncomingCall {
public:
    SipIncoming(std::shared_ptr<SipAgent::Impl> agent, std::shared_ptr<Call> call,
                std::unique_ptr<rtp::RtpStream> stream, std::string to, std::string from, std::string source)
        : dialing_(agent, call, std::move(stream)),
          agent_(std::move(agent)),
          call_(std::move(call)),
          to_(std::move(to)),
          from_(std::move(from)),
          source_(std::move(source)) {}

    const std::string& to_user() const override { return to_; }
    const std::string& from_user() const override { return from_; }
    const std::string& source() const override { return source_; }
    void Answer(const SipTrunk& trunk) override {
        agent_->Post([agent = agent_, call = call_, trunk] { agent->Answer(*call, trunk); });
    }
    void Reject(int status, const std::string& phrase) override {
        agent_->Post([agent = agent_, call = call_, status, phrase] { agent->Reject(*call, status, phrase); });
    }
    DialState Tick() override { return dialing_.Tick(); }
    std::unique_ptr<CallLeg> TakeLeg() override { return dialing_.TakeLeg(); }
    std::string FailureReason() const override { return dialing_.FailureReason(); }
    void Cancel() override { dialing_.Cancel(); }

private:
    SipDialing dialing_;  // ringing, the answer and the leg work as an outbound call's
    std::shared_ptr<SipAgent::Impl> agent_;
    std::shared_ptr<Call> call_;
    std::string to_;
    std::string from_;
    std::string source_;
};

}  // namespace

void SipAgent::Impl::OnIncoming(nua_handle_t* nh, const sip_t* sip) {
    if (!inbound || calls.size() >= kMaxCalls) {
        nua_respond(nh, inbound ? 503 : 404, inbound ? "Service Unavailable" : "Not Found", TAG_END());
        return;
    }
    const char* to = sip != nullptr && sip->sip_request != nullptr ? sip->sip_request->rq_url->url_user : nullptr;
    if (to == nullptr && sip != nullptr && sip->sip_to != nullptr) to = sip->sip_to->a_url->url_user;
    const char* from = sip != nullptr && sip->sip_from != nullptr ? sip->sip_from->a_url->url_user : nullptr;
    if (to == nullptr || strlen(to) > kMaxUserBytes || (from != nullptr && strlen(from) > kMaxUserBytes)) {
        nua_respond(nh, SIP_404_NOT_FOUND, TAG_END());
        return;
    }
    std::string source;
    if (msg_t* request = nua_current_request(nua)) {
        if (const su_addrinfo_t* ai = msg_addrinfo(request); ai != nullptr && ai->ai_addr != nullptr) {
            char text[INET6_ADDRSTRLEN] = {};
            const void* address =
                ai->ai_family == AF_INET6
                    ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in6*>(ai->ai_addr)->sin6_addr)
                    : static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(ai->ai_addr)->sin_addr);
            if (inet_ntop(ai->ai_family, address, text, sizeof text) != nullptr) source = text;
        }
    }
    // The offer as the INVITE carries it: NUA reports the negotiated SDP only with call states.
    std::string offer;
    if (sip != nullptr && sip->sip_payload != nullptr && sip->sip_payload->pl_len <= kMaxSdpBytes) {
        offer.assign(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
    }
    // Plain or SRTP: which one the carrier needs is known once the call is routed.
    if (!ReadRemoteSdp(offer, kAllCodecs) && !ReadRemoteSdp(offer, kAllCodecs, true)) {
        nua_respond(nh, SIP_488_NOT_ACCEPTABLE, TAG_END());
        return;
    }
    const std::string bind_host = IsWildcard(options.listen_host) ? "0.0.0.0" : options.listen_host;
    auto stream = rtp::RtpStream::Open(bind_host, ports);
    if (!stream) {
        nua_respond(nh, SIP_503_SERVICE_UNAVAILABLE, TAG_END());
        return;
    }
    auto call = std::make_shared<Call>();
    call->inbound = true;
    call->handle = nh;
    call->offer = offer;
    call->media_port = stream->port();
    call->media_host = MediaHost(source.empty() ? "127.0.0.1" : source, 5060);
    call->srtp_key = stream->srtp_key();
    const bool over_tls = sip != nullptr && sip->sip_via != nullptr && sip->sip_via->v_protocol != nullptr &&
                          strcasecmp(sip->sip_via->v_protocol, "SIP/2.0/TLS") == 0;
    const bool over_tcp = sip != nullptr && sip->sip_via != nullptr && sip->sip_via->v_protocol != nullptr &&
                          strcasecmp(sip->sip_via->v_protocol, "SIP/2.0/TCP") == 0;
    call->contact = Contact(over_tls   ? Transport::kTls
                            : over_tcp ? Transport::kTcp
                                       : Transport::kUdp,
                            call->media_host);
    nua_handle_bind(nh, reinterpret_cast<nua_hmagic_t*>(call.get()));
    calls[nh] = call;
    nua_respond(nh, SIP_180_RINGING, TAG_END());
    inbound(std::make_unique<SipIncoming>(self.lock(), call, std::move(stream), to, from ? from : "", source));
}

SipAgent::SipAgent(SipOptions options) : impl_(std::make_shared<Impl>(std::move(options))) {
    impl_->self = impl_;
}

bool SipAgent::tls() const {
    return impl_->options.tls_port > 0;
}

void SipAgent::OnInbound(InboundHandler handler) {
    impl_->inbound = std::move(handler);
}

SipAgent::~SipAgent() {
    Stop();
}

Result<void> SipAgent::Start() {
    impl_->thread = std::thread([impl = impl_] { impl->Run(); });
    std::unique_lock lock(impl_->start_mutex);
    impl_->start_cv.wait(lock, [this] { return impl_->start_result.has_value(); });
    if (!impl_->start_result->empty()) {
        lock.unlock();
        impl_->thread.join();
        return Fail(ErrorCode::kUnavailable, *impl_->start_result);
    }
    return {};
}

void SipAgent::Stop() {
    if (!impl_->thread.joinable()) return;
    const bool posted = impl_->Post([impl = impl_.get()] {
        // NUA ends every call (BYE, CANCEL) and answers nua_r_shutdown when done.
        nua_shutdown(impl->nua);
    });
    if (posted)
        impl_->thread.join();
    else
        impl_->thread.detach();
}

std::optional<PingAnswer> SipAgent::Ping(const SipTrunk& trunk, std::chrono::milliseconds timeout) {
    auto probe = std::make_shared<Probe>();
    auto answer = probe->answered.get_future();
    const std::string uri = fmt::format("sip:{}:{}{}", trunk.host, trunk.port, TransportParam(trunk.transport));
    const std::string to = fmt::format("<{}>", uri);
    const std::string route = RouteOf(trunk);
    auto sent = std::make_shared<nua_handle_t*>(nullptr);  // the SIP thread's, for the cleanup below
    const bool posted = impl_->Post([impl = impl_, probe, uri, to, route, sent] {
        nua_handle_t* nh =
            nua_handle(impl->nua, reinterpret_cast<nua_hmagic_t*>(probe.get()), SIPTAG_TO_STR(to.c_str()), TAG_END());
        if (nh == nullptr) return;
        *sent = nh;
        impl->probes[nh] = probe;
        probe->sent = std::chrono::steady_clock::now();
        nua_options(nh, NUTAG_URL(uri.c_str()), TAG_IF(!route.empty(), SIPTAG_ROUTE_STR(route.c_str())), TAG_END());
    });
    if (!posted) return std::nullopt;
    if (answer.wait_for(timeout) == std::future_status::ready) return answer.get();
    // No answer in time: the OPTIONS is abandoned (its transaction ends by itself).
    impl_->Post([impl = impl_, sent] {
        if (*sent == nullptr || !impl->probes.contains(*sent)) return;
        impl->probes.erase(*sent);
        nua_handle_destroy(*sent);
    });
    return std::nullopt;
}

std::unique_ptr<Dialing> SipAgent::Dial(const SipTrunk& trunk, const std::string& from_user,
                                        const std::string& to_user) {
    const std::string bind_host = IsWildcard(impl_->options.listen_host) ? "0.0.0.0" : impl_->options.listen_host;
    auto stream = rtp::RtpStream::Open(bind_host, impl_->ports);
    if (!stream) return nullptr;
    auto call = std::make_shared<Call>();
    call->trunk = trunk;
    const std::string media_host = impl_->MediaHost(trunk.host, trunk.port);
    call->contact = impl_->Contact(trunk.transport, media_host);
    const SdesKey key{stream->srtp_key()};
    const std::string sdp = OfferSdp(media_host, stream->port(), trunk.codecs, trunk.srtp ? &key : nullptr);
    const std::string params(TransportParam(trunk.transport));
    const std::string domain = trunk.from_domain.empty() ? trunk.host : trunk.from_domain;
    const std::string from = fmt::format("<sip:{}@{}>", from_user, domain);
    const std::string to = fmt::format("<sip:{}@{}>", to_user, trunk.host);
    const std::string request_uri = fmt::format("sip:{}@{}:{}{}", to_user, trunk.host, trunk.port, params);
    const bool posted = impl_->Post(
        [impl = impl_, call, from, to, request_uri, sdp] { impl->Invite(call, from, to, request_uri, sdp); });
    if (!posted) {
        call->Fail(DialState::kFailed, "SIP is not running on this node");
        call->ended = true;
    }
    return std::make_unique<SipDialing>(impl_, call, std::move(stream));
}

}  // namespace parley::telephony::sip
