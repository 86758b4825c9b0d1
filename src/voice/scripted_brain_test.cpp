#include <gtest/gtest.h>

#include <chrono>

#include "voice/brain.hpp"

namespace parley::voice {
namespace {

// Wednesday, March 5, 2025, 15:00 UTC.
const int64_t kWednesdayMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 (date::sys_days{date::year{2025} / 3 / 5} + std::chrono::hours{15}).time_since_epoch())
                                 .count();

Plan MeetingPlan() {
    Plan p;
    p.agent_name = "Alex";
    p.organization = "Acme Solar";
    p.disclosure = "This is {{agent_name}}, an AI assistant calling on behalf of {{organization}}.";
    p.closing = "Thank you for your time. Goodbye.";
    p.tools = {"check_availability", "request_meeting", "end_call"};
    return p;
}

TEST(ScriptedBrain, OffersTheCalendarsSlotsAndBooksOnlyWithinItsOpenHours) {
    auto brain = MakeScriptedBrain(MeetingPlan(), CallFacts{Json::object(), kWednesdayMs});
    EXPECT_EQ(brain->Start().say,
              "Hi there. This is Alex, an AI assistant calling on behalf of Acme Solar. Do you have a couple of "
              "minutes to talk?");
    EXPECT_NE(brain->Hear("yes", 1, 3).say.find("book a short call"), std::string::npos);
    EXPECT_NE(brain->Hear("yes please", 1, 6).say.find("Thursday, March 6 at 10 AM or Friday, March 7 at 2 PM"),
              std::string::npos);
    const Turn refused = brain->Hear("saturday at ten", 1, 9);
    EXPECT_FALSE(refused.hang_up);
    EXPECT_NE(refused.say.find("weekdays between 9 AM and 5 PM"), std::string::npos) << refused.say;
    const Turn booked = brain->Hear("monday at two thirty", 1, 12);
    EXPECT_TRUE(booked.hang_up);
    EXPECT_EQ(booked.say, "You are booked for Monday, March 10 at 2:30 PM. Thank you for your time. Goodbye.");

    const Conversation& c = brain->conversation();
    EXPECT_TRUE(c.meeting_booked);
    EXPECT_EQ(c.meeting_at, "2025-03-10T14:30");
    std::vector<std::string> tools;
    for (const auto& t : c.tools) tools.push_back(t.tool + ":" + t.status);
    EXPECT_EQ(tools, (std::vector<std::string>{"check_availability:success", "request_meeting:failed",
                                               "request_meeting:success", "end_call:success"}));
}

TEST(ScriptedBrain, SilenceAsksOnceThenSaysGoodbye) {
    auto brain = MakeScriptedBrain(MeetingPlan(), CallFacts{Json::object(), kWednesdayMs});
    brain->Start();
    EXPECT_EQ(brain->Silence(8).say.rfind("Are you still there?", 0), 0u);
    const Turn t = brain->Silence(16);
    EXPECT_TRUE(t.hang_up);
    EXPECT_EQ(t.say, "It seems I have lost you. Goodbye.");
}

TEST(ScriptedBrain, AFailedRecognitionIsRecordedAndTheQuestionAskedAgain) {
    auto brain = MakeScriptedBrain(MeetingPlan(), CallFacts{Json::object(), kWednesdayMs});
    const std::string opener = brain->Start().say;
    const Turn t = brain->NotHeard("live", "live STT: the connection dropped", 3);
    EXPECT_EQ(t.say, "Sorry, I did not catch that. " + opener);
    EXPECT_FALSE(t.hang_up);
    ASSERT_EQ(brain->conversation().tools.size(), 1u);
    EXPECT_EQ(brain->conversation().tools[0].tool, "speech_recognition");
    EXPECT_EQ(brain->conversation().tools[0].status, "failed");
    EXPECT_EQ(brain->conversation().tools[0].output["error"], "live STT: the connection dropped");
    // The call goes on: the answer to the question asked again is heard as usual.
    EXPECT_NE(brain->Hear("yes", 1, 6).say.find("book a short call"), std::string::npos);
}

}  // namespace
}  // namespace parley::voice
