// The far end of bench/sip_load.sh: a SIP user agent on loopback that answers every call Parley
// places, talks on each like a person and measures the pacing of the audio Parley sends back.
//
// SIP goes through sofia-sip's NUA, the stack Parley itself uses, with its media handling off: the
// peer reads Parley's SDP offer and writes its answer (PCMU, a port pair of its own per call).
// RTP is plain UDP sockets on one thread with epoll. A 20 ms timerfd paces the peer's packets
// (PCMU, a voice-like signal: bursts of syllables, then quiet line noise), and every packet from
// Parley is stamped by the kernel on arrival (SO_TIMESTAMPNS), so what is measured is when Parley
// sent it, not when this process got round to reading it on cores it shares with Parley.
//
// At the end it prints one line:
//   sip_load_peer answered=300 ended=300 ... p50_interval_ms=20.00 p99_interval_ms=20.41 ...
// Intervals are between consecutive packets of one call (the first packet of a call opens it).
// "steady" counts only packets that arrived after every expected call was answered (plus a
// settling second) and before the first call ended, when the number of calls is constant.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_wait.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace {

constexpr int kRate = 8000;
constexpr int kFrameMs = 20;
constexpr int kFrameSamples = kRate * kFrameMs / 1000;
constexpr int kRtpHeader = 12;
constexpr uint8_t kPcmu = 0;
constexpr int64_t kNsPerMs = 1'000'000;
// Sends more than this many packets at once when the peer's own timer fell behind, never a burst.
constexpr uint64_t kMaxCatchUpFrames = 3;
constexpr int64_t kWarmupSilenceFrames = 50;

struct Options {
    std::string listen = "127.0.0.1:5080";
    int rtp_base = 30000;
    int rtp_ports = 4000;        // port pairs the peer may use, from rtp_base
    int expect = 0;              // calls to answer before the run counts as complete (0: until stopped)
    int warmup = 0;              // the first calls, outside every count: they warm Parley's engines and cache
    double duration_s = 20;      // the peer hangs up each call this long after answering (0: never)
    double timeout_s = 600;      // the peer stops by itself after this long
    double settle_s = 1;         // after the last expected answer, before the steady window opens
    int speech_delay_ms = 3000;  // each call's first words, plus a random share of a cycle
    int speech_ms = 1500;
    int cycle_ms = 6000;
    std::string wav;  // the callee's words instead of the synthesized voice
    bool histogram = false;
    unsigned seed = 1;
};

int64_t NowNs(clockid_t clock) {
    timespec ts{};
    clock_gettime(clock, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// Kernel receive stamps are CLOCK_REALTIME; every time compared with them is taken on it too.
int64_t RealNs() {
    return NowNs(CLOCK_REALTIME);
}

uint8_t LinearToUlaw(int16_t sample) {
    constexpr int kBias = 0x84;
    constexpr int kClip = 32635;
    int s = sample;
    const int sign = s < 0 ? 0x80 : 0;
    if (sign != 0) s = -s;
    s = std::min(s, kClip) + kBias;
    int exponent = 7;
    for (int mask = 0x4000; (s & mask) == 0 && exponent > 0; mask >>= 1) --exponent;
    const int mantissa = (s >> (exponent + 3)) & 0x0F;
    return static_cast<uint8_t>(~(sign | (exponent << 4) | mantissa));
}

// A voice-like signal without a speech synthesizer: syllables of 180 ms with 70 ms gaps, each a
// vowel (a pitch of 100 to 150 Hz and its harmonics shaped by two formants), under line noise
// that goes on through the quiet part. Parley's VAD is energy-based; this reaches it as speech.
std::vector<int16_t> SynthesizedVoice(int speech_ms, std::mt19937& rng) {
    struct Vowel {
        double f1, f2;
    };
    static constexpr std::array<Vowel, 5> kVowels{{{730, 1090}, {270, 2290}, {300, 870}, {530, 1840}, {570, 840}}};
    constexpr double kSyllableMs = 180;
    constexpr double kGapMs = 70;
    constexpr double kBandwidth = 90;
    const int n = speech_ms * kRate / 1000;
    std::vector<double> out(static_cast<size_t>(n), 0.0);
    double phase = 0;
    size_t vowel = 0;
    for (int i = 0; i < n; ++i) {
        const double t_ms = 1000.0 * i / kRate;
        const double in_syllable = std::fmod(t_ms, kSyllableMs + kGapMs);
        if (in_syllable < 1000.0 / kRate) vowel = rng() % kVowels.size();
        const double f0 = 125 + 25 * std::sin(2 * M_PI * t_ms / 900.0);
        phase += 2 * M_PI * f0 / kRate;
        if (in_syllable >= kSyllableMs) continue;
        const double envelope = std::pow(std::sin(M_PI * in_syllable / kSyllableMs), 2);
        double v = 0;
        for (int k = 1; k * f0 < 3600; ++k) {
            const double f = k * f0;
            double gain = 0;
            for (double formant : {kVowels[vowel].f1, kVowels[vowel].f2}) {
                const double d = (f - formant) / kBandwidth;
                gain += 1.0 / (1.0 + d * d);
            }
            v += gain * std::sin(k * phase) / std::sqrt(k);
        }
        out[static_cast<size_t>(i)] = envelope * v;
    }
    double peak = 1e-9;
    for (double v : out) peak = std::max(peak, std::abs(v));
    std::vector<int16_t> pcm(out.size());
    for (size_t i = 0; i < out.size(); ++i) pcm[i] = static_cast<int16_t>(out[i] / peak * 12000);  // -8.7 dBFS peak
    return pcm;
}

// A RIFF WAVE of 16-bit PCM, its first channel brought to 8 kHz by linear interpolation.
std::optional<std::vector<int16_t>> ReadWav(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.size() < 12 || bytes.compare(0, 4, "RIFF") != 0 || bytes.compare(8, 4, "WAVE") != 0) return std::nullopt;
    auto u16 = [&](size_t at) {
        return static_cast<uint16_t>(static_cast<uint8_t>(bytes[at]) | static_cast<uint8_t>(bytes[at + 1]) << 8);
    };
    auto u32 = [&](size_t at) { return static_cast<uint32_t>(u16(at)) | static_cast<uint32_t>(u16(at + 2)) << 16; };
    int channels = 0;
    int rate = 0;
    int bits = 0;
    for (size_t at = 12; at + 8 <= bytes.size();) {
        const std::string id = bytes.substr(at, 4);
        const size_t size = u32(at + 4);
        const size_t body = at + 8;
        if (id == "fmt " && size >= 16 && body + 16 <= bytes.size()) {
            channels = u16(body + 2);
            rate = static_cast<int>(u32(body + 4));
            bits = u16(body + 14);
        } else if (id == "data" && channels > 0 && bits == 16 && rate > 0) {
            const size_t frames = std::min(size, bytes.size() - body) / (2 * static_cast<size_t>(channels));
            std::vector<double> src(frames);
            for (size_t i = 0; i < frames; ++i) src[i] = static_cast<int16_t>(u16(body + 2 * channels * i));
            std::vector<int16_t> pcm;
            const double step = static_cast<double>(rate) / kRate;
            for (double pos = 0; pos + 1 < static_cast<double>(frames); pos += step) {
                const auto i = static_cast<size_t>(pos);
                const double f = pos - static_cast<double>(i);
                pcm.push_back(static_cast<int16_t>(src[i] * (1 - f) + src[i + 1] * f));
            }
            return pcm;
        }
        at = body + size + (size & 1);
    }
    return std::nullopt;
}

// A histogram of intervals in 10 µs bins up to 1 s; longer ones land in the last bin, the
// maximum is kept exactly.
class Histogram {
public:
    Histogram() : bins_(kBins, 0) {}
    void Add(int64_t ns) {
        const auto bin = static_cast<size_t>(std::clamp<int64_t>(ns / kBinNs, 0, kBins - 1));
        ++bins_[bin];
        ++count_;
        max_ns_ = std::max(max_ns_, ns);
    }
    uint64_t count() const { return count_; }
    double max_ms() const { return static_cast<double>(max_ns_) / kNsPerMs; }
    // Nearest rank; the bin's upper edge, so a quantile is never understated.
    double QuantileMs(double q) const {
        if (count_ == 0) return 0;
        const auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_)));
        uint64_t seen = 0;
        for (size_t i = 0; i < bins_.size(); ++i) {
            seen += bins_[i];
            if (seen >= std::max<uint64_t>(rank, 1)) {
                return std::min(static_cast<double>((static_cast<int64_t>(i) + 1) * kBinNs),
                                static_cast<double>(max_ns_)) /
                       kNsPerMs;
            }
        }
        return max_ms();
    }
    uint64_t CountAtLeastMs(double ms) const {
        uint64_t n = 0;
        for (auto i = static_cast<size_t>(ms * kNsPerMs / kBinNs); i < bins_.size(); ++i) n += bins_[i];
        return n;
    }
    // One line per millisecond that holds any interval: "ms count".
    void Print(FILE* out, const char* name) const {
        std::map<int64_t, uint64_t> per_ms;
        for (size_t i = 0; i < bins_.size(); ++i) {
            if (bins_[i] != 0) per_ms[static_cast<int64_t>(i) * kBinNs / kNsPerMs] += bins_[i];
        }
        for (const auto& [ms, n] : per_ms)
            std::fprintf(out, "%s_histogram ms=%lld count=%llu\n", name, static_cast<long long>(ms),
                         static_cast<unsigned long long>(n));
    }

private:
    static constexpr int64_t kBinNs = 10'000;
    static constexpr int64_t kBins = 100'000;
    std::vector<uint64_t> bins_;
    uint64_t count_ = 0;
    int64_t max_ns_ = 0;
};

// One call's media, owned by the media thread once handed over.
struct MediaCall {
    uint64_t id = 0;
    int rtp_fd = -1;
    int rtcp_fd = -1;
    sockaddr_in remote{};
    uint32_t ssrc = 0;
    uint16_t seq = 0;
    uint32_t ts = 0;
    int64_t frame = 0;  // negative while the callee has not spoken yet
    bool warmup = false;
    // What came from Parley.
    uint64_t received = 0;
    uint64_t out_of_order = 0;
    uint32_t first_seq = 0;
    uint32_t max_ext_seq = 0;  // with wrap-arounds counted in the high bits
    int64_t last_arrival_ns = 0;

    ~MediaCall() {
        if (rtp_fd >= 0) close(rtp_fd);
        if (rtcp_fd >= 0) close(rtcp_fd);
    }
};

struct Totals {
    uint64_t calls = 0;
    uint64_t calls_without_media = 0;
    uint64_t received = 0;
    uint64_t lost = 0;
    uint64_t max_lost_in_call = 0;
    uint64_t out_of_order = 0;
    uint64_t rtcp = 0;
    uint64_t other = 0;  // datagrams that are not RTP version 2
    uint64_t sent = 0;
    uint64_t send_errors = 0;
    uint64_t late_ticks = 0;  // the peer's own 20 ms timer fired late by a whole frame or more
    Histogram all;
    Histogram steady;
    Histogram read_lag;  // kernel arrival to this process reading the packet
};

// Every call's RTP on one thread: the 20 ms send tick and the reading of what Parley sends.
class Media {
public:
    Media(const Options& options, std::vector<uint8_t> voice_ulaw, int speech_frames)
        : options_(options), voice_(std::move(voice_ulaw)), silence_frame_(speech_frames) {
        cycle_frames_ = static_cast<int64_t>(voice_.size()) / kFrameSamples;
    }

    bool Start() {
        epoll_ = epoll_create1(EPOLL_CLOEXEC);
        timer_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        if (epoll_ < 0 || timer_ < 0) return false;
        itimerspec period{};
        period.it_interval.tv_nsec = kFrameMs * kNsPerMs;
        period.it_value.tv_nsec = kFrameMs * kNsPerMs;
        timerfd_settime(timer_, 0, &period, nullptr);
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = kTimerTag;
        epoll_ctl(epoll_, EPOLL_CTL_ADD, timer_, &ev);
        thread_ = std::thread([this] { Run(); });
        return true;
    }

    void Stop() {
        running_ = false;
        if (thread_.joinable()) thread_.join();
        TakeCommands();  // calls opened or closed after the thread's last look
        for (auto& [id, call] : calls_) Fold(*call);
        calls_.clear();
        if (timer_ >= 0) close(timer_);
        if (epoll_ >= 0) close(epoll_);
    }

    // From the SIP thread: the call's sockets are bound; the media thread takes them from here.
    void Open(std::unique_ptr<MediaCall> call) {
        std::lock_guard lock(mutex_);
        opening_.push_back(std::move(call));
    }
    void Close(uint64_t id) {
        std::lock_guard lock(mutex_);
        closing_.push_back(id);
    }
    void SetSteadyWindow(int64_t from_ns, int64_t to_ns) {
        if (from_ns != 0) steady_from_ns_ = from_ns;
        if (to_ns != 0) steady_to_ns_ = to_ns;
    }
    const Totals& totals() const { return totals_; }

private:
    static constexpr uint64_t kTimerTag = ~uint64_t{0};

    void Run() {
        std::array<epoll_event, 256> events{};
        while (running_) {
            TakeCommands();
            const int n = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 100);
            for (int i = 0; i < n; ++i) {
                const uint64_t tag = events[static_cast<size_t>(i)].data.u64;
                if (tag == kTimerTag) {
                    uint64_t expirations = 0;
                    if (read(timer_, &expirations, sizeof expirations) == sizeof expirations) Tick(expirations);
                    continue;
                }
                auto it = calls_.find(tag >> 1);
                if (it == calls_.end()) continue;
                if ((tag & 1) != 0) {
                    DrainRtcp(*it->second);
                } else {
                    Receive(*it->second);
                }
            }
        }
    }

    void TakeCommands() {
        std::vector<std::unique_ptr<MediaCall>> opening;
        std::vector<uint64_t> closing;
        {
            std::lock_guard lock(mutex_);
            opening.swap(opening_);
            closing.swap(closing_);
        }
        for (auto& call : opening) {
            epoll_event ev{};
            ev.events = EPOLLIN;
            ev.data.u64 = call->id << 1;
            epoll_ctl(epoll_, EPOLL_CTL_ADD, call->rtp_fd, &ev);
            ev.data.u64 = (call->id << 1) | 1;
            epoll_ctl(epoll_, EPOLL_CTL_ADD, call->rtcp_fd, &ev);
            calls_[call->id] = std::move(call);
        }
        for (uint64_t id : closing) {
            auto it = calls_.find(id);
            if (it == calls_.end()) continue;
            Fold(*it->second);
            calls_.erase(it);  // closing the sockets takes them out of the epoll set
        }
    }

    void Tick(uint64_t expirations) {
        if (expirations > 1) totals_.late_ticks += expirations - 1;
        const uint64_t frames = std::min(expirations, kMaxCatchUpFrames);
        std::array<uint8_t, kRtpHeader + kFrameSamples> packet{};
        for (auto& [id, call] : calls_) {
            for (uint64_t f = 0; f < frames; ++f) {
                const int64_t at = call->frame < 0 ? silence_frame_ : call->frame % cycle_frames_;
                ++call->frame;
                packet[0] = 0x80;
                packet[1] = kPcmu;
                packet[2] = static_cast<uint8_t>(call->seq >> 8);
                packet[3] = static_cast<uint8_t>(call->seq);
                for (int b = 0; b < 4; ++b) {
                    packet[static_cast<size_t>(4 + b)] = static_cast<uint8_t>(call->ts >> (24 - 8 * b));
                    packet[static_cast<size_t>(8 + b)] = static_cast<uint8_t>(call->ssrc >> (24 - 8 * b));
                }
                std::memcpy(packet.data() + kRtpHeader, voice_.data() + at * kFrameSamples, kFrameSamples);
                ++call->seq;
                call->ts += kFrameSamples;
                const ssize_t sent = sendto(call->rtp_fd, packet.data(), packet.size(), 0,
                                            reinterpret_cast<const sockaddr*>(&call->remote), sizeof call->remote);
                if (sent == static_cast<ssize_t>(packet.size())) {
                    ++totals_.sent;
                } else {
                    ++totals_.send_errors;
                }
            }
        }
    }

    void Receive(MediaCall& call) {
        std::array<uint8_t, 1500> buffer{};
        alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(timespec))> control{};
        for (;;) {
            iovec iov{buffer.data(), buffer.size()};
            msghdr msg{};
            msg.msg_iov = &iov;
            msg.msg_iovlen = 1;
            msg.msg_control = control.data();
            msg.msg_controllen = control.size();
            const ssize_t n = recvmsg(call.rtp_fd, &msg, MSG_DONTWAIT);
            if (n < 0) return;  // EAGAIN, or an ICMP error of an earlier send: nothing to read
            const int64_t read_ns = RealNs();
            int64_t arrival_ns = read_ns;
            for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                    timespec ts{};
                    std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
                    arrival_ns = static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
                }
            }
            totals_.read_lag.Add(std::max<int64_t>(0, read_ns - arrival_ns));
            if (n < kRtpHeader || (buffer[0] >> 6) != 2) {
                ++totals_.other;
                continue;
            }
            const uint16_t seq = static_cast<uint16_t>(buffer[2] << 8 | buffer[3]);
            if (call.received == 0) {
                call.first_seq = seq;
                call.max_ext_seq = seq;
            } else {
                // The extended sequence number nearest the highest seen (RFC 3550 A.1, simplified).
                const auto delta =
                    static_cast<int16_t>(static_cast<uint16_t>(seq - static_cast<uint16_t>(call.max_ext_seq)));
                const auto ext = static_cast<uint32_t>(static_cast<int64_t>(call.max_ext_seq) + delta);
                if (delta > 0) {
                    call.max_ext_seq = ext;
                } else {
                    ++call.out_of_order;
                }
                const int64_t interval = arrival_ns - call.last_arrival_ns;
                if (!call.warmup) totals_.all.Add(interval);
                const int64_t from = steady_from_ns_.load();
                const int64_t to = steady_to_ns_.load();
                if (!call.warmup && from != 0 && arrival_ns >= from && (to == 0 || arrival_ns < to)) {
                    totals_.steady.Add(interval);
                }
            }
            call.last_arrival_ns = arrival_ns;
            ++call.received;
        }
    }

    void DrainRtcp(MediaCall& call) {
        std::array<uint8_t, 1500> buffer{};
        while (recv(call.rtcp_fd, buffer.data(), buffer.size(), MSG_DONTWAIT) >= 0) ++totals_.rtcp;
    }

    void Fold(const MediaCall& call) {
        if (call.warmup) return;
        ++totals_.calls;
        totals_.received += call.received;
        totals_.out_of_order += call.out_of_order;
        if (call.received == 0) {
            ++totals_.calls_without_media;
            return;
        }
        const uint64_t expected = static_cast<uint64_t>(call.max_ext_seq - call.first_seq) + 1;
        // Out-of-order and duplicate packets are counted once each as received; a duplicate
        // could hide a loss here, which the out_of_order count would then show.
        const uint64_t lost = expected > call.received ? expected - call.received : 0;
        totals_.lost += lost;
        totals_.max_lost_in_call = std::max(totals_.max_lost_in_call, lost);
    }

    const Options& options_;
    std::vector<uint8_t> voice_;
    int64_t silence_frame_;
    int64_t cycle_frames_ = 1;
    int epoll_ = -1;
    int timer_ = -1;
    std::atomic<bool> running_{true};
    std::thread thread_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<MediaCall>> opening_;                 // guarded by mutex_
    std::vector<uint64_t> closing_;                                   // guarded by mutex_
    std::unordered_map<uint64_t, std::unique_ptr<MediaCall>> calls_;  // media thread only
    std::atomic<int64_t> steady_from_ns_{0};
    std::atomic<int64_t> steady_to_ns_{0};
    Totals totals_;
};

// Parley's RTP address from its SDP offer: the audio stream's port and its connection address
// (the media-level c= line when there is one).
std::optional<sockaddr_in> OfferedAudio(std::string_view sdp) {
    std::string session_address;
    std::string media_address;
    int port = 0;
    bool in_audio = false;
    while (!sdp.empty()) {
        const size_t end = sdp.find('\n');
        std::string_view line = sdp.substr(0, end);
        sdp = end == std::string_view::npos ? std::string_view() : sdp.substr(end + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.starts_with("m=")) {
            in_audio = line.starts_with("m=audio ");
            if (in_audio && port == 0) port = std::atoi(std::string(line.substr(8)).c_str());
        } else if (line.starts_with("c=IN IP4 ")) {
            std::string address(line.substr(9));
            address = address.substr(0, address.find('/'));
            (in_audio ? media_address : session_address) = address;
        }
    }
    const std::string& address = media_address.empty() ? session_address : media_address;
    sockaddr_in out{};
    out.sin_family = AF_INET;
    out.sin_port = htons(static_cast<uint16_t>(port));
    if (port <= 0 || port > 65535 || inet_pton(AF_INET, address.c_str(), &out.sin_addr) != 1) return std::nullopt;
    return out;
}

int BoundUdp(const std::string& host, int port) {
    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
    const int on = 1;
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

volatile std::sig_atomic_t g_stop = 0;

extern "C" void OnSignal(int /*signal*/) {
    g_stop = 1;
}

// The SIP side, on the thread that runs sofia's root.
class Peer {
public:
    Peer(const Options& options, Media& media) : options_(options), media_(media), rng_(options.seed) {
        host_ = options.listen.substr(0, options.listen.rfind(':'));
    }

    int Run() {
        su_init();
        root_ = su_root_create(reinterpret_cast<su_root_magic_t*>(this));
        if (root_ == nullptr) return Fatal("cannot create the SIP root");
        const std::string url = "sip:" + options_.listen;
        // Media off: NUA does not touch SDP, the peer reads the offer and writes the answer.
        nua_ = nua_create(root_, &Peer::OnNuaEvent, reinterpret_cast<nua_magic_t*>(this), NUTAG_URL(url.c_str()),
                          NUTAG_MEDIA_ENABLE(0), NUTAG_AUTOANSWER(0), NUTAG_ENABLEMESSAGE(0),
                          SIPTAG_USER_AGENT_STR("parley-sip-load-peer"), TAG_END());
        if (nua_ == nullptr) return Fatal("cannot listen for SIP on " + url);
        started_ns_ = RealNs();
        timer_ = su_timer_create(su_root_task(root_), 100);
        su_timer_run(timer_, &Peer::OnTimer, reinterpret_cast<su_timer_arg_t*>(this));
        std::fprintf(stderr, "sip_load_peer listening on %s\n", url.c_str());
        su_root_run(root_);
        su_timer_destroy(timer_);
        nua_destroy(nua_);
        su_root_destroy(root_);
        su_deinit();
        return 0;
    }

    struct Counts {
        int answered = 0;
        int ended = 0;
        int by_peer = 0;
        int by_parley = 0;
        int refused = 0;
        int open_at_end = 0;
        double answer_spread_s = 0;  // first answer to last
        bool timed_out = false;
    };
    const Counts& counts() const { return counts_; }

private:
    struct SipCall {
        uint64_t id = 0;
        nua_handle_t* handle = nullptr;
        int64_t answered_ns = 0;
        bool bye_sent = false;
        bool bye_received = false;
        bool warmup = false;
    };

    int Fatal(const std::string& why) {
        std::fprintf(stderr, "sip_load_peer: %s\n", why.c_str());
        return 1;
    }

    static void OnNuaEvent(nua_event_t event, int status, const char* phrase, nua_t* /*nua*/, nua_magic_t* magic,
                           nua_handle_t* nh, nua_hmagic_t* hmagic, const sip_t* sip, tagi_t tags[]) {
        reinterpret_cast<Peer*>(magic)->OnEvent(event, status, phrase, nh, reinterpret_cast<SipCall*>(hmagic), sip,
                                                tags);
    }

    static void OnTimer(su_root_magic_t* magic, su_timer_t* /*timer*/, su_timer_arg_t* /*arg*/) {
        reinterpret_cast<Peer*>(magic)->Check();
    }

    void OnEvent(nua_event_t event, int status, const char* /*phrase*/, nua_handle_t* nh, SipCall* call,
                 const sip_t* sip, tagi_t tags[]) {
        switch (event) {
            case nua_i_invite: Answer(nh, sip); return;
            case nua_i_bye:
                if (call != nullptr) call->bye_received = true;
                return;
            case nua_i_state: {
                int state = nua_callstate_init;
                tl_gets(tags, NUTAG_CALLSTATE_REF(state), TAG_END());
                if (state == nua_callstate_terminated) Ended(nh, call);
                return;
            }
            case nua_r_shutdown:
                if (status >= 200) su_root_break(root_);
                return;
            default: return;
        }
    }

    void Answer(nua_handle_t* nh, const sip_t* sip) {
        if (sip == nullptr || sip->sip_payload == nullptr) {
            Refuse(nh, 488, "Not Acceptable Here");
            return;
        }
        const auto remote = OfferedAudio(std::string_view(sip->sip_payload->pl_data, sip->sip_payload->pl_len));
        if (!remote) {
            Refuse(nh, 488, "Not Acceptable Here");
            return;
        }
        auto media = std::make_unique<MediaCall>();
        int port = 0;
        for (int tries = 0; tries < options_.rtp_ports && media->rtp_fd < 0; ++tries) {
            port = options_.rtp_base + 2 * (next_port_++ % options_.rtp_ports);
            media->rtp_fd = BoundUdp(host_, port);
            if (media->rtp_fd < 0) continue;
            media->rtcp_fd = BoundUdp(host_, port + 1);
            if (media->rtcp_fd < 0) {
                close(media->rtp_fd);
                media->rtp_fd = -1;
            }
        }
        if (media->rtp_fd < 0) {
            std::fprintf(stderr, "sip_load_peer: no free RTP port pair (errno %d: %s)\n", errno, std::strerror(errno));
            Refuse(nh, 503, "Service Unavailable");
            return;
        }
        auto call = std::make_unique<SipCall>();
        call->id = ++last_id_;
        call->handle = nh;
        call->answered_ns = RealNs();
        media->id = call->id;
        media->remote = *remote;
        media->ssrc = static_cast<uint32_t>(rng_());
        media->seq = static_cast<uint16_t>(rng_());
        media->ts = static_cast<uint32_t>(rng_());
        call->warmup = media->warmup = warmups_ < options_.warmup;
        // Callees do not all talk at the same moment; a warm-up callee talks at once, so that its
        // call loads the recognizer too.
        const int cycle_frames = options_.cycle_ms / kFrameMs;
        media->frame = call->warmup ? -kWarmupSilenceFrames
                                    : -(options_.speech_delay_ms / kFrameMs +
                                        static_cast<int64_t>(rng_() % static_cast<unsigned>(cycle_frames)));
        const std::string sdp = "v=0\r\no=peer " + std::to_string(call->id) + " 1 IN IP4 " + host_ +
                                "\r\ns=load\r\nc=IN IP4 " + host_ + "\r\nt=0 0\r\nm=audio " + std::to_string(port) +
                                " RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
                                "a=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n";
        nua_handle_bind(nh, reinterpret_cast<nua_hmagic_t*>(call.get()));
        nua_respond(nh, SIP_200_OK, SIPTAG_CONTENT_TYPE_STR("application/sdp"), SIPTAG_PAYLOAD_STR(sdp.c_str()),
                    TAG_END());
        media_.Open(std::move(media));
        if (call->warmup) {
            ++warmups_;
            std::fprintf(stderr, "sip_load_peer warmup_answered calls=%d\n", warmups_);
            calls_[nh] = std::move(call);
            return;
        }
        if (counts_.answered == 0) first_answer_ns_ = call->answered_ns;
        ++counts_.answered;
        if (options_.expect > 0 && counts_.answered == options_.expect) {
            const int64_t now = RealNs();
            counts_.answer_spread_s = static_cast<double>(now - first_answer_ns_) / 1e9;
            media_.SetSteadyWindow(now + static_cast<int64_t>(options_.settle_s * 1e9), 0);
            std::fprintf(stderr, "sip_load_peer answered_all calls=%d spread_s=%.2f\n", counts_.answered,
                         counts_.answer_spread_s);
        }
        calls_[nh] = std::move(call);
    }

    void Refuse(nua_handle_t* nh, int status, const char* phrase) {
        ++counts_.refused;
        nua_respond(nh, status, phrase, TAG_END());
    }

    void Ended(nua_handle_t* nh, SipCall* call) {
        auto it = calls_.find(nh);
        if (call == nullptr || it == calls_.end()) {
            nua_handle_destroy(nh);
            return;
        }
        if (call->warmup) {
            std::fprintf(stderr, "sip_load_peer warmup_ended\n");
            media_.Close(call->id);
            calls_.erase(it);
            nua_handle_destroy(nh);
            return;
        }
        // The steady window closes when the number of calls first drops.
        if (counts_.ended == 0) media_.SetSteadyWindow(0, RealNs());
        ++counts_.ended;
        if (call->bye_sent && !call->bye_received) {
            ++counts_.by_peer;
        } else {
            ++counts_.by_parley;
        }
        media_.Close(call->id);
        calls_.erase(it);
        nua_handle_destroy(nh);
    }

    void Check() {
        const int64_t now = RealNs();
        if (options_.duration_s > 0) {
            const auto duration_ns = static_cast<int64_t>(options_.duration_s * 1e9);
            for (auto& [nh, call] : calls_) {
                if (!call->bye_sent && !call->bye_received && now - call->answered_ns >= duration_ns) {
                    call->bye_sent = true;
                    nua_bye(nh, TAG_END());
                }
            }
        }
        const bool complete = options_.expect > 0 && counts_.answered >= options_.expect && calls_.empty();
        const bool timed_out = now - started_ns_ >= static_cast<int64_t>(options_.timeout_s * 1e9);
        if ((complete || timed_out || g_stop != 0) && !shutting_down_) {
            shutting_down_ = true;
            counts_.timed_out = timed_out && !complete;
            counts_.open_at_end = static_cast<int>(calls_.size());
            for (auto& [nh, call] : calls_) call->bye_sent = true;  // the shutdown's BYEs are the peer's
            nua_shutdown(nua_);  // ends the calls still open; nua_r_shutdown then stops the root
        }
    }

    const Options& options_;
    Media& media_;
    std::mt19937 rng_;
    std::string host_;
    su_root_t* root_ = nullptr;
    nua_t* nua_ = nullptr;
    su_timer_t* timer_ = nullptr;
    std::map<nua_handle_t*, std::unique_ptr<SipCall>> calls_;
    uint64_t last_id_ = 0;
    unsigned next_port_ = 0;
    int64_t started_ns_ = 0;
    int64_t first_answer_ns_ = 0;
    int warmups_ = 0;
    bool shutting_down_ = false;
    Counts counts_;
};

void Usage() {
    std::fprintf(
        stderr,
        "usage: parley_sip_load_peer [--listen HOST:PORT] [--rtp-base PORT] [--rtp-ports PAIRS]\n"
        "    [--expect CALLS] [--warmup CALLS] [--duration S] [--timeout S] [--settle S] [--speech-delay-ms MS]\n"
        "    [--speech-ms MS] [--cycle-ms MS] [--wav FILE] [--seed N] [--histogram]\n");
}

std::optional<Options> Parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "%s needs a value\n", argv[i]);
                std::exit(2);
            }
            return argv[++i];
        };
        if (arg == "--listen") {
            o.listen = value();
        } else if (arg == "--rtp-base") {
            o.rtp_base = std::stoi(value());
        } else if (arg == "--rtp-ports") {
            o.rtp_ports = std::stoi(value());
        } else if (arg == "--expect") {
            o.expect = std::stoi(value());
        } else if (arg == "--warmup") {
            o.warmup = std::stoi(value());
        } else if (arg == "--duration") {
            o.duration_s = std::stod(value());
        } else if (arg == "--timeout") {
            o.timeout_s = std::stod(value());
        } else if (arg == "--settle") {
            o.settle_s = std::stod(value());
        } else if (arg == "--speech-delay-ms") {
            o.speech_delay_ms = std::stoi(value());
        } else if (arg == "--speech-ms") {
            o.speech_ms = std::stoi(value());
        } else if (arg == "--cycle-ms") {
            o.cycle_ms = std::stoi(value());
        } else if (arg == "--wav") {
            o.wav = value();
        } else if (arg == "--seed") {
            o.seed = static_cast<unsigned>(std::stoul(value()));
        } else if (arg == "--histogram") {
            o.histogram = true;
        } else {
            Usage();
            return std::nullopt;
        }
    }
    if (o.cycle_ms < kFrameMs || o.speech_ms < kFrameMs || o.rtp_ports < 1 || o.listen.find(':') == std::string::npos) {
        Usage();
        return std::nullopt;
    }
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    const auto options = Parse(argc, argv);
    if (!options) return 2;
    std::mt19937 rng(options->seed);
    std::vector<int16_t> voice;
    if (!options->wav.empty()) {
        auto words = ReadWav(options->wav);
        if (!words) {
            std::fprintf(stderr, "sip_load_peer: %s is not a 16-bit PCM WAV file\n", options->wav.c_str());
            return 2;
        }
        voice = std::move(*words);
    } else {
        voice = SynthesizedVoice(options->speech_ms, rng);
    }
    // The cycle: the words, then line noise up to the cycle's length, whole frames throughout.
    const int64_t speech_frames = (static_cast<int64_t>(voice.size()) + kFrameSamples - 1) / kFrameSamples;
    const int64_t cycle_frames = std::max<int64_t>(speech_frames + 1, options->cycle_ms / kFrameMs);
    voice.resize(static_cast<size_t>(cycle_frames * kFrameSamples), 0);
    // About -60 dBFS of noise: the VAD's floor comes from it, as on a real line.
    std::normal_distribution<double> noise(0, 30);
    std::vector<uint8_t> ulaw(voice.size());
    for (size_t i = 0; i < voice.size(); ++i) {
        ulaw[i] = LinearToUlaw(static_cast<int16_t>(std::clamp(voice[i] + noise(rng), -32768.0, 32767.0)));
    }

    struct sigaction action {};
    action.sa_handler = &OnSignal;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);

    Media media(*options, std::move(ulaw), static_cast<int>(speech_frames));
    if (!media.Start()) {
        std::fprintf(stderr, "sip_load_peer: cannot start the media thread\n");
        return 1;
    }
    Peer peer(*options, media);
    const int rc = peer.Run();
    media.Stop();
    if (rc != 0) return rc;

    const auto& c = peer.counts();
    const Totals& t = media.totals();
    std::printf(
        "sip_load_peer answered=%d ended=%d by_peer=%d by_parley=%d refused=%d open_at_end=%d answer_spread_s=%.2f "
        "calls_without_media=%llu packets=%llu lost=%llu max_lost_in_call=%llu out_of_order=%llu "
        "p50_interval_ms=%.2f p99_interval_ms=%.2f p999_interval_ms=%.2f max_interval_ms=%.2f intervals_over_30ms=%llu "
        "steady_intervals=%llu steady_p50_interval_ms=%.2f steady_p99_interval_ms=%.2f steady_max_interval_ms=%.2f "
        "peer_sent=%llu peer_send_errors=%llu peer_late_ticks=%llu peer_read_lag_p99_ms=%.2f peer_read_lag_max_ms=%.2f"
        "%s\n",
        c.answered, c.ended, c.by_peer, c.by_parley, c.refused, c.open_at_end, c.answer_spread_s,
        static_cast<unsigned long long>(t.calls_without_media), static_cast<unsigned long long>(t.received),
        static_cast<unsigned long long>(t.lost), static_cast<unsigned long long>(t.max_lost_in_call),
        static_cast<unsigned long long>(t.out_of_order), t.all.QuantileMs(0.50), t.all.QuantileMs(0.99),
        t.all.QuantileMs(0.999), t.all.max_ms(), static_cast<unsigned long long>(t.all.CountAtLeastMs(30)),
        static_cast<unsigned long long>(t.steady.count()), t.steady.QuantileMs(0.50), t.steady.QuantileMs(0.99),
        t.steady.max_ms(), static_cast<unsigned long long>(t.sent), static_cast<unsigned long long>(t.send_errors),
        static_cast<unsigned long long>(t.late_ticks), t.read_lag.QuantileMs(0.99), t.read_lag.max_ms(),
        c.timed_out ? " timed_out=1" : "");
    if (options->histogram) {
        t.all.Print(stdout, "interval");
        t.steady.Print(stdout, "steady_interval");
    }
    std::fflush(stdout);
    return 0;
}
