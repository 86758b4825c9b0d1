#include "voice/plan_compiler.hpp"

#include <algorithm>

#include "common/text.hpp"
#include "voice/understanding/grammar.hpp"

namespace parley::voice {
namespace {

constexpr std::string_view kDefaultDisclosure =
    "This is {{agent_name}}, an AI assistant calling on behalf of {{organization}}.";
constexpr std::string_view kDefaultOptOut =
    "If you would rather not get these calls, just say stop calling at any time.";
// Names every opener may use: the contact's fields and the agent's own.
constexpr std::string_view kBuiltinVariables[] = {"first_name", "last_name",  "company",     "email",
                                                  "phone",      "agent_name", "organization"};

std::string Label(const domain::CustomField& f) {
    std::string label = f.name;
    std::replace(label.begin(), label.end(), '_', ' ');
    return label;
}

}  // namespace

std::string DefaultQuestion(const domain::CustomField& f) {
    const std::string label = Label(f);
    switch (f.type) {
        case domain::FieldType::kEnum: {
            std::string q = "What is your " + label + ": ";
            for (size_t i = 0; i < f.options.size(); ++i) {
                if (i > 0) q += i + 1 == f.options.size() ? ", or " : ", ";
                q += SpokenForm(f.options[i]);
            }
            return q + "?";
        }
        case domain::FieldType::kNumber: return "What is your " + label + "? A rough number is fine.";
        case domain::FieldType::kDate: return "What date do you have in mind for your " + label + "?";
        case domain::FieldType::kBoolean: return "About your " + label + ": is the answer yes or no?";
        case domain::FieldType::kString: break;
    }
    return "Could you tell me about your " + label + "?";
}

Result<Json> PlanCompiler::Compile(const domain::CompileInput& in) const {
    const domain::ProfileSpec& spec = in.spec;
    std::vector<FieldError> wrong;
    Plan plan;
    plan.organization = in.organization_name;
    plan.agent_name = spec.agent_name;
    plan.persona = spec.persona;
    plan.goals = spec.goals;
    plan.opener = spec.opener;
    plan.closing = spec.closing.value_or("Thank you for your time. Goodbye.");
    plan.voicemail_message = spec.voicemail_message;
    plan.tools = spec.tools;
    plan.transfer_number = spec.transfer_number;
    plan.transfer_mode = spec.transfer_mode;
    plan.transfer_extension = spec.transfer_extension.value_or("");
    plan.refuse_topics = spec.guardrails.refuse_topics;
    plan.max_call_seconds = spec.guardrails.max_call_duration_seconds;
    plan.variables = Json::object();
    for (const auto& v : spec.variables) plan.variables[v.name] = v.fallback ? Json(*v.fallback) : Json(nullptr);
    plan.language = ToLower(spec.language);

    // The voice: a built-in "engine:voice" or one of the organization's presets.
    const std::string& voice = spec.voice;
    if (const auto* builtin = catalog_.FindVoice(voice)) {
        plan.tts_engine = builtin->engine;
        plan.tts_voice = builtin->id.substr(builtin->engine.size() + 1);
    } else if (auto preset = std::find_if(in.voice_presets.begin(), in.voice_presets.end(),
                                          [&](const domain::VoicePreset& p) { return p.id == voice; });
               preset != in.voice_presets.end()) {
        plan.tts_engine = preset->engine;
        plan.tts_voice = preset->voice.substr(preset->engine.size() + 1);
        plan.rate_wpm = preset->rate_wpm;
        plan.pitch = preset->pitch;
    } else {
        wrong.push_back({"voice", "\"" + voice +
                                      "\" is neither a built-in voice (GET /api/v1/voices/builtin) nor "
                                      "one of this organization's voices (GET /api/v1/voices)"});
    }

    const std::string& model = spec.model;
    const auto models = catalog_.Models();
    if (std::none_of(models.begin(), models.end(), [&](const domain::ModelInfo& m) { return m.id == model; })) {
        wrong.push_back({"model", "\"" + model + "\" is not a model of this installation (GET /api/v1/models)"});
    }
    plan.brain = model;
    const std::string& stt = spec.stt;
    const auto stts = catalog_.SttEngines();
    if (std::find(stts.begin(), stts.end(), stt) == stts.end()) {
        wrong.push_back(
            {"stt", "\"" + stt + "\" is not a speech recognizer of this installation (GET /api/v1/models)"});
    }
    plan.stt = stt;
    if (stt == "pocketsphinx" && plan.language != "en" && !plan.language.starts_with("en-")) {
        wrong.push_back({"language",
                         "the pocketsphinx recognizer understands English only (en-us); choose an "
                         "http recognizer for \"" +
                             plan.language + "\""});
    }

    for (const auto& name : spec.extract_fields) {
        auto def = std::find_if(in.fields.begin(), in.fields.end(),
                                [&](const domain::CustomField& f) { return f.name == name; });
        if (def == in.fields.end()) {
            wrong.push_back({"extract_fields", "\"" + name + "\" is not a custom field; create it first"});
        } else if (def->category == domain::FieldCategory::kContact) {
            wrong.push_back({"extract_fields", "\"" + name +
                                                   "\" is a contact-only field; set its category to "
                                                   "extraction or both"});
        } else if (def->type == domain::FieldType::kEnum && def->options.empty()) {
            wrong.push_back({"extract_fields", "\"" + name + "\" is an enum without options"});
        } else {
            plan.steps.push_back({def->name, def->type, def->options, DefaultQuestion(*def)});
        }
    }

    for (const auto& name : TemplateNames(plan.opener)) {
        const bool builtin =
            std::find(std::begin(kBuiltinVariables), std::end(kBuiltinVariables), name) != std::end(kBuiltinVariables);
        if (!builtin && !plan.variables.contains(name)) {
            wrong.push_back({"opener", "uses {{" + name +
                                           "}}, which is neither a contact field nor listed in "
                                           "variables"});
        }
    }

    if (spec.disclosure.enabled) {
        std::string text = spec.disclosure.text.value_or(std::string(kDefaultDisclosure));
        const bool names_org = text.find("{{organization}}") != std::string::npos ||
                               (!plan.organization.empty() && text.find(plan.organization) != std::string::npos);
        if (!names_org) {
            wrong.push_back({"disclosure.text", "must name the organization (write {{organization}})"});
        }
        plan.disclosure = std::move(text);
        plan.opt_out_offer = spec.disclosure.opt_out_text.value_or(std::string(kDefaultOptOut));
    }
    if (const auto& required = spec.guardrails.required_disclosure) {
        plan.disclosure += (plan.disclosure.empty() ? "" : " ") + *required;
    }
    if (!wrong.empty()) {
        std::string message = "profile does not compile: " + wrong.front().field + " " + wrong.front().message;
        return Fail(ErrorCode::kUnprocessable, std::move(message), std::move(wrong));
    }
    if (speech_) speech_->PrepareLines(plan);
    return ToJson(plan);
}

}  // namespace parley::voice
