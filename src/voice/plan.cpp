#include "voice/plan.hpp"

#include <algorithm>

namespace parley::voice {

bool Plan::HasTool(std::string_view tool) const {
    return std::find(tools.begin(), tools.end(), tool) != tools.end();
}

Json ToJson(const Plan& p) {
    Json steps = Json::array();
    for (const auto& s : p.steps) {
        steps.push_back(
            {{"field", s.field}, {"type", domain::ToString(s.type)}, {"options", s.options}, {"question", s.question}});
    }
    return Json{{"plan_format", p.plan_format},
                {"brain", p.brain},
                {"stt", p.stt},
                {"tts",
                 {{"engine", p.tts_engine},
                  {"voice", p.tts_voice},
                  {"rate_wpm", p.rate_wpm},
                  {"pitch", p.pitch ? Json(*p.pitch) : Json(nullptr)}}},
                {"language", p.language},
                {"agent_name", p.agent_name},
                {"organization", p.organization},
                {"persona", p.persona},
                {"goals", p.goals},
                {"disclosure", p.disclosure},
                {"opt_out_offer", p.opt_out_offer},
                {"opener", p.opener},
                {"closing", p.closing},
                {"voicemail_message", p.voicemail_message ? Json(*p.voicemail_message) : Json(nullptr)},
                {"steps", std::move(steps)},
                {"tools", p.tools},
                {"transfer_number", p.transfer_number ? Json(*p.transfer_number) : Json(nullptr)},
                {"transfer_mode", p.transfer_mode},
                {"transfer_extension", p.transfer_extension},
                {"refuse_topics", p.refuse_topics},
                {"max_call_seconds", p.max_call_seconds},
                {"variables", p.variables}};
}

Plan PlanFromJson(const Json& j) {
    Plan p;
    p.plan_format = j.value("plan_format", 1);
    p.brain = j.value("brain", "scripted");
    p.stt = j.value("stt", "pocketsphinx");
    const Json tts = j.value("tts", Json::object());
    p.tts_engine = tts.value("engine", "flite");
    p.tts_voice = tts.value("voice", "slt");
    p.rate_wpm = tts.value("rate_wpm", 0);
    if (const auto pitch = tts.find("pitch"); pitch != tts.end() && pitch->is_number_integer()) {
        if (p.plan_format >= 2 || pitch->get<int>() != 0) p.pitch = pitch->get<int>();
    }
    p.language = j.value("language", "en-us");
    p.agent_name = j.value("agent_name", "");
    p.organization = j.value("organization", "");
    p.persona = j.value("persona", "");
    p.goals = j.value("goals", std::vector<std::string>{});
    p.disclosure = j.value("disclosure", "");
    p.opt_out_offer = j.value("opt_out_offer", "");
    p.opener = j.value("opener", "");
    p.closing = j.value("closing", "");
    if (j.contains("voicemail_message") && j["voicemail_message"].is_string()) {
        p.voicemail_message = j["voicemail_message"].get<std::string>();
    }
    for (const auto& s : j.value("steps", Json::array())) {
        p.steps.push_back({s.value("field", ""),
                           domain::ParseFieldType(s.value("type", "string")).value_or(domain::FieldType::kString),
                           s.value("options", std::vector<std::string>{}), s.value("question", "")});
    }
    p.tools = j.value("tools", std::vector<std::string>{});
    if (j.contains("transfer_number") && j["transfer_number"].is_string()) {
        p.transfer_number = j["transfer_number"].get<std::string>();
    }
    p.transfer_mode = j.value("transfer_mode", "bridged");
    p.transfer_extension = j.value("transfer_extension", "");
    p.refuse_topics = j.value("refuse_topics", std::vector<std::string>{});
    p.max_call_seconds = j.value("max_call_seconds", 600);
    p.variables = j.value("variables", Json::object());
    return p;
}

std::vector<std::string> TemplateNames(std::string_view text) {
    std::vector<std::string> names;
    size_t pos = 0;
    while ((pos = text.find("{{", pos)) != std::string_view::npos) {
        const size_t end = text.find("}}", pos + 2);
        if (end == std::string_view::npos) break;
        std::string name(text.substr(pos + 2, end - pos - 2));
        name.erase(0, name.find_first_not_of(' '));
        name.erase(name.find_last_not_of(' ') + 1);
        if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
        pos = end + 2;
    }
    return names;
}

std::string FillTemplate(std::string_view text, const Json& values) {
    std::string out;
    size_t pos = 0;
    while (true) {
        const size_t open = text.find("{{", pos);
        const size_t close = open == std::string_view::npos ? open : text.find("}}", open + 2);
        if (close == std::string_view::npos) {
            out.append(text.substr(pos));
            break;
        }
        out.append(text.substr(pos, open - pos));
        std::string name(text.substr(open + 2, close - open - 2));
        name.erase(0, name.find_first_not_of(' '));
        name.erase(name.find_last_not_of(' ') + 1);
        if (auto it = values.find(name); it != values.end() && !it->is_null()) {
            out += it->is_string() ? it->get<std::string>() : it->dump();
        }
        pos = close + 2;
    }
    // Collapse the double spaces an empty value leaves.
    std::string tidy;
    for (char c : out) {
        if (c == ' ' && !tidy.empty() && tidy.back() == ' ') continue;
        tidy += c;
    }
    return tidy;
}

}  // namespace parley::voice
