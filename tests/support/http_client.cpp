#include "support/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>

namespace parley::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

HttpResult HttpClient::Send(const std::string& method, const std::string& target, const std::string& body,
                            const std::vector<std::pair<std::string, std::string>>& headers) const {
    asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.connect(tcp::endpoint(asio::ip::make_address(host_), port_));
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
    req.set(bhttp::field::host, host_);
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    if (!body.empty() || method == "POST" || method == "PATCH" || method == "PUT") req.prepare_payload();
    bhttp::write(stream, req);
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(256 * 1024 * 1024);
    bhttp::read(stream, buffer, parser);
    const auto& res = parser.get();
    HttpResult out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& f : res) {
        std::string name(f.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out.headers[name] = std::string(f.value());
    }
    out.body = res.body();
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return out;
}

namespace {

// Appends what arrives on `stream` to `out` until `until` is found in it, the peer closes, or
// two seconds pass without data.
void ReadUntil(beast::tcp_stream& stream, asio::io_context& ioc, std::string& out, const std::string& until) {
    char buf[4096];
    while (until.empty() || out.find(until) == std::string::npos) {
        stream.expires_after(std::chrono::seconds(2));
        beast::error_code ec;
        bool done = false;
        size_t got = 0;
        stream.async_read_some(asio::buffer(buf), [&](beast::error_code e, size_t n) {
            ec = e;
            got = n;
            done = true;
        });
        ioc.restart();
        ioc.run();
        if (!done || ec) return;
        out.append(buf, got);
    }
}

}  // namespace

std::string HttpClient::Raw(const std::string& bytes) const {
    return RawInTwoParts(bytes, "", nullptr);
}

std::string HttpClient::RawInTwoParts(const std::string& head, const std::string& body,
                                      const std::function<void()>& between) const {
    asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.connect(tcp::endpoint(asio::ip::make_address(host_), port_));
    asio::write(stream, asio::buffer(head));
    std::string out;
    if (between) {
        ReadUntil(stream, ioc, out, "100 Continue\r\n\r\n");
        between();
        asio::write(stream, asio::buffer(body));
    }
    ReadUntil(stream, ioc, out, "");
    return out;
}

HttpResult ApiClient::Send(const std::string& method, const std::string& target, const std::string& body,
                           std::vector<std::pair<std::string, std::string>> headers) const {
    headers.emplace_back("Authorization", "Bearer " + key_);
    if (!body.empty()) {
        bool has_type = false;
        for (const auto& [k, v] : headers) has_type = has_type || k == "Content-Type";
        if (!has_type) headers.emplace_back("Content-Type", "application/json");
    }
    return http_.Send(method, target, body, headers);
}

}  // namespace parley::testing
