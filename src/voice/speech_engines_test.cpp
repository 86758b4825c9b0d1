#include "voice/speech_engines.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "voice/agent_lines.hpp"
#include "voice/engines/test_http_server.hpp"
#include "voice/sentences.hpp"

namespace parley::voice {
namespace {

using loopback::LoopbackServer;

// An engines file's endpoint "voice" whose speech model is the loopback server.
EnginesConfig SpeechEndpoint(const LoopbackServer& server) {
    EnginesConfig config;
    EndpointConfig ep;
    ep.name = "voice";
    ep.base_url = server.BaseUrl();
    ep.speech_model = "tts-1";
    ep.speech_voice = "alloy";
    config.endpoints.push_back(ep);
    return config;
}

Plan SalesPlan() {
    Plan plan;
    plan.tts_engine = "voice";
    plan.tts_voice = "alloy";
    plan.agent_name = "Alex";
    plan.organization = "Acme";
    plan.disclosure = "This is {{agent_name}}, an AI assistant calling on behalf of {{organization}}.";
    plan.opener = "Do you have a minute, {{first_name}}?";  // names the contact: said differently on each call
    plan.closing = "Thank you for your time. Goodbye.";
    plan.steps = {{"budget", domain::FieldType::kNumber, {}, "What is your budget? A rough number is fine."}};
    return plan;
}

std::set<std::string> Inputs(LoopbackServer& server) {
    std::set<std::string> inputs;
    for (const auto& r : server.Requests()) inputs.insert(nlohmann::json::parse(r.body)["input"].get<std::string>());
    return inputs;
}

TEST(SpeechEngines, APlansFixedSentencesAreSynthesizedAheadOnceThenServedFromTheCache) {
    const std::string tenth_of_a_second(2 * 2400, '\x10');  // 24 kHz "pcm"
    LoopbackServer server(loopback::Reply{200, "audio/pcm", tenth_of_a_second});
    SpeechEngines engines(SpeechEndpoint(server), 1);
    const Plan plan = SalesPlan();

    std::set<std::string> expected;
    for (const auto& line : PlannedLines(plan)) {
        for (const auto& sentence : SplitSentences(line)) expected.insert(sentence);
    }
    EXPECT_TRUE(expected.contains("This is Alex, an AI assistant calling on behalf of Acme."));
    EXPECT_TRUE(expected.contains("What is your budget?"));
    EXPECT_TRUE(expected.contains("A rough number is fine."));
    EXPECT_TRUE(expected.contains("Great, thank you."));
    EXPECT_TRUE(expected.contains("Goodbye."));
    for (const auto& sentence : expected) EXPECT_EQ(sentence.find("{{"), std::string::npos) << sentence;
    EXPECT_FALSE(expected.contains("Do you have a minute, ?"));

    engines.PrepareLines(plan);
    // On a busy machine it may take a while.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (server.Requests().size() < expected.size() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(Inputs(server), expected);  // each sentence once, repeated ones from the cache
    EXPECT_EQ(server.Requests().size(), expected.size());

    // The same plan again queues nothing; a prepared sentence is spoken without the engine.
    engines.PrepareLines(plan);
    EXPECT_EQ(engines.LinesToPrepare(), 0u);
    size_t samples = 0;
    auto spoken = engines.Speak("voice", {"alloy", 0, std::nullopt}, "What is your budget?",
                                [&](const audio::Pcm& piece) { samples += piece.size(); });
    ASSERT_TRUE(spoken) << spoken.error().message;
    EXPECT_EQ(samples, 800u);  // a tenth of a second at 8 kHz
    EXPECT_EQ(server.Requests().size(), expected.size());

    // A sentence never prepared goes to the engine, and is cached from then on.
    ASSERT_TRUE(engines.Speak("voice", {"alloy", 0, std::nullopt}, "Something new.", [](const audio::Pcm&) {}));
    ASSERT_TRUE(engines.Speak("voice", {"alloy", 0, std::nullopt}, "Something new.", [](const audio::Pcm&) {}));
    EXPECT_EQ(server.Requests().size(), expected.size() + 1);
}

TEST(SpeechEngines, AnEndpointsSpeechVoicesAreVoicesProfilesCanName) {
    LoopbackServer server(loopback::Reply{200, "audio/pcm", std::string(4800, '\x10')});
    EnginesConfig config = SpeechEndpoint(server);
    config.endpoints[0].speech_voices = {"alloy", "nova"};
    SpeechEngines engines(std::move(config), 1);
    ASSERT_NE(engines.FindVoice("voice:nova"), nullptr);
    EXPECT_EQ(engines.FindVoice("voice:nova")->engine, "voice");
    EXPECT_NE(engines.FindVoice("voice:alloy"), nullptr);
    EXPECT_EQ(engines.FindVoice("voice:echo"), nullptr);
    const auto names = engines.TtsEngines();
    EXPECT_NE(std::find(names.begin(), names.end(), "voice"), names.end());
    ASSERT_TRUE(engines.Speak("voice", {"nova", 0, std::nullopt}, "Hello."));
    EXPECT_EQ(nlohmann::json::parse(server.Requests().at(0).body)["voice"], "nova");
}

TEST(EnginesConfig, ASpeechSampleRateOutOfRangeIsRefused) {
    auto parsed = ParseEnginesConfig(
        R"({"endpoints": [{"name": "v", "base_url": "http://127.0.0.1:9/v1", "speech_model": "m",
                           "speech_sample_rate": 4000}]})");
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().message, "endpoint v: speech_sample_rate must be from 8000 to 48000");
    auto ok = ParseEnginesConfig(
        R"({"endpoints": [{"name": "v", "base_url": "http://127.0.0.1:9/v1", "speech_model": "m",
                           "speech_sample_rate": 22050}]})");
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(ok->endpoints.at(0).speech_sample_rate, 22050);
}

TEST(EnginesConfig, AnEndpointsVoiceNamesMustBeUsableInAProfile) {
    for (const char* voices : {R"("speech_voices": ["alloy", ""])", R"("speech_voices": ["en:nova"])",
                               R"("speech_voice": "")", R"("speech_voice": "a:b")"}) {
        auto parsed =
            ParseEnginesConfig(std::string(R"({"endpoints": [{"name": "v", "base_url": "http://127.0.0.1:9/v1",
                                                     "speech_model": "m", )") +
                               voices + "}]}");
        ASSERT_FALSE(parsed) << voices;
        EXPECT_EQ(parsed.error().code, ErrorCode::kValidation);
        EXPECT_NE(parsed.error().message.find("is empty or has a :"), std::string::npos) << parsed.error().message;
    }
    auto ok = ParseEnginesConfig(
        R"({"endpoints": [{"name": "v", "base_url": "http://127.0.0.1:9/v1", "speech_model": "m",
                           "speech_voices": ["alloy", "nova"]}]})");
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(ok->endpoints.at(0).speech_voices, (std::vector<std::string>{"alloy", "nova"}));
}

}  // namespace
}  // namespace parley::voice
