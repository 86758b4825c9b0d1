#include "voice/chat_stream.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace parley::voice {
namespace {

using nlohmann::json;

// A spoken answer is a few hundred bytes; anything near this is a runaway generation.
constexpr size_t kMaxStreamBytes = size_t{4} << 20;
constexpr size_t kMaxToolCalls = 16;
constexpr size_t kQuoteBytes = 120;

std::string Quote(std::string_view text) {
    return std::string(text.substr(0, kQuoteBytes)) + (text.size() > kQuoteBytes ? "..." : "");
}

const json* Member(const json& object, const char* name) {
    auto it = object.find(name);
    return it == object.end() ? nullptr : &*it;
}

std::string StringMember(const json& object, const char* name) {
    const json* member = Member(object, name);
    return member != nullptr && member->is_string() ? member->get<std::string>() : std::string();
}

}  // namespace

bool ChatStreamParser::Feed(std::string_view piece) {
    if (failed_) return false;
    bytes_ += piece.size();
    if (bytes_ > kMaxStreamBytes) return Malformed("the stream is larger than the limit");
    while (!piece.empty()) {
        const size_t newline = piece.find('\n');
        if (newline == std::string_view::npos) {
            line_.append(piece);
            break;
        }
        line_.append(piece.substr(0, newline));
        piece.remove_prefix(newline + 1);
        std::string line = std::move(line_);
        line_.clear();
        if (!Line(line)) return false;
    }
    return true;
}

bool ChatStreamParser::Line(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) return Dispatch();
    if (line.front() == ':') return true;  // a comment, e.g. a keep-alive
    const size_t colon = line.find(':');
    const std::string_view field = line.substr(0, colon);
    if (field != "data") return true;  // event, id, retry: nothing a completion needs
    std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (has_data_) data_ += '\n';
    data_.append(value);
    has_data_ = true;
    return true;
}

bool ChatStreamParser::Dispatch() {
    if (!has_data_) return true;
    std::string data = std::move(data_);
    data_.clear();
    has_data_ = false;
    return Chunk(data);
}

bool ChatStreamParser::Chunk(std::string_view data) {
    if (done_) return true;  // servers may add events after [DONE]; the message is complete
    if (data == "[DONE]") {
        done_ = true;
        return true;
    }
    const json chunk = json::parse(data, nullptr, false);
    if (chunk.is_discarded() || !chunk.is_object())
        return Malformed("a data line is not a JSON object: " + Quote(data));
    if (const json* error = Member(chunk, "error"); error != nullptr && !error->is_null()) {
        std::string message = error->is_object() ? StringMember(*error, "message") : std::string();
        if (message.empty()) message = error->dump();
        return Malformed("the endpoint reported an error: " + Quote(message));
    }
    const json* choices = Member(chunk, "choices");
    if (choices == nullptr || !choices->is_array()) return Malformed("a chunk has no choices: " + Quote(data));
    if (choices->empty()) return true;  // e.g. the closing usage chunk
    const json& choice = choices->front();
    if (!choice.is_object()) return Malformed("a choice is not an object: " + Quote(data));
    ++completion_chunks_;
    if (const std::string finish = StringMember(choice, "finish_reason"); !finish.empty()) {
        reply_.finish_reason = finish;
    }
    const json* delta = Member(choice, "delta");
    if (delta == nullptr || delta->is_null()) return true;
    if (!delta->is_object()) return Malformed("a delta is not an object: " + Quote(data));
    reply_.content += StringMember(*delta, "content");

    const json* calls = Member(*delta, "tool_calls");
    if (calls == nullptr || calls->is_null()) return true;
    if (!calls->is_array()) return Malformed("tool_calls is not an array: " + Quote(data));
    auto& out = reply_.tool_calls;
    for (const json& call : *calls) {
        if (!call.is_object()) return Malformed("a tool call is not an object: " + Quote(data));
        const std::string id = StringMember(call, "id");
        size_t index = 0;
        if (const json* i = Member(call, "index"); i != nullptr && i->is_number_integer()) {
            if (i->get<int64_t>() < 0 || i->get<int64_t>() >= static_cast<int64_t>(kMaxToolCalls)) {
                return Malformed("a tool call index is out of range: " + Quote(data));
            }
            index = static_cast<size_t>(i->get<int64_t>());
        } else if (out.empty() || (!id.empty() && !out.back().id.empty() && out.back().id != id)) {
            index = out.size();  // servers that send no index start each call with a new id
        } else {
            index = out.size() - 1;
        }
        if (index >= kMaxToolCalls) return Malformed("more tool calls than the limit");
        if (out.size() <= index) out.resize(index + 1);
        ChatToolCall& target = out[index];
        if (target.id.empty()) target.id = id;
        if (const json* function = Member(call, "function"); function != nullptr && function->is_object()) {
            // A name comes whole in its first chunk; some servers repeat it in later ones.
            const std::string name = StringMember(*function, "name");
            if (name != target.name) target.name += name;
            target.arguments += StringMember(*function, "arguments");
        }
    }
    return true;
}

bool ChatStreamParser::Malformed(std::string message) {
    failed_ = true;
    error_ = std::move(message);
    return false;
}

Result<ChatReply> ChatStreamParser::Finish() {
    if (!failed_ && !line_.empty()) {
        std::string line = std::move(line_);
        line_.clear();
        Line(line);
    }
    if (!failed_) Dispatch();
    if (failed_) return Fail(ErrorCode::kUnavailable, "malformed chat stream: " + error_);
    if (completion_chunks_ == 0) return Fail(ErrorCode::kUnavailable, "malformed chat stream: it holds no completion");
    if (!done_ && reply_.finish_reason.empty()) {
        return Fail(ErrorCode::kUnavailable, "malformed chat stream: it ended before [DONE]");
    }
    ChatReply reply = std::move(reply_);
    std::erase_if(reply.tool_calls, [](const ChatToolCall& c) {
        return c.id.empty() && c.name.empty() && c.arguments.empty();  // an index the server skipped
    });
    return reply;
}

}  // namespace parley::voice
