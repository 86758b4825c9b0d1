#include "app/mcp_stdio.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <vector>

namespace parley::app {
namespace {

using Json = nlohmann::ordered_json;

constexpr long kTimeoutSeconds = 300;  // a tool may run a report or a batch
constexpr int kRelayError = -32000;

struct Answer {
    long status = 0;
    std::string body;
    std::string session_id;
    std::string error;  // transport failure
};

size_t Collect(char* data, size_t size, size_t count, void* user) {
    static_cast<std::string*>(user)->append(data, size * count);
    return size * count;
}

size_t CollectSession(char* data, size_t size, size_t count, void* user) {
    std::string_view line(data, size * count);
    constexpr std::string_view kName = "mcp-session-id:";
    if (line.size() > kName.size()) {
        std::string lower(line.substr(0, kName.size()));
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower == kName) {
            std::string_view value = line.substr(kName.size());
            while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
            while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
                value.remove_suffix(1);
            }
            *static_cast<std::string*>(user) = std::string(value);
        }
    }
    return size * count;
}

class Relay {
public:
    explicit Relay(const StdioOptions& options) : key_(options.key) {
        static std::once_flag once;
        std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
        url_ = options.url;
        // A base URL ("http://127.0.0.1:8080") means its /mcp endpoint.
        const auto scheme = url_.find("://");
        if (scheme != std::string::npos && url_.find('/', scheme + 3) == std::string::npos) url_ += "/mcp";
        curl_ = curl_easy_init();
    }
    ~Relay() { curl_easy_cleanup(curl_); }
    Relay(const Relay&) = delete;
    Relay& operator=(const Relay&) = delete;

    // The answers to one line from the client.
    std::vector<Json> Handle(const std::string& line) {
        const Json message = Json::parse(line, nullptr, false);
        if (message.is_object() && message.value("method", Json()) == "initialize") {
            initialize_ = line;
            session_.clear();
            protocol_.clear();
        }
        Answer answer = Post(line);
        if (answer.status == 404 && !session_.empty() && initialize_) {
            // The session ended on the server (unused for a day): open a new one as the client did.
            session_.clear();
            Answer opened = Post(*initialize_);
            if (opened.status == 200 && !opened.session_id.empty()) answer = Post(line);
        }
        if (!answer.error.empty()) return Errors(message, "Parley at " + url_ + " is not reachable: " + answer.error);
        if (answer.status == 202) return {};
        const Json body = Json::parse(answer.body, nullptr, false);
        if (body.is_object() && body.contains("jsonrpc")) {
            if (body.contains("/result/protocolVersion"_json_pointer) &&
                body["result"]["protocolVersion"].is_string()) {
                protocol_ = body["result"]["protocolVersion"];
            }
            return {body};
        }
        if (body.is_array()) return {body};
        // A refusal in the REST API's envelope (401 for a wrong key, 429) or something else.
        std::string why = "HTTP " + std::to_string(answer.status);
        if (body.is_object() && body.contains("/error/message"_json_pointer)) {
            why += ": " + body["error"].value("code", "") + ": " + body["error"].value("message", "");
        }
        return Errors(message, why);
    }

private:
    Answer Post(const std::string& body) {
        Answer answer;
        std::string session_header;
        curl_easy_reset(curl_);
        struct curl_slist* headers = nullptr;
        const std::string auth = "Authorization: Bearer " + key_;
        headers = curl_slist_append(headers, auth.c_str());
        headers = curl_slist_append(headers, "Content-Type: application/json");
        headers = curl_slist_append(headers, "Accept: application/json, text/event-stream");
        const std::string session = "Mcp-Session-Id: " + session_;
        if (!session_.empty()) headers = curl_slist_append(headers, session.c_str());
        const std::string protocol = "MCP-Protocol-Version: " + protocol_;
        if (!protocol_.empty()) headers = curl_slist_append(headers, protocol.c_str());
        curl_easy_setopt(curl_, CURLOPT_URL, url_.c_str());
        curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.data());
        curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
        curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, Collect);
        curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &answer.body);
        curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, CollectSession);
        curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &session_header);
        curl_easy_setopt(curl_, CURLOPT_TIMEOUT, kTimeoutSeconds);
        curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl_, CURLOPT_PROTOCOLS_STR, "http,https");
        const CURLcode rc = curl_easy_perform(curl_);
        curl_slist_free_all(headers);
        if (rc != CURLE_OK) {
            answer.error = curl_easy_strerror(rc);
            return answer;
        }
        curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &answer.status);
        if (!session_header.empty()) {
            session_ = session_header;
            answer.session_id = session_header;
        }
        return answer;
    }

    // A JSON-RPC error for every request in `message` (a notification gets none).
    static std::vector<Json> Errors(const Json& message, const std::string& why) {
        std::vector<Json> out;
        auto one = [&](const Json& m) {
            if (!m.is_object() || !m.contains("id") || !m.contains("method")) return;
            out.push_back({{"jsonrpc", "2.0"}, {"id", m["id"]}, {"error", {{"code", kRelayError}, {"message", why}}}});
        };
        if (message.is_array()) {
            for (const auto& m : message) one(m);
        } else if (message.is_discarded()) {
            out.push_back(
                {{"jsonrpc", "2.0"}, {"id", nullptr}, {"error", {{"code", -32700}, {"message", "Parse error"}}}});
        } else {
            one(message);
        }
        return out;
    }

    std::string url_;
    std::string key_;
    CURL* curl_ = nullptr;
    std::string session_;
    std::string protocol_;
    std::optional<std::string> initialize_;
};

// The next line of `in` without its newline; a line past `limit` bytes is read to its end and
// reported as too long (true in `too_long`). False at the end of input.
bool ReadLine(std::istream& in, size_t limit, std::string& line, bool& too_long) {
    line.clear();
    too_long = false;
    char c = 0;
    bool any = false;
    while (in.get(c)) {
        any = true;
        if (c == '\n') return true;
        if (line.size() < limit) {
            line += c;
        } else {
            too_long = true;
        }
    }
    return any;
}

}  // namespace

int RunMcpStdio(const StdioOptions& options, std::istream& in, std::ostream& out) {
    Relay relay(options);
    std::string line;
    bool too_long = false;
    while (ReadLine(in, options.max_line_bytes, line, too_long)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (too_long) {
            out << Json{{"jsonrpc", "2.0"},
                        {"id", nullptr},
                        {"error", {{"code", -32600}, {"message", "a message is at most 8 MiB"}}}}
                       .dump()
                << '\n'
                << std::flush;
            continue;
        }
        if (line.find_first_not_of(" \t") == std::string::npos) continue;
        for (const auto& answer : relay.Handle(line)) {
            out << answer.dump(-1, ' ', false, Json::error_handler_t::replace) << '\n' << std::flush;
        }
    }
    return 0;
}

}  // namespace parley::app
