#include "app/mcp_stdio.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

namespace parley::app {
namespace {

using Json = nlohmann::ordered_json;

constexpr long kTimeoutSeconds = 300;  // a tool may run a report or a batch
constexpr int kRelayError = -32000;

constexpr size_t kMaxEventBytes = 8 * 1024 * 1024;
constexpr int kOpenWaitSeconds = 5;  // for the server stream to open after initialize

struct Answer {
    long status = 0;
    std::string body;
    std::string session_id;
    std::string content_type;
    std::string error;      // transport failure
    bool streamed = false;  // an event stream, whose messages went to the client as they came
};

// What one POST receives: a JSON body, or an event stream (a tool's progress, then its result)
// whose messages are handed on at once.
struct Receiving {
    Answer* answer;
    const std::function<void(const Json&)>* emit;
    std::string pending;                            // an event stream's bytes up to the next complete event
    const std::function<void()>* opened = nullptr;  // told once the stream's first bytes came
};

size_t Collect(char* data, size_t size, size_t count, void* user) {
    auto& in = *static_cast<Receiving*>(user);
    const size_t n = size * count;
    if (!in.answer->content_type.starts_with("text/event-stream")) {
        in.answer->body.append(data, n);
        return n;
    }
    in.answer->streamed = true;
    if (in.opened != nullptr && *in.opened) (*in.opened)();
    in.pending.append(data, n);
    if (in.pending.size() > kMaxEventBytes) return 0;  // ends the transfer: no event is this long
    for (size_t end; (end = in.pending.find("\n\n")) != std::string::npos;) {
        std::string_view event(in.pending.data(), end);
        std::string payload;
        while (!event.empty()) {
            const size_t eol = std::min(event.find('\n'), event.size());
            std::string_view line = event.substr(0, eol);
            event.remove_prefix(std::min(eol + 1, event.size()));
            if (line.starts_with("data:")) {
                line.remove_prefix(line.starts_with("data: ") ? 6 : 5);
                payload.append(line);
            }
        }
        in.pending.erase(0, end + 2);
        const Json message = Json::parse(payload, nullptr, false);
        if (message.is_object() || message.is_array()) (*in.emit)(message);
    }
    return n;
}

// The value of a header line named `lower_name` ("mcp-session-id:"), trimmed; nullopt for another.
std::optional<std::string> HeaderValue(std::string_view line, std::string_view lower_name) {
    if (line.size() <= lower_name.size()) return std::nullopt;
    std::string lower(line.substr(0, lower_name.size()));
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower != lower_name) return std::nullopt;
    std::string_view value = line.substr(lower_name.size());
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
        value.remove_suffix(1);
    }
    return std::string(value);
}

size_t CollectHeader(char* data, size_t size, size_t count, void* user) {
    std::string_view line(data, size * count);
    auto& answer = *static_cast<Answer*>(user);
    if (auto session = HeaderValue(line, "mcp-session-id:")) answer.session_id = std::move(*session);
    if (auto type = HeaderValue(line, "content-type:")) answer.content_type = std::move(*type);
    return size * count;
}

class Relay {
public:
    // `emit` hands a message to the client at once (an event stream's, as it comes).
    Relay(const StdioOptions& options, std::function<void(const Json&)> emit)
        : key_(options.key), emit_(std::move(emit)) {
        static std::once_flag once;
        std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
        url_ = options.url;
        // A base URL ("http://127.0.0.1:8080") means its /mcp endpoint.
        const auto scheme = url_.find("://");
        if (scheme != std::string::npos && url_.find('/', scheme + 3) == std::string::npos) url_ += "/mcp";
        curl_ = curl_easy_init();
    }
    ~Relay() {
        StopListening();
        curl_easy_cleanup(curl_);
    }
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
            if (opened.status == 200 && !opened.session_id.empty()) {
                Listen();
                answer = Post(line);
            }
        }
        if (!answer.error.empty()) return Errors(message, "Parley at " + url_ + " is not reachable: " + answer.error);
        if (answer.status == 202 || answer.streamed) return {};
        const Json body = Json::parse(answer.body, nullptr, false);
        if (body.is_object() && body.contains("jsonrpc")) {
            if (body.contains("/result/protocolVersion"_json_pointer) &&
                body["result"]["protocolVersion"].is_string()) {
                protocol_ = body["result"]["protocolVersion"];
                if (!answer.session_id.empty()) Listen();
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
    // Listens on the session's server stream (GET /mcp) on a thread of its own, handing its
    // messages to the client as they come, until the relay ends or another session replaces
    // this one; a stream that breaks is opened again a second later.
    //
    // Returns once the stream is open (its first bytes came, which the server sends once it
    // follows the session's events), or after kOpenWaitSeconds: events after initialize are
    // then relayed, not only those after the client's next request.
    void Listen() {
        StopListening();
        auto stop = std::make_shared<std::atomic<bool>>(false);
        stop_listening_ = stop;
        auto open = std::make_shared<std::promise<void>>();
        std::future<void> opened = open->get_future();
        listener_ = std::thread([this, stop, open, session = session_, protocol = protocol_] {
            bool told = false;
            const std::function<void()> tell = [&told, &open] {
                if (told) return;
                told = true;
                open->set_value();
            };
            CURL* curl = curl_easy_init();
            const std::string auth = "Authorization: Bearer " + key_;
            const std::string session_header = "Mcp-Session-Id: " + session;
            const std::string protocol_header = "MCP-Protocol-Version: " + protocol;
            while (!*stop) {
                Answer answer;
                Receiving receiving{&answer, &emit_, {}, &tell};
                struct curl_slist* headers = nullptr;
                headers = curl_slist_append(headers, auth.c_str());
                headers = curl_slist_append(headers, "Accept: text/event-stream");
                headers = curl_slist_append(headers, session_header.c_str());
                if (!protocol.empty()) headers = curl_slist_append(headers, protocol_header.c_str());
                curl_easy_reset(curl);
                curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
                curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
                curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
                curl_easy_setopt(curl, CURLOPT_WRITEDATA, &receiving);
                curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, CollectHeader);
                curl_easy_setopt(curl, CURLOPT_HEADERDATA, &answer);
                curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
                curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
                // Ends the transfer once the relay stops listening.
                curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
                curl_easy_setopt(curl, CURLOPT_XFERINFODATA, stop.get());
                curl_easy_setopt(
                    curl, CURLOPT_XFERINFOFUNCTION,
                    +[](void* flag, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> int {
                        return static_cast<std::atomic<bool>*>(flag)->load() ? 1 : 0;
                    });
                curl_easy_perform(curl);
                curl_slist_free_all(headers);
                long status = 0;
                curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
                // The session is gone, or the server refuses or has no stream: nothing to wait for.
                if (status >= 400 && status != 429 && status < 500) break;
                tell();  // no stream for now: the client is not kept waiting for one
                for (int i = 0; i < 10 && !*stop; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
            tell();
            curl_easy_cleanup(curl);
        });
        opened.wait_for(std::chrono::seconds(kOpenWaitSeconds));
    }

    void StopListening() {
        if (stop_listening_) *stop_listening_ = true;
        if (listener_.joinable()) listener_.join();
    }

    Answer Post(const std::string& body) {
        Answer answer;
        Receiving receiving{&answer, &emit_, {}};
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
        curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &receiving);
        curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, CollectHeader);
        curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &answer);
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
        if (!answer.session_id.empty()) session_ = answer.session_id;
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
    std::function<void(const Json&)> emit_;
    std::thread listener_;
    std::shared_ptr<std::atomic<bool>> stop_listening_;
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
    std::mutex writing;  // the server stream's listener writes too
    auto write = [&out, &writing](const Json& answer) {
        const std::string line = answer.dump(-1, ' ', false, Json::error_handler_t::replace);
        std::lock_guard lock(writing);
        out << line << '\n' << std::flush;
    };
    Relay relay(options, write);
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
        for (const auto& answer : relay.Handle(line)) write(answer);
    }
    return 0;
}

}  // namespace parley::app
