#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "http/message.hpp"

namespace parley::http {

// Where a request's work runs. The I/O threads only move bytes, so a request that blocks (on
// the database) or computes for long never delays the other connections of its thread.
enum class Lane {
    kInline,  // on the I/O thread: cheap work that never blocks (/healthz, /metrics)
    kWorker,  // on the worker pool: ordinary requests, which may block on the database
    kHeavy,   // on the heavy pool: imports and bulk writes, a few at a time, so they cannot take every worker
};

// What the server needs to know of a route before it reads a body. Cheap: called on the I/O
// thread for every request.
struct RouteInfo {
    size_t body_limit = 1024 * 1024;  // larger bodies are answered 413 unread
    Lane lane = Lane::kWorker;
    // The answer to a larger body, for a route whose clients read errors in another form (a
    // JSON-RPC error at /mcp); null: the REST error PAYLOAD_TOO_LARGE.
    std::shared_ptr<const Response> too_large;
};

struct ServerOptions {
    std::string host = "127.0.0.1";
    uint16_t port = 8080;  // 0: the OS picks one
    int io_threads = 2;
    int worker_threads = 4;
    int heavy_threads = 2;
    size_t header_limit = 16 * 1024;
    // Open connections: a new one past either cap is answered 503 and closed at once.
    size_t max_connections = 10'000;
    size_t max_connections_per_address = 256;
    std::chrono::milliseconds idle_timeout{5'000};     // a connection waiting for its next request
    std::chrono::milliseconds header_timeout{10'000};  // from a request's first byte to its last header
    std::chrono::milliseconds body_timeout{120'000};   // reading the body; also writing the answer
    // The route of a request: its body limit and lane. Every request is kWorker with a 1 MiB
    // limit when absent.
    std::function<RouteInfo(std::string_view method, std::string_view target)> route;
    // Runs once the header has arrived, before the body is read or 100 Continue is sent, on the
    // route's pool (the worker pool for kHeavy): authenticates and checks permissions and rate
    // limits from the header. A response ends the request there (the body is never read); it
    // may leave state in Request::admission for the handler.
    std::function<std::optional<Response>(Request&)> admit;
    // Stop on SIGINT and SIGTERM.
    bool handle_signals = false;
};

// Handlers run on the server's pools and may block (for the database); they must not throw
// for expected failures, but an exception becomes a 500 and the connection survives.
using RequestHandler = std::function<Response(Request&)>;

// HTTP/1.1 server with keep-alive, connection caps, per-route body limits, admission before
// the body, and timeouts. Stop() is graceful: no new connections, requests in flight are
// answered (with Connection: close), idle keep-alive connections are closed, then Run() returns.
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

// Raises this process's soft limit of open files to its hard limit, so connection caps rather
// than the file limit decide how many clients are served. Returns the soft limit in force.
uint64_t RaiseOpenFileLimit();

}  // namespace parley::http
