#pragma once

// Real SIP peers on loopback for tests of Parley's SIP stack: Kamailio as a carrier's proxy that
// challenges with digest auth, and baresip as a phone that answers, talks from a WAV file, records
// what it hears and can call in. Both are Debian packages (kamailio, baresip-core); their
// behaviour is described in tests/sip/kamailio.cfg.in and below.

#include <netinet/in.h>
#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "audio/audio.hpp"
#include "support/http_client.hpp"
#include "support/process.hpp"

namespace parley::testing {

// 127.0.0.1:`port`.
sockaddr_in Loopback(uint16_t port);

// Whether kamailio, baresip and the util-linux tools that start them are installed.
bool SipPeersInstalled();

// A port p on 127.0.0.1 where p .. p + span - 1 are all free for both UDP and TCP when this
// returns, picked by the OS (port 0). Something else may take it before the caller binds it; the
// peers below start again on new ports when their bind fails.
uint16_t FreeLoopbackPort(int span = 1);

// Sends one SIP OPTIONS over UDP to 127.0.0.1:`port` and returns the first answer's status line
// ("SIP/2.0 200 OK"), or nothing when none came within `timeout`.
std::optional<std::string> SipOptions(uint16_t port, std::chrono::milliseconds timeout);

// A temporary directory, removed with everything in it on destruction.
class TempDir {
public:
    explicit TempDir(const std::string& prefix);
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

struct KamailioOptions {
    // The digest credentials every INVITE from Parley's side must carry.
    std::string auth_user = "parley";
    std::string auth_password = "secret";
    // The callee (a Baresip): every authorized INVITE goes to sip:<callee_user>@127.0.0.1:<port>.
    // An INVITE from this address (UDP) is the carrier's inbound route instead.
    std::string callee_user = "callee";
    uint16_t callee_port = 0;
    // Where inbound calls go (Parley's SIP listener), over UDP; 0 when the test has none.
    uint16_t parley_port = 0;
    // A second phone, where calls to `transfer_number` go (sip:<transfer_user>@127.0.0.1:<port>);
    // 0 when the test has none.
    std::string transfer_number = "+14155550177";
    std::string transfer_user = "desk";
    uint16_t transfer_port = 0;
};

// Kamailio 5.6 with tests/sip/kamailio.cfg.in, on UDP and TCP 127.0.0.1:port(). Started ready (it
// answers OPTIONS); killed with all its processes on destruction. When the tests run as root it
// runs as the `kamailio` user of the Debian package.
class Kamailio {
public:
    explicit Kamailio(const KamailioOptions& options);
    ~Kamailio();
    Kamailio(const Kamailio&) = delete;
    Kamailio& operator=(const Kamailio&) = delete;

    uint16_t port() const { return port_; }
    // The digest realm, and the host part of URIs for the proxy ("127.0.0.1").
    std::string domain() const { return "127.0.0.1"; }
    // sip:127.0.0.1:<port>;lr, for an outbound proxy setting.
    std::string uri() const;
    // What it has logged so far (one line per request it received, and its warnings).
    std::string Log() const;

private:
    bool Start(const KamailioOptions& options);

    std::unique_ptr<TempDir> dir_;
    std::unique_ptr<Process> process_;
    uint16_t port_ = 0;
};

// A certificate authority and a certificate it signed for 127.0.0.1, made with the openssl
// command for a test: ca.pem (the authority), server.pem (the certificate and its key).
class TestCertificates {
public:
    TestCertificates();
    std::filesystem::path ca() const { return dir_.path() / "ca.pem"; }
    std::filesystem::path server() const { return dir_.path() / "server.pem"; }
    bool ok() const { return ok_; }

private:
    TempDir dir_{"parley-certificates"};
    bool ok_ = false;
};

struct BaresipOptions {
    // The account user: baresip 1.0.0 answers only calls whose Request-URI has this user.
    std::string user = "callee";
    // Answer every incoming call at once.
    bool auto_answer = true;
    // A WAV file (any rate and channels: it is converted to 8 kHz mono) played as the microphone
    // from the answer on, followed by `trailing_silence`. Baresip hangs up when it reaches the end
    // (CALL_CLOSED "end of file"), so this also bounds every call. Empty: a second of silence.
    std::filesystem::path wav;
    std::chrono::milliseconds trailing_silence{2000};
    // When set ("sip:127.0.0.1:5060;lr"), every request goes there, with digest credentials
    // auth_user / auth_password for its challenges.
    std::string outbound_proxy;
    std::string auth_user;
    std::string auth_password;
    // SIP over TLS too (on sip_port() + 1), with this certificate (and its key, one PEM file).
    std::filesystem::path tls_certificate;
    // SRTP for every call (RTP/SAVP with an SDES key), never plain RTP.
    bool srtp = false;
};

// One event baresip's ctrl_tcp reported, e.g. {"event":true,"class":"call","type":"CALL_CLOSED",
// "param":"end of file","direction":"incoming","peeruri":"sip:...","id":"<call id>",...}.
struct BaresipEvent {
    std::string type;
    std::string param;
    Json json;
};

// baresip 1.0.0 on UDP 127.0.0.1:sip_port(), with the PCMU/PCMA codecs and no sound card, driven
// through its ctrl_tcp module. Killed on destruction.
class Baresip {
public:
    explicit Baresip(BaresipOptions options = {});
    ~Baresip();
    Baresip(const Baresip&) = delete;
    Baresip& operator=(const Baresip&) = delete;

    uint16_t sip_port() const { return sip_port_; }
    // sip:<user>@127.0.0.1:<sip_port>, the address that reaches this phone directly.
    std::string uri() const;

    // The ctrl_tcp commands of baresip's menu module; each returns whether baresip accepted it.
    bool Dial(const std::string& uri);
    bool Hangup();
    bool Accept();
    // Any other menu command, e.g. Command("sndcode", "1"); {ok, data}.
    std::pair<bool, std::string> Command(const std::string& command, const std::string& params = "");

    // The first event of `type` this has not returned yet (events of other types stay), waiting up
    // to `timeout` for it.
    std::optional<BaresipEvent> WaitForEvent(const std::string& type,
                                             std::chrono::milliseconds timeout = std::chrono::seconds(15));
    // Every event reported so far, oldest first.
    std::vector<BaresipEvent> Events() const;

    // The WAV files of what this phone heard, one per call (sndfile's dump-<time>-dec.wav), oldest
    // first. A call's file is complete once baresip has closed it; this waits up to `timeout` for
    // that. Two calls in the same second share a name, and the later one overwrites the earlier.
    std::vector<std::filesystem::path> Recordings(std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;
    // Where baresip writes its recordings as a call goes (sndfile's snd_path).
    std::filesystem::path recordings_dir() const { return dir_->path(); }
    // baresip's own output so far.
    std::string Log() const;

private:
    bool Start();
    void ReadEvents();
    void Stop();

    BaresipOptions options_;
    std::unique_ptr<TempDir> dir_;
    std::unique_ptr<Process> process_;
    uint16_t sip_port_ = 0;
    int ctrl_fd_ = -1;
    std::thread reader_;

    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<BaresipEvent> events_;
    std::vector<bool> taken_;
    std::deque<Json> responses_;
    bool closed_ = false;
    int next_token_ = 0;
};

// `duration` of a sine tone at `hz`, at 8 kHz, with amplitude `peak`.
audio::Pcm Tone(double hz, std::chrono::milliseconds duration, int16_t peak = 8000);

// Writes `samples` as an 8 kHz mono 16-bit WAV file.
void WriteWav(const std::filesystem::path& path, const audio::Pcm& samples);

// The samples of a WAV file at 8 kHz mono; throws when it cannot be read.
audio::Pcm ReadWav(const std::filesystem::path& path);

}  // namespace parley::testing
