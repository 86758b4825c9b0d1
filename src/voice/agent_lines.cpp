#include "voice/agent_lines.hpp"

#include <algorithm>

namespace parley::voice {

Json TemplateValues(const Plan& plan, const CallFacts& facts) {
    Json values = facts.variables;
    values["agent_name"] = plan.agent_name;
    values["organization"] = plan.organization;
    return values;
}

std::string OpeningWords(const Plan& plan, const Json& values) {
    std::string say;
    if (values.contains("first_name") && values["first_name"].is_string() &&
        !values["first_name"].get<std::string>().empty()) {
        say = "Hi " + values["first_name"].get<std::string>() + ". ";
    } else {
        say = "Hi there. ";
    }
    if (!plan.disclosure.empty()) say += FillTemplate(plan.disclosure, values) + " ";
    if (!plan.opt_out_offer.empty()) say += FillTemplate(plan.opt_out_offer, values) + " ";
    const std::string opener = FillTemplate(plan.opener, values);
    say += opener.empty() ? "Do you have a couple of minutes to talk?" : opener;
    return say;
}

}  // namespace parley::voice

namespace parley::voice {

std::vector<std::string> PlannedLines(const Plan& plan) {
    const Json values = TemplateValues(plan, CallFacts{plan.variables, 0});
    std::vector<std::string> lines;
    // A template is the same on every call when it names only values the plan itself holds.
    const auto add_template = [&](const std::string& text) {
        const auto names = TemplateNames(text);
        if (std::any_of(names.begin(), names.end(), [&](const std::string& n) {
                return !values.contains(n) || !values[n].is_string() || values[n].get<std::string>().empty();
            })) {
            return;
        }
        if (auto filled = FillTemplate(text, values); !filled.empty()) lines.push_back(std::move(filled));
    };
    lines.emplace_back("Hi there.");
    add_template(plan.disclosure);
    add_template(plan.opt_out_offer);
    if (plan.opener.empty()) {
        lines.emplace_back("Do you have a couple of minutes to talk?");
    } else {
        add_template(plan.opener);
    }
    add_template(plan.closing);
    for (const auto& step : plan.steps) lines.push_back(step.question);
    for (auto line : {kStillTherePrompt,   kLostCalleeGoodbye,
                      kNotHeardPrompt,     kOptOutGoodbye,
                      kWrongNumberGoodbye, kNotInterestedGoodbye,
                      kNoProblem,          kCannotTransfer,
                      kTransferWords,      kAgreedAck,
                      kAnsweredAck,        kMoveOnAck,
                      kMeetingOffer,       kAskDayAndTime,
                      kChooseSlot,         kWhichSlot,
                      kOpenHoursRetry,     kTeamWillReachOut,
                      kTroubleGoodbye,     kSayAgain}) {
        lines.emplace_back(line);
    }
    return lines;
}

}  // namespace parley::voice
