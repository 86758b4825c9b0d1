#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/clock.hpp"
#include "domain/repos.hpp"
#include "http/message.hpp"

namespace parley::mcp {

// The levels of MCP log messages (RFC 5424's), lowest first; -1 for another name.
int LogLevelRank(std::string_view level);

// A server-sent event carrying one JSON-RPC message, as the streams of /mcp send them.
std::string SseMessage(const domain::Json& message);

// The server-to-client streams of MCP sessions (GET /mcp). Each carries its organization's
// events, as webhooks deliver them, as notifications/message (logger "parley.events", level
// info) from when it opened until its session ends or its client goes; a comment every 15 s
// keeps an idle one open. One thread serves them all: every second it reads each stream's events
// of the last `window_ms` and sends those not sent yet, so an event written by a transaction that
// commits more than `window_ms` after the event's time is not sent (webhooks still deliver it).
// A stream that falls more than `max_events_per_tick` events behind (a large import) skips to
// the newest and says so with a warning message.
class EventStreams {
public:
    struct Options {
        std::chrono::milliseconds tick{1000};
        int64_t window_ms = 10'000;
        std::chrono::milliseconds keepalive{15'000};
        // How often a stream's session is read again (ended elsewhere, its level changed).
        int64_t session_check_ms = 10'000;
        size_t max_streams = 1000;
        size_t max_per_key = 4;
        int max_events_per_read = 500;
        int max_events_per_tick = 2000;
    };

    EventStreams(domain::Store& store, const Clock& clock, Options options);
    EventStreams(domain::Store& store, const Clock& clock) : EventStreams(store, clock, Options{}) {}
    // Ends every stream.
    ~EventStreams();
    EventStreams(const EventStreams&) = delete;
    EventStreams& operator=(const EventStreams&) = delete;

    // Whether another stream of this key fits under the caps.
    bool HasRoom(std::string_view key_id) const;
    // Streams `session`'s events to `out` from now on; false (and `out` ended) past the caps.
    bool Add(const std::shared_ptr<http::BodyStream>& out, const domain::McpSession& session);
    // The session's client asked for messages at `level` and above.
    void SetLevel(std::string_view session_id, std::string_view level);
    // The session ended: its streams end now.
    void EndSession(std::string_view session_id);
    // One round: new events written, idle streams kept open, streams of ended sessions or gone
    // clients dropped. The thread runs this every tick; tests may run it themselves.
    void Tick();

private:
    struct Stream {
        std::shared_ptr<http::BodyStream> out;
        domain::McpSession session;
        int64_t opened_at = 0;
        int64_t last_write = 0;
        int64_t last_check = 0;
        std::map<std::string, int64_t> sent;  // event ids sent within the window, with their times
        // Events up to this one (time, id) were skipped, not to be sent.
        std::pair<int64_t, std::string> skipped_to{0, ""};
    };

    void Run();
    // Whether another stream of this key fits under the caps; mutex_ held.
    bool FitsLocked(std::string_view key_id) const;
    // Reads the streams' sessions again when due: false for a stream to end.
    bool SessionLive(Stream& stream, int64_t now);
    // Sends the stream's events it has not sent yet.
    void SendEvents(Stream& stream, int64_t now);

    domain::Store& store_;
    const Clock& clock_;
    const Options options_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<std::shared_ptr<Stream>> streams_;  // guarded by mutex_
    bool stopping_ = false;                         // guarded by mutex_
    std::thread thread_;                            // started with the first stream
    std::mutex tick_mutex_;                         // one Tick at a time
};

}  // namespace parley::mcp
