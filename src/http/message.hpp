#pragma once

#include <any>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::http {

using Fields = std::vector<std::pair<std::string, std::string>>;

// A request as handlers see it, free of any socket or parser type.
struct Request {
    std::string method;  // "GET"
    std::string target;  // as sent: path and query
    std::string path;    // percent-decoded, without the query
    Fields query;        // decoded, in order
    Fields headers;      // names in lower case
    std::string body;
    std::string remote_address;
    // Left by the server's admission step for the handler (who is calling, which route).
    std::any admission;

    std::optional<std::string_view> Header(std::string_view lower_name) const;
    std::optional<std::string_view> Query(std::string_view name) const;
    // A cookie's value from the Cookie headers (RFC 6265 section 5.4): the first of that name.
    std::optional<std::string_view> Cookie(std::string_view name) const;
};

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    Fields headers;
    std::string body;
};

// `text` with every byte but RFC 3986's unreserved characters percent-encoded: safe in a path
// segment, a query value and a form field, and read back by ParseTarget.
std::string PercentEncode(std::string_view text);

// Splits a request target into a decoded path and query. False when the target is not a path
// or holds a malformed percent escape.
bool ParseTarget(std::string_view target, std::string& path, Fields& query);

}  // namespace parley::http
