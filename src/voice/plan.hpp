#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/engine_catalog.hpp"
#include "domain/entities.hpp"

namespace parley::voice {

using domain::Json;

// One question of a dialogue plan: the custom field it fills and how to ask for it.
struct PlanStep {
    std::string field;
    domain::FieldType type = domain::FieldType::kString;
    std::vector<std::string> options;
    std::string question;
};

// A compiled profile: everything a call needs, resolved when the profile was saved. Stored as
// JSON with the profile version (`ToJson`), read back by calls (`PlanFromJson`).
struct Plan {
    // 2: tts.pitch is null for the engine's default. Format 1 wrote the default as 0, which is
    // the lowest pitch since format 2.
    int plan_format = 2;
    std::string brain = "scripted";  // "scripted" or a model id "<endpoint>/<model>"
    std::string stt = "pocketsphinx";
    std::string tts_engine = "flite";
    std::string tts_voice = "slt";
    int rate_wpm = 0;          // 0: the engine's default
    std::optional<int> pitch;  // 0..100; empty: the engine's default
    std::string language = "en-us";
    std::string agent_name;
    std::string organization;
    std::string persona;
    std::vector<std::string> goals;
    std::string disclosure;     // "" when disabled
    std::string opt_out_offer;  // "" when disabled
    std::string opener;         // may hold {{variables}}
    std::string closing;
    std::optional<std::string> voicemail_message;
    std::vector<PlanStep> steps;
    std::vector<std::string> tools;
    std::optional<std::string> transfer_number;
    std::string transfer_mode = "bridged";  // or "blind"
    std::string transfer_extension;         // keys pressed once a bridged transfer is answered
    std::vector<std::string> refuse_topics;
    int max_call_seconds = 600;
    Json variables = Json::object();  // name -> default (null: required)

    bool HasTool(std::string_view tool) const;
};

Json ToJson(const Plan& plan);
Plan PlanFromJson(const Json& j);

// Fills {{name}} placeholders from `values`; unknown names become "".
std::string FillTemplate(std::string_view text, const Json& values);

// The {{names}} a text uses, in order of first use.
std::vector<std::string> TemplateNames(std::string_view text);

}  // namespace parley::voice
