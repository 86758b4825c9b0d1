#pragma once

// For tests: a loopback server that speaks the live recognizer protocol (Deepgram's live shape,
// see MakeLiveStt) and recognizes for real: the audio it is sent goes to a recognizer of this
// process (pocketsphinx in the tests), with Parley's VAD as its endpointing.

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <list>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "audio/audio.hpp"
#include "audio/vad.hpp"
#include "voice/engines/stt.hpp"

namespace parley::voice::loopback {

struct LiveServerOptions {
    std::string api_key;          // when set, "Authorization: Token <api_key>" is required (else 401)
    int interim_every_ms = 1000;  // an interim result after each this much audio of an utterance
    int final_delay_ms = 0;       // waits this long before each final result
    int drop_after_ms = -1;       // closes the connection, without a word, after this much audio
    bool malformed = false;       // answers the first audio with text that is not JSON
    std::string certificate;      // a PEM file with a certificate and its key: the server speaks wss://
};

class LiveSttServer {
public:
    explicit LiveSttServer(SttEngine& recognizer, LiveServerOptions options = {})
        : recognizer_(recognizer),
          options_(std::move(options)),
          tls_(boost::asio::ssl::context::tls_server),
          acceptor_(io_, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)) {
        if (!options_.certificate.empty()) {
            tls_.use_certificate_chain_file(options_.certificate);
            tls_.use_private_key_file(options_.certificate, boost::asio::ssl::context::pem);
        }
        thread_ = std::thread([this] { Accept(); });
    }

    ~LiveSttServer() {
        stopping_ = true;
        boost::system::error_code ignored;
        tcp::socket poke(io_);
        poke.connect(acceptor_.local_endpoint(), ignored);
        thread_.join();
        {
            std::lock_guard lock(mutex_);
            for (auto* socket : open_) socket->shutdown(tcp::socket::shutdown_both, ignored);
        }
        for (auto& t : connections_) t.join();
    }

    LiveSttServer(const LiveSttServer&) = delete;
    LiveSttServer& operator=(const LiveSttServer&) = delete;

    std::string Url() const {
        return std::string(options_.certificate.empty() ? "ws" : "wss") +
               "://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/v1/listen";
    }

    // The request targets (path and query) of the connections so far.
    std::vector<std::string> Targets() {
        std::lock_guard lock(mutex_);
        return targets_;
    }
    // The results sent so far: {"final": bool, "speech_final": bool, "transcript": ...}.
    std::vector<nlohmann::json> Sent() {
        std::lock_guard lock(mutex_);
        return sent_;
    }

private:
    using tcp = boost::asio::ip::tcp;

    void Accept() {
        while (!stopping_) {
            auto socket = std::make_unique<tcp::socket>(io_);
            boost::system::error_code ec;
            acceptor_.accept(*socket, ec);
            if (ec || stopping_) return;
            connections_.emplace_back([this, s = std::move(socket)] { Serve(*s); });
        }
    }

    void Serve(tcp::socket& socket) {
        namespace beast = boost::beast;
        {
            std::lock_guard lock(mutex_);
            open_.push_back(&socket);
        }
        try {
            if (options_.certificate.empty()) {
                Talk(socket, socket);
            } else {
                boost::asio::ssl::stream<tcp::socket&> tls(socket, tls_);
                tls.handshake(boost::asio::ssl::stream_base::server);
                Talk(tls, socket);
            }
        } catch (const std::exception&) {
            // the client went away
        }
        std::lock_guard lock(mutex_);
        open_.remove(&socket);
    }

    // `next`: the socket, or TLS over it.
    template <class Next>
    void Talk(Next& next, tcp::socket& socket) {
        namespace beast = boost::beast;
        namespace http = beast::http;
        beast::flat_buffer buffer;
        http::request<http::string_body> request;
        http::read(next, buffer, request);
        const std::string target(request.target());
        {
            std::lock_guard lock(mutex_);
            targets_.push_back(target);
        }
        if (!options_.api_key.empty() && request[http::field::authorization] != "Token " + options_.api_key) {
            http::response<http::string_body> refused{http::status::unauthorized, request.version()};
            refused.set(http::field::content_type, "application/json");
            refused.body() = R"({"err_code": "INVALID_AUTH", "err_msg": "Invalid credentials."})";
            refused.prepare_payload();
            http::write(next, refused);
            return;
        }
        beast::websocket::stream<Next&> ws(next);
        ws.accept(request);
        const int endpointing_ms = QueryInt(target, "endpointing", 10);
        audio::Vad vad({.start_ms = 60, .end_silence_ms = std::max(20, endpointing_ms)});
        audio::Pcm utterance;  // audio since the last final result
        audio::Pcm unframed;   // samples short of a whole VAD frame
        bool speech = false;   // the utterance has speech
        size_t since_interim = 0;
        size_t received = 0;
        bool answered_malformed = false;
        for (;;) {
            beast::flat_buffer message;
            ws.read(message);
            const std::string data = beast::buffers_to_string(message.data());
            if (!ws.got_text()) {
                if (options_.malformed && !answered_malformed) {
                    answered_malformed = true;
                    ws.text(true);
                    ws.write(boost::asio::buffer(std::string("this is not json")));
                }
                const size_t samples = data.size() / 2;
                received += samples;
                if (options_.drop_after_ms >= 0 &&
                    received * 1000 / audio::kSampleRate >= static_cast<size_t>(options_.drop_after_ms)) {
                    socket.close();
                    return;
                }
                for (size_t i = 0; i < samples; ++i) {
                    const auto lo = static_cast<uint8_t>(data[2 * i]);
                    const auto hi = static_cast<uint8_t>(data[2 * i + 1]);
                    unframed.push_back(static_cast<int16_t>(static_cast<uint16_t>(lo | (hi << 8))));
                }
                while (unframed.size() >= audio::kFrameSamples) {
                    const std::span<const int16_t> frame(unframed.data(), audio::kFrameSamples);
                    utterance.insert(utterance.end(), frame.begin(), frame.end());
                    const auto event = vad.Process(frame);
                    unframed.erase(unframed.begin(), unframed.begin() + audio::kFrameSamples);
                    if (event == audio::Vad::Event::kSpeechStart) speech = true;
                    since_interim += audio::kFrameSamples;
                    if (event == audio::Vad::Event::kSpeechEnd) {
                        SendResult(ws, utterance, true, true);
                        utterance.clear();
                        speech = false;
                        since_interim = 0;
                    } else if (speech && since_interim * 1000 / audio::kSampleRate >=
                                             static_cast<size_t>(options_.interim_every_ms)) {
                        SendResult(ws, utterance, false, false);
                        since_interim = 0;
                    }
                }
                continue;
            }
            const auto control = nlohmann::json::parse(data, nullptr, false);
            const std::string type = control.is_object() ? control.value("type", "") : "";
            if (type == "Finalize" || type == "CloseStream") {
                if (speech) SendResult(ws, utterance, true, type == "CloseStream");
                utterance.clear();
                speech = false;
            }
            if (type == "CloseStream") {
                ws.text(true);
                ws.write(boost::asio::buffer(
                    nlohmann::json{{"type", "Metadata"}, {"request_id", "loopback"}, {"channels", 1}}.dump()));
                ws.close(beast::websocket::close_code::normal);
                return;
            }
        }
    }

    template <class Ws>
    void SendResult(Ws& ws, const audio::Pcm& utterance, bool final, bool speech_final) {
        if (final && options_.final_delay_ms > 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(options_.final_delay_ms));
        }
        auto heard = recognizer_.Recognize(utterance, {});
        const std::string transcript = heard ? heard->text : "";
        const nlohmann::json result = {
            {"type", "Results"},
            {"channel_index", {0, 1}},
            {"duration", static_cast<double>(utterance.size()) / audio::kSampleRate},
            {"is_final", final},
            {"speech_final", speech_final},
            {"channel",
             {{"alternatives", {{{"transcript", transcript}, {"confidence", heard ? heard->confidence : 0.0}}}}}}};
        {
            std::lock_guard lock(mutex_);
            sent_.push_back({{"final", final}, {"speech_final", speech_final}, {"transcript", transcript}});
        }
        ws.text(true);
        ws.write(boost::asio::buffer(result.dump()));
    }

    static int QueryInt(const std::string& target, const std::string& name, int otherwise) {
        const auto at = target.find(name + "=");
        if (at == std::string::npos) return otherwise;
        return std::atoi(target.c_str() + at + name.size() + 1);
    }

    SttEngine& recognizer_;
    const LiveServerOptions options_;
    boost::asio::ssl::context tls_;
    boost::asio::io_context io_;
    tcp::acceptor acceptor_;
    std::thread thread_;
    std::atomic<bool> stopping_ = false;
    std::vector<std::thread> connections_;  // accept thread only, then the destructor
    std::mutex mutex_;
    std::list<tcp::socket*> open_;
    std::vector<std::string> targets_;
    std::vector<nlohmann::json> sent_;
};

}  // namespace parley::voice::loopback
