#include "voice/openai_brain.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>

#include "voice/agent_lines.hpp"
#include "voice/calendar.hpp"
#include "voice/engines/test_chat_replies.hpp"
#include "voice/engines/test_http_server.hpp"

namespace parley::voice {
namespace {

using loopback::Calls;
using loopback::Chunk;
using loopback::Event;
using loopback::LoopbackServer;
using loopback::RefusingBaseUrl;
using loopback::Reply;
using loopback::Request;
using loopback::Says;
using loopback::Streamed;

// Wednesday, March 5, 2025, 15:00 UTC.
const int64_t kWednesdayMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 (date::sys_days{date::year{2025} / 3 / 5} + std::chrono::hours{15}).time_since_epoch())
                                 .count();

Plan SolarPlan() {
    Plan p;
    p.brain = "local/llama3";
    p.agent_name = "Alex";
    p.organization = "Acme Solar";
    p.persona = "Warm and brief.";
    p.goals = {"Find out whether the callee could use solar panels"};
    p.disclosure = "This is {{agent_name}}, an AI assistant calling on behalf of {{organization}}.";
    p.opt_out_offer = "If you would rather not get these calls, just say stop calling at any time.";
    p.opener = "Do you have a minute to talk about solar panels, {{first_name}}?";
    p.closing = "Thank you for your time. Goodbye.";
    p.voicemail_message = "Hi, this is Alex from Acme Solar. Please call us back.";
    p.steps = {{"monthly_bill", domain::FieldType::kNumber, {}, "How much is your monthly power bill?"},
               {"roof_type", domain::FieldType::kEnum, {"tile", "metal", "flat"}, "What kind of roof do you have?"},
               {"install_date", domain::FieldType::kDate, {}, "When would you like the panels installed?"},
               {"owns_home", domain::FieldType::kBoolean, {}, "Do you own your home?"}};
    p.tools = {"check_availability", "request_meeting", "end_call"};
    p.refuse_topics = {"politics"};
    return p;
}

CallFacts AnnFacts() {
    return CallFacts{Json{{"first_name", "Ann"}, {"company", "Sunny Ltd"}}, kWednesdayMs};
}

std::unique_ptr<Brain> BrainFor(const LoopbackServer& server, const Plan& plan = SolarPlan()) {
    return MakeOpenAiBrain(plan, AnnFacts(), {server.BaseUrl(), "sk-test", "llama3", 5000});
}

Json Body(const Request& r) {
    return Json::parse(r.body);
}

std::vector<std::string> ToolNames(const Json& body) {
    std::vector<std::string> names;
    for (const auto& t : body["tools"]) names.push_back(t["function"]["name"].get<std::string>());
    return names;
}

// The role:tool messages of a request, by tool_call_id.
std::map<std::string, Json> ToolResults(const Json& body) {
    std::map<std::string, Json> out;
    for (const auto& m : body["messages"]) {
        if (m["role"] == "tool")
            out[m["tool_call_id"].get<std::string>()] = Json::parse(m["content"].get<std::string>());
    }
    return out;
}

bool Mentions(const std::string& text, std::string_view what) {
    return text.find(what) != std::string::npos;
}
bool Mentions(const Json& text, std::string_view what) {
    return text.is_string() && Mentions(text.get<std::string>(), what);
}

// ---- the opening and silences need no model ----

TEST(OpenAiBrain, StartSpeaksTheDisclosureAndOpenerWithoutAskingTheModel) {
    LoopbackServer server(std::vector<Reply>{});
    auto brain = BrainFor(server);
    const Turn t = brain->Start();
    EXPECT_EQ(
        t.say,
        "Hi Ann. This is Alex, an AI assistant calling on behalf of Acme Solar. If you would rather not get these "
        "calls, just say stop calling at any time. Do you have a minute to talk about solar panels, Ann?");
    EXPECT_EQ(t.say, MakeScriptedBrain(SolarPlan(), AnnFacts())->Start().say);
    EXPECT_FALSE(t.hang_up);
    EXPECT_TRUE(server.Requests().empty());
}

TEST(OpenAiBrain, SilenceAsksOnceThenSaysGoodbyeWithoutTheModel) {
    LoopbackServer server(std::vector<Reply>{});
    auto brain = BrainFor(server);
    brain->Start();
    const Turn first = brain->Silence(8);
    EXPECT_EQ(first.say, "Are you still there?");
    EXPECT_FALSE(first.hang_up);
    const Turn second = brain->Silence(16);
    EXPECT_TRUE(second.hang_up);
    EXPECT_EQ(second.say, "It seems I have lost you. Goodbye.");
    EXPECT_TRUE(server.Requests().empty());
    ASSERT_EQ(brain->conversation().tools.size(), 1u);
    EXPECT_EQ(brain->conversation().tools[0].tool, "end_call");
    EXPECT_EQ(brain->conversation().tools[0].input["reason"], "silence");
}

TEST(OpenAiBrain, AFailedRecognitionIsRecordedAndTheCalleeAskedAgainWithoutTheModel) {
    LoopbackServer server(std::vector<Reply>{});
    auto brain = BrainFor(server);
    brain->Start();
    const Turn t = brain->NotHeard("live", "live STT: the connection dropped", 4);
    EXPECT_EQ(t.say, "Sorry, I did not catch that. Could you say that again?");
    EXPECT_FALSE(t.hang_up);
    EXPECT_TRUE(server.Requests().empty());
    ASSERT_EQ(brain->conversation().tools.size(), 1u);
    const auto& failed = brain->conversation().tools[0];
    EXPECT_EQ(failed.tool, "speech_recognition");
    EXPECT_EQ(failed.status, "failed");
    EXPECT_EQ(failed.input["recognizer"], "live");
    EXPECT_EQ(failed.output["error"], "live STT: the connection dropped");
    EXPECT_EQ(failed.at_seconds, 4);
}

// ---- the request ----

TEST(OpenAiBrain, HearPostsAStreamingChatRequestWithThePlanTheToolsAndTheWords) {
    LoopbackServer server(Says("Great! How much is your monthly power bill?"));
    auto brain = BrainFor(server);
    const std::string opening = brain->Start().say;
    brain->Hear("sure, go ahead", 0.9, 4.5);

    const auto requests = server.Requests();
    ASSERT_EQ(requests.size(), 1u);
    const Request& r = requests[0];
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.path, "/v1/chat/completions");
    EXPECT_EQ(r.headers.at("authorization"), "Bearer sk-test");
    EXPECT_EQ(r.headers.at("content-type"), "application/json");
    const Json body = Body(r);
    EXPECT_EQ(body["model"], "llama3");
    EXPECT_EQ(body["stream"], true);
    EXPECT_EQ(ToolNames(body),
              (std::vector<std::string>{"record_answer", "check_availability", "request_meeting", "end_call"}));
    for (const auto& t : body["tools"]) {
        EXPECT_EQ(t["type"], "function");
        EXPECT_EQ(t["function"]["parameters"]["type"], "object");
    }
    EXPECT_EQ(body["tools"][0]["function"]["parameters"]["properties"]["field"]["enum"],
              Json::array({"monthly_bill", "roof_type", "install_date", "owns_home"}));

    const Json& messages = body["messages"];
    ASSERT_EQ(messages.size(), 3u);
    EXPECT_EQ(messages[0]["role"], "system");
    const std::string system = messages[0]["content"];
    for (std::string_view expected : {"Alex",
                                      "Acme Solar",
                                      "Warm and brief.",
                                      "could use solar panels",
                                      "monthly_bill",
                                      "a number",
                                      "roof_type",
                                      "tile, metal, flat",
                                      "install_date",
                                      "yyyy-mm-dd",
                                      "owns_home",
                                      "true or false",
                                      "politics",
                                      "record_answer",
                                      "end_call",
                                      "phone call",
                                      "short",
                                      "Never deny being an AI",
                                      "Ann",
                                      "Sunny Ltd",
                                      "2025-03-05",
                                      "Thank you for your time. Goodbye."}) {
        EXPECT_TRUE(Mentions(system, expected)) << expected << " is missing from:\n" << system;
    }
    EXPECT_EQ(messages[1], (Json{{"role", "assistant"}, {"content", opening}}));
    EXPECT_EQ(messages[2], (Json{{"role", "user"}, {"content", "sure, go ahead"}}));
}

TEST(OpenAiBrain, OffersTransferOnlyWhenThePlanHasATransferNumber) {
    {
        Plan plan = SolarPlan();
        plan.tools.push_back("transfer");  // without a number: not offered
        LoopbackServer server(Says("Sure."));
        BrainFor(server, plan)->Hear("hello", 1, 1);
        EXPECT_EQ(ToolNames(Body(server.Requests().at(0))).back(), "end_call");
    }
    Plan plan = SolarPlan();
    plan.tools.push_back("transfer");
    plan.transfer_number = "+12025550199";
    LoopbackServer server(std::vector<Reply>{Calls({{"call_t", "transfer", ""}}), Says("Connecting you now.")});
    auto brain = BrainFor(server, plan);
    const Turn t = brain->Hear("can I talk to a person", 1, 3);
    EXPECT_EQ(ToolNames(Body(server.Requests().at(0))).back(), "transfer");
    EXPECT_EQ(t.say, "Connecting you now.");
    EXPECT_EQ(t.transfer, "+12025550199");
    EXPECT_EQ(brain->conversation().transferred_to, "+12025550199");
    ASSERT_EQ(brain->conversation().tools.size(), 1u);
    EXPECT_EQ(brain->conversation().tools[0].tool, "transfer");
    EXPECT_EQ(brain->conversation().tools[0].status, "success");
}

TEST(OpenAiBrain, WordsThatAreNotUtf8StillReachTheModel) {
    LoopbackServer server(Says("Sure."));
    auto brain = BrainFor(server);
    const Turn t = brain->Hear("caf\xe9 au lait", 0.5, 2);
    EXPECT_EQ(t.say, "Sure.");
    const Json body = Body(server.Requests().at(0));
    EXPECT_TRUE(Mentions(body["messages"].back()["content"], "au lait"));
}

// ---- streamed answers ----

TEST(OpenAiBrain, ContentStreamedInManySmallPiecesComesBackWhole) {
    LoopbackServer server(Says({"Gr", "eat", "! How", " much", " is your mon", "thly power", " bill?"}));
    auto brain = BrainFor(server);
    brain->Start();
    const Turn t = brain->Hear("sure", 0.8, 4);
    EXPECT_EQ(t.say, "Great! How much is your monthly power bill?");
    EXPECT_FALSE(t.hang_up);
    EXPECT_FALSE(t.transfer);
    const Conversation& c = brain->conversation();
    EXPECT_EQ(c.callee_lines, std::vector<std::string>{"sure"});
    EXPECT_EQ(c.confidences, std::vector<double>{0.8});
    EXPECT_TRUE(c.agreed_to_talk);
    EXPECT_TRUE(c.tools.empty());
}

TEST(OpenAiBrain, RecordsValidAnswersAndGivesTheModelTheReasonForInvalidOnes) {
    LoopbackServer server(
        std::vector<Reply>{Calls({{"call_a", "record_answer", R"({"field": "monthly_bill", "value": 180})"},
                                  {"call_b", "record_answer", R"({"field": "roof_type", "value": "thatch"})"}}),
                           Says("Thanks. And is your roof tile, metal or flat?")});
    auto brain = BrainFor(server);
    brain->Start();
    const Turn t = brain->Hear("about a hundred eighty a month and the roof is thatch", 0.7, 9.5);
    EXPECT_EQ(t.say, "Thanks. And is your roof tile, metal or flat?");

    const Conversation& c = brain->conversation();
    EXPECT_EQ(c.values, (Json{{"monthly_bill", 180}}));
    EXPECT_EQ(c.questions_answered, 1);
    EXPECT_EQ(c.questions_asked, 2);
    ASSERT_EQ(c.tools.size(), 2u);
    EXPECT_EQ(c.tools[0].tool, "record_answer");
    EXPECT_EQ(c.tools[0].status, "success");
    EXPECT_EQ(c.tools[0].input, (Json{{"field", "monthly_bill"}, {"value", 180}}));
    EXPECT_DOUBLE_EQ(c.tools[0].at_seconds, 9.5);
    EXPECT_EQ(c.tools[1].status, "failed");
    EXPECT_TRUE(Mentions(c.tools[1].output["error"], "tile, metal, flat")) << c.tools[1].output;

    // The follow-up request carries the calls, whole, and their results.
    const auto requests = server.Requests();
    ASSERT_EQ(requests.size(), 2u);
    const Json second = Body(requests[1]);
    const Json& messages = second["messages"];
    ASSERT_EQ(messages.size(), 6u);  // system, opening, user, assistant calls, two results
    const Json& asked = messages[3];
    EXPECT_EQ(asked["role"], "assistant");
    ASSERT_EQ(asked["tool_calls"].size(), 2u);
    EXPECT_EQ(asked["tool_calls"][0]["id"], "call_a");
    EXPECT_EQ(asked["tool_calls"][0]["function"]["name"], "record_answer");
    EXPECT_EQ(Json::parse(asked["tool_calls"][0]["function"]["arguments"].get<std::string>()),
              (Json{{"field", "monthly_bill"}, {"value", 180}}));
    EXPECT_EQ(asked["tool_calls"][1]["function"]["arguments"], R"({"field": "roof_type", "value": "thatch"})");
    const auto results = ToolResults(second);
    EXPECT_EQ(results.at("call_a")["recorded"], "monthly_bill");
    EXPECT_TRUE(Mentions(results.at("call_b")["error"], "roof_type must be one of: tile, metal, flat"))
        << results.at("call_b");
}

TEST(OpenAiBrain, RecordAnswerChecksEachFieldType) {
    LoopbackServer server(
        std::vector<Reply>{Calls({{"c1", "record_answer", R"({"field": "monthly_bill", "value": "lots"})"},
                                  {"c2", "record_answer", R"({"field": "install_date", "value": "next spring"})"},
                                  {"c3", "record_answer", R"({"field": "owns_home", "value": "yes"})"},
                                  {"c4", "record_answer", R"({"field": "shoe_size", "value": 9})"},
                                  {"c5", "record_answer", R"({"field": "install_date", "value": "2025-04-15"})"},
                                  {"c6", "record_answer", R"({"field": "owns_home", "value": true})"},
                                  {"c7", "record_answer", "not json"}}),
                           Says("Got it.")});
    auto brain = BrainFor(server);
    brain->Hear("we own it and want them mid april", 1, 5);
    const Conversation& c = brain->conversation();
    EXPECT_EQ(c.values, (Json{{"install_date", "2025-04-15"}, {"owns_home", true}}));
    std::vector<std::string> statuses;
    for (const auto& t : c.tools) statuses.push_back(t.status);
    EXPECT_EQ(statuses,
              (std::vector<std::string>{"failed", "failed", "failed", "failed", "success", "success", "failed"}));
    const auto results = ToolResults(Body(server.Requests().at(1)));
    EXPECT_TRUE(Mentions(results.at("c1")["error"], "number"));
    EXPECT_TRUE(Mentions(results.at("c2")["error"], "yyyy-mm-dd"));
    EXPECT_TRUE(Mentions(results.at("c3")["error"], "true or false"));
    EXPECT_TRUE(Mentions(results.at("c4")["error"], "monthly_bill, roof_type"));
    EXPECT_TRUE(Mentions(results.at("c7")["error"], "JSON"));
}

// ---- the calendar ----

TEST(OpenAiBrain, CheckAvailabilityOffersTheCalendarsWeekdaySlots) {
    LoopbackServer server(std::vector<Reply>{Calls({{"call_1", "check_availability", ""}}),
                                             Says("I have Thursday at 10 AM or Friday at 2 PM.")});
    auto brain = BrainFor(server);
    const Turn t = brain->Hear("yes, let us book a call", 1, 20);
    EXPECT_EQ(t.say, "I have Thursday at 10 AM or Friday at 2 PM.");
    const Conversation& c = brain->conversation();
    ASSERT_EQ(c.tools.size(), 1u);
    EXPECT_EQ(c.tools[0].tool, "check_availability");
    EXPECT_EQ(c.tools[0].status, "success");
    const Json slots = c.tools[0].output["slots"];
    EXPECT_EQ(slots, OpenSlots(DayOf(kWednesdayMs)));
    ASSERT_EQ(slots.size(), 2u);
    EXPECT_EQ(slots[0]["date"], "2025-03-06");
    EXPECT_EQ(slots[0]["time"], "10:00");
    EXPECT_EQ(slots[1]["date"], "2025-03-07");
    EXPECT_EQ(slots[1]["time"], "14:00");
    EXPECT_EQ(ToolResults(Body(server.Requests().at(1))).at("call_1")["slots"], slots);
}

TEST(OpenAiBrain, RequestMeetingOnAWeekendIsRefusedAndOnAWeekdayBooked) {
    LoopbackServer server(
        std::vector<Reply>{Calls({{"m1", "request_meeting", R"({"date": "2025-03-08", "time": "10:00"})"}}),
                           Calls({{"m2", "request_meeting", R"({"date": "2025-03-10", "time": "14:30"})"}},
                                 "Saturdays are closed, so let me try Monday."),
                           Says("You are booked for Monday at 2:30 PM.")});
    auto brain = BrainFor(server);
    const Turn t = brain->Hear("saturday at ten, or else monday at half past two", 1, 30);
    EXPECT_EQ(t.say, "Saturdays are closed, so let me try Monday. You are booked for Monday at 2:30 PM.");
    const Conversation& c = brain->conversation();
    ASSERT_EQ(c.tools.size(), 2u);
    EXPECT_EQ(c.tools[0].tool, "request_meeting");
    EXPECT_EQ(c.tools[0].status, "failed");
    EXPECT_EQ(c.tools[0].input, (Json{{"date", "2025-03-08"}, {"time", "10:00"}, {"duration_minutes", 30}}));
    EXPECT_EQ(c.tools[1].status, "success");
    EXPECT_TRUE(c.meeting_booked);
    EXPECT_EQ(c.meeting_at, "2025-03-10T14:30");

    const auto requests = server.Requests();
    ASSERT_EQ(requests.size(), 3u);
    EXPECT_TRUE(Mentions(ToolResults(Body(requests[1])).at("m1")["error"], "weekdays"));
    EXPECT_EQ(ToolResults(Body(requests[2])).at("m2")["meeting_at"], "2025-03-10T14:30");
}

TEST(OpenAiBrain, MeetingToolsAreNotOfferedOrRunWhenThePlanDisablesThem) {
    Plan plan = SolarPlan();
    plan.tools = {"end_call"};
    LoopbackServer server(std::vector<Reply>{
        Calls({{"m1", "request_meeting", R"({"date": "2025-03-10", "time": "14:00"})"}}), Says("Okay.")});
    auto brain = BrainFor(server, plan);
    brain->Hear("book me monday at two", 1, 3);
    EXPECT_EQ(ToolNames(Body(server.Requests().at(0))), (std::vector<std::string>{"record_answer", "end_call"}));
    EXPECT_FALSE(brain->conversation().meeting_booked);
    ASSERT_EQ(brain->conversation().tools.size(), 1u);
    EXPECT_EQ(brain->conversation().tools[0].status, "failed");
}

// ---- ending the call ----

TEST(OpenAiBrain, EndCallOptOutHangsUpAndMarksTheOptOut) {
    LoopbackServer server(
        Calls({{"e1", "end_call", R"({"reason": "opt_out"})"}}, "Understood, I will remove your number. Goodbye."));
    auto brain = BrainFor(server);
    brain->Start();
    const Turn t = brain->Hear("i really do not want this", 1, 6);
    EXPECT_EQ(t.say, "Understood, I will remove your number. Goodbye.");
    EXPECT_TRUE(t.hang_up);
    const Conversation& c = brain->conversation();
    EXPECT_TRUE(c.opted_out);
    ASSERT_EQ(c.tools.size(), 1u);
    EXPECT_EQ(c.tools[0].tool, "end_call");
    EXPECT_EQ(c.tools[0].status, "success");
    EXPECT_EQ(c.tools[0].input["reason"], "opt_out");
    EXPECT_EQ(server.Requests().size(), 1u);  // the goodbye came with the call

    // The call is over: later words reach no model.
    EXPECT_EQ(brain->Hear("hello?", 1, 9).say, "");
    EXPECT_EQ(server.Requests().size(), 1u);
}

TEST(OpenAiBrain, AStopCallingRequestEndsTheCallWithoutAskingTheModel) {
    LoopbackServer server(Says("Sure, let us talk about your roof instead!"));
    auto brain = BrainFor(server);
    brain->Start();
    const Turn t = brain->Hear("please stop calling me and take me off your list", 1, 6);
    EXPECT_EQ(t.say,
              "I understand. I have removed your number from our list, and we will not call you again. Goodbye.");
    EXPECT_TRUE(t.hang_up);
    EXPECT_TRUE(server.Requests().empty());
    const Conversation& c = brain->conversation();
    EXPECT_TRUE(c.opted_out);
    ASSERT_EQ(c.tools.size(), 1u);
    EXPECT_EQ(c.tools[0].tool, "end_call");
    EXPECT_EQ(c.tools[0].input["reason"], "opt_out");
    EXPECT_EQ(brain->Hear("hello?", 1, 9).say, "");
    EXPECT_TRUE(server.Requests().empty());
}

TEST(OpenAiBrain, EndCallWithoutWordsAsksTheModelForTheGoodbye) {
    LoopbackServer server(std::vector<Reply>{
        Calls({{"e1", "end_call", R"({"reason": "callback_requested", "callback_date": "2025-03-07"})"}}),
        Says("Of course, I will call you back on Friday. Goodbye.")});
    auto brain = BrainFor(server);
    const Turn t = brain->Hear("call me back on friday", 1, 6);
    EXPECT_EQ(t.say, "Of course, I will call you back on Friday. Goodbye.");
    EXPECT_TRUE(t.hang_up);
    EXPECT_TRUE(brain->conversation().callback_requested);
    EXPECT_EQ(brain->conversation().callback_date, "2025-03-07");
    const auto requests = server.Requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(ToolResults(Body(requests[1])).at("e1")["status"], "ending");
}

TEST(OpenAiBrain, EndCallVoicemailLeavesThePlansMessage) {
    LoopbackServer server(Calls({{"v", "end_call", R"({"reason": "voicemail"})"}}));
    auto brain = BrainFor(server);
    brain->Start();
    const Turn t = brain->Hear("you have reached the voicemail of ann please leave a message", 1, 5);
    EXPECT_TRUE(t.leave_voicemail);
    EXPECT_TRUE(t.hang_up);
    EXPECT_EQ(t.say, "Hi, this is Alex from Acme Solar. Please call us back.");
    EXPECT_TRUE(brain->conversation().voicemail);
    EXPECT_EQ(server.Requests().size(), 1u);
}

// ---- failures end the call politely ----

void ExpectPoliteEndRecordingTheFailure(Brain& brain, const Turn& t, std::string_view reason) {
    EXPECT_TRUE(t.hang_up);
    EXPECT_TRUE(Mentions(t.say, "sorry")) << t.say;
    const Conversation& c = brain.conversation();
    ASSERT_FALSE(c.tools.empty());
    EXPECT_EQ(c.tools.back().tool, "llm");
    EXPECT_EQ(c.tools.back().status, "failed");
    EXPECT_EQ(c.tools.back().input["model"], "llama3");
    const std::string error = c.tools.back().output["error"];
    EXPECT_TRUE(Mentions(error, reason)) << error;
    EXPECT_FALSE(Mentions(error, "sk-test")) << error;
}

TEST(OpenAiBrain, ServerErrorEndsTheCallPolitelyAndRecordsTheFailure) {
    LoopbackServer server(Reply{500, "application/json", R"({"error":{"message":"model overloaded"}})", {}});
    auto brain = BrainFor(server);
    brain->Start();
    const Turn t = brain->Hear("yes", 1, 4);
    ExpectPoliteEndRecordingTheFailure(*brain, t, "HTTP 500");
    EXPECT_TRUE(Mentions(brain->conversation().tools.back().output["error"], "model overloaded"));
    EXPECT_EQ(server.Requests().size(), 1u);
    EXPECT_EQ(brain->Hear("hello?", 1, 8).say, "");
}

TEST(OpenAiBrain, MalformedStreamEndsTheCallPolitely) {
    LoopbackServer server(Streamed(Event(Chunk({{"content", "Hel"}})) + "data: {\"choices\": [oops\n\n"));
    auto brain = BrainFor(server);
    const Turn t = brain->Hear("yes", 1, 4);
    ExpectPoliteEndRecordingTheFailure(*brain, t, "malformed chat stream");
}

TEST(OpenAiBrain, StreamCutShortEndsTheCallPolitely) {
    LoopbackServer server(Streamed(Event(Chunk({{"content", "Hello, how"}}))));
    auto brain = BrainFor(server);
    const Turn t = brain->Hear("yes", 1, 4);
    ExpectPoliteEndRecordingTheFailure(*brain, t, "ended before [DONE]");
}

TEST(OpenAiBrain, RefusedConnectionEndsTheCallPolitely) {
    const std::string base = RefusingBaseUrl();
    auto brain = MakeOpenAiBrain(SolarPlan(), AnnFacts(), {base, "sk-test", "llama3", 5000});
    brain->Start();
    const Turn t = brain->Hear("yes", 1, 4);
    ExpectPoliteEndRecordingTheFailure(*brain, t, base + "/chat/completions");
}

TEST(OpenAiBrain, StopsAfterFourModelRequestsPerUtterance) {
    const Reply again = Calls({{"a", "check_availability", ""}});
    LoopbackServer server(again);  // the model never stops calling tools
    auto brain = BrainFor(server);
    const Turn t = brain->Hear("when are you free", 1, 4);
    EXPECT_EQ(server.Requests().size(), 4u);
    EXPECT_FALSE(t.say.empty());
    EXPECT_FALSE(t.hang_up);
    EXPECT_EQ(brain->conversation().tools.size(), 4u);
}

// ---- clones ----

TEST(OpenAiBrain, CloneKeepsItsOwnHistoryAndConversation) {
    LoopbackServer server(Says("Okay."));
    auto brain = BrainFor(server);
    brain->Start();
    brain->Hear("first words", 1, 2);
    auto clone = brain->Clone();
    clone->Hear("words only the clone heard", 1, 4);
    brain->Hear("second words", 1, 4);

    const auto requests = server.Requests();
    ASSERT_EQ(requests.size(), 3u);
    const Json original = Body(requests[2]);
    EXPECT_FALSE(Mentions(original["messages"].dump(), "only the clone heard"));
    EXPECT_EQ(original["messages"].back()["content"], "second words");
    EXPECT_EQ(original["messages"].size(), Body(requests[1])["messages"].size());
    EXPECT_EQ(brain->conversation().callee_lines, (std::vector<std::string>{"first words", "second words"}));
    EXPECT_EQ(clone->conversation().callee_lines,
              (std::vector<std::string>{"first words", "words only the clone heard"}));

    // Dropping the original leaves the clone whole.
    brain.reset();
    clone->Hear("still here", 1, 6);
    EXPECT_EQ(Body(server.Requests().back())["messages"].back()["content"], "still here");
}

}  // namespace
}  // namespace parley::voice

namespace parley::voice {
namespace {

// A sentence goes to the sink as soon as the stream completes it, while the rest still streams.
TEST(OpenAiBrainStreaming, HandsEachSentenceOverAsSoonAsTheStreamCompletesIt) {
    // The server holds back the second sentence until the first has reached the sink (or 10 s).
    std::promise<void> first_sentence;
    std::shared_future<void> heard = first_sentence.get_future().share();
    std::atomic<bool> released_by_sentence{false};
    Reply reply{
        200,
        "text/event-stream",
        "",
        {Event(Chunk({{"role", "assistant"}, {"content", ""}})), Event(Chunk({{"content", "Sure"}})),
         Event(Chunk({{"content", ", I can help. "}})), Event(Chunk({{"content", "What is your "}})),
         Event(Chunk({{"content", "monthly bill?"}})), Event(Chunk(Json::object(), "stop")) + "data: [DONE]\n\n"}};
    reply.before_chunk = [&](size_t index) {
        if (index == 3) released_by_sentence = heard.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
    };
    LoopbackServer server(reply);
    auto brain = MakeOpenAiBrain(SolarPlan(), CallFacts{Json::object(), 0}, {server.BaseUrl(), "", "llama3", 5000});
    brain->Start();
    std::vector<std::string> sentences;
    brain->StreamSentences([&](const std::string& s) {
        if (sentences.empty()) first_sentence.set_value();
        sentences.push_back(s);
    });
    const Turn t = brain->Hear("yes", 0.9, 3);
    brain->StreamSentences(nullptr);
    EXPECT_TRUE(released_by_sentence);
    EXPECT_EQ(sentences, (std::vector<std::string>{"Sure, I can help.", "What is your monthly bill?"}));
    EXPECT_EQ(t.say, "Sure, I can help. What is your monthly bill?");
    EXPECT_FALSE(t.hang_up);

    // Without a sink, the same answer comes whole.
    auto quiet = MakeOpenAiBrain(SolarPlan(), CallFacts{Json::object(), 0}, {server.BaseUrl(), "", "llama3", 5000});
    quiet->Start();
    EXPECT_EQ(quiet->Hear("yes", 0.9, 3).say, "Sure, I can help. What is your monthly bill?");
}

TEST(OpenAiBrainStreaming, WordsBeforeAToolAreSpokenAndTheAnswerAfterItFollows) {
    LoopbackServer server(std::vector<Reply>{
        Calls({{"c1", "check_availability", "{}"}}, "Let me check the calendar."),
        loopback::Says("I have Thursday at 10 AM. Does that work?"),
    });
    auto brain = MakeOpenAiBrain(SolarPlan(), AnnFacts(), {server.BaseUrl(), "", "llama3", 5000});
    brain->Start();
    std::vector<std::string> sentences;
    brain->StreamSentences([&](const std::string& s) { sentences.push_back(s); });
    const Turn t = brain->Hear("can we meet", 0.9, 3);
    EXPECT_EQ(sentences,
              (std::vector<std::string>{"Let me check the calendar.", "I have Thursday at 10 AM.", "Does that work?"}));
    EXPECT_EQ(t.say, "Let me check the calendar. I have Thursday at 10 AM. Does that work?");
}

TEST(OpenAiBrainStreaming, AFailedModelAfterSpokenWordsStillSaysGoodbye) {
    LoopbackServer server(std::vector<Reply>{
        Calls({{"c1", "check_availability", "{}"}}, "Let me check."),
        Reply{500, "application/json", R"({"error":{"message":"model overloaded"}})", {}},
    });
    auto brain = MakeOpenAiBrain(SolarPlan(), AnnFacts(), {server.BaseUrl(), "", "llama3", 5000});
    brain->Start();
    std::vector<std::string> sentences;
    brain->StreamSentences([&](const std::string& s) { sentences.push_back(s); });
    const Turn t = brain->Hear("can we meet", 0.9, 3);
    EXPECT_EQ(sentences, (std::vector<std::string>{"Let me check."}));
    EXPECT_TRUE(t.hang_up);
    EXPECT_EQ(t.say, kTroubleGoodbye);  // said after the words already spoken
}

}  // namespace
}  // namespace parley::voice
