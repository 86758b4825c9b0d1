#pragma once

// For tests only: replies of an OpenAI-compatible chat endpoint as it streams them (server-sent
// events of chat.completion.chunk objects), for LoopbackServer.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "voice/engines/test_http_server.hpp"

namespace parley::voice::loopback {

using ChatJson = nlohmann::json;

inline ChatJson Chunk(ChatJson delta, ChatJson finish_reason = nullptr) {
    return {
        {"id", "chatcmpl-1"},
        {"object", "chat.completion.chunk"},
        {"model", "llama3"},
        {"choices", ChatJson::array({{{"index", 0}, {"delta", std::move(delta)}, {"finish_reason", finish_reason}}})}};
}

inline std::string Event(const ChatJson& chunk) {
    return "data: " + chunk.dump() + "\n\n";
}

// A reply streamed in pieces of a few bytes, cut anywhere: inside lines, JSON and "\n\n".
inline Reply Streamed(const std::string& stream, size_t piece = 7) {
    Reply r{200, "text/event-stream", "", {}};
    for (size_t at = 0; at < stream.size(); at += piece) r.chunks.push_back(stream.substr(at, piece));
    return r;
}

// The model says `pieces`, one content delta each.
inline Reply Says(const std::vector<std::string>& pieces) {
    std::string s = Event(Chunk({{"role", "assistant"}, {"content", ""}}));
    for (const auto& p : pieces) s += Event(Chunk({{"content", p}}));
    return Streamed(s + Event(Chunk(ChatJson::object(), "stop")) + "data: [DONE]\n\n");
}
inline Reply Says(const std::string& text) {
    return Says(std::vector<std::string>{text});
}

struct ToolCall {
    std::string id;
    std::string name;
    std::string arguments;
};

// The model calls `calls` (after saying `content`, when given). Each call's arguments arrive in
// pieces of 4 bytes, the pieces of different calls interleaved, as parallel tool calls stream.
inline Reply Calls(const std::vector<ToolCall>& calls, const std::string& content = "") {
    std::string s = Event(Chunk({{"role", "assistant"}, {"content", nullptr}}));
    if (!content.empty()) s += Event(Chunk({{"content", content}}));
    for (size_t i = 0; i < calls.size(); ++i) {
        s += Event(
            Chunk({{"tool_calls", ChatJson::array({{{"index", i},
                                                    {"id", calls[i].id},
                                                    {"type", "function"},
                                                    {"function", {{"name", calls[i].name}, {"arguments", ""}}}}})}}));
    }
    for (size_t at = 0;; at += 4) {
        bool more = false;
        for (size_t i = 0; i < calls.size(); ++i) {
            if (at >= calls[i].arguments.size()) continue;
            more = true;
            s += Event(Chunk({{"tool_calls",
                               ChatJson::array({{{"index", i},
                                                 {"function", {{"arguments", calls[i].arguments.substr(at, 4)}}}}})}}));
        }
        if (!more) break;
    }
    return Streamed(s + Event(Chunk(ChatJson::object(), "tool_calls")) + "data: [DONE]\n\n");
}

}  // namespace parley::voice::loopback
