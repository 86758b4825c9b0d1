#include "voice/agent_lines.hpp"

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
