#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "audio/audio.hpp"
#include "audio/resampler.hpp"
#include "audio/wav.hpp"
#include "voice/engines/stt.hpp"
#include "voice/engines/test_http_server.hpp"
#include "voice/engines/tts.hpp"

namespace parley::voice {
namespace {

using loopback::LoopbackServer;
using loopback::RefusingBaseUrl;
using loopback::Request;

audio::Pcm SpokenByEspeak(std::string_view text) {
    auto pcm = MakeEspeakTts()->Synthesize(text, {});
    EXPECT_TRUE(pcm);
    return pcm.value_or(audio::Pcm{});
}

TEST(HttpTts, PostsTheOpenAiSpeechRequestAndDecodesTheWavAnswer) {
    const std::string wav_16k = audio::EncodeWav(audio::Pcm(16000, 1000), 16000);  // one second at 16 kHz
    LoopbackServer server({200, "audio/wav", wav_16k});
    auto tts =
        MakeHttpTts({.base_url = server.BaseUrl() + "/", .api_key = "sk-test", .model = "tts-1", .voice = "alloy"});
    EXPECT_EQ(tts->Name(), "http");
    ASSERT_EQ(tts->Voices().size(), 1u);
    EXPECT_EQ(tts->Voices()[0].id, "http:alloy");

    auto pcm = tts->Synthesize("Hello there", {.rate_wpm = 350});
    ASSERT_TRUE(pcm) << pcm.error().message;
    EXPECT_EQ(pcm->size(), 8000u);  // resampled to 8 kHz

    const auto requests = server.Requests();
    ASSERT_EQ(requests.size(), 1u);
    const Request& r = requests[0];
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.path, "/v1/audio/speech");
    EXPECT_EQ(r.headers.at("authorization"), "Bearer sk-test");
    EXPECT_EQ(r.headers.at("content-type"), "application/json");
    const auto json = nlohmann::json::parse(r.body);
    EXPECT_EQ(json["model"], "tts-1");
    EXPECT_EQ(json["input"], "Hello there");
    EXPECT_EQ(json["voice"], "alloy");
    EXPECT_EQ(json["response_format"], "pcm");  // a server that sends WAV anyway is read whole
    EXPECT_DOUBLE_EQ(json["speed"].get<double>(), 2.0);
}

// Raw 16-bit little-endian samples, as a "pcm" answer carries them.
std::string RawPcm(const audio::Pcm& samples) {
    return {reinterpret_cast<const char*>(samples.data()), samples.size() * sizeof(int16_t)};
}

TEST(HttpTts, StreamsARawPcmAnswerIntoTheCallAsItArrives) {
    // Three seconds at 24 kHz, sent in pieces of odd sizes (samples cut in half) 150 ms apart.
    audio::Pcm tone(3 * 24000);
    for (size_t i = 0; i < tone.size(); ++i)
        tone[i] = static_cast<int16_t>(8000 * std::sin(i * 2 * M_PI * 440 / 24000));
    const std::string body = RawPcm(tone);
    loopback::Reply reply{200, "audio/pcm", "", {}, 150, 0};
    for (size_t at = 0; at < body.size(); at += 24001) reply.chunks.push_back(body.substr(at, 24001));
    LoopbackServer server(reply);
    auto tts = MakeHttpTts({.base_url = server.BaseUrl(), .model = "tts-1", .voice = "alloy"});

    std::vector<size_t> pieces;
    std::vector<std::chrono::steady_clock::time_point> arrived;
    audio::Pcm whole;
    auto spoken = tts->SynthesizeStream("A long answer.", {}, [&](audio::Pcm piece) {
        pieces.push_back(piece.size());
        arrived.push_back(std::chrono::steady_clock::now());
        whole.insert(whole.end(), piece.begin(), piece.end());
    });
    ASSERT_TRUE(spoken) << spoken.error().message;
    // Each piece of the body became audio when it came, not when the body ended.
    ASSERT_GE(pieces.size(), 6u);
    EXPECT_GE(arrived.back() - arrived.front(), std::chrono::milliseconds(500));
    // All of it, at 8 kHz, the same as the whole resampled at once.
    EXPECT_EQ(whole, audio::Resample(tone, 24000, audio::kSampleRate));
    EXPECT_EQ(nlohmann::json::parse(server.Requests().at(0).body)["response_format"], "pcm");
}

// A thread's next request to the same endpoint goes over the connection the last one left
// open: a hosted engine is not asked for a new TCP (and TLS) handshake on every sentence.
TEST(HttpTts, RequestsOfAThreadReuseTheOpenConnection) {
    LoopbackServer server({200, "audio/pcm", RawPcm(audio::Pcm(2400, 500))});
    server.KeepAlive();
    auto tts = MakeHttpTts({.base_url = server.BaseUrl(), .model = "m", .voice = "v"});
    for (int i = 0; i < 3; ++i) {
        auto pcm = tts->Synthesize("Sentence " + std::to_string(i) + ".", {});
        ASSERT_TRUE(pcm) << pcm.error().message;
        EXPECT_EQ(pcm->size(), 800u);
    }
    EXPECT_EQ(server.Requests().size(), 3u);
    EXPECT_EQ(server.Connections(), 1);
}

// A sentence synthesized while a streamed answer is still arriving on the same thread (as a chat
// model's first sentence is) gets a client of its own: both answers arrive whole.
TEST(HttpTts, ARequestMadeWhileAnotherStreamsOnTheSameThreadGetsItsOwnClient) {
    const audio::Pcm outer(24000, 700);
    LoopbackServer outer_server(
        loopback::Reply{200, "audio/pcm", "", {RawPcm(audio::Pcm(12000, 700)), RawPcm(audio::Pcm(12000, 700))}});
    LoopbackServer inner_server({200, "audio/pcm", RawPcm(audio::Pcm(2400, 500))});
    auto outer_tts = MakeHttpTts({.base_url = outer_server.BaseUrl(), .model = "m", .voice = "v"});
    auto inner_tts = MakeHttpTts({.base_url = inner_server.BaseUrl(), .model = "m", .voice = "v"});

    size_t outer_samples = 0;
    std::vector<size_t> inner_sizes;
    for (int turn = 0; turn < 2; ++turn) {
        auto spoken = outer_tts->SynthesizeStream("Outer.", {}, [&](audio::Pcm piece) {
            outer_samples += piece.size();
            auto inner = inner_tts->Synthesize("Inner.", {});
            ASSERT_TRUE(inner) << inner.error().message;
            inner_sizes.push_back(inner->size());
        });
        ASSERT_TRUE(spoken) << spoken.error().message;
    }
    EXPECT_EQ(outer_samples, 2 * audio::Resample(outer, 24000, audio::kSampleRate).size());
    EXPECT_GE(inner_sizes.size(), 4u);
    for (const size_t n : inner_sizes) EXPECT_EQ(n, 800u);
}

TEST(HttpTts, ReadsPcmAtTheEndpointsSampleRate) {
    LoopbackServer server({200, "audio/pcm", RawPcm(audio::Pcm(16000, 500))});  // one second at 16 kHz
    auto tts = MakeHttpTts({.base_url = server.BaseUrl(), .model = "m", .voice = "v", .sample_rate = 16000});
    auto pcm = tts->Synthesize("Hi.", {});
    ASSERT_TRUE(pcm) << pcm.error().message;
    EXPECT_EQ(pcm->size(), 8000u);
}

TEST(HttpTts, AnEmptyOrFailedAnswerIsAnError) {
    LoopbackServer empty({200, "audio/pcm", ""});
    auto tts = MakeHttpTts({.base_url = empty.BaseUrl(), .model = "m", .voice = "v"});
    auto none = tts->Synthesize("Hi.", {});
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, ErrorCode::kUnavailable);
    EXPECT_NE(none.error().message.find("holds no audio"), std::string::npos) << none.error().message;

    LoopbackServer failing({503, "application/json", R"({"error": "overloaded"})"});
    auto tts2 = MakeHttpTts({.base_url = failing.BaseUrl(), .model = "m", .voice = "v"});
    int pieces = 0;
    auto failed = tts2->SynthesizeStream("Hi.", {}, [&](audio::Pcm) { ++pieces; });
    ASSERT_FALSE(failed);
    EXPECT_NE(failed.error().message.find("HTTP 503"), std::string::npos) << failed.error().message;
    EXPECT_EQ(pieces, 0);
}

TEST(HttpTts, ReturnsSpeechMadeByTheServer) {
    const audio::Pcm spoken = SpokenByEspeak("call me back tomorrow");
    LoopbackServer server({200, "audio/wav", audio::EncodeWav(spoken, audio::kSampleRate)});
    auto tts = MakeHttpTts({.base_url = server.BaseUrl(), .model = "tts-1", .voice = "alloy"});
    auto pcm = tts->Synthesize("call me back tomorrow", {.voice = "nova"});
    ASSERT_TRUE(pcm) << pcm.error().message;
    EXPECT_EQ(*pcm, spoken);
    const auto requests = server.Requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].headers.count("authorization"), 0u);  // no key configured
    EXPECT_EQ(nlohmann::json::parse(requests[0].body)["voice"], "nova");
}

TEST(HttpTts, ServerErrorIsUnavailableWithTheStatus) {
    LoopbackServer server({500, "application/json", R"({"error":"boom"})"});
    auto tts = MakeHttpTts({.base_url = server.BaseUrl(), .api_key = "sk-secret", .model = "m", .voice = "v"});
    auto pcm = tts->Synthesize("hello", {});
    ASSERT_FALSE(pcm);
    EXPECT_EQ(pcm.error().code, ErrorCode::kUnavailable);
    EXPECT_NE(pcm.error().message.find("500"), std::string::npos) << pcm.error().message;
    EXPECT_EQ(pcm.error().message.find("sk-secret"), std::string::npos);
}

TEST(HttpTts, AnswerThatIsNotAudioIsUnavailable) {
    LoopbackServer server({200, "text/html", "<html>login</html>"});
    auto tts = MakeHttpTts({.base_url = server.BaseUrl(), .model = "m", .voice = "v"});
    auto pcm = tts->Synthesize("hello", {});
    ASSERT_FALSE(pcm);
    EXPECT_EQ(pcm.error().code, ErrorCode::kUnavailable);
}

TEST(HttpTts, ConnectionRefusedIsUnavailableNamingTheUrl) {
    const std::string base = RefusingBaseUrl();
    auto tts = MakeHttpTts({.base_url = base, .model = "m", .voice = "v", .timeout_ms = 2000});
    auto pcm = tts->Synthesize("hello", {});
    ASSERT_FALSE(pcm);
    EXPECT_EQ(pcm.error().code, ErrorCode::kUnavailable);
    EXPECT_NE(pcm.error().message.find(base + "/audio/speech"), std::string::npos) << pcm.error().message;
}

TEST(HttpStt, UploadsAWavAsMultipartAndNormalizesTheText) {
    LoopbackServer server({200, "application/json", R"({"text":"Next Tuesday, at two."})"});
    auto stt = MakeHttpStt({.base_url = server.BaseUrl(), .api_key = "sk-stt", .model = "whisper-1"});
    EXPECT_EQ(stt->Name(), "http");
    const audio::Pcm spoken = SpokenByEspeak("next tuesday at two");
    auto result = stt->Recognize(spoken, {});
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(result->text, "next tuesday at two");
    EXPECT_EQ(result->confidence, 1.0);
    EXPECT_FALSE(result->used_grammar);

    const auto requests = server.Requests();
    ASSERT_EQ(requests.size(), 1u);
    const Request& r = requests[0];
    EXPECT_EQ(r.path, "/v1/audio/transcriptions");
    EXPECT_EQ(r.headers.at("authorization"), "Bearer sk-stt");
    const std::string& type = r.headers.at("content-type");
    ASSERT_EQ(type.rfind("multipart/form-data; boundary=", 0), 0u) << type;
    const std::string boundary = "--" + type.substr(type.find('=') + 1);
    EXPECT_NE(r.body.find("name=\"model\"\r\n\r\nwhisper-1\r\n"), std::string::npos);
    // The file part holds exactly the audio as an 8 kHz WAV.
    const size_t file_header = r.body.find("name=\"file\"; filename=\"audio.wav\"");
    ASSERT_NE(file_header, std::string::npos);
    const size_t wav_start = r.body.find("\r\n\r\n", file_header) + 4;
    const size_t wav_end = r.body.find("\r\n" + boundary, wav_start);
    ASSERT_NE(wav_end, std::string::npos);
    auto uploaded = audio::DecodeAudioMono8k(std::string_view(r.body).substr(wav_start, wav_end - wav_start));
    ASSERT_TRUE(uploaded) << uploaded.error().message;
    EXPECT_EQ(*uploaded, spoken);
}

TEST(HttpStt, UsesSegmentLogProbabilitiesAsConfidenceWhenGiven) {
    LoopbackServer server(
        {200, "application/json", R"({"text":"yes","segments":[{"avg_logprob":-0.5},{"avg_logprob":-0.1}]})"});
    auto stt = MakeHttpStt({.base_url = server.BaseUrl(), .model = "whisper-1"});
    auto result = stt->Recognize(audio::Silence(500), {});
    ASSERT_TRUE(result);
    EXPECT_NEAR(result->confidence, std::exp(-0.3), 1e-9);
}

TEST(HttpStt, ServerErrorAndMalformedAnswersAreUnavailable) {
    {
        LoopbackServer server({500, "text/plain", "internal"});
        auto result = MakeHttpStt({.base_url = server.BaseUrl(), .model = "w"})->Recognize(audio::Silence(100), {});
        ASSERT_FALSE(result);
        EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
        EXPECT_NE(result.error().message.find("HTTP 500"), std::string::npos) << result.error().message;
    }
    {
        LoopbackServer server({200, "application/json", R"({"transcript":"yes"})"});
        auto result = MakeHttpStt({.base_url = server.BaseUrl(), .model = "w"})->Recognize(audio::Silence(100), {});
        ASSERT_FALSE(result);
        EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
    }
}

TEST(HttpStt, ConnectionRefusedIsUnavailable) {
    auto result = MakeHttpStt({.base_url = RefusingBaseUrl(), .model = "w"})->Recognize(audio::Silence(100), {});
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace parley::voice
