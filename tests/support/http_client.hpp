#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace parley::testing {

using Json = nlohmann::ordered_json;

struct HttpResult {
    int status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;

    // The body as JSON (a discarded value when it is not JSON).
    Json json() const { return Json::parse(body, nullptr, false); }
    std::string header(const std::string& lower_name) const {
        auto it = headers.find(lower_name);
        return it == headers.end() ? std::string() : it->second;
    }
};

// A blocking HTTP/1.1 client for tests: one new connection per request unless `raw` is used.
class HttpClient {
public:
    HttpClient(std::string host, uint16_t port) : host_(std::move(host)), port_(port) {}

    HttpResult Send(const std::string& method, const std::string& target, const std::string& body = {},
                    const std::vector<std::pair<std::string, std::string>>& headers = {}) const;

    // Sends bytes as they are and returns everything the server answers until it closes the
    // connection (or a second passes without data).
    std::string Raw(const std::string& bytes) const;

    // Sends `head`, waits for the server's "100 Continue", calls `between`, sends `body`, and
    // returns what the server answers until it closes the connection. Without `between`, only
    // `head` is sent.
    std::string RawInTwoParts(const std::string& head, const std::string& body,
                              const std::function<void()>& between) const;

    uint16_t port() const { return port_; }

private:
    std::string host_;
    uint16_t port_;
};

// A client that adds a bearer key and JSON content type.
class ApiClient {
public:
    ApiClient(const HttpClient& http, std::string key) : http_(http), key_(std::move(key)) {}
    HttpResult Get(const std::string& target) const { return Send("GET", target); }
    HttpResult Post(const std::string& target, const Json& body,
                    std::vector<std::pair<std::string, std::string>> headers = {}) const {
        return Send("POST", target, body.dump(), std::move(headers));
    }
    HttpResult Patch(const std::string& target, const Json& body) const { return Send("PATCH", target, body.dump()); }
    HttpResult Delete(const std::string& target) const { return Send("DELETE", target); }
    HttpResult Send(const std::string& method, const std::string& target, const std::string& body = {},
                    std::vector<std::pair<std::string, std::string>> headers = {}) const;
    const std::string& key() const { return key_; }

private:
    const HttpClient& http_;
    std::string key_;
};

}  // namespace parley::testing
