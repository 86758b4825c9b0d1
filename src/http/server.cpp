#include "http/server.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/ids.hpp"
#include "common/log_throttle.hpp"

namespace parley::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr size_t kFirstReadBytes = 4096;
constexpr auto kLingerTime = std::chrono::seconds(5);
constexpr size_t kMaxLingerBytes = 64 * 1024 * 1024;
// How long accepting pauses when the process is out of file descriptors (or memory for a
// socket): a retry at once would fail the same way, as fast as the CPU allows.
constexpr auto kAcceptBackoff = std::chrono::milliseconds(100);

std::string ErrorBody(std::string_view code, std::string_view message) {
    return std::string(R"({"success":false,"error":{"code":")") + std::string(code) + R"(","message":")" +
           std::string(message) + "\"}}";
}

Response ErrorResponse(int status, std::string_view code, std::string_view message) {
    return Response{status, "application/json", {}, ErrorBody(code, message)};
}

// The Date header (RFC 9110), made once a second per thread.
const std::string& HttpDate() {
    thread_local std::time_t cached_second = 0;
    thread_local std::string cached;
    const std::time_t now = std::time(nullptr);
    if (now != cached_second) {
        std::tm tm{};
        gmtime_r(&now, &tm);
        char buf[64];
        const size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        cached.assign(buf, n);
        cached_second = now;
    }
    return cached;
}

bool OutOfResources(const beast::error_code& ec) {
    return ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space || ec == asio::error::no_memory ||
           ec == beast::error_code(ENFILE, beast::system_category());
}

// Answers a connection refused at the cap without a session: a fresh socket's send buffer is
// empty, so the short answer goes out without blocking.
void RefuseBusy(tcp::socket& socket) {
    static const std::string busy_body = ErrorBody("SERVICE_UNAVAILABLE", "too many open connections; retry shortly");
    static const std::string busy_answer =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n"
        "Retry-After: 1\r\nContent-Length: " +
        std::to_string(busy_body.size()) + "\r\n\r\n" + busy_body;
    beast::error_code ignored;
    socket.non_blocking(true, ignored);
    socket.write_some(asio::buffer(busy_answer), ignored);
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
}

// A response's content type and headers on a Beast message. Each cookie is a header of its own
// (RFC 6265 section 3); any other name is set once.
template <class Message>
void SetHeaders(Message& res, const Response& out) {
    res.set(bhttp::field::content_type, out.content_type);
    for (const auto& [k, v] : out.headers) {
        if (beast::iequals(k, "set-cookie")) {
            res.insert(k, v);
        } else {
            res.set(k, v);
        }
    }
    // Every answer names its request; the API names it itself (the id in its error bodies), and
    // the server's own answers (a body or headers too large, a malformed request) get one here.
    if (res.find("x-request-id") == res.end()) {
        const auto now =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
                .count();
        res.set("X-Request-Id", NewId("req_", now));
    }
}

struct Connection {
    Connection(tcp::socket socket, std::string address) : stream(std::move(socket)), remote(std::move(address)) {}
    beast::tcp_stream stream;
    const std::string remote;
    bool idle = false;  // touched only by the thread running the connection's context
};

// Runs `f` on `pool` and resumes the calling coroutine on its own executor with the result
// (or the exception `f` threw).
template <class F>
asio::awaitable<std::invoke_result_t<F&>> OnPool(asio::thread_pool& pool, F& f) {
    using R = std::invoke_result_t<F&>;
    co_return co_await asio::co_spawn(
        pool, [&f]() -> asio::awaitable<R> { co_return f(); }, asio::use_awaitable);
}

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
    // One io_context per I/O thread, each run by exactly one thread: a connection lives on one
    // of them, so its operations never need a strand, and a stop is posted to that context.
    static std::vector<std::unique_ptr<asio::io_context>> MakeContexts(int n) {
        std::vector<std::unique_ptr<asio::io_context>> out;
        for (int i = 0; i < std::max(1, n); ++i) out.push_back(std::make_unique<asio::io_context>(1));
        return out;
    }

    Impl(ServerOptions o, RequestHandler h)
        : options(std::move(o)),
          handler(std::move(h)),
          contexts(MakeContexts(options.io_threads)),
          ioc(*contexts[0]),
          workers(static_cast<size_t>(std::max(1, options.worker_threads))),
          heavy(static_cast<size_t>(std::max(1, options.heavy_threads))),
          acceptor(ioc),
          signals(ioc) {}

    ServerOptions options;
    RequestHandler handler;
    std::vector<std::unique_ptr<asio::io_context>> contexts;
    asio::io_context& ioc;  // the first context: accepts and handles signals
    asio::thread_pool workers;
    asio::thread_pool heavy;
    size_t next_context = 0;
    tcp::acceptor acceptor;
    asio::signal_set signals;
    std::atomic<bool> stopping{false};

    std::mutex mutex;  // guards what follows
    std::condition_variable drained;
    bool accepting = false;
    uint64_t next_id = 0;
    std::unordered_map<uint64_t, std::weak_ptr<Connection>> connections;
    std::unordered_map<std::string, size_t> per_address;

    LogThrottle accept_log;
    LogThrottle refuse_log;
    LogThrottle exception_log;

    // Registers a new connection, or says why it is refused.
    std::optional<uint64_t> Register(const std::shared_ptr<Connection>& conn, std::string& why) {
        std::lock_guard lock(mutex);
        if (connections.size() >= options.max_connections) {
            why = std::to_string(connections.size()) + " connections are open (the cap)";
            return std::nullopt;
        }
        auto& from_address = per_address[conn->remote];
        if (from_address >= options.max_connections_per_address) {
            why = std::to_string(from_address) + " connections are open from " + conn->remote + " (the cap)";
            return std::nullopt;
        }
        ++from_address;
        const uint64_t id = next_id++;
        connections.emplace(id, conn);
        return id;
    }

    void Unregister(uint64_t id, const std::string& remote) {
        std::lock_guard lock(mutex);
        connections.erase(id);
        if (auto it = per_address.find(remote); it != per_address.end() && --it->second == 0) per_address.erase(it);
        if (connections.empty()) drained.notify_all();
    }

    asio::awaitable<void> Accept() {
        asio::steady_timer backoff(ioc);
        for (;;) {
            auto& target = *contexts[next_context++ % contexts.size()];
            auto [ec, socket] = co_await acceptor.async_accept(target, kUseTuple);
            if (ec) {
                if (ec == asio::error::operation_aborted || stopping) break;
                if (auto held = accept_log.Allow()) spdlog::warn("accept failed: {}{}", ec.message(), HeldBack(*held));
                if (OutOfResources(ec)) {
                    backoff.expires_after(kAcceptBackoff);
                    co_await backoff.async_wait(kUseTuple);
                }
                continue;
            }
            beast::error_code ignored;
            socket.set_option(tcp::no_delay(true), ignored);
            const auto endpoint = socket.remote_endpoint(ignored);
            auto conn = std::make_shared<Connection>(std::move(socket), endpoint.address().to_string());
            std::string why;
            const auto id = Register(conn, why);
            if (!id) {
                if (auto held = refuse_log.Allow()) {
                    spdlog::warn("refused a connection from {}: {}{}", conn->remote, why, HeldBack(*held));
                }
                RefuseBusy(conn->stream.socket());
                continue;
            }
            asio::co_spawn(conn->stream.get_executor(), Session(conn, *id), asio::detached);
        }
        std::lock_guard lock(mutex);
        accepting = false;
        drained.notify_all();
    }

    asio::awaitable<void> Write(Connection& conn, unsigned version, Response out, bool keep_alive) {
        bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(out.status), version ? version : 11};
        SetHeaders(res, out);
        res.body() = std::move(out.body);
        res.keep_alive(keep_alive);
        res.set(bhttp::field::date, HttpDate());
        res.prepare_payload();
        conn.stream.expires_after(options.body_timeout);
        co_await bhttp::async_write(conn.stream, res, kUseTuple);
    }

    // A streamed answer: the header (chunked), then each piece the producer writes as it comes,
    // the producer running on the worker pool meanwhile. True when the connection may serve
    // another request.
    asio::awaitable<bool> WriteStreamed(Connection& conn, unsigned version, Response out, bool keep_alive) {
        bhttp::response<bhttp::empty_body> res{static_cast<bhttp::status>(out.status), version ? version : 11};
        SetHeaders(res, out);
        res.keep_alive(keep_alive);
        res.set(bhttp::field::date, HttpDate());
        res.chunked(true);
        bhttp::response_serializer<bhttp::empty_body> head{res};
        conn.stream.expires_after(options.body_timeout);
        auto [hec, hn] = co_await bhttp::async_write_header(conn.stream, head, kUseTuple);
        if (hec) co_return false;
        auto body = std::make_shared<BodyStream>();
        // Woken when a piece is queued: the wake is posted to this connection's thread, where the
        // loop below waits on the timer, so it cannot come between taking the pieces and waiting.
        auto timer = std::make_shared<asio::steady_timer>(conn.stream.get_executor());
        body->OnChange([executor = conn.stream.get_executor(), weak = std::weak_ptr<asio::steady_timer>(timer)] {
            asio::post(executor, [weak] {
                if (auto t = weak.lock()) t->cancel();
            });
        });
        asio::post(workers, [this, body, produce = std::move(out.stream)] {
            try {
                produce(body);
            } catch (const std::exception& e) {
                if (auto held = exception_log.Allow()) {
                    spdlog::error("unhandled exception streaming a response: {}{}", e.what(), HeldBack(*held));
                }
                body->End();
            }
        });
        bool sent = true;
        for (;;) {
            bool ended = false;
            for (const auto& piece : body->Take(ended)) {
                if (piece.empty()) continue;
                conn.stream.expires_after(options.body_timeout);
                auto [ec, n] =
                    co_await asio::async_write(conn.stream, bhttp::make_chunk(asio::buffer(piece)), kUseTuple);
                if (ec) {
                    sent = false;
                    break;
                }
            }
            if (!sent) break;
            if (ended) {
                auto [ec, n] = co_await asio::async_write(conn.stream, bhttp::make_chunk_last(), kUseTuple);
                sent = !ec;
                break;
            }
            if (stopping) {  // a stopping server does not wait for streams that may never end
                sent = false;
                break;
            }
            timer->expires_after(std::chrono::seconds(1));
            co_await timer->async_wait(kUseTuple);
        }
        if (!sent) body->SetGone();
        body->OnChange(nullptr);
        co_return sent&& keep_alive;
    }

    // Answers and closes. The client may still be sending a body we will not read; reading and
    // dropping it for a while (a lingering close) lets the client read our answer instead of
    // getting a connection reset. Nothing of it is kept.
    asio::awaitable<void> AnswerAndClose(Connection& conn, unsigned version, Response out) {
        co_await Write(conn, version, std::move(out), false);
        beast::error_code ignored;
        conn.stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        std::vector<char> sink(64 * 1024);
        size_t drained_bytes = 0;
        conn.stream.expires_after(kLingerTime);
        while (drained_bytes < kMaxLingerBytes) {
            auto [ec, n] = co_await conn.stream.async_read_some(asio::buffer(sink), kUseTuple);
            if (ec) break;
            drained_bytes += n;
        }
    }

    static Response TooLarge(const RouteInfo& route) {
        if (route.too_large) return *route.too_large;
        return ErrorResponse(413, "PAYLOAD_TOO_LARGE",
                             "request body is larger than " + std::to_string(route.body_limit) + " bytes");
    }

    asio::thread_pool* PoolOf(Lane lane) {
        switch (lane) {
            case Lane::kInline: return nullptr;
            case Lane::kWorker: return &workers;
            case Lane::kHeavy: return &heavy;
        }
        return &workers;
    }

    // Calls `f` inline or on a pool; an exception becomes a 500.
    template <class F>
    asio::awaitable<std::invoke_result_t<F&>> Call(asio::thread_pool* pool, const Request& req, F f) {
        try {
            if (!pool) co_return f();
            co_return co_await OnPool(*pool, f);
        } catch (const std::exception& e) {
            if (auto held = exception_log.Allow()) {
                spdlog::error("unhandled exception for {} {}: {}{}", req.method, req.path, e.what(), HeldBack(*held));
            }
        }
        co_return ErrorResponse(500, "INTERNAL_ERROR", "Internal server error");
    }

    asio::awaitable<void> Session(std::shared_ptr<Connection> conn, uint64_t id) {
        beast::flat_buffer buffer;
        for (;;) {
            if (buffer.size() == 0) {
                // Waiting for the next request on a keep-alive connection: the only state in
                // which a graceful stop closes the connection.
                if (stopping) break;
                conn->idle = true;
                conn->stream.expires_after(options.idle_timeout);
                auto [ec, n] = co_await conn->stream.async_read_some(buffer.prepare(kFirstReadBytes), kUseTuple);
                conn->idle = false;
                if (ec) break;
                buffer.commit(n);
            }
            bhttp::request_parser<bhttp::string_body> parser;
            parser.header_limit(static_cast<uint32_t>(options.header_limit));
            // The route's limit is known only after the header; until then none applies (Beast's
            // default would refuse large bodies before we could answer 413 ourselves).
            parser.body_limit(boost::none);
            conn->stream.expires_after(options.header_timeout);
            auto [hec, hn] = co_await bhttp::async_read_header(conn->stream, buffer, parser, kUseTuple);
            if (hec) {
                if (hec == bhttp::error::header_limit) {
                    co_await AnswerAndClose(*conn, 11,
                                            ErrorResponse(431, "PAYLOAD_TOO_LARGE", "request headers are too large"));
                } else if (hec != bhttp::error::end_of_stream && hec != beast::error::timeout &&
                           hec != asio::error::operation_aborted) {
                    co_await AnswerAndClose(*conn, 11, ErrorResponse(400, "INVALID_REQUEST", "malformed HTTP request"));
                }
                break;
            }
            const auto& head = parser.get();
            const unsigned version = head.version();
            Request req;
            req.method = std::string(head.method_string());
            req.target = std::string(head.target());
            req.remote_address = conn->remote;
            if (!ParseTarget(req.target, req.path, req.query)) {
                co_await AnswerAndClose(*conn, version,
                                        ErrorResponse(400, "INVALID_REQUEST", "malformed request target"));
                break;
            }
            // RFC 9112 section 3.2: a server answers 400 to an HTTP/1.1 request without Host.
            if (version >= 11 && head.find(bhttp::field::host) == head.end()) {
                co_await AnswerAndClose(
                    *conn, version, ErrorResponse(400, "INVALID_REQUEST", "an HTTP/1.1 request needs a Host header"));
                break;
            }
            req.headers.reserve(8);
            for (const auto& field : head) {
                std::string name(field.name_string());
                for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                req.headers.emplace_back(std::move(name), std::string(field.value()));
            }
            const RouteInfo route = options.route ? options.route(req.method, req.target) : RouteInfo{};
            if (parser.content_length() && *parser.content_length() > route.body_limit) {
                co_await AnswerAndClose(*conn, version, TooLarge(route));
                break;
            }
            const bool body_coming = !parser.is_done();
            const bool keep = head.keep_alive();
            Response out;
            if (!body_coming) {
                // Nothing to read between admission and handler: both in one trip to the pool.
                out = co_await Call(PoolOf(route.lane), req, [&] {
                    if (options.admit) {
                        if (auto refused = options.admit(req)) return std::move(*refused);
                    }
                    return handler(req);
                });
            } else {
                if (options.admit) {
                    auto admit = [&] { return options.admit(req); };
                    auto* pool = route.lane == Lane::kInline ? nullptr : &workers;
                    std::optional<Response> refused;
                    try {
                        if (pool) {
                            refused = co_await OnPool(*pool, admit);
                        } else {
                            refused = admit();
                        }
                    } catch (const std::exception& e) {
                        if (auto held = exception_log.Allow()) {
                            spdlog::error("unhandled exception admitting {} {}: {}{}", req.method, req.path, e.what(),
                                          HeldBack(*held));
                        }
                        refused = ErrorResponse(500, "INTERNAL_ERROR", "Internal server error");
                    }
                    if (refused) {
                        // The body is never read: the connection ends here.
                        co_await AnswerAndClose(*conn, version, std::move(*refused));
                        break;
                    }
                }
                parser.body_limit(route.body_limit);
                if (beast::iequals(head[bhttp::field::expect], "100-continue")) {
                    bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, version};
                    co_await bhttp::async_write(conn->stream, cont, kUseTuple);
                }
                conn->stream.expires_after(options.body_timeout);
                auto [bec, bn] = co_await bhttp::async_read(conn->stream, buffer, parser, kUseTuple);
                if (bec) {
                    if (bec == bhttp::error::body_limit) {
                        co_await AnswerAndClose(*conn, version, TooLarge(route));
                    } else if (bec != beast::error::timeout && bec != bhttp::error::end_of_stream) {
                        co_await AnswerAndClose(*conn, version,
                                                ErrorResponse(400, "INVALID_REQUEST", "malformed HTTP request body"));
                    }
                    break;
                }
                req.body = std::move(parser.get().body());
                out = co_await Call(PoolOf(route.lane), req, [&] { return handler(req); });
            }
            const bool keep_open = keep && !stopping;
            if (out.stream) {
                if (!co_await WriteStreamed(*conn, version, std::move(out), keep_open)) break;
                continue;
            }
            co_await Write(*conn, version, std::move(out), keep_open);
            if (!keep_open) break;
        }
        beast::error_code ignored;
        conn->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        conn->stream.close();
        Unregister(id, conn->remote);
    }

    void Stop() {
        if (stopping.exchange(true)) return;
        asio::post(acceptor.get_executor(), [self = shared_from_this()] {
            beast::error_code ignored;
            self->acceptor.close(ignored);
        });
        asio::post(ioc, [self = shared_from_this()] {
            beast::error_code ignored;
            self->signals.cancel(ignored);
        });
        std::vector<std::shared_ptr<Connection>> live;
        {
            std::lock_guard lock(mutex);
            for (auto& [id, weak] : connections) {
                if (auto c = weak.lock()) live.push_back(std::move(c));
            }
        }
        for (auto& c : live) {
            asio::post(c->stream.get_executor(), [c] {
                if (c->idle) c->stream.cancel();
            });
        }
    }
};

Server::Server(ServerOptions options, RequestHandler handler)
    : impl_(std::make_shared<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() {
    for (auto& c : impl_->contexts) c->stop();
    impl_->workers.stop();
    impl_->heavy.stop();
    impl_->workers.join();
    impl_->heavy.join();
}

Result<uint16_t> Server::Listen() {
    beast::error_code ec;
    const auto address = asio::ip::make_address(impl_->options.host, ec);
    if (ec) return Fail(ErrorCode::kValidation, "not an IP address: " + impl_->options.host);
    const tcp::endpoint endpoint{address, impl_->options.port};
    auto& acceptor = impl_->acceptor;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        return Fail(ErrorCode::kUnavailable, "cannot listen on " + impl_->options.host + ":" +
                                                 std::to_string(impl_->options.port) + ": " + ec.message());
    }
    return acceptor.local_endpoint().port();
}

void Server::Run() {
    auto impl = impl_;
    {
        std::lock_guard lock(impl->mutex);
        impl->accepting = true;
    }
    asio::co_spawn(impl->acceptor.get_executor(), impl->Accept(), asio::detached);
    if (impl->options.handle_signals) {
        impl->signals.add(SIGINT);
        impl->signals.add(SIGTERM);
        impl->signals.async_wait([impl](const beast::error_code& ec, int signal) {
            if (ec) return;
            spdlog::info("signal {}: finishing requests in flight, then stopping", signal);
            impl->Stop();
        });
    }
    // Every context runs until the acceptor has closed and the last connection has ended: a
    // connection waiting on a pool has no work of its own in its context meanwhile.
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
    std::vector<std::thread> threads;
    for (auto& context : impl->contexts) {
        guards.push_back(asio::make_work_guard(*context));
        threads.emplace_back([&context] { context->run(); });
    }
    {
        std::unique_lock lock(impl->mutex);
        impl->drained.wait(lock, [&] { return impl->stopping && !impl->accepting && impl->connections.empty(); });
    }
    for (auto& g : guards) g.reset();
    for (auto& t : threads) t.join();
}

void Server::Stop() {
    impl_->Stop();
}

uint64_t RaiseOpenFileLimit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
    if (limit.rlim_cur < limit.rlim_max) {
        rlimit raised = limit;
        raised.rlim_cur = limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
    }
    return limit.rlim_cur;
}

}  // namespace parley::http
