// A call whose profile recognizes with a live (streaming WebSocket) recognizer from the engines
// file: here a loopback server in Deepgram's live shape that recognizes the callee's audio with
// pocketsphinx, so the words in the transcript are the server's, heard while the callee spoke.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>

#include "support/calls.hpp"
#include "support/fixture.hpp"
#include "support/seeds.hpp"
#include "support/sip_peers.hpp"
#include "voice/engines/test_live_stt_server.hpp"

namespace parley::testing {
namespace {

using voice::loopback::LiveServerOptions;
using voice::loopback::LiveSttServer;

// On SQLite only. Each test starts its server itself, once its recognizer is up.
class LiveRecognizerCalls : public OwnServerTest {
protected:
    static void SetUpTestSuite() { sphinx_ = voice::MakeSphinxStt({}).release(); }
    static void TearDownTestSuite() {
        delete sphinx_;
        sphinx_ = nullptr;
    }
    void SetUp() override {}
    void TearDown() override {
        server_.reset();
        recognizer_.reset();
        std::error_code ignored;
        std::filesystem::remove(engines_file_, ignored);
    }

    // A Parley whose engines file lists the recognizer "live" at a new loopback server (with
    // `ca_file` for wss://).
    void StartParley(LiveServerOptions options = {}, const std::string& ca_file = "") {
        options.api_key = "dg-test";
        recognizer_ = std::make_unique<LiveSttServer>(*sphinx_, options);
        std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
        std::replace(test.begin(), test.end(), '/', '-');
        engines_file_ = std::filesystem::temp_directory_path() /
                        ("parley-live-engines-" + std::to_string(::getpid()) + "-" + test + ".json");
        // The loopback server recognizes with pocketsphinx, slowly under the sanitizers: a
        // generous wait for its final results.
        Json live = {{"name", "live"},
                     {"url", recognizer_->Url()},
                     {"api_key", "dg-test"},
                     {"model", "nova-3"},
                     {"final_timeout_ms", 60000}};
        if (!ca_file.empty()) live["ca_file"] = ca_file;
        std::ofstream(engines_file_)
            << Json{{"live_recognizers", {live}}, {"prices", {{"live", {{"per_minute_cents", 60.0}}}}}}.dump();
        StartServer({"--sandbox-speed", "0", "--engines", engines_file_.string()});
        profile_ = NewProfile(api(), {{"stt", "live"}});
        ASSERT_FALSE(profile_.empty());
    }

    Json CallAndWait(int persona) {
        auto t = api().Post("/api/v1/calls", {{"profile_id", profile_}, {"phone", Sandbox(persona)}});
        EXPECT_EQ(t.status, 201) << t.body;
        return WaitForEnd(api(), t.json()["data"]["id"]);
    }

    static void ExpectAskedAgain(const Json& call, const std::string& mention);

    static voice::SttEngine* sphinx_;
    std::unique_ptr<LiveSttServer> recognizer_;
    std::filesystem::path engines_file_;
    std::string profile_;
};
voice::SttEngine* LiveRecognizerCalls::sphinx_ = nullptr;
INSTANTIATE_TEST_SUITE_P(Sqlite, LiveRecognizerCalls, ::testing::Values(Backend::kSqlite),
                         [](const auto& info) { return BackendName(info.param); });

TEST_P(LiveRecognizerCalls, TheCalleesWordsComeFromTheStreamingServer) {
    StartParley();
    if (HasFatalFailure()) return;
    EXPECT_EQ(api().Get("/api/v1/profiles/" + profile_).json()["data"]["stt"], "live");
    const Json c = CallAndWait(1);  // "no thank you i am not interested"
    ASSERT_TRUE(c.is_object());
    EXPECT_EQ(c["status"], "completed") << c.dump();
    EXPECT_EQ(c["analysis"]["disposition"], "not_interested") << c["analysis"].dump();
    const auto callee = Lines(c, "callee");
    ASSERT_EQ(callee.size(), 1u) << c["transcript"].dump();
    EXPECT_TRUE(callee[0].ends_with("not interested")) << callee[0];

    // The line is the server's final result; interim ones came while the callee spoke.
    bool final_sent = false;
    int interims = 0;
    for (const auto& sent : recognizer_->Sent()) {
        if (sent["final"] && sent["transcript"] == callee[0]) final_sent = true;
        if (!sent["final"]) ++interims;
    }
    EXPECT_TRUE(final_sent) << callee[0];
    EXPECT_GT(interims, 0);
    // The connection asked for the endpointing, the model and the key of the engines file.
    const auto targets = recognizer_->Targets();
    ASSERT_FALSE(targets.empty());
    EXPECT_NE(targets[0].find("model=nova-3"), std::string::npos) << targets[0];
    EXPECT_NE(targets[0].find("sample_rate=8000"), std::string::npos) << targets[0];
    // Priced as the engines file says.
    EXPECT_GT(c["cost_breakdown"]["live"].get<double>(), 0) << c["cost_breakdown"].dump();
    EXPECT_FALSE(c["cost_breakdown"].contains("pocketsphinx")) << c["cost_breakdown"].dump();
}

// Over wss://, the server's certificate is checked: against the authority the engines file names,
// the call is heard; against the system's authorities, which never signed it, the connection is
// refused and recorded.
TEST_P(LiveRecognizerCalls, ASecureConnectionTrustsOnlyItsCertificateAuthorities) {
    TestCertificates certificates;
    ASSERT_TRUE(certificates.ok());
    StartParley({.certificate = certificates.server().string()}, certificates.ca().string());
    if (HasFatalFailure()) return;
    ASSERT_TRUE(recognizer_->Url().starts_with("wss://"));
    const Json c = CallAndWait(1);
    ASSERT_TRUE(c.is_object());
    EXPECT_EQ(c["analysis"]["disposition"], "not_interested") << c["analysis"].dump();
    ASSERT_EQ(Lines(c, "callee").size(), 1u) << c["transcript"].dump();

    StartParley({.certificate = certificates.server().string()});
    if (HasFatalFailure()) return;
    ExpectAskedAgain(CallAndWait(1), "certificate verify failed");
}

// The recognizer fails in every utterance (its connection drops, or it answers with what is not
// JSON): the agent says it did not catch that and asks again, each failure is a tool execution
// of the call, and the call still ends normally.
TEST_P(LiveRecognizerCalls, ARecognizerThatFailsIsAskedAgainAndRecorded) {
    const std::vector<std::pair<LiveServerOptions, std::string>> cases = {
        {{.drop_after_ms = 300}, "dropped"},
        {{.malformed = true}, "not a JSON object"},
    };
    for (const auto& [options, mention] : cases) {
        StartParley(options);
        if (HasFatalFailure()) return;
        ExpectAskedAgain(CallAndWait(1), mention);
    }
}

void LiveRecognizerCalls::ExpectAskedAgain(const Json& c, const std::string& mention) {
    ASSERT_TRUE(c.is_object());
    EXPECT_EQ(c["status"], "completed") << c.dump();
    EXPECT_TRUE(Lines(c, "callee").empty()) << c["transcript"].dump();
    const auto agent = Lines(c, "agent");
    ASSERT_GE(agent.size(), 2u) << c["transcript"].dump();
    EXPECT_TRUE(agent[1].starts_with("Sorry, I did not catch that. "))
        << c["transcript"].dump() << c["tool_executions"].dump();
    int failures = 0;
    for (const auto& t : c["tool_executions"]) {
        if (t["tool"] != "speech_recognition") continue;
        ++failures;
        EXPECT_EQ(t["status"], "failed") << t.dump();
        EXPECT_EQ(t["input"]["recognizer"], "live") << t.dump();
        EXPECT_NE(t["output"]["error"].get<std::string>().find(mention), std::string::npos) << t.dump();
    }
    EXPECT_GE(failures, 1) << c["tool_executions"].dump();
}

}  // namespace
}  // namespace parley::testing
