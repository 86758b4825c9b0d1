// The live (streaming WebSocket) recognizer against a loopback server that recognizes what it is
// sent with pocketsphinx: the words that come back are the recognizer's, not a canned reply.

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "audio/audio.hpp"
#include "voice/engines/live_message.hpp"
#include "voice/engines/stt.hpp"
#include "voice/engines/test_http_server.hpp"
#include "voice/engines/test_live_stt_server.hpp"
#include "voice/engines/tts.hpp"

namespace parley::voice {
namespace {

using loopback::LiveServerOptions;
using loopback::LiveSttServer;

class LiveStt : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        sphinx_ = MakeSphinxStt({}).release();
        TtsRegistry tts;
        tts.Add(MakeFliteTts());
        for (const std::string phrase : {"please stop calling me", "call me back tomorrow"}) {
            auto pcm = tts.SynthesizeWithVoiceId("flite:slt", {}, phrase);
            ASSERT_TRUE(pcm) << pcm.error().message;
            audio::Pcm padded = audio::Silence(300);
            padded.insert(padded.end(), pcm->begin(), pcm->end());
            const audio::Pcm tail = audio::Silence(200);
            padded.insert(padded.end(), tail.begin(), tail.end());
            speech_.push_back(std::move(padded));
        }
    }
    static void TearDownTestSuite() {
        delete sphinx_;
        sphinx_ = nullptr;
        speech_.clear();
    }

    static std::unique_ptr<SttEngine> Engine(const std::string& url, std::string key = "",
                                             long final_timeout_ms = 60000) {
        return MakeLiveStt({.url = url,
                            .api_key = std::move(key),
                            .model = "nova-3",
                            .endpointing_ms = 300,
                            .final_timeout_ms = final_timeout_ms});
    }

    // Pushes `pcm` in 20 ms frames, as the media thread does, and finishes the stream.
    static Result<Recognition> Stream(SttEngine& engine, const audio::Pcm& pcm) {
        auto stream = engine.OpenStream({}, {});
        EXPECT_NE(stream, nullptr);
        if (!stream) return Fail(ErrorCode::kInternal, "no stream");
        for (size_t at = 0; at < pcm.size(); at += audio::kFrameSamples) {
            const size_t n = std::min<size_t>(audio::kFrameSamples, pcm.size() - at);
            EXPECT_FALSE(stream->Push(std::span<const int16_t>(pcm.data() + at, n)));
        }
        return stream->Finish();
    }

    // The words of the final results the server sent from its `from`th result on: what it
    // recognized (pocketsphinx on the audio it received, cut where its own endpointing cut it).
    static std::string FinalWords(LiveSttServer& server, size_t from) {
        std::string words;
        const auto sent = server.Sent();
        for (size_t i = from; i < sent.size(); ++i) {
            const std::string transcript = sent[i]["transcript"];
            if (!sent[i]["final"] || transcript.empty()) continue;
            words += (words.empty() ? "" : " ") + transcript;
        }
        return words;
    }

    static SttEngine* sphinx_;
    static std::vector<audio::Pcm> speech_;
};
SttEngine* LiveStt::sphinx_ = nullptr;
std::vector<audio::Pcm> LiveStt::speech_;

TEST_F(LiveStt, StreamedSpeechComesBackAsTheServersRecognitionWithInterimResultsOnTheWay) {
    LiveSttServer server(*sphinx_, {.api_key = "dg-secret"});
    auto engine = Engine(server.Url(), "dg-secret");
    EXPECT_FALSE(engine->OnThisNode());
    for (const auto& pcm : speech_) {
        const size_t before = server.Sent().size();
        auto heard = Stream(*engine, pcm);
        ASSERT_TRUE(heard) << heard.error().message;
        EXPECT_EQ(heard->text, FinalWords(server, before));
        EXPECT_FALSE(heard->text.empty());
        EXPECT_GT(heard->confidence, 0);
        EXPECT_FALSE(heard->used_grammar);
    }
    // The audio is described in the query, with the server's endpointing asked for.
    const auto targets = server.Targets();
    ASSERT_EQ(targets.size(), speech_.size());
    for (const char* part : {"/v1/listen?", "encoding=linear16", "sample_rate=8000", "channels=1",
                             "interim_results=true", "endpointing=300", "model=nova-3", "language=en-US"}) {
        EXPECT_NE(targets[0].find(part), std::string::npos) << targets[0];
    }
    // Interim results came before the final ones (after each second of speech).
    int interims = 0;
    for (const auto& sent : server.Sent()) interims += sent["final"] ? 0 : 1;
    EXPECT_GT(interims, 0);
}

TEST_F(LiveStt, TheServersEndpointingEndsAnUtteranceAndItsWordsAreKept) {
    // Two utterances in one stream, with more quiet between them than the server's endpointing:
    // the first is final (speech_final) before the stream ends, and both are in the answer.
    LiveSttServer server(*sphinx_);
    auto engine = Engine(server.Url());
    audio::Pcm both = speech_[0];
    const audio::Pcm gap = audio::Silence(500);
    both.insert(both.end(), gap.begin(), gap.end());
    both.insert(both.end(), speech_[1].begin(), speech_[1].end());
    auto heard = Stream(*engine, both);
    ASSERT_TRUE(heard) << heard.error().message;
    const auto first = sphinx_->Recognize(speech_[0], {});
    ASSERT_TRUE(first);
    EXPECT_TRUE(heard->text.starts_with(first->text)) << heard->text;
    EXPECT_GT(heard->text.size(), first->text.size() + 1) << heard->text;
    bool endpointed = false;
    for (const auto& sent : server.Sent()) endpointed = endpointed || sent["speech_final"].get<bool>();
    EXPECT_TRUE(endpointed);
}

TEST_F(LiveStt, TheServersEndpointingGivesTheWordsWithoutWaitingForTheEndOfTheStream) {
    LiveSttServer server(*sphinx_);
    auto engine = Engine(server.Url());
    auto stream = engine->OpenStream({}, {});
    ASSERT_NE(stream, nullptr);
    EXPECT_FALSE(stream->Endpointed());
    audio::Pcm pcm = speech_[0];
    const audio::Pcm quiet = audio::Silence(400);  // more than the 300 ms of the server's endpointing
    pcm.insert(pcm.end(), quiet.begin(), quiet.end());
    stream->Push(pcm);
    std::optional<Recognition> heard;
    // A bound, not a speed: the loopback server decodes the utterance after each second of it and
    // again at its end, which on a loaded 2-core machine (the test command runs three test
    // processes beside the sanitizer build) took longer than 20 s.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (!heard && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        heard = stream->Endpointed();
    }
    ASSERT_TRUE(heard.has_value());
    EXPECT_FALSE(heard->text.empty());
    bool sent = false;
    for (const auto& s : server.Sent()) sent = sent || (s["speech_final"] && s["transcript"] == heard->text);
    EXPECT_TRUE(sent) << heard->text;
}

TEST_F(LiveStt, RecognizeStreamsAWholeUtteranceThroughOneConnection) {
    LiveSttServer server(*sphinx_);
    auto engine = Engine(server.Url());
    auto heard = engine->Recognize(speech_[1], {});
    ASSERT_TRUE(heard) << heard.error().message;
    EXPECT_EQ(heard->text, FinalWords(server, 0));
    EXPECT_NE(heard->text.find("tomorrow"), std::string::npos) << heard->text;
    EXPECT_EQ(server.Targets().size(), 1u);
}

TEST_F(LiveStt, FailuresAreUnavailableAndSayWhy) {
    struct Case {
        const char* what;
        LiveServerOptions options;
        std::string key;
        const char* mention;
    };
    const std::vector<Case> cases = {
        {"a wrong key", {.api_key = "dg-secret"}, "dg-wrong", "401"},
        {"a dropped connection", {.drop_after_ms = 500}, "", "dropped"},
        {"a message that is not JSON", {.malformed = true}, "", "not a JSON object"},
    };
    for (const auto& c : cases) {
        LiveSttServer server(*sphinx_, c.options);
        auto engine = Engine(server.Url(), c.key);
        const auto started = std::chrono::steady_clock::now();
        auto heard = Stream(*engine, speech_[0]);
        ASSERT_FALSE(heard) << c.what;
        EXPECT_EQ(heard.error().code, ErrorCode::kUnavailable) << c.what;
        EXPECT_NE(heard.error().message.find(c.mention), std::string::npos) << c.what << ": " << heard.error().message;
        // Known at once, not after the 60 s wait for a final result.
        EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30)) << c.what;
    }
    // Nothing listens: refused.
    auto refused = Engine(loopback::RefusingBaseUrl().replace(0, 4, "ws"))->Recognize(speech_[0], {});
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("cannot open"), std::string::npos) << refused.error().message;
}

TEST_F(LiveStt, AServerThatSendsNoFinalResultInTimeEndsTheWait) {
    LiveSttServer server(*sphinx_, {.final_delay_ms = 1500});
    auto engine = Engine(server.Url(), "", 300);
    const auto started = std::chrono::steady_clock::now();
    auto heard = Stream(*engine, speech_[0]);
    ASSERT_FALSE(heard);
    EXPECT_NE(heard.error().message.find("no final transcript within 300 ms"), std::string::npos)
        << heard.error().message;
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(1400));
}

TEST(LiveMessage, ResultsAreReadAndAnythingElseIsAClearError) {
    auto results = internal::ParseLiveMessage(
        R"({"type": "Results", "is_final": true, "speech_final": true,
            "channel": {"alternatives": [{"transcript": "Call me back, Tomorrow!", "confidence": 0.93}]}})");
    ASSERT_TRUE(results) << results.error().message;
    EXPECT_EQ(results->kind, internal::LiveMessage::Kind::kResults);
    EXPECT_EQ(results->transcript, "call me back tomorrow");
    EXPECT_DOUBLE_EQ(results->confidence, 0.93);
    EXPECT_TRUE(results->is_final);
    EXPECT_TRUE(results->speech_final);

    auto metadata = internal::ParseLiveMessage(R"({"type": "Metadata", "request_id": "x"})");
    ASSERT_TRUE(metadata);
    EXPECT_EQ(metadata->kind, internal::LiveMessage::Kind::kMetadata);
    auto other = internal::ParseLiveMessage(R"({"type": "SpeechStarted", "timestamp": 1.2})");
    ASSERT_TRUE(other);
    EXPECT_EQ(other->kind, internal::LiveMessage::Kind::kOther);

    const std::vector<std::pair<std::string, std::string>> bad = {
        {"not json", "not a JSON object"},
        {"[1, 2]", "not a JSON object"},
        {R"({"type": 5})", "not a JSON object"},
        {R"({"type": "Results"})", "channel.alternatives[0].transcript"},
        {R"({"type": "Results", "channel": {"alternatives": []}})", "channel.alternatives[0].transcript"},
        {R"({"type": "Results", "channel": {"alternatives": [{"transcript": 7}]}})",
         "channel.alternatives[0].transcript"},
        {R"({"type": "Error", "description": "model not found"})", "model not found"},
    };
    for (const auto& [text, mention] : bad) {
        auto parsed = internal::ParseLiveMessage(text);
        ASSERT_FALSE(parsed) << text;
        EXPECT_EQ(parsed.error().code, ErrorCode::kUnavailable);
        EXPECT_NE(parsed.error().message.find(mention), std::string::npos) << parsed.error().message;
    }
}

}  // namespace
}  // namespace parley::voice
