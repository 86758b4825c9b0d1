#include "http/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <ctime>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace parley::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr size_t kFirstReadBytes = 4096;
constexpr auto kLingerTime = std::chrono::seconds(5);

std::string ErrorBody(std::string_view code, std::string_view message) {
    return std::string(R"({"success":false,"error":{"code":")") + std::string(code) + R"(","message":")" +
           std::string(message) + "\"}}";
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

struct Connection {
    explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
    beast::tcp_stream stream;
    bool idle = false;  // touched only by the thread running the connection's context
};

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
    // One io_context per thread, each run by exactly one thread: a connection lives on one of
    // them, so its operations never need a strand, and a stop is posted to that context.
    static std::vector<std::unique_ptr<asio::io_context>> MakeContexts(int n) {
        std::vector<std::unique_ptr<asio::io_context>> out;
        for (int i = 0; i < std::max(1, n); ++i) out.push_back(std::make_unique<asio::io_context>(1));
        return out;
    }

    Impl(ServerOptions o, RequestHandler h)
        : options(std::move(o)),
          handler(std::move(h)),
          contexts(MakeContexts(options.threads)),
          ioc(*contexts[0]),
          acceptor(ioc),
          signals(ioc) {}

    ServerOptions options;
    RequestHandler handler;
    std::vector<std::unique_ptr<asio::io_context>> contexts;
    asio::io_context& ioc;  // the first context: accepts and handles signals
    size_t next_context = 0;
    tcp::acceptor acceptor;
    asio::signal_set signals;
    std::atomic<bool> stopping{false};
    std::mutex mutex;
    uint64_t next_id = 0;
    std::unordered_map<uint64_t, std::weak_ptr<Connection>> connections;

    asio::awaitable<void> Accept() {
        for (;;) {
            auto& target = *contexts[next_context++ % contexts.size()];
            auto [ec, socket] = co_await acceptor.async_accept(target, kUseTuple);
            if (ec) {
                if (ec == asio::error::operation_aborted || stopping) co_return;
                spdlog::warn("accept failed: {}", ec.message());
                continue;
            }
            socket.set_option(tcp::no_delay(true));
            auto conn = std::make_shared<Connection>(std::move(socket));
            uint64_t id;
            {
                std::lock_guard lock(mutex);
                id = next_id++;
                connections.emplace(id, conn);
            }
            auto executor = conn->stream.get_executor();
            asio::co_spawn(executor, Session(conn, id), asio::detached);
        }
    }

    asio::awaitable<void> Write(Connection& conn, bhttp::response<bhttp::string_body>& res) {
        res.set(bhttp::field::date, HttpDate());
        res.prepare_payload();
        conn.stream.expires_after(options.body_timeout);
        co_await bhttp::async_write(conn.stream, res, kUseTuple);
    }

    // Answers with an error and closes. The client may still be sending a body we refused;
    // reading and dropping it for a while (a lingering close) lets the client read our answer
    // instead of getting a connection reset.
    asio::awaitable<void> WriteError(Connection& conn, unsigned version, bhttp::status status, std::string_view code,
                                     std::string_view message) {
        bhttp::response<bhttp::string_body> res{status, version ? version : 11};
        res.set(bhttp::field::content_type, "application/json");
        res.keep_alive(false);
        res.body() = ErrorBody(code, message);
        co_await Write(conn, res);
        beast::error_code ignored;
        conn.stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        constexpr size_t kMaxDrainBytes = 64 * 1024 * 1024;
        std::vector<char> sink(64 * 1024);
        size_t drained = 0;
        conn.stream.expires_after(kLingerTime);
        while (drained < kMaxDrainBytes) {
            auto [ec, n] = co_await conn.stream.async_read_some(asio::buffer(sink), kUseTuple);
            if (ec) break;
            drained += n;
        }
    }

    asio::awaitable<void> Session(std::shared_ptr<Connection> conn, uint64_t id) {
        beast::flat_buffer buffer;
        std::string remote;
        {
            beast::error_code ec;
            auto ep = conn->stream.socket().remote_endpoint(ec);
            if (!ec) remote = ep.address().to_string();
        }
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
                    co_await WriteError(*conn, 11, bhttp::status::request_header_fields_too_large,
                                        "PAYLOAD_TOO_LARGE", "request headers are too large");
                } else if (hec != bhttp::error::end_of_stream && hec != beast::error::timeout &&
                           hec != asio::error::operation_aborted) {
                    co_await WriteError(*conn, 11, bhttp::status::bad_request, "INVALID_REQUEST",
                                        "malformed HTTP request");
                }
                break;
            }
            const auto& head = parser.get();
            const std::string method(head.method_string());
            const std::string target(head.target());
            const size_t limit = options.body_limit ? options.body_limit(method, target) : 1024 * 1024;
            if (parser.content_length() && *parser.content_length() > limit) {
                co_await WriteError(*conn, head.version(), bhttp::status::payload_too_large, "PAYLOAD_TOO_LARGE",
                                    "request body is larger than " + std::to_string(limit) + " bytes");
                break;
            }
            parser.body_limit(limit);
            if (beast::iequals(head[bhttp::field::expect], "100-continue")) {
                bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, head.version()};
                co_await bhttp::async_write(conn->stream, cont, kUseTuple);
            }
            if (!parser.is_done()) {
                conn->stream.expires_after(options.body_timeout);
                auto [bec, bn] = co_await bhttp::async_read(conn->stream, buffer, parser, kUseTuple);
                if (bec) {
                    if (bec == bhttp::error::body_limit) {
                        co_await WriteError(*conn, head.version(), bhttp::status::payload_too_large,
                                            "PAYLOAD_TOO_LARGE",
                                            "request body is larger than " + std::to_string(limit) + " bytes");
                    } else if (bec != beast::error::timeout && bec != bhttp::error::end_of_stream) {
                        co_await WriteError(*conn, head.version(), bhttp::status::bad_request, "INVALID_REQUEST",
                                            "malformed HTTP request body");
                    }
                    break;
                }
            }
            auto message = parser.release();
            Request req;
            req.method = method;
            req.target = target;
            req.remote_address = remote;
            if (!ParseTarget(target, req.path, req.query)) {
                co_await WriteError(*conn, message.version(), bhttp::status::bad_request, "INVALID_REQUEST",
                                    "malformed request target");
                break;
            }
            req.headers.reserve(8);
            for (const auto& field : message) {
                std::string name(field.name_string());
                for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                req.headers.emplace_back(std::move(name), std::string(field.value()));
            }
            req.body = std::move(message.body());
            Response out;
            try {
                out = handler(req);
            } catch (const std::exception& e) {
                spdlog::error("unhandled exception for {} {}: {}", method, req.path, e.what());
                out = Response{500, "application/json", {}, ErrorBody("INTERNAL_ERROR", "Internal server error")};
            }
            bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(out.status), message.version()};
            res.set(bhttp::field::content_type, out.content_type);
            for (auto& [k, v] : out.headers) res.set(k, v);
            res.body() = std::move(out.body);
            const bool keep = message.keep_alive() && !stopping;
            res.keep_alive(keep);
            co_await Write(*conn, res);
            if (!keep) break;
        }
        beast::error_code ignored;
        conn->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
        conn->stream.close();
        std::lock_guard lock(mutex);
        connections.erase(id);
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
        return Fail(ErrorCode::kUnavailable,
                    "cannot listen on " + impl_->options.host + ":" + std::to_string(impl_->options.port) + ": " +
                        ec.message());
    }
    return acceptor.local_endpoint().port();
}

void Server::Run() {
    auto impl = impl_;
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
    // Every context but the first is kept running until Stop(): it may get a connection later.
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
    for (size_t i = 1; i < impl->contexts.size(); ++i) guards.push_back(asio::make_work_guard(*impl->contexts[i]));
    std::vector<std::thread> threads;
    for (size_t i = 1; i < impl->contexts.size(); ++i) {
        threads.emplace_back([impl, i] { impl->contexts[i]->run(); });
    }
    impl->ioc.run();
    // The first context ran dry: the acceptor is closed and its connections are done. The
    // others finish their connections, then run dry too.
    for (auto& g : guards) g.reset();
    for (auto& t : threads) t.join();
}

void Server::Stop() { impl_->Stop(); }

}  // namespace parley::http
