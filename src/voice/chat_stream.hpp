#pragma once

// One assistant message of an OpenAI-compatible chat completion, read from its server-sent-event
// stream ("stream": true) as the body arrives: lines "data: {chunk}" ending with "data: [DONE]".
// Each chunk's choices[0].delta adds to the content, and to tool calls by their index: a call's
// id, function name and arguments may each arrive split over several chunks.

#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace parley::voice {

struct ChatToolCall {
    std::string id;  // empty when the server sent none
    std::string name;
    std::string arguments;  // JSON text as the model wrote it; may be empty
};

struct ChatReply {
    std::string content;
    std::vector<ChatToolCall> tool_calls;  // in index order
    std::string finish_reason;             // "stop", "tool_calls", "length"...; empty when not sent
};

class ChatStreamParser {
public:
    // Takes the next piece of the body, cut anywhere (inside a line, a UTF-8 character or a
    // "\r\n"). False once the stream is malformed; later pieces are then ignored.
    bool Feed(std::string_view piece);

    // The message, once the body has ended. kUnavailable when the stream was malformed (a data
    // line that is no JSON object, too large, too many tool calls), reported an error, held no
    // completion chunk, or ended before "[DONE]" without a finish reason.
    Result<ChatReply> Finish();

    // The message's words so far, as they arrive.
    std::string_view Content() const { return reply_.content; }

private:
    bool Line(std::string_view line);
    bool Dispatch();
    bool Chunk(std::string_view data);
    bool Malformed(std::string message);

    std::string line_;  // the unfinished line
    std::string data_;  // the data lines of the event being read
    bool has_data_ = false;
    bool done_ = false;
    bool failed_ = false;
    std::string error_;
    size_t bytes_ = 0;
    size_t completion_chunks_ = 0;
    ChatReply reply_;
};

}  // namespace parley::voice
