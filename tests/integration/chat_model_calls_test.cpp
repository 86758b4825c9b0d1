// A call whose profile names an endpoint's chat model: the agent's words come from that model
// (here a loopback server that speaks the OpenAI chat-completions stream), the rest of the call
// (speech, transcript, analysis, Do Not Call) is Parley's own.

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "support/calls.hpp"
#include "support/fixture.hpp"
#include "voice/engines/test_chat_replies.hpp"
#include "voice/engines/test_http_server.hpp"

namespace parley::testing {
namespace {

using voice::loopback::Calls;
using voice::loopback::LoopbackServer;
using voice::loopback::Reply;
using voice::loopback::Says;

// On SQLite only. Each test starts its server itself (StartParley), once its model's endpoint is up.
class ChatModelCalls : public OwnServerTest {
protected:
    void SetUp() override {}  // no server until the test's model endpoint is up

    // A server whose engines file lists the endpoint "local" at `base_url` with the chat model "tiny".
    void StartParley(const std::string& base_url, const std::string& speed = "0") {
        std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
        std::replace(test.begin(), test.end(), '/', '-');  // "Name/sqlite"
        engines_file_ = std::filesystem::temp_directory_path() /
                        ("parley-chat-engines-" + std::to_string(::getpid()) + "-" + test + ".json");
        std::ofstream(engines_file_) << Json{
            {"endpoints",
             {{{"name", "local"}, {"base_url", base_url}, {"api_key", "sk-local"}, {"chat_models", {"tiny"}}}}},
            {"prices",
             {{"local/tiny",
               {{"per_call_cents", 2.0}}}}}}.dump();
        StartServer({"--sandbox-speed", speed, "--engines", engines_file_.string()});
        auto p = api().Post("/api/v1/profiles",
                            {{"name", "Sales"}, {"opener", "Do you have a minute?"}, {"model", "local/tiny"}});
        ASSERT_EQ(p.status, 201) << p.body;
        ASSERT_EQ(p.json()["data"]["model"], "local/tiny");
        profile_ = p.json()["data"]["id"];
    }
    void TearDown() override {
        server_.reset();
        std::error_code ignored;
        std::filesystem::remove(engines_file_, ignored);
    }

    Json CallAndWait(int persona) {
        auto t = api().Post("/api/v1/calls", {{"profile_id", profile_}, {"phone", Sandbox(persona)}});
        EXPECT_EQ(t.status, 201) << t.body;
        return WaitForEnd(api(), t.json()["data"]["id"]);
    }

    std::filesystem::path engines_file_;
    std::string profile_;
};
INSTANTIATE_TEST_SUITE_P(Sqlite, ChatModelCalls, ::testing::Values(Backend::kSqlite),
                         [](const auto& info) { return BackendName(info.param); });

TEST_P(ChatModelCalls, TheModelDecidesWhatTheAgentSaysAndHowTheCallEnds) {
    LoopbackServer model(std::vector<Reply>{
        Calls({{"e1", "end_call", R"({"reason": "not_interested"})"}}, "No problem at all. Have a good day.")});
    StartParley(model.BaseUrl());
    const Json c = CallAndWait(1);  // "no thank you i am not interested"
    ASSERT_TRUE(c.is_object());
    EXPECT_EQ(c["status"], "completed") << c.dump();
    EXPECT_EQ(c["analysis"]["disposition"], "not_interested") << c["analysis"].dump();
    EXPECT_EQ(Lines(c, "agent").back(), "No problem at all. Have a good day.");
    const auto callee = Lines(c, "callee");
    ASSERT_EQ(callee.size(), 1u) << c["transcript"].dump();

    // One request: the plan as system prompt, the callee's recognized words, streaming, the key.
    const auto requests = model.Requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].path, "/v1/chat/completions");
    EXPECT_EQ(requests[0].headers.at("authorization"), "Bearer sk-local");
    const Json body = Json::parse(requests[0].body);
    EXPECT_EQ(body["model"], "tiny");
    EXPECT_EQ(body["stream"], true);
    EXPECT_EQ(body["messages"][0]["role"], "system");
    EXPECT_EQ(body["messages"].back()["role"], "user");
    EXPECT_EQ(body["messages"].back()["content"], callee[0]);

    bool ended = false;
    for (const auto& t : c["tool_executions"]) {
        if (t["tool"] == "end_call" && t["input"]["reason"] == "not_interested") ended = true;
    }
    EXPECT_TRUE(ended) << c["tool_executions"].dump();
    EXPECT_EQ(c["cost_breakdown"]["local/tiny"], 2.0) << c["cost_breakdown"].dump();
}

// In real time, as a caller hears it: the agent starts speaking the model's first sentence while
// the model still writes the rest, and the transcript holds the answer once, after the words it
// answers.
TEST_P(ChatModelCalls, AModelsAnswerIsSpokenSentenceBySentenceAsItStreams) {
    using voice::loopback::Chunk;
    using voice::loopback::Event;
    Reply first{200,
                "text/event-stream",
                "",
                {Event(Chunk({{"role", "assistant"}, {"content", ""}})), Event(Chunk({{"content", "Great, "}})),
                 Event(Chunk({{"content", "thanks. What is "}})), Event(Chunk({{"content", "your budget range?"}})),
                 Event(Chunk(Json::object(), "stop")) + "data: [DONE]\n\n"}};
    first.chunk_delay_ms = 400;  // a slow model: the rest of the answer comes over a second
    LoopbackServer model(
        std::vector<Reply>{first, Calls({{"e1", "end_call", R"({"reason": "completed"})"}}, "Thank you.\nGoodbye.")});
    StartParley(model.BaseUrl(), "1");
    const Json c = CallAndWait(0);  // answers the greeting and the budget question
    ASSERT_TRUE(c.is_object());
    EXPECT_EQ(c["status"], "completed") << c.dump();
    const auto agent = Lines(c, "agent");
    ASSERT_EQ(agent.size(), 3u) << c["transcript"].dump();
    EXPECT_EQ(agent[1], "Great, thanks. What is your budget range?");
    EXPECT_EQ(agent[2], "Thank you. Goodbye.");
    std::vector<std::string> speakers;
    for (const auto& line : c["transcript"]) speakers.push_back(line["speaker"]);
    EXPECT_EQ(speakers, (std::vector<std::string>{"agent", "callee", "agent", "callee", "agent"}))
        << c["transcript"].dump();
    // The pause between two sentences is too short for the callee to take it as the end.
    for (const auto& line : c["transcript"]) EXPECT_FALSE(line.contains("interrupted")) << line.dump();
    EXPECT_EQ(model.Requests().size(), 2u);
    // Each answer has its engine times.
    const auto& timings = c["analysis"]["timings"];
    ASSERT_EQ(timings["engine_ms"].size(), 2u) << timings.dump();
    EXPECT_EQ(timings["voice_to_voice_ms"].size(), 2u) << timings.dump();
}

TEST_P(ChatModelCalls, AStopCallingRequestIsHonouredWithoutAskingTheModel) {
    LoopbackServer model(Says("Let me tell you more about our offer!"));
    StartParley(model.BaseUrl());
    const Json c = CallAndWait(2);  // "please stop calling me and take me off your list"
    ASSERT_TRUE(c.is_object());
    EXPECT_EQ(c["analysis"]["disposition"], "dnc_request") << c["analysis"].dump();
    EXPECT_TRUE(model.Requests().empty());
    auto again = api().Post("/api/v1/calls", {{"profile_id", profile_}, {"phone", Sandbox(2)}});
    EXPECT_EQ(again.status, 409) << again.body;
    EXPECT_EQ(again.json()["error"]["code"], "DNC_BLOCKED");
}

TEST_P(ChatModelCalls, AnUnreachableModelEndsTheCallPolitelyAndSaysWhy) {
    StartParley(voice::loopback::RefusingBaseUrl());
    const Json c = CallAndWait(1);
    ASSERT_TRUE(c.is_object());
    EXPECT_EQ(c["status"], "completed") << c.dump();
    EXPECT_EQ(Lines(c, "agent").back(),
              "I am sorry, I am having technical trouble right now. Someone from our team will follow up with you. "
              "Goodbye.");
    bool recorded = false;
    for (const auto& t : c["tool_executions"]) {
        if (t["tool"] == "llm" && t["status"] == "failed") recorded = true;
    }
    EXPECT_TRUE(recorded) << c["tool_executions"].dump();
}

TEST_P(ChatModelCalls, AProfileCannotNameAModelNoEndpointLists) {
    LoopbackServer model(std::vector<Reply>{});
    StartParley(model.BaseUrl());
    auto p = api().Post("/api/v1/profiles", {{"name", "Other"}, {"model", "local/huge"}});
    EXPECT_EQ(p.status, 422) << p.body;
    auto models = api().Get("/api/v1/models");
    ASSERT_EQ(models.status, 200) << models.body;
    const Json listing = models.json()["data"];
    bool listed = false;
    for (const auto& m : listing) {
        if (m["id"] == "local/tiny") listed = true;
    }
    EXPECT_TRUE(listed) << models.body;
}

}  // namespace
}  // namespace parley::testing
