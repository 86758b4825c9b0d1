#include "support/fixture.hpp"

namespace parley::testing {
namespace {

class ProfilesApi : public ApiTest {
protected:
    void SetUp() override {
        ApiTest::SetUp();
        if (IsSkipped()) return;
        ASSERT_EQ(api()
                      .Post("/api/v1/custom-fields", {{"name", "budget_range"},
                                                      {"type", "enum"},
                                                      {"options", {"under_10k", "10k_50k", "50k_100k", "100k_plus"}}})
                      .status,
                  201);
        ASSERT_EQ(api().Post("/api/v1/custom-fields", {{"name", "decision_timeline"}, {"type", "string"}}).status, 201);
        ASSERT_EQ(api()
                      .Post("/api/v1/custom-fields", {{"name", "crm_id"}, {"type", "string"}, {"category", "contact"}})
                      .status,
                  201);
    }
    static Json Sales() {
        return Json{{"name", "Sales qualifier"},
                    {"opener", "I am calling about our scheduling software, {{first_name}}. Do you have a minute?"},
                    {"extract_fields", {"budget_range", "decision_timeline"}},
                    {"tools", {"check_availability", "request_meeting", "end_call"}}};
    }
    size_t ProfileCount(const std::string& query = "") const {
        return api().Get("/api/v1/profiles?limit=100" + query).json()["data"].size();
    }
};
PARLEY_BACKENDS(ProfilesApi);

TEST_P(ProfilesApi, CreateCompilesAPlanWithTheDisclosureFirstAndOneQuestionPerField) {
    auto res = api().Post("/api/v1/profiles", Sales());
    ASSERT_EQ(res.status, 201) << res.body;
    const Json p = res.json()["data"];
    EXPECT_TRUE(p["id"].get<std::string>().starts_with("prof_"));
    EXPECT_EQ(p["status"], "active");
    EXPECT_EQ(p["version"], 1);
    EXPECT_EQ(p["model"], "scripted");
    EXPECT_EQ(p["voice"], "flite:slt");
    const Json plan = p["compiled"];
    EXPECT_EQ(plan["organization"], "Test org");
    EXPECT_NE(plan["disclosure"].get<std::string>().find("AI assistant"), std::string::npos) << plan.dump();
    EXPECT_NE(plan["disclosure"].get<std::string>().find("{{organization}}"), std::string::npos) << plan.dump();
    EXPECT_NE(plan["opt_out_offer"].get<std::string>().find("stop calling"), std::string::npos);
    ASSERT_EQ(plan["steps"].size(), 2u);
    EXPECT_EQ(plan["steps"][0]["field"], "budget_range");
    EXPECT_EQ(plan["steps"][0]["options"].size(), 4u);
    EXPECT_NE(plan["steps"][0]["question"].get<std::string>().find("budget range"), std::string::npos);
    EXPECT_EQ(plan["tts"]["engine"], "flite");
    EXPECT_EQ(plan["tts"]["voice"], "slt");
    EXPECT_EQ(api().Get("/api/v1/profiles/" + p["id"].get<std::string>()).json()["data"], p);
}

TEST_P(ProfilesApi, UpdateRecompilesAsANewVersionAndArchiveIsASoftDelete) {
    const std::string id = api().Post("/api/v1/profiles", Sales()).json()["data"]["id"];
    auto patched = api().Patch("/api/v1/profiles/" + id, {{"extract_fields", {"decision_timeline"}}});
    ASSERT_EQ(patched.status, 200) << patched.body;
    EXPECT_EQ(patched.json()["data"]["version"], 2);
    EXPECT_EQ(patched.json()["data"]["compiled"]["steps"].size(), 1u);
    EXPECT_EQ(patched.json()["data"]["name"], "Sales qualifier");

    EXPECT_EQ(ProfileCount(), 1u);
    auto archived = api().Delete("/api/v1/profiles/" + id);
    ASSERT_EQ(archived.status, 200) << archived.body;
    EXPECT_EQ(archived.json()["data"]["status"], "archived");
    EXPECT_FALSE(archived.json()["data"]["archived_at"].is_null());
    EXPECT_EQ(api().Delete("/api/v1/profiles/" + id).status, 200);
    EXPECT_EQ(ProfileCount(), 0u);
    EXPECT_EQ(ProfileCount("&status=archived"), 1u);
    EXPECT_EQ(ProfileCount("&status=all"), 1u);
    EXPECT_EQ(api().Get("/api/v1/profiles/" + id).json()["data"]["status"], "archived");
    ExpectError(api().Patch("/api/v1/profiles/" + id, {{"name", "again"}}), 409, "CONFLICT");
    ExpectError(api().Get("/api/v1/profiles?status=deleted"), 400, "VALIDATION_ERROR");
}

TEST_P(ProfilesApi, AgentsAreTheSameResource) {
    auto created = api().Post("/api/v1/agents", Sales());
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string id = created.json()["data"]["id"];
    EXPECT_EQ(api().Get("/api/v1/profiles/" + id).json()["data"]["name"], "Sales qualifier");
    EXPECT_EQ(api().Patch("/api/v1/agents/" + id, {{"instructions", "Be brief."}}).json()["data"]["persona"],
              "Be brief.");
    EXPECT_EQ(api().Get("/api/v1/agents").json()["data"].size(), 1u);
}

TEST_P(ProfilesApi, ShapeErrorsAre400AndNameTheField) {
    const std::vector<std::pair<Json, std::string>> cases = {
        {{{"opener", "hi"}}, "name"},
        {{{"name", "x"}, {"colour", "red"}}, "colour"},
        {{{"name", "x"}, {"extract_fields", "budget_range"}}, "extract_fields"},
        {{{"name", "x"}, {"tools", {"launch_rockets"}}}, "tools"},
        {{{"name", "x"}, {"tools", {"transfer"}}}, "transfer_number"},
        {{{"name", "x"}, {"transfer_number", "not a phone"}}, "transfer_number"},
        {{{"name", "x"}, {"transfer_mode", "teleport"}}, "transfer_mode"},
        {{{"name", "x"}, {"transfer_extension", "12a"}}, "transfer_extension"},
        {{{"name", "x"}, {"transfer_extension", ""}}, "transfer_extension"},
        {{{"name", "x"}, {"transfer_mode", "blind"}, {"transfer_extension", "12"}}, "transfer_extension"},
        {{{"name", "x"}, {"guardrails", {{"max_call_duration_seconds", 5}}}}, "guardrails.max_call_duration_seconds"},
        {{{"name", "x"}, {"guardrails", {{"topics", {"a"}}}}}, "guardrails.topics"},
        {{{"name", "x"}, {"variables", {"Bad Name"}}}, "variables"},
        {{{"name", "x"}, {"persona", "a"}, {"instructions", "b"}}, "instructions"},
        {{{"name", 7}}, "name"},
    };
    for (const auto& [body, field] : cases) {
        auto res = api().Post("/api/v1/profiles", body);
        ExpectError(res, 400, "VALIDATION_ERROR");
        bool named = false;
        const Json details = res.json()["error"]["details"];
        for (const auto& d : details) named = named || d["field"] == field;
        EXPECT_TRUE(named) << body.dump() << " -> " << res.body;
    }
    EXPECT_EQ(ProfileCount("&status=all"), 0u);
}

TEST_P(ProfilesApi, WhatDoesNotCompileIs422AndNamesTheField) {
    const std::vector<std::pair<Json, std::string>> cases = {
        {{{"name", "x"}, {"extract_fields", {"no_such_field"}}}, "extract_fields"},
        {{{"name", "x"}, {"extract_fields", {"crm_id"}}}, "extract_fields"},
        {{{"name", "x"}, {"voice", "flite:nobody"}}, "voice"},
        {{{"name", "x"}, {"model", "gpt-99"}}, "model"},
        {{{"name", "x"}, {"stt", "whisper-local"}}, "stt"},
        {{{"name", "x"}, {"language", "fr-fr"}}, "language"},
        {{{"name", "x"}, {"opener", "Hello {{nickname}}"}}, "opener"},
        {{{"name", "x"}, {"disclosure", {{"text", "This is an AI assistant."}}}}, "disclosure.text"},
    };
    for (const auto& [body, field] : cases) {
        auto res = api().Post("/api/v1/profiles", body);
        ExpectError(res, 422, "UNPROCESSABLE");
        bool named = false;
        const Json details = res.json()["error"]["details"];
        for (const auto& d : details) named = named || d["field"] == field;
        EXPECT_TRUE(named) << body.dump() << " -> " << res.body;
    }
    EXPECT_EQ(ProfileCount("&status=all"), 0u);
    // A declared variable and a custom disclosure naming the organization compile.
    auto ok = api().Post("/api/v1/profiles", {{"name", "x"},
                                              {"opener", "Hello {{nickname}}"},
                                              {"variables", {{"nickname", "friend"}}},
                                              {"disclosure", {{"text", "An AI agent for {{organization}} here."}}}});
    EXPECT_EQ(ok.status, 201) << ok.body;
}

TEST_P(ProfilesApi, AnUpdateThatDoesNotCompileChangesNothing) {
    const std::string id = api().Post("/api/v1/profiles", Sales()).json()["data"]["id"];
    ExpectError(api().Patch("/api/v1/profiles/" + id, {{"voice", "espeak-ng:nobody"}}), 422, "UNPROCESSABLE");
    const Json p = api().Get("/api/v1/profiles/" + id).json()["data"];
    EXPECT_EQ(p["version"], 1);
    EXPECT_EQ(p["voice"], "flite:slt");
}

TEST_P(ProfilesApi, ModelsListTheScriptedBrainAndTheEngines) {
    auto res = api().Get("/api/v1/models");
    ASSERT_EQ(res.status, 200) << res.body;
    const Json j = res.json();
    bool scripted = false;
    for (const auto& m : j["data"]) scripted = scripted || m["id"] == "scripted";
    EXPECT_TRUE(scripted) << res.body;
    EXPECT_NE(j["meta"]["stt_engines"].dump().find("pocketsphinx"), std::string::npos);
    EXPECT_NE(j["meta"]["tts_engines"].dump().find("espeak-ng"), std::string::npos);
    EXPECT_NE(j["meta"]["tts_engines"].dump().find("flite"), std::string::npos);
}

TEST_P(ProfilesApi, BuiltinVoicesAreTheEnginesRealVoicesAndFilter) {
    const Json all = api().Get("/api/v1/voices/builtin").json()["data"];
    bool slt = false;
    bool espeak_en = false;
    for (const auto& v : all) {
        slt = slt || (v["id"] == "flite:slt" && v["gender"] == "female");
        espeak_en = espeak_en || (v["engine"] == "espeak-ng" && v["language"].get<std::string>().starts_with("en"));
    }
    EXPECT_TRUE(slt) << all.dump();
    EXPECT_TRUE(espeak_en);
    EXPECT_GT(all.size(), 20u);
    const Json female_flite = api().Get("/api/v1/voices/builtin?gender=female&engine=flite").json()["data"];
    EXPECT_FALSE(female_flite.empty());
    for (const auto& v : female_flite) {
        EXPECT_EQ(v["gender"], "female");
        EXPECT_EQ(v["engine"], "flite");
    }
    const Json en = api().Get("/api/v1/voices/builtin?language=en").json()["data"];
    EXPECT_FALSE(en.empty());
    for (const auto& v : en) EXPECT_TRUE(v["language"].get<std::string>().starts_with("en")) << v.dump();
    ExpectError(api().Get("/api/v1/voices/builtin?gender=robot"), 400, "VALIDATION_ERROR");
}

TEST_P(ProfilesApi, VoicePresetsAreCreatedFromBuiltinVoicesAndUsableByProfiles) {
    auto created = api().Post("/api/v1/voices", {{"name", "Calm Kal"}, {"voice", "flite:kal"}, {"rate_wpm", 150}});
    ASSERT_EQ(created.status, 201) << created.body;
    const Json v = created.json()["data"];
    EXPECT_EQ(v["engine"], "flite");
    EXPECT_EQ(v["gender"], "male");
    EXPECT_EQ(v["rate_wpm"], 150);
    ExpectError(api().Post("/api/v1/voices", {{"name", "Calm Kal"}, {"voice", "flite:slt"}}), 409, "DUPLICATE");
    ExpectError(api().Post("/api/v1/voices", {{"name", "Nobody"}, {"voice", "flite:nobody"}}), 422, "UNPROCESSABLE");
    ExpectError(api().Post("/api/v1/voices", {{"name", "Fast"}, {"voice", "flite:slt"}, {"rate_wpm", 9000}}), 400,
                "VALIDATION_ERROR");
    EXPECT_EQ(api().Get("/api/v1/voices").json()["data"].size(), 1u);

    Json profile = Sales();
    profile["voice"] = v["id"];
    auto p = api().Post("/api/v1/profiles", profile);
    ASSERT_EQ(p.status, 201) << p.body;
    EXPECT_EQ(p.json()["data"]["compiled"]["tts"]["voice"], "kal");
    EXPECT_EQ(p.json()["data"]["compiled"]["tts"]["rate_wpm"], 150);

    EXPECT_EQ(api().Delete("/api/v1/voices/" + v["id"].get<std::string>()).status, 200);
    ExpectError(api().Get("/api/v1/voices/" + v["id"].get<std::string>()), 404, "NOT_FOUND");
}

// Pitch 0 is the lowest pitch, not the engine's default: it is kept, shown and spoken as 0. A
// voice given no pitch shows null and speaks at the engine's default.
TEST_P(ProfilesApi, AVoicesPitchOfZeroIsKeptAndReachesItsProfilesPlan) {
    auto low = api().Post("/api/v1/voices", {{"name", "Low"}, {"voice", "flite:kal"}, {"pitch", 0}});
    ASSERT_EQ(low.status, 201) << low.body;
    const std::string low_id = low.json()["data"]["id"];
    EXPECT_EQ(low.json()["data"]["pitch"], 0);
    EXPECT_EQ(api().Get("/api/v1/voices/" + low_id).json()["data"]["pitch"], 0);

    auto plain = api().Post("/api/v1/voices", {{"name", "Plain"}, {"voice", "flite:kal"}});
    ASSERT_EQ(plain.status, 201) << plain.body;
    const std::string plain_id = plain.json()["data"]["id"];
    EXPECT_TRUE(plain.json()["data"]["pitch"].is_null()) << plain.body;

    auto high = api().Post("/api/v1/voices", {{"name", "High"}, {"voice", "flite:slt"}, {"pitch", 80}});
    ASSERT_EQ(high.status, 201) << high.body;
    const std::string high_id = high.json()["data"]["id"];
    auto lowered = api().Patch("/api/v1/voices/" + high_id, {{"pitch", 0}});
    ASSERT_EQ(lowered.status, 200) << lowered.body;
    EXPECT_EQ(lowered.json()["data"]["pitch"], 0);
    EXPECT_EQ(api().Get("/api/v1/voices/" + high_id).json()["data"]["pitch"], 0);
    // A patch without pitch keeps it.
    ASSERT_EQ(api().Patch("/api/v1/voices/" + high_id, {{"rate_wpm", 120}}).status, 200);
    EXPECT_EQ(api().Get("/api/v1/voices/" + high_id).json()["data"]["pitch"], 0);

    Json profile = Sales();
    profile["voice"] = low_id;
    auto p = api().Post("/api/v1/profiles", profile);
    ASSERT_EQ(p.status, 201) << p.body;
    EXPECT_EQ(p.json()["data"]["compiled"]["tts"]["pitch"], 0) << p.body;
    profile["name"] = "Plain qualifier";
    profile["voice"] = plain_id;
    p = api().Post("/api/v1/profiles", profile);
    ASSERT_EQ(p.status, 201) << p.body;
    EXPECT_TRUE(p.json()["data"]["compiled"]["tts"]["pitch"].is_null()) << p.body;
}

}  // namespace
}  // namespace parley::testing
