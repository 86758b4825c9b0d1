#include "support/sip_peers.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <numbers>
#include <random>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "audio/wav.hpp"
#include "support/wait.hpp"

namespace parley::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

// Starting a peer on ports that were free a moment ago fails only when something took them in
// between; a few attempts on new ports make that a non-issue.
constexpr int kStartAttempts = 3;
constexpr milliseconds kStartTimeout{15'000};
constexpr milliseconds kCommandTimeout{10'000};

class Socket {
public:
    explicit Socket(int fd) : fd_(fd) {}
    ~Socket() {
        if (fd_ >= 0) close(fd_);
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }

private:
    int fd_;
};

bool Bind(int fd, uint16_t port) {
    const sockaddr_in addr = Loopback(port);
    return bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
}

uint16_t LocalPort(int fd) {
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
    return ntohs(addr.sin_port);
}

std::string ReadFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

void WriteFile(const fs::path& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out.flush()) throw std::runtime_error("cannot write " + path.string());
}

// The program `name` on the PATH, or in the sbin folders that a non-root PATH may lack.
std::string FindProgram(const std::string& name) {
    std::string dirs = std::getenv("PATH") ? std::getenv("PATH") : "";
    dirs += ":/usr/local/sbin:/usr/sbin:/sbin:/usr/local/bin:/usr/bin:/bin";
    std::istringstream list(dirs);
    for (std::string dir; std::getline(list, dir, ':');) {
        if (dir.empty()) continue;
        const fs::path candidate = fs::path(dir) / name;
        if (access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
    throw std::runtime_error(name + " is not installed");
}

// Whether the child `pid` has ended; it stays a zombie, so Process::Wait still gets its status.
bool Ended(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return true;
    const auto paren = line.rfind(')');
    return paren == std::string::npos || paren + 2 >= line.size() || line[paren + 2] == 'Z' || line[paren + 2] == 'X';
}

// Runs argv with standard output and error going to `log`: the peers write a lot (baresip a
// status line ten times a second), and nothing reads the pipe of a Process while a test runs.
std::unique_ptr<Process> StartLogged(const fs::path& log, const std::vector<std::string>& argv) {
    std::vector<std::string> full = {"/bin/sh", "-c", R"(log=$1; shift; exec "$@" >"$log" 2>&1)", "sh", log.string()};
    full.insert(full.end(), argv.begin(), argv.end());
    return std::make_unique<Process>(full);
}

// Replaces every @NAME@ of `text` with values[NAME]; throws on a NAME it does not know, so that
// a typo in the template fails loudly.
std::string Substitute(const std::string& text, const std::vector<std::pair<std::string, std::string>>& values) {
    std::string out;
    size_t i = 0;
    while (i < text.size()) {
        const size_t end = text[i] == '@' ? text.find('@', i + 1) : std::string::npos;
        const std::string name = end == std::string::npos ? "" : text.substr(i + 1, end - i - 1);
        const bool is_name = !name.empty() && std::all_of(name.begin(), name.end(),
                                                          [](char c) { return (c >= 'A' && c <= 'Z') || c == '_'; });
        if (!is_name) {
            out += text[i++];
            continue;
        }
        const auto value = std::find_if(values.begin(), values.end(), [&](const auto& v) { return v.first == name; });
        if (value == values.end()) throw std::runtime_error("unknown template field @" + name + "@");
        out += value->second;
        i = end + 1;
    }
    return out;
}

// Values written into a config between double quotes, or into a baresip account line.
void CheckPlain(const std::string& what, const std::string& value) {
    if (value.find_first_of("\"\\\n\r;<>@: ") != std::string::npos) {
        throw std::invalid_argument(what + " must not contain quotes, separators or spaces: " + value);
    }
}

std::string RandomToken() {
    static std::mt19937_64 random{std::random_device{}()};
    std::ostringstream out;
    out << std::hex << random();
    return out.str();
}

// Only the modules that a phone without a sound card needs. No audio player is loaded: the decoded
// audio still passes the sndfile filter (which records it) on its way to where a player would be.
// menu provides the commands that ctrl_tcp relays. With -f, nothing is read from ~/.baresip.
constexpr char kBaresipConfig[] = R"(poll_method		epoll
sip_listen		127.0.0.1:@SIP_PORT@
net_interface		127.0.0.1
call_local_timeout	60
call_max_calls		4
audio_source		aufile,@DIR@/play.wav
audio_alert		none,none
ausrc_srate		8000
ausrc_channels		1
audio_buffer		20-160
jitter_buffer_delay	0-10
module_path		/usr/lib/baresip/modules
module			g711.so
module			aufile.so
module			sndfile.so
module_tmp		account.so
module_app		menu.so
module_app		ctrl_tcp.so
ctrl_tcp_listen		127.0.0.1:@CTRL_PORT@
snd_path		@DIR@
)";

}  // namespace

TestCertificates::TestCertificates() {
    const std::string dir = dir_.path().string();
    // P-256 keys (made at once, unlike RSA ones); the certificate names 127.0.0.1 as its address.
    const std::string script = "cd '" + dir +
                               "' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                               "-keyout ca.key -out ca.pem -days 2 -subj '/CN=Parley test authority' "
                               "&& openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
                               "-keyout server.key -out server.csr -subj '/CN=127.0.0.1' "
                               "&& printf 'subjectAltName=IP:127.0.0.1\\n' > san.cnf "
                               "&& openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
                               "-out server.crt -days 2 -extfile san.cnf "
                               "&& cat server.crt server.key > server.pem && chmod 600 server.pem ca.key server.key";
    ok_ = std::system(("(" + script + ") > '" + dir + "/openssl.log' 2>&1").c_str()) == 0;
    if (!ok_)
        ADD_FAILURE() << "openssl could not make the test's certificates: " << ReadFile(dir_.path() / "openssl.log");
}

sockaddr_in Loopback(uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
}

bool SipPeersInstalled() {
    try {
        for (const char* program : {"kamailio", "baresip", "setsid", "setpriv"}) FindProgram(program);
        return true;
    } catch (const std::runtime_error&) {
        return false;
    }
}

uint16_t FreeLoopbackPort(int span) {
    for (int attempt = 0; attempt < 100; ++attempt) {
        std::vector<std::unique_ptr<Socket>> held;
        held.push_back(std::make_unique<Socket>(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)));
        if (held.back()->get() < 0 || !Bind(held.back()->get(), 0)) throw std::runtime_error("cannot bind UDP");
        const uint16_t port = LocalPort(held.back()->get());
        if (port == 0 || port + span - 1 > 65535) continue;
        bool free = true;
        for (int i = 0; i < span && free; ++i) {
            const auto p = static_cast<uint16_t>(port + i);
            if (i > 0) {
                held.push_back(std::make_unique<Socket>(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)));
                free = Bind(held.back()->get(), p);
            }
            held.push_back(std::make_unique<Socket>(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)));
            free = free && Bind(held.back()->get(), p);
        }
        if (free) return port;
    }
    throw std::runtime_error("no free loopback port");
}

std::optional<std::string> SipOptions(uint16_t port, milliseconds timeout) {
    Socket fd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (fd.get() < 0 || !Bind(fd.get(), 0)) return std::nullopt;
    const std::string local = "127.0.0.1:" + std::to_string(LocalPort(fd.get()));
    const std::string target = "sip:127.0.0.1:" + std::to_string(port);
    const std::string request = "OPTIONS " + target + " SIP/2.0\r\n" + "Via: SIP/2.0/UDP " + local + ";branch=z9hG4bK" +
                                RandomToken() + ";rport\r\n" + "Max-Forwards: 70\r\n" + "From: <sip:ping@" + local +
                                ">;tag=" + RandomToken() + "\r\n" + "To: <" + target + ">\r\n" +
                                "Call-ID: " + RandomToken() + "@127.0.0.1\r\n" + "CSeq: 1 OPTIONS\r\n" +
                                "Contact: <sip:ping@" + local + ">\r\n" + "Content-Length: 0\r\n\r\n";
    const sockaddr_in to = Loopback(port);
    if (sendto(fd.get(), request.data(), request.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) < 0) {
        return std::nullopt;
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::nullopt;
        pollfd p{fd.get(), POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
        char buf[4096];
        const ssize_t n = recv(fd.get(), buf, sizeof buf, 0);
        if (n <= 0) continue;  // e.g. ECONNREFUSED while nothing listens yet
        const std::string answer(buf, static_cast<size_t>(n));
        if (answer.starts_with("SIP/2.0 1")) continue;
        return answer.substr(0, answer.find("\r\n"));
    }
}

TempDir::TempDir(const std::string& prefix) {
    std::string pattern = (fs::temp_directory_path() / (prefix + "XXXXXX")).string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a folder in " + pattern);
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
}

// ---------------------------------------------------------------------------------------------
// Kamailio

Kamailio::Kamailio(const KamailioOptions& options) {
    CheckPlain("auth_user", options.auth_user);
    CheckPlain("auth_password", options.auth_password);
    CheckPlain("callee_user", options.callee_user);
    for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
        if (Start(options)) return;
    }
    const std::string log = Log();
    if (process_) kill(-process_->pid(), SIGKILL);
    throw std::runtime_error("Kamailio did not start:\n" + log);
}

Kamailio::~Kamailio() {
    // setsid made the first process the leader of a group of its own; its children do not die
    // with it, so the whole group goes.
    if (process_) kill(-process_->pid(), SIGKILL);
}

std::string Kamailio::uri() const {
    return "sip:127.0.0.1:" + std::to_string(port_) + ";lr";
}

std::string Kamailio::Log() const {
    return dir_ ? ReadFile(dir_->path() / "kamailio.log") : "";
}

bool Kamailio::Start(const KamailioOptions& options) {
    if (process_) kill(-process_->pid(), SIGKILL);
    process_.reset();
    dir_ = std::make_unique<TempDir>("parley-kamailio-");
    port_ = FreeLoopbackPort();
    const std::string config = Substitute(ReadFile(fs::path(PARLEY_SOURCE_DIR) / "tests/sip/kamailio.cfg.in"),
                                          {{"SIP_PORT", std::to_string(port_)},
                                           {"DOMAIN", domain()},
                                           {"AUTH_USER", options.auth_user},
                                           {"AUTH_PASSWORD", options.auth_password},
                                           {"CALLEE_USER", options.callee_user},
                                           {"CALLEE_PORT", std::to_string(options.callee_port)},
                                           {"PARLEY_PORT", std::to_string(options.parley_port)},
                                           {"TRANSFER_NUMBER", options.transfer_number},
                                           {"TRANSFER_USER", options.transfer_user},
                                           {"TRANSFER_PORT", std::to_string(options.transfer_port)},
                                           {"TEST_PID", std::to_string(getpid())}});
    const fs::path dir = dir_->path();
    WriteFile(dir / "kamailio.cfg", config);
    fs::create_directory(dir / "run");

    std::vector<std::string> argv = {FindProgram("setsid")};
    // As root, Kamailio drops to the Debian package's user before it reads anything (setpriv rather
    // than its own -u/-g, which would clear the parent death signal that Process set).
    const passwd* user = geteuid() == 0 ? getpwnam("kamailio") : nullptr;
    if (user) {
        for (const auto& entry : fs::recursive_directory_iterator(dir)) {
            if (chown(entry.path().c_str(), user->pw_uid, user->pw_gid) != 0) throw std::runtime_error("chown");
        }
        if (chown(dir.c_str(), user->pw_uid, user->pw_gid) != 0) throw std::runtime_error("chown");
        argv.insert(argv.end(), {FindProgram("setpriv"), "--reuid=kamailio", "--regid=kamailio", "--init-groups",
                                 "--pdeathsig=KILL"});
    }
    // -DD: in the foreground, but with its usual processes; -E: log to standard error; small
    // memory pools, so that several can run side by side.
    argv.insert(argv.end(),
                {FindProgram("kamailio"), "-f", (dir / "kamailio.cfg").string(), "-DD", "-E", "-m", "16", "-M", "4",
                 "-Y", (dir / "run").string(), "-P", (dir / "run/kamailio.pid").string(), "-w", dir.string()});
    process_ = StartLogged(dir / "kamailio.log", argv);

    const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (Ended(process_->pid())) return false;
        const auto status = SipOptions(port_, milliseconds(200));
        if (status && status->starts_with("SIP/2.0 200")) return true;
    }
    return false;
}

// ---------------------------------------------------------------------------------------------
// Baresip

Baresip::Baresip(BaresipOptions options) : options_(std::move(options)) {
    CheckPlain("user", options_.user);
    if (!options_.auth_user.empty()) CheckPlain("auth_user", options_.auth_user);
    if (!options_.auth_password.empty()) CheckPlain("auth_password", options_.auth_password);
    if (options_.outbound_proxy.find_first_of("\"\n") != std::string::npos) {
        throw std::invalid_argument("outbound_proxy: " + options_.outbound_proxy);
    }
    for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
        if (Start()) return;
        Stop();
    }
    throw std::runtime_error("baresip did not start:\n" + Log());
}

Baresip::~Baresip() {
    Stop();
}

void Baresip::Stop() {
    if (ctrl_fd_ >= 0) shutdown(ctrl_fd_, SHUT_RDWR);
    if (reader_.joinable()) reader_.join();
    if (ctrl_fd_ >= 0) close(ctrl_fd_);
    ctrl_fd_ = -1;
    process_.reset();
}

std::string Baresip::uri() const {
    return "sip:" + options_.user + "@127.0.0.1:" + std::to_string(sip_port_);
}

std::string Baresip::Log() const {
    return dir_ ? ReadFile(dir_->path() / "baresip.log") : "";
}

bool Baresip::Start() {
    dir_ = std::make_unique<TempDir>("parley-baresip-");
    const fs::path dir = dir_->path();
    {
        std::lock_guard lock(mutex_);
        events_.clear();
        taken_.clear();
        responses_.clear();
        closed_ = false;
    }

    // aufile wants the codec's rate (8 kHz for G.711), mono, 16-bit; it ends the call at the end of
    // the file, hence the silence after the speech.
    audio::Pcm play = options_.wav.empty() ? audio::Pcm{} : ReadWav(options_.wav);
    const audio::Pcm silence = audio::Silence(options_.wav.empty() ? 1000 : options_.trailing_silence.count());
    play.insert(play.end(), silence.begin(), silence.end());
    WriteWav(dir / "play.wav", play);

    // SIP listens on UDP and TCP at the port and, for TLS, on TCP at the port + 1.
    sip_port_ = FreeLoopbackPort(2);
    uint16_t ctrl_port = 0;
    do {
        ctrl_port = FreeLoopbackPort();
    } while (ctrl_port == sip_port_ || ctrl_port == sip_port_ + 1);

    std::string config = Substitute(
        kBaresipConfig,
        {{"SIP_PORT", std::to_string(sip_port_)}, {"CTRL_PORT", std::to_string(ctrl_port)}, {"DIR", dir.string()}});
    if (!options_.tls_certificate.empty()) config += "sip_certificate\t\t" + options_.tls_certificate.string() + "\n";
    if (options_.srtp) config += "module\t\t\tsrtp.so\n";
    WriteFile(dir / "config", config);

    // regint=0: no REGISTER. The account's domain is only a name here: calls go where the dialled
    // URI or the outbound proxy says.
    std::string account = "<sip:" + options_.user + "@127.0.0.1>;regint=0;answermode=";
    account += options_.auto_answer ? "auto" : "manual";
    if (!options_.outbound_proxy.empty()) account += ";outbound=\"" + options_.outbound_proxy + "\"";
    if (!options_.auth_user.empty()) account += ";auth_user=" + options_.auth_user;
    if (!options_.auth_password.empty()) account += ";auth_pass=" + options_.auth_password;
    if (options_.srtp) account += ";mediaenc=srtp-mand";
    WriteFile(dir / "accounts", account + "\n");

    process_ = StartLogged(dir / "baresip.log", {FindProgram("baresip"), "-f", dir.string()});

    // ctrl_tcp sends events only to a connected client, so the connection is made before anything
    // can happen; it is also the sign that baresip is up (the module loads after SIP listens).
    const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
    while (ctrl_fd_ < 0) {
        if (Ended(process_->pid()) || std::chrono::steady_clock::now() >= deadline) return false;
        Socket fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        const sockaddr_in addr = Loopback(ctrl_port);
        if (connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) {
            ctrl_fd_ = fd.release();
        } else {
            std::this_thread::sleep_for(milliseconds(20));
        }
    }
    reader_ = std::thread([this] { ReadEvents(); });
    // A command answered proves that the connection is baresip's and that its main loop runs.
    return Command("help").first;
}

void Baresip::ReadEvents() {
    // Messages are netstrings: "<length>:<JSON>,".
    std::string buffer;
    char chunk[8192];
    for (;;) {
        const ssize_t n = recv(ctrl_fd_, chunk, sizeof chunk, 0);
        if (n <= 0) break;
        buffer.append(chunk, static_cast<size_t>(n));
        for (;;) {
            const size_t colon = buffer.find(':');
            if (colon == std::string::npos) break;
            const size_t length = std::strtoul(buffer.c_str(), nullptr, 10);
            if (buffer.size() < colon + 1 + length + 1) break;
            Json message = Json::parse(buffer.substr(colon + 1, length), nullptr, false);
            buffer.erase(0, colon + 1 + length + 1);
            std::lock_guard lock(mutex_);
            if (message.is_object() && message.value("event", false)) {
                events_.push_back({message.value("type", ""), message.value("param", ""), message});
                taken_.push_back(false);
            } else if (message.is_object() && message.value("response", false)) {
                responses_.push_back(std::move(message));
            }
            changed_.notify_all();
        }
    }
    std::lock_guard lock(mutex_);
    closed_ = true;
    changed_.notify_all();
}

std::pair<bool, std::string> Baresip::Command(const std::string& command, const std::string& params) {
    std::string token;
    {
        std::lock_guard lock(mutex_);
        token = "t" + std::to_string(++next_token_);
    }
    Json request = {{"command", command}, {"token", token}};
    if (!params.empty()) request["params"] = params;
    const std::string body = request.dump();
    const std::string message = std::to_string(body.size()) + ":" + body + ",";
    if (send(ctrl_fd_, message.data(), message.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(message.size())) {
        return {false, "ctrl_tcp connection lost"};
    }
    std::unique_lock lock(mutex_);
    std::optional<Json> response;
    changed_.wait_for(lock, kCommandTimeout, [&] {
        for (auto it = responses_.begin(); it != responses_.end(); ++it) {
            if (it->value("token", "") == token) {
                response = std::move(*it);
                responses_.erase(it);
                return true;
            }
        }
        return closed_;
    });
    if (!response) return {false, closed_ ? "ctrl_tcp connection lost" : "no answer"};
    return {response->value("ok", false), response->value("data", "")};
}

bool Baresip::Dial(const std::string& uri) {
    return Command("dial", uri).first;
}

bool Baresip::Hangup() {
    return Command("hangup").first;
}

bool Baresip::Accept() {
    return Command("accept").first;
}

std::optional<BaresipEvent> Baresip::WaitForEvent(const std::string& type, milliseconds timeout) {
    std::unique_lock lock(mutex_);
    std::optional<BaresipEvent> found;
    changed_.wait_for(lock, timeout, [&] {
        for (size_t i = 0; i < events_.size(); ++i) {
            if (!taken_[i] && events_[i].type == type) {
                taken_[i] = true;
                found = events_[i];
                return true;
            }
        }
        return closed_;
    });
    return found;
}

std::vector<BaresipEvent> Baresip::Events() const {
    std::lock_guard lock(mutex_);
    return events_;
}

std::vector<fs::path> Baresip::Recordings(milliseconds timeout) const {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir_->path())) {
        const std::string name = entry.path().filename().string();
        if (name.starts_with("dump-") && name.ends_with("-dec.wav")) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    // sndfile writes the sizes into the WAV header when it closes the file, which baresip does
    // just after it reports CALL_CLOSED.
    const fs::path fds = "/proc/" + std::to_string(process_->pid()) + "/fd";
    WaitUntil(
        [&] {
            std::error_code error;
            for (const auto& fd : fs::directory_iterator(fds, error)) {
                const fs::path target = fs::read_symlink(fd.path(), error);
                if (std::find(files.begin(), files.end(), target) != files.end()) return false;
            }
            return true;
        },
        timeout, milliseconds(20));
    return files;
}

// ---------------------------------------------------------------------------------------------
// Audio

audio::Pcm Tone(double hz, milliseconds duration, int16_t peak) {
    audio::Pcm samples(audio::SamplesForMs(duration.count()));
    for (size_t i = 0; i < samples.size(); ++i) {
        const double t = static_cast<double>(i) / audio::kSampleRate;
        samples[i] = static_cast<int16_t>(std::lround(peak * std::sin(2 * std::numbers::pi * hz * t)));
    }
    return samples;
}

void WriteWav(const fs::path& path, const audio::Pcm& samples) {
    WriteFile(path, audio::EncodeWav(samples, audio::kSampleRate));
}

audio::Pcm ReadWav(const fs::path& path) {
    auto samples = audio::ReadWavMono8k(path.string());
    if (!samples) throw std::runtime_error(path.string() + ": " + samples.error().message);
    return *samples;
}

}  // namespace parley::testing
