#pragma once

// What every brain says the same way, whichever brain decides the rest of the call: the AI
// disclosure and the opt-out offer are never left to a model's wording.

#include <string>
#include <string_view>
#include <vector>

#include "voice/brain.hpp"

namespace parley::voice {

inline constexpr std::string_view kStillTherePrompt = "Are you still there?";
inline constexpr std::string_view kLostCalleeGoodbye = "It seems I have lost you. Goodbye.";
inline constexpr std::string_view kNotHeardPrompt = "Sorry, I did not catch that.";

// The scripted brain's lines that need none of the callee's words (see PlannedLines).
inline constexpr std::string_view kOptOutGoodbye =
    "I understand. I have removed your number from our list, and we will not call you again. Goodbye.";
inline constexpr std::string_view kWrongNumberGoodbye = "I am sorry for the trouble. Goodbye.";
inline constexpr std::string_view kNotInterestedGoodbye = "No problem at all. Thank you for your time. Goodbye.";
inline constexpr std::string_view kNoProblem = "No problem.";
inline constexpr std::string_view kCannotTransfer =
    "I cannot connect you to a person right now, but someone from our team can call you back.";
inline constexpr std::string_view kTransferWords = "Of course. Let me connect you with someone from our team.";
inline constexpr std::string_view kAgreedAck = "Great, thank you.";
inline constexpr std::string_view kAnsweredAck = "Thank you.";
inline constexpr std::string_view kMoveOnAck = "No problem, let us move on.";
inline constexpr std::string_view kMeetingOffer =
    "Would you like to book a short call with our team to go over the details?";
inline constexpr std::string_view kAskDayAndTime = "Great. What day and time work best for you?";
inline constexpr std::string_view kChooseSlot = "Which works better for you? Another weekday time is fine too.";
inline constexpr std::string_view kWhichSlot = "Sorry, which day and time was that?";
inline constexpr std::string_view kOpenHoursRetry =
    "I am sorry, our team meets on weekdays between 9 AM and 5 PM. Which weekday and time would work?";
inline constexpr std::string_view kTeamWillReachOut = "I will have someone from our team reach out to find a time.";
// The chat-model brain's own.
inline constexpr std::string_view kTroubleGoodbye =
    "I am sorry, I am having technical trouble right now. Someone from our team will follow up with you. Goodbye.";
inline constexpr std::string_view kSayAgain = "Sorry, could you say that again?";

// The values a plan's {{placeholders}} are filled from: the call's facts plus agent_name and
// organization.
Json TemplateValues(const Plan& plan, const CallFacts& facts);

// The first words of every call: a greeting (by first name when known), the plan's disclosure
// and opt-out offer verbatim, then its opener, or a question whether the callee has time.
std::string OpeningWords(const Plan& plan, const Json& values);

// What an agent of this plan says the same way on every call, so it can be synthesized before
// any call needs it: the opening's parts that name no contact field, each question, the
// acknowledgements, re-asks, the meeting offer, the closing and the goodbyes. Lines of several
// sentences are spoken a sentence at a time, so callers split them (SplitSentences).
std::vector<std::string> PlannedLines(const Plan& plan);

}  // namespace parley::voice
