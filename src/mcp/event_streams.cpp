#include "mcp/event_streams.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <set>
#include <tuple>

namespace parley::mcp {
namespace {

using domain::Json;

constexpr std::array<std::string_view, 8> kLogLevels = {"debug", "info",     "notice", "warning",
                                                        "error", "critical", "alert",  "emergency"};
constexpr std::string_view kEventLevel = "info";

// A log message of the stream, at `level`, with `data`.
std::string LogMessage(std::string_view level, const Json& data) {
    return SseMessage({{"jsonrpc", "2.0"},
                       {"method", "notifications/message"},
                       {"params", {{"level", level}, {"logger", "parley.events"}, {"data", data}}}});
}

}  // namespace

std::string SseMessage(const Json& message) {
    return "event: message\ndata: " + message.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n\n";
}

int LogLevelRank(std::string_view level) {
    const auto it = std::ranges::find(kLogLevels, level);
    return it == kLogLevels.end() ? -1 : static_cast<int>(it - kLogLevels.begin());
}

EventStreams::EventStreams(domain::Store& store, const Clock& clock, Options options)
    : store_(store), clock_(clock), options_(options) {}

EventStreams::~EventStreams() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    std::lock_guard lock(mutex_);
    for (const auto& stream : streams_) stream->out->End();
    streams_.clear();
}

bool EventStreams::FitsLocked(std::string_view key_id) const {
    const auto of_key = std::ranges::count_if(streams_, [&](const auto& s) { return s->session.key_id == key_id; });
    return streams_.size() < options_.max_streams && static_cast<size_t>(of_key) < options_.max_per_key;
}

bool EventStreams::HasRoom(std::string_view key_id) const {
    std::lock_guard lock(mutex_);
    return FitsLocked(key_id);
}

bool EventStreams::Add(const std::shared_ptr<http::BodyStream>& out, const domain::McpSession& session) {
    auto stream = std::make_shared<Stream>();
    stream->out = out;
    stream->session = session;
    stream->opened_at = stream->last_write = stream->last_check = clock_.NowMs();
    {
        std::lock_guard lock(mutex_);
        if (stopping_ || !FitsLocked(session.key_id)) {
            out->End();
            return false;
        }
        streams_.push_back(std::move(stream));
        if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
    }
    // Sent at once, so the client knows the stream is open before any event.
    out->Write(": stream open\n\n");
    return true;
}

void EventStreams::SetLevel(std::string_view session_id, std::string_view level) {
    std::lock_guard tick(tick_mutex_);
    std::lock_guard lock(mutex_);
    for (const auto& stream : streams_) {
        if (stream->session.id == session_id) stream->session.log_level = std::string(level);
    }
}

void EventStreams::EndSession(std::string_view session_id) {
    std::lock_guard tick(tick_mutex_);
    std::lock_guard lock(mutex_);
    std::erase_if(streams_, [&](const auto& stream) {
        if (stream->session.id != session_id) return false;
        stream->out->End();
        return true;
    });
}

void EventStreams::Run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        wake_.wait_for(lock, options_.tick, [&] { return stopping_; });
        if (stopping_) break;
        lock.unlock();
        Tick();
        lock.lock();
    }
}

bool EventStreams::SessionLive(Stream& stream, int64_t now) {
    if (now - stream.last_check < options_.session_check_ms) return true;
    stream.last_check = now;
    auto found = domain::ReadTx(
        store_, [&](domain::Repos& r) { return r.mcp_sessions().Get(stream.session.key_id, stream.session.id); });
    if (!found) return true;  // the database is away: the stream waits for it
    if (!*found || (*found)->ended_at || (*found)->expires_at <= now) return false;
    stream.session.log_level = (*found)->log_level;
    return true;
}

void EventStreams::SendEvents(Stream& s, int64_t now) {
    const bool wanted = LogLevelRank(kEventLevel) >= LogLevelRank(s.session.log_level);
    int64_t from = std::max(s.opened_at, now - options_.window_ms);
    std::string after_id;
    if (s.skipped_to.first >= from) std::tie(from, after_id) = s.skipped_to;  // what was skipped is not read
    int read = 0;
    for (;;) {
        auto events = domain::ReadTx(store_, [&](domain::Repos& r) {
            return r.webhooks().EventsAfter(s.session.org_id, from, after_id, options_.max_events_per_read);
        });
        if (!events) {
            spdlog::warn("reading events for an MCP stream failed: {}", events.error().message);
            return;
        }
        for (const auto& event : *events) {
            if (std::pair(event.created_at, event.id) <= s.skipped_to) continue;
            if (!s.sent.emplace(event.id, event.created_at).second || !wanted) continue;
            s.out->Write(LogMessage(kEventLevel, Json::parse(event.body, nullptr, false)));
            s.last_write = now;
        }
        read += static_cast<int>(events->size());
        if (static_cast<int>(events->size()) < options_.max_events_per_read) break;
        if (read >= options_.max_events_per_tick) {
            // Too far behind to catch up: on from the newest event, saying so.
            auto latest =
                domain::ReadTx(store_, [&](domain::Repos& r) { return r.webhooks().LatestEvent(s.session.org_id); });
            if (latest && *latest) s.skipped_to = {(*latest)->created_at, (*latest)->id};
            if (wanted) {
                s.out->Write(LogMessage("warning", {{"skipped", true},
                                                    {"message",
                                                     "events came faster than this stream carries them; "
                                                     "some were skipped (webhooks and the API have every "
                                                     "one)"}}));
            }
            break;
        }
        from = events->back().created_at;
        after_id = events->back().id;
    }
    std::erase_if(s.sent, [&](const auto& sent) { return sent.second < now - options_.window_ms; });
}

void EventStreams::Tick() {
    std::lock_guard tick(tick_mutex_);
    std::vector<std::shared_ptr<Stream>> streams;
    {
        std::lock_guard lock(mutex_);
        streams = streams_;
    }
    const int64_t now = clock_.NowMs();
    std::set<std::shared_ptr<Stream>> ended;
    for (const auto& stream : streams) {
        if (stream->out->Gone() || !SessionLive(*stream, now)) {
            ended.insert(stream);
            continue;
        }
        SendEvents(*stream, now);
        if (now - stream->last_write >= options_.keepalive.count()) {
            stream->out->Write(": keepalive\n\n");
            stream->last_write = now;
        }
    }
    if (ended.empty()) return;
    std::lock_guard lock(mutex_);
    std::erase_if(streams_, [&](const auto& stream) {
        if (!ended.contains(stream)) return false;
        stream->out->End();
        return true;
    });
}

}  // namespace parley::mcp
