#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "http/message.hpp"

namespace parley::http {

struct ServerOptions {
    std::string host = "127.0.0.1";
    uint16_t port = 8080;  // 0: the OS picks one
    int threads = 4;
    size_t header_limit = 16 * 1024;
    std::chrono::milliseconds idle_timeout{60'000};    // keep-alive connection waiting for a request
    std::chrono::milliseconds header_timeout{10'000};  // from a request's first byte to its last header
    std::chrono::milliseconds body_timeout{120'000};
    // The largest body accepted for a request; larger ones are answered 413 unread.
    std::function<size_t(std::string_view method, std::string_view path)> body_limit;
    // Stop on SIGINT and SIGTERM.
    bool handle_signals = false;
};

// Handlers run on the server's threads and may block (for the database); they must not throw
// for expected failures, but an exception becomes a 500 and the connection survives.
using RequestHandler = std::function<Response(Request&)>;

// HTTP/1.1 server with keep-alive, per-request body limits and timeouts. Stop() is graceful:
// no new connections, requests in flight are answered (with Connection: close), idle
// keep-alive connections are closed, then Run() returns.
class Server {
public:
    Server(ServerOptions options, RequestHandler handler);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds and listens; returns the port (useful with port 0).
    Result<uint16_t> Listen();
    // Serves until Stop() has finished; returns on the calling thread.
    void Run();
    // Safe from any thread.
    void Stop();

private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace parley::http
