#pragma once

// What every brain says the same way, whichever brain decides the rest of the call: the AI
// disclosure and the opt-out offer are never left to a model's wording.

#include <string>
#include <string_view>

#include "voice/brain.hpp"

namespace parley::voice {

inline constexpr std::string_view kStillTherePrompt = "Are you still there?";
inline constexpr std::string_view kLostCalleeGoodbye = "It seems I have lost you. Goodbye.";
inline constexpr std::string_view kNotHeardPrompt = "Sorry, I did not catch that.";

// The values a plan's {{placeholders}} are filled from: the call's facts plus agent_name and
// organization.
Json TemplateValues(const Plan& plan, const CallFacts& facts);

// The first words of every call: a greeting (by first name when known), the plan's disclosure
// and opt-out offer verbatim, then its opener, or a question whether the callee has time.
std::string OpeningWords(const Plan& plan, const Json& values);

}  // namespace parley::voice
