// The live (streaming WebSocket) recognizer: see MakeLiveStt in stt.hpp.

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "audio/audio.hpp"
#include "voice/engines/live_message.hpp"
#include "voice/engines/stt.hpp"

namespace parley::voice {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

constexpr std::string_view kEngine = "live";
// A Results message is a few kilobytes; anything much larger is not one.
constexpr size_t kMaxMessageBytes = 256 * 1024;
// Audio waiting to be sent (the connection is still opening, or the server reads slowly): a
// minute of 8 kHz speech. More fails the stream rather than growing without bound.
constexpr size_t kMaxQueuedBytes = 60 * audio::kSampleRate * sizeof(int16_t);

struct WsUrl {
    bool tls = false;
    std::string host;
    std::string port;
    std::string target;  // path, and the query when the URL had one
};

Result<WsUrl> ParseWsUrl(std::string_view url) {
    WsUrl out;
    if (url.starts_with("wss://")) {
        out.tls = true;
        url.remove_prefix(6);
    } else if (url.starts_with("ws://")) {
        url.remove_prefix(5);
    } else {
        return Fail(ErrorCode::kValidation, "a live recognizer's url must start with ws:// or wss://");
    }
    const auto slash = url.find('/');
    std::string_view authority = url.substr(0, slash);
    out.target = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
    out.port = out.tls ? "443" : "80";
    if (authority.starts_with('[')) {  // an IPv6 address: [::1] or [::1]:8443
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return Fail(ErrorCode::kValidation, "a live recognizer's url has no ]");
        if (authority.size() > close + 1) {
            if (authority[close + 1] != ':')
                return Fail(ErrorCode::kValidation, "a live recognizer's url is malformed");
            out.port = std::string(authority.substr(close + 2));
        }
        authority = authority.substr(1, close - 1);
    } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
        out.port = std::string(authority.substr(colon + 1));
        authority = authority.substr(0, colon);
    }
    out.host = std::string(authority);
    if (out.host.empty() || out.port.empty() || out.port.find_first_not_of("0123456789") != std::string::npos) {
        return Fail(ErrorCode::kValidation, "a live recognizer's url needs a host and a numeric port");
    }
    return out;
}

std::string Escaped(std::string_view value) {
    std::string out;
    for (const unsigned char c : value) {
        if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            char hex[4];
            std::snprintf(hex, sizeof hex, "%%%02X", c);
            out += hex;
        }
    }
    return out;
}

// The target with the query every connection asks for.
std::string TargetFor(const WsUrl& url, const LiveSttConfig& config) {
    std::string query = "encoding=linear16&sample_rate=" + std::to_string(audio::kSampleRate) +
                        "&channels=1&interim_results=true&endpointing=" + std::to_string(config.endpointing_ms);
    if (!config.model.empty()) query += "&model=" + Escaped(config.model);
    if (!config.language.empty()) query += "&language=" + Escaped(config.language);
    return url.target + (url.target.find('?') == std::string::npos ? "?" : "&") + query;
}

// What a connection learned, read by the thread that waits in Finish.
struct Outcome {
    int interims = 0;  // interim results received
    std::vector<internal::LiveMessage> finals;
    bool endpointed = false;  // a final result had speech_final
    bool done = false;        // Metadata came or the server closed after CloseStream
    std::optional<Error> failure;
};

// One WebSocket connection for one utterance. Its socket is touched only on the engine's I/O
// thread; `mutex_` guards the outcome the other threads read.
class Connection : public std::enable_shared_from_this<Connection> {
public:
    using Plain = websocket::stream<beast::tcp_stream>;
    // asio's TLS stream, not beast::ssl_stream, whose two teardown overloads clang finds
    // ambiguous in Boost 1.81.
    using Secure = websocket::stream<asio::ssl::stream<beast::tcp_stream>>;

    Connection(asio::io_context& io, asio::ssl::context* tls, const LiveSttConfig& config, WsUrl url)
        : io_(io), config_(config), url_(std::move(url)) {
        if (tls != nullptr) {
            secure_.emplace(io, *tls);
        } else {
            plain_.emplace(io);
        }
    }

    // I/O thread: runs `f` on the socket, whichever kind it is.
    template <class F>
    decltype(auto) With(F&& f) {
        return secure_ ? f(*secure_) : f(*plain_);
    }

    void Open() { asio::co_spawn(io_, Run(shared_from_this()), asio::detached); }

    enum class Frame { kAudio, kControl, kClose };
    // Any thread: queues a message for the server: binary audio, a text control message, or the
    // text message after which the server finishes and closes.
    void Send(std::string data, Frame frame) {
        asio::post(io_, [self = shared_from_this(), data = std::move(data), frame]() mutable {
            self->Queue(std::move(data), frame);
        });
    }

    // Any thread: waits until the server has answered CloseStream (or failed), at most until
    // `deadline`.
    Outcome Wait(std::chrono::steady_clock::time_point deadline) {
        std::unique_lock lock(mutex_);
        cv_.wait_until(lock, deadline, [&] { return outcome_.done || outcome_.failure.has_value(); });
        return outcome_;
    }

    bool Failed() {
        std::lock_guard lock(mutex_);
        return outcome_.failure.has_value();
    }

    // The final results once one had speech_final; nullopt before, or after a failure.
    std::optional<std::vector<internal::LiveMessage>> Endpointed() {
        std::lock_guard lock(mutex_);
        if (!outcome_.endpointed || outcome_.failure) return std::nullopt;
        return outcome_.finals;
    }

    // Any thread: drops the connection without waiting for more.
    void Abandon() {
        asio::post(io_, [self = shared_from_this()] {
            self->abandoned_ = true;
            self->With([](auto& ws) { beast::get_lowest_layer(ws).close(); });
        });
    }

private:
    awaitable<void> Run(std::shared_ptr<Connection> self) {  // `self`: as for Write
        auto failed = [&](const std::string& why) { Finish(Error{ErrorCode::kUnavailable, "live STT: " + why}); };
        try {
            tcp::resolver resolver(io_);
            const auto endpoints = co_await resolver.async_resolve(url_.host, url_.port, use_awaitable);
            co_await With([&](auto& ws) { return Connect(ws, endpoints); });
        } catch (const boost::system::system_error& e) {
            std::string why = e.code().message();
            if (e.code() == websocket::error::upgrade_declined) {
                why = "the server answered " + std::to_string(declined_.result_int()) + " " +
                      std::string(declined_.reason());
                if (!declined_.body().empty()) why += ": " + declined_.body().substr(0, 200);
            }
            failed("cannot open " + config_.url + ": " + why);
            co_return;
        }
        open_ = true;
        if (!queue_.empty() && !writing_) asio::co_spawn(io_, Write(self), asio::detached);
        beast::flat_buffer buffer;
        for (;;) {
            auto [ec, bytes] =
                co_await With([&](auto& ws) { return ws.async_read(buffer, asio::as_tuple(use_awaitable)); });
            if (ec) {
                if (abandoned_) co_return;
                // After CloseStream the server closes with a close frame; a connection that just
                // ends has not answered.
                if (closing_ && ec == websocket::error::closed) {
                    Finish(std::nullopt);
                } else {
                    failed("the connection to " + config_.url + " dropped: " + ec.message());
                }
                co_return;
            }
            const bool text = With([](auto& ws) { return ws.got_text(); });
            const std::string data = beast::buffers_to_string(buffer.data());
            buffer.consume(buffer.size());
            if (!text) continue;  // no binary message means anything here
            auto message = internal::ParseLiveMessage(data);
            if (!message) {
                failed(message.error().message);
                Abandon();
                co_return;
            }
            if (message->kind == internal::LiveMessage::Kind::kMetadata && closing_) {
                Finish(std::nullopt);
            } else if (message->kind == internal::LiveMessage::Kind::kResults) {
                std::lock_guard lock(mutex_);
                if (message->is_final) {
                    outcome_.endpointed = outcome_.endpointed || message->speech_final;
                    outcome_.finals.push_back(std::move(*message));
                } else {
                    ++outcome_.interims;
                }
            }
        }
    }

    template <class Ws>
    awaitable<void> Connect(Ws& ws, const tcp::resolver::results_type& endpoints) {
        auto& lowest = beast::get_lowest_layer(ws);
        lowest.expires_after(std::chrono::milliseconds(config_.connect_timeout_ms));
        co_await lowest.async_connect(endpoints, use_awaitable);
        if constexpr (std::is_same_v<Ws, Secure>) {
            auto& tls = ws.next_layer();
            boost::system::error_code not_an_address;
            (void)asio::ip::make_address(url_.host, not_an_address);
            // Server Name Indication names hosts, not addresses.
            if (not_an_address && SSL_set_tlsext_host_name(tls.native_handle(), url_.host.c_str()) != 1) {
                throw boost::system::system_error(asio::error::invalid_argument, "server name");
            }
            tls.set_verify_callback(asio::ssl::host_name_verification(url_.host));
            co_await tls.async_handshake(asio::ssl::stream_base::client, use_awaitable);
        }
        lowest.expires_never();
        ws.set_option(websocket::stream_base::timeout{std::chrono::milliseconds(config_.connect_timeout_ms),
                                                      websocket::stream_base::none(), false});
        ws.read_message_max(kMaxMessageBytes);
        const std::string key = config_.api_key;
        ws.set_option(websocket::stream_base::decorator([key](websocket::request_type& req) {
            req.set(beast::http::field::user_agent, "parley");
            if (!key.empty()) req.set(beast::http::field::authorization, "Token " + key);
        }));
        // The Host header: an IPv6 address in brackets, the port unless it is the scheme's own.
        std::string host = url_.host.find(':') != std::string::npos ? "[" + url_.host + "]" : url_.host;
        if (url_.port != (url_.tls ? "443" : "80")) host += ":" + url_.port;
        co_await ws.async_handshake(declined_, host, TargetFor(url_, config_), use_awaitable);
    }

    void Queue(std::string data, Frame frame) {
        if (abandoned_ || Failed()) return;
        queued_bytes_ += data.size();
        if (queued_bytes_ > kMaxQueuedBytes) {
            Finish(Error{ErrorCode::kUnavailable, "live STT: " + config_.url + " does not take the audio fast enough"});
            Abandon();
            return;
        }
        queue_.emplace_back(std::move(data), frame);
        if (open_ && !writing_) asio::co_spawn(io_, Write(shared_from_this()), asio::detached);
    }

    // `self` keeps the connection alive while the coroutine runs.
    awaitable<void> Write(std::shared_ptr<Connection> self) {
        writing_ = true;
        (void)self;
        while (!queue_.empty() && !abandoned_) {
            auto [data, frame] = std::move(queue_.front());
            queue_.pop_front();
            queued_bytes_ -= data.size();
            if (frame == Frame::kClose) closing_ = true;
            auto [ec, bytes] = co_await With([&](auto& ws) {
                ws.text(frame != Frame::kAudio);
                return ws.async_write(asio::buffer(data), asio::as_tuple(use_awaitable));
            });
            if (ec) break;  // the read loop reports the failure
        }
        writing_ = false;
    }

    void Finish(std::optional<Error> failure) {
        {
            std::lock_guard lock(mutex_);
            if (!failure) {
                outcome_.done = true;
            } else if (!outcome_.failure && !outcome_.done) {
                outcome_.failure = std::move(failure);
            }
        }
        cv_.notify_all();
    }

    asio::io_context& io_;
    const LiveSttConfig& config_;
    const WsUrl url_;
    // I/O thread only. One of the two is set.
    std::optional<Plain> plain_;
    std::optional<Secure> secure_;
    std::deque<std::pair<std::string, Frame>> queue_;
    websocket::response_type declined_;  // the server's answer to the handshake
    size_t queued_bytes_ = 0;
    bool open_ = false;
    bool writing_ = false;
    bool closing_ = false;
    bool abandoned_ = false;

    std::mutex mutex_;
    std::condition_variable cv_;
    Outcome outcome_;
};

Recognition Joined(const std::vector<internal::LiveMessage>& finals) {
    Recognition out;
    double confidence = 0;
    int counted = 0;
    for (const auto& f : finals) {
        if (f.transcript.empty()) continue;
        if (!out.text.empty()) out.text += ' ';
        out.text += f.transcript;
        confidence += f.confidence;
        ++counted;
    }
    out.confidence = counted > 0 ? confidence / counted : 0;
    return out;
}

class LiveStream final : public SttStream {
public:
    LiveStream(std::shared_ptr<Connection> connection, long final_timeout_ms)
        : connection_(std::move(connection)), final_timeout_ms_(final_timeout_ms) {}
    ~LiveStream() override {
        try {
            connection_->Abandon();
        } catch (const std::exception&) {
            // out of memory: the connection closes when the engine stops
        }
    }

    bool Push(std::span<const int16_t> pcm_8k) override {
        std::string bytes(pcm_8k.size() * sizeof(int16_t), '\0');
        for (size_t i = 0; i < pcm_8k.size(); ++i) {  // linear16 is little-endian
            const auto v = static_cast<uint16_t>(pcm_8k[i]);
            bytes[2 * i] = static_cast<char>(v & 0xff);
            bytes[2 * i + 1] = static_cast<char>(v >> 8);
        }
        connection_->Send(std::move(bytes), Connection::Frame::kAudio);
        return false;  // the server decodes; nothing to schedule
    }
    void Decode() override {}
    std::optional<Recognition> Endpointed() override {
        auto finals = connection_->Endpointed();
        if (!finals) return std::nullopt;
        return Joined(*finals);
    }
    Result<std::optional<Recognition>> FinishGrammar() override { return std::nullopt; }

    Result<Recognition> Finish() override {
        connection_->Send(R"({"type": "CloseStream"})", Connection::Frame::kClose);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(final_timeout_ms_);
        Outcome outcome = connection_->Wait(deadline);
        if (outcome.failure) return Fail(std::move(*outcome.failure));
        if (!outcome.done) {
            return Fail(ErrorCode::kUnavailable, "live STT: no final transcript within " +
                                                     std::to_string(final_timeout_ms_) + " ms of the end of speech");
        }
        return Joined(outcome.finals);
    }

private:
    std::shared_ptr<Connection> connection_;
    long final_timeout_ms_;
};

class LiveStt final : public SttEngine {
public:
    explicit LiveStt(LiveSttConfig config)
        : config_(std::move(config)), url_(ParseWsUrl(config_.url)), work_(asio::make_work_guard(io_)) {
        if (url_ && url_->tls) {
            tls_.emplace(asio::ssl::context::tls_client);
            tls_->set_verify_mode(asio::ssl::verify_peer);
            boost::system::error_code ec;
            if (config_.ca_file.empty()) {
                tls_->set_default_verify_paths(ec);
            } else {
                tls_->load_verify_file(config_.ca_file, ec);
            }
            if (ec)
                url_ =
                    Fail(ErrorCode::kUnavailable, "live STT: cannot load the certificate authorities: " + ec.message());
        }
        thread_ = std::thread([this] { io_.run(); });
    }
    ~LiveStt() override {
        work_.reset();
        io_.stop();
        thread_.join();
    }
    LiveStt(const LiveStt&) = delete;
    LiveStt& operator=(const LiveStt&) = delete;

    std::string_view Name() const override { return kEngine; }
    bool OnThisNode() const override { return false; }

    Result<Recognition> Recognize(std::span<const int16_t> pcm_8k, const RecognizeOptions& options) override {
        auto stream = OpenStream(options, {});
        if (!stream)
            return Fail(url_ ? Error{ErrorCode::kUnavailable, "live STT: cannot open a stream"} : url_.error());
        stream->Push(pcm_8k);
        return stream->Finish();
    }

    std::unique_ptr<SttStream> OpenStream(const RecognizeOptions&, std::span<const float>) override {
        if (!url_) return nullptr;
        auto connection = std::make_shared<Connection>(io_, tls_ ? &*tls_ : nullptr, config_, *url_);
        connection->Open();
        return std::make_unique<LiveStream>(std::move(connection), config_.final_timeout_ms);
    }

private:
    LiveSttConfig config_;
    Result<WsUrl> url_;
    std::optional<asio::ssl::context> tls_;  // before io_: connections the I/O context still holds use it
    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    std::thread thread_;
};

}  // namespace

Result<void> CheckLiveSttUrl(std::string_view url) {
    auto parsed = ParseWsUrl(url);
    if (!parsed) return Fail(std::move(parsed.error()));
    return {};
}

std::unique_ptr<SttEngine> MakeLiveStt(LiveSttConfig config) {
    return std::make_unique<LiveStt>(std::move(config));
}

}  // namespace parley::voice
