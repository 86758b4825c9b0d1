#include <gtest/gtest.h>

#include <algorithm>

#include "domain/profile_service.hpp"
#include "voice/brain.hpp"
#include "voice/plan_compiler.hpp"
#include "voice/speech_engines.hpp"

namespace parley::voice {
namespace {

// An engines file with a local server whose model names hold a slash, and a hosted endpoint.
EnginesConfig TwoEndpoints() {
    auto config = ParseEnginesConfig(R"({"endpoints": [
        {"name": "local", "base_url": "http://127.0.0.1:1/v1", "chat_models": ["llama3", "meta/llama-3.1-8b"]},
        {"name": "hosted", "base_url": "https://llm.example/v1", "api_key": "sk-x", "chat_models": ["gpt-4o-mini"],
         "transcription_model": "whisper-1"}]})");
    EXPECT_TRUE(config) << config.error().message;
    return config.value_or(EnginesConfig{});
}

Plan PlanWithBrain(std::string brain) {
    Plan plan;
    plan.brain = std::move(brain);
    plan.agent_name = "Alex";
    plan.organization = "Acme Solar";
    plan.disclosure = "This is {{agent_name}}, an AI assistant calling on behalf of {{organization}}.";
    return plan;
}

TEST(MakeBrain, MakesTheScriptedBrainAndEndpointModels) {
    const auto endpoints = TwoEndpoints().endpoints;
    for (const char* brain : {"scripted", "local/llama3", "local/meta/llama-3.1-8b", "hosted/gpt-4o-mini"}) {
        auto made = MakeBrain(PlanWithBrain(brain), CallFacts{}, endpoints);
        ASSERT_TRUE(made) << brain << ": " << made.error().message;
        ASSERT_NE(*made, nullptr);
        // Every brain opens with the disclosure, without asking a model.
        EXPECT_NE((*made)->Start().say.find("an AI assistant calling on behalf of Acme Solar"), std::string::npos);
    }
}

TEST(MakeBrain, UnknownBrainsAreUnavailableNamingTheBrain) {
    const auto endpoints = TwoEndpoints().endpoints;
    const std::pair<const char*, const char*> cases[] = {
        {"gpt-4o-mini", "neither scripted nor <endpoint>/<model>"},
        {"", "neither scripted"},
        {"local/", "neither scripted"},
        {"/llama3", "neither scripted"},
        {"elsewhere/llama3", "no endpoint \"elsewhere\""},
        {"local/gpt-4o-mini", "lists no chat model \"gpt-4o-mini\""},
        {"hosted/whisper-1", "lists no chat model"},
    };
    for (const auto& [brain, reason] : cases) {
        auto made = MakeBrain(PlanWithBrain(brain), CallFacts{}, endpoints);
        ASSERT_FALSE(made) << brain;
        EXPECT_EQ(made.error().code, ErrorCode::kUnavailable);
        EXPECT_NE(made.error().message.find("\"" + std::string(brain) + "\""), std::string::npos)
            << made.error().message;
        EXPECT_NE(made.error().message.find(reason), std::string::npos) << made.error().message;
    }
    EXPECT_FALSE(MakeBrain(PlanWithBrain("local/llama3"), CallFacts{}, {}));
}

TEST(SpeechEngines, ModelsListScriptedAndEachEndpointsChatModels) {
    const SpeechEngines engines(TwoEndpoints(), 1);
    const auto models = engines.Models();
    ASSERT_EQ(models.size(), 4u);
    EXPECT_EQ(models[0].id, "scripted");
    EXPECT_EQ(models[0].kind, "scripted");
    std::vector<std::string> ids;
    for (const auto& m : models) ids.push_back(m.id);
    EXPECT_EQ(ids,
              (std::vector<std::string>{"scripted", "local/llama3", "local/meta/llama-3.1-8b", "hosted/gpt-4o-mini"}));
    const domain::ModelInfo& hosted = models[3];
    EXPECT_EQ(hosted.provider, "hosted");
    EXPECT_EQ(hosted.kind, "openai");
    EXPECT_EQ(hosted.base_url, "https://llm.example/v1");
    EXPECT_TRUE(hosted.streaming);
    EXPECT_TRUE(hosted.tools);
}

TEST(PlanCompiler, AcceptsEndpointChatModelsAndRejectsUnknownModels) {
    const SpeechEngines engines(TwoEndpoints(), 1);
    const PlanCompiler compiler(engines);
    domain::ProfileSpec spec;
    spec.name = "Solar";
    spec.model = "local/meta/llama-3.1-8b";
    auto compiled = compiler.Compile({spec, "Acme Solar", {}, {}});
    ASSERT_TRUE(compiled) << compiled.error().message;
    EXPECT_EQ(PlanFromJson(*compiled).brain, "local/meta/llama-3.1-8b");

    for (const char* model : {"local/gpt-4o-mini", "elsewhere/llama3", "llama3"}) {
        spec.model = model;
        auto rejected = compiler.Compile({spec, "Acme Solar", {}, {}});
        ASSERT_FALSE(rejected) << model;
        EXPECT_EQ(rejected.error().code, ErrorCode::kUnprocessable);
        ASSERT_EQ(rejected.error().details.size(), 1u);
        EXPECT_EQ(rejected.error().details[0].field, "model");
        EXPECT_NE(rejected.error().details[0].message.find(model), std::string::npos);
    }
}

TEST(SpeechEngines, LiveRecognizersOfTheEnginesFileAreRecognizersByTheirNames) {
    auto config = ParseEnginesConfig(R"({"live_recognizers": [
        {"name": "deepgram", "url": "wss://api.deepgram.com/v1/listen", "api_key": "dg-x", "model": "nova-3",
         "endpointing_ms": 200}]})");
    ASSERT_TRUE(config) << config.error().message;
    ASSERT_EQ(config->live_recognizers.size(), 1u);
    EXPECT_EQ(config->live_recognizers[0].second.endpointing_ms, 200);
    SpeechEngines engines(std::move(*config), 1);
    const auto stt = engines.SttEngines();
    EXPECT_NE(std::find(stt.begin(), stt.end(), "deepgram"), stt.end());
    ASSERT_NE(engines.Stt("deepgram"), nullptr);
    EXPECT_FALSE(engines.Stt("deepgram")->OnThisNode());
    EXPECT_TRUE(engines.Stt("pocketsphinx")->OnThisNode());

    const std::pair<const char*, const char*> bad[] = {
        {R"({"live_recognizers": {}})", "\"live_recognizers\" as an array"},
        {R"({"live_recognizers": [{"name": "x", "url": "https://api.deepgram.com/v1/listen"}]})", "ws:// or wss://"},
        {R"({"live_recognizers": [{"name": "pocketsphinx", "url": "ws://127.0.0.1:1"}]})", "taken"},
        {R"({"live_recognizers": [{"name": "x", "url": "wss://api.example:port/v1"}]})", "numeric port"},
        {R"({"live_recognizers": [{"name": "x", "url": "ws://[::1/v1"}]})", "no ]"},
        {R"({"live_recognizers": [{"name": "a/b", "url": "ws://127.0.0.1:1"}]})", "has a /"},
        {R"({"live_recognizers": [{"name": "x", "url": "ws://127.0.0.1:1", "endpointing_ms": 0}]})",
         "endpointing_ms must be from 10 to 5000"},
        {R"({"live_recognizers": [{"name": "x", "url": "ws://127.0.0.1:1"}],
             "endpoints": [{"name": "x", "base_url": "http://127.0.0.1:1/v1"}]})",
         "taken"},
        {R"({"live_recognizers": [{"url": "ws://127.0.0.1:1"}]})", "not valid"},
        {R"({"live_recognizers": [{"name": "x", "url": "ws://127.0.0.1:1", "final_timeout_ms": 60001}]})",
         "final_timeout_ms must be from 100 to 60000"},
        {R"({"live_recognizers": [{"name": "x", "url": "wss://127.0.0.1:1", "ca_file": "/nonexistent/ca.pem"}]})",
         "cannot read ca_file /nonexistent/ca.pem"},
    };
    for (const auto& [text, mention] : bad) {
        auto parsed = ParseEnginesConfig(text);
        ASSERT_FALSE(parsed) << text;
        EXPECT_NE(parsed.error().message.find(mention), std::string::npos) << parsed.error().message;
    }
}

}  // namespace
}  // namespace parley::voice
