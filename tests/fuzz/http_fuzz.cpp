// An HTTP request as the server reads it: Beast's parser with the server's header limit, then
// the target split into a decoded path and query, and the Cookie headers read.

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <string>

#include "http/message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    namespace bhttp = boost::beast::http;
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(1024 * 1024);
    parser.eager(true);
    boost::beast::error_code ec;
    parser.put(boost::asio::buffer(data, size), ec);
    if (!parser.is_header_done()) return 0;
    std::string path;
    parley::http::Fields query;
    if (parley::http::ParseTarget(std::string(parser.get().target()), path, query)) {
        parley::http::Request req;
        req.query = query;
        (void)req.Query("limit");
        for (const auto& field : parser.get()) {
            if (boost::beast::iequals(field.name_string(), "cookie")) req.headers.emplace_back("cookie", field.value());
        }
        (void)req.Cookie("parley_sign_in");
    }
    return 0;
}
