#include "voice/chat_stream.hpp"

#include <gtest/gtest.h>

namespace parley::voice {
namespace {

// A stream with content and two tool calls whose names, ids and arguments are cut into pieces,
// with a comment, CRLF line ends, an event field, a usage chunk and [DONE].
const std::string kStream =
    std::string(": keep-alive\r\n\r\n") +
    R"(data: {"choices":[{"index":0,"delta":{"role":"assistant","content":"Let me "},"finish_reason":null}]})" +
    "\r\n\r\n" + R"(data: {"choices":[{"index":0,"delta":{"content":"check. \u00e9"}}]})" + "\n\n" +
    "event: ignored\n" +
    R"(data: {"choices":[{"delta":{"tool_calls":[{"index":0,"id":"call_1",)"
    R"("function":{"name":"record_","arguments":""}}]}}]})" +
    "\n\n" +
    R"(data: {"choices":[{"delta":{"tool_calls":[{"index":1,"id":"call_2",)"
    R"("function":{"name":"end_call","arguments":"{\"rea"}}]}}]})" +
    "\n\n" +
    R"(data: {"choices":[{"delta":{"tool_calls":[{"index":0,)"
    R"("function":{"name":"answer","arguments":"{\"field\":"}}]}}]})" +
    "\n\n" +
    R"(data: {"choices":[{"delta":{"tool_calls":[{"index":1,"function":{"arguments":"son\":\"opt_out\"}"}}]}}]})" +
    "\n\n" + R"(data: {"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"x\"}"}}]}}]})" +
    "\n\n" + R"(data: {"choices":[{"delta":{},"finish_reason":"tool_calls"}]})" + "\n\n" +
    R"(data: {"choices":[],"usage":{"total_tokens":12}})" + "\n\n" + "data: [DONE]\n\n";

void ExpectTheStreamsMessage(const ChatReply& reply) {
    EXPECT_EQ(reply.content, "Let me check. \xc3\xa9");
    EXPECT_EQ(reply.finish_reason, "tool_calls");
    ASSERT_EQ(reply.tool_calls.size(), 2u);
    EXPECT_EQ(reply.tool_calls[0].id, "call_1");
    EXPECT_EQ(reply.tool_calls[0].name, "record_answer");
    EXPECT_EQ(reply.tool_calls[0].arguments, R"({"field":"x"})");
    EXPECT_EQ(reply.tool_calls[1].id, "call_2");
    EXPECT_EQ(reply.tool_calls[1].name, "end_call");
    EXPECT_EQ(reply.tool_calls[1].arguments, R"({"reason":"opt_out"})");
}

TEST(ChatStreamParser, ReadsTheMessageFedWhole) {
    ChatStreamParser parser;
    EXPECT_TRUE(parser.Feed(kStream));
    auto reply = parser.Finish();
    ASSERT_TRUE(reply) << reply.error().message;
    ExpectTheStreamsMessage(*reply);
}

TEST(ChatStreamParser, ReadsTheSameMessageFedByteByByte) {
    ChatStreamParser parser;
    for (char c : kStream) ASSERT_TRUE(parser.Feed(std::string_view(&c, 1)));
    auto reply = parser.Finish();
    ASSERT_TRUE(reply) << reply.error().message;
    ExpectTheStreamsMessage(*reply);
}

TEST(ChatStreamParser, CallsWithoutIndexStartWithANewId) {
    ChatStreamParser parser;
    parser.Feed(
        std::string(
            R"(data: {"choices":[{"delta":{"tool_calls":[{"id":"a","function":{"name":"check_availability"}}]}}]})") +
        "\n\n" + R"(data: {"choices":[{"delta":{"tool_calls":[{"function":{"arguments":"{}"}}]}}]})" + "\n\n" +
        R"(data: {"choices":[{"delta":{"tool_calls":[{"id":"b","function":{"name":"end_call","arguments":"{}"}}]}}]})" +
        "\n\n" + R"(data: {"choices":[{"delta":{},"finish_reason":"tool_calls"}]})");  // no [DONE], no blank line
    auto reply = parser.Finish();
    ASSERT_TRUE(reply) << reply.error().message;
    ASSERT_EQ(reply->tool_calls.size(), 2u);
    EXPECT_EQ(reply->tool_calls[0].name, "check_availability");
    EXPECT_EQ(reply->tool_calls[0].arguments, "{}");
    EXPECT_EQ(reply->tool_calls[1].id, "b");
}

TEST(ChatStreamParser, MalformedStreamsAreUnavailableSayingWhy) {
    const std::pair<std::string_view, std::string_view> cases[] = {
        {"data: {\"choices\": [\n\n", "not a JSON object"},
        {"data: [1,2]\n\n", "not a JSON object"},
        {R"(data: {"error":{"message":"rate limited"}})"
         "\n\n",
         "rate limited"},
        {R"(data: {"object":"chat.completion.chunk"})"
         "\n\n",
         "no choices"},
        {R"(data: {"choices":[{"delta":{"tool_calls":[{"index":99}]}}]})"
         "\n\n",
         "index"},
        {R"(data: {"choices":[{"delta":{"content":"Hel"}}]})"
         "\n\n",
         "ended before [DONE]"},
        {"<html>Bad gateway</html>", "no completion"},
        {"", "no completion"},
    };
    for (const auto& [stream, reason] : cases) {
        ChatStreamParser parser;
        parser.Feed(stream);
        auto reply = parser.Finish();
        ASSERT_FALSE(reply) << stream;
        EXPECT_EQ(reply.error().code, ErrorCode::kUnavailable);
        EXPECT_NE(reply.error().message.find(reason), std::string::npos) << stream << ": " << reply.error().message;
    }
}

TEST(ChatStreamParser, StopsReadingOnceMalformed) {
    ChatStreamParser parser;
    EXPECT_FALSE(parser.Feed("data: nonsense\n\n"));
    EXPECT_FALSE(parser.Feed("data: [DONE]\n\n"));
    EXPECT_FALSE(parser.Finish());
}

}  // namespace
}  // namespace parley::voice
