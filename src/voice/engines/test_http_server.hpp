#pragma once

// For tests only: a loopback HTTP server that plays an OpenAI-compatible endpoint with canned
// replies and keeps the requests it saw.

#include <poll.h>

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <cctype>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace parley::voice::loopback {

struct Request {
    std::string method;
    std::string path;
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;
};

struct Reply {
    int status = 200;
    std::string content_type;
    std::string body;
    // When not empty, the body is sent as these pieces instead, each its own HTTP chunk
    // (Transfer-Encoding: chunked) and its own write, the way a streaming server sends events.
    std::vector<std::string> chunks;
    int chunk_delay_ms = 0;  // a pause before each chunk after the first, as a server that makes them
    int first_delay_ms = 0;  // a pause before the reply, as a server that thinks first
    std::function<void(size_t index)> before_chunk;  // runs before each chunk is sent
};

// A one-thread HTTP/1.1 server on 127.0.0.1 and a free port. Each request gets one reply: the
// next of `replies` in order (then a 500 saying none is left), or always the same one. A
// connection gets one request, or, with KeepAlive(), every request its client sends on it
// until the client closes it or is quiet for a second.
class LoopbackServer {
public:
    explicit LoopbackServer(Reply reply) : LoopbackServer(std::vector<Reply>{std::move(reply)}, true) {}
    explicit LoopbackServer(std::vector<Reply> replies) : LoopbackServer(std::move(replies), false) {}

    ~LoopbackServer() {
        stopping_ = true;
        boost::system::error_code ignored;
        // Wake the blocking accept with a connection of our own.
        tcp::socket poke(io_);
        poke.connect(acceptor_.local_endpoint(), ignored);
        thread_.join();
    }

    LoopbackServer(const LoopbackServer&) = delete;
    LoopbackServer& operator=(const LoopbackServer&) = delete;

    std::string BaseUrl() const {
        return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/v1";
    }

    std::vector<Request> Requests() {
        std::lock_guard lock(mutex_);
        return requests_;
    }

    // Before the first request: keep connections open for more requests.
    void KeepAlive() { keep_alive_ = true; }
    // Connections accepted so far.
    int Connections() const { return connections_; }

private:
    using tcp = boost::asio::ip::tcp;

    LoopbackServer(std::vector<Reply> replies, bool repeat)
        : replies_(std::move(replies)),
          repeat_(repeat),
          acceptor_(io_, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)) {
        thread_ = std::thread([this] { Serve(); });
    }

    void Serve() {
        while (!stopping_) {
            tcp::socket socket(io_);
            boost::system::error_code ec;
            acceptor_.accept(socket, ec);
            if (ec || stopping_) return;
            ++connections_;
            while (Handle(socket) && keep_alive_ && !stopping_ && NextRequestWithin(socket, 1000)) {
            }
            boost::system::error_code ignored;
            socket.shutdown(tcp::socket::shutdown_both, ignored);
        }
    }

    static bool NextRequestWithin(tcp::socket& socket, int timeout_ms) {
        pollfd p{socket.native_handle(), POLLIN, 0};
        return ::poll(&p, 1, timeout_ms) == 1 && socket.available() > 0;
    }

    Reply NextReply() {
        std::lock_guard lock(mutex_);
        if (repeat_) return replies_.front();
        if (next_ < replies_.size()) return replies_[next_++];
        return Reply{500, "text/plain", "the test server has no reply left", {}, 0, 0, {}};
    }

    // Reads one request and answers it; false when the connection failed.
    bool Handle(tcp::socket& socket) {
        namespace asio = boost::asio;
        boost::system::error_code ec;
        std::string data;
        const size_t header_end = asio::read_until(socket, asio::dynamic_buffer(data), "\r\n\r\n", ec);
        if (ec) return false;
        Request request;
        std::istringstream head(data.substr(0, header_end));
        std::string line;
        std::getline(head, line);
        std::istringstream(line) >> request.method >> request.path;
        while (std::getline(head, line) && line != "\r") {
            const size_t colon = line.find(':');
            if (colon == std::string::npos) continue;
            std::string name = line.substr(0, colon);
            std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
            std::string value = line.substr(colon + 1);
            value.erase(0, value.find_first_not_of(' '));
            if (!value.empty() && value.back() == '\r') value.pop_back();
            request.headers[name] = value;
        }
        const size_t length =
            std::stoul(request.headers.count("content-length") ? request.headers["content-length"] : "0");
        request.body = data.substr(header_end);
        if (request.body.size() < length) {
            std::string rest(length - request.body.size(), '\0');
            asio::read(socket, asio::buffer(rest), ec);
            request.body += rest;
        }
        {
            std::lock_guard lock(mutex_);
            requests_.push_back(request);
        }
        const Reply reply = NextReply();
        std::this_thread::sleep_for(std::chrono::milliseconds(reply.first_delay_ms));
        std::string head_out = "HTTP/1.1 " + std::to_string(reply.status) +
                               " X\r\nContent-Type: " + reply.content_type +
                               (keep_alive_ ? "\r\n" : "\r\nConnection: close\r\n");
        if (reply.chunks.empty()) {
            const std::string response =
                head_out + "Content-Length: " + std::to_string(reply.body.size()) + "\r\n\r\n" + reply.body;
            asio::write(socket, asio::buffer(response), ec);
        } else {
            socket.set_option(tcp::no_delay(true), ec);
            asio::write(socket, asio::buffer(head_out + "Transfer-Encoding: chunked\r\n\r\n"), ec);
            for (const auto& chunk : reply.chunks) {
                if (chunk.empty()) continue;  // an empty chunk would end the body
                if (&chunk != &reply.chunks.front()) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(reply.chunk_delay_ms));
                }
                if (reply.before_chunk) reply.before_chunk(static_cast<size_t>(&chunk - reply.chunks.data()));
                std::ostringstream size;
                size << std::hex << chunk.size();
                asio::write(socket, asio::buffer(size.str() + "\r\n" + chunk + "\r\n"), ec);
            }
            asio::write(socket, asio::buffer(std::string("0\r\n\r\n")), ec);
        }
        return !ec;
    }

    std::mutex mutex_;
    std::vector<Reply> replies_;
    bool repeat_ = false;
    size_t next_ = 0;
    boost::asio::io_context io_;
    tcp::acceptor acceptor_;
    std::thread thread_;
    std::atomic<bool> stopping_ = false;
    std::atomic<bool> keep_alive_ = false;
    std::atomic<int> connections_ = 0;
    std::vector<Request> requests_;
};

// A port nothing listens on: bound, read and closed again.
inline std::string RefusingBaseUrl() {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor acceptor(
        io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    const auto port = acceptor.local_endpoint().port();
    acceptor.close();
    return "http://127.0.0.1:" + std::to_string(port) + "/v1";
}

}  // namespace parley::voice::loopback
