#pragma once

#include <any>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
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
    // Told how far a long request has come (`done` of `total` items), when its caller follows it
    // (an MCP tool call with a progress token); empty otherwise. Called on the handler's thread.
    std::function<void(int64_t done, int64_t total)> progress;

    std::optional<std::string_view> Header(std::string_view lower_name) const;
    std::optional<std::string_view> Query(std::string_view name) const;
    // A cookie's value from the Cookie headers (RFC 6265 section 5.4): the first of that name.
    std::optional<std::string_view> Cookie(std::string_view name) const;
};

// The body of a response sent while it is made (server-sent events): the server sends the
// headers, then each piece as it is written, until End. Thread-safe.
class BodyStream {
public:
    // Pieces written and not yet sent, in bytes, past which the client counts as gone.
    static constexpr size_t kMaxQueuedBytes = 4 * 1024 * 1024;

    // Queues a piece; false once the client has gone (nothing more is sent).
    bool Write(std::string piece);
    // No more pieces: the response ends once the queued ones are sent.
    void End();
    bool Gone() const;

    // The server's side: takes the queued pieces, and whether End was called before.
    std::vector<std::string> Take(bool& ended);
    // The client has gone, or the server stops.
    void SetGone();
    // Called on the writer's thread whenever a piece is queued or the stream ends.
    void OnChange(std::function<void()> wake);

private:
    mutable std::mutex mutex_;
    std::vector<std::string> pieces_;
    size_t queued_bytes_ = 0;
    bool ended_ = false;
    bool gone_ = false;
    std::function<void()> wake_;
};

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    Fields headers;
    std::string body;
    // When set, the body is streamed instead: the server sends the headers (chunked), then runs
    // this on a worker thread with the stream to write. The response ends when the stream is
    // ended; a stream still open when this throws is ended then.
    std::function<void(const std::shared_ptr<BodyStream>&)> stream;
};

// The whole body of a response: a streamed one is run on this thread to its end (at most
// BodyStream::kMaxQueuedBytes between two reads, which here follow every write).
std::string WholeBody(const Response& res);

// `text` with every byte but RFC 3986's unreserved characters percent-encoded: safe in a path
// segment, a query value and a form field, and read back by ParseTarget.
std::string PercentEncode(std::string_view text);

// Splits a request target into a decoded path and query. False when the target is not a path
// or holds a malformed percent escape.
bool ParseTarget(std::string_view target, std::string& path, Fields& query);

}  // namespace parley::http
