// The SIP test peers on their own, without Parley: Kamailio as the carrier's proxy and baresip
// phones on both of its sides. Tests of Parley's SIP stack stand on these.

#include "support/sip_peers.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "audio/audio.hpp"
#include "support/wait.hpp"

namespace parley::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kAuthUser[] = "parley";
constexpr char kAuthPassword[] = "s3cret";
// A tone well above any noise: a recording that carries it is far from silence.
constexpr double kHeardDbfs = -30.0;

class SipPeers : public ::testing::Test {
protected:
    void SetUp() override {
        if (!SipPeersInstalled()) GTEST_SKIP() << "kamailio or baresip is not installed";
        dir_ = std::make_unique<TempDir>("parley-sip-peers-test-");
    }

    // A WAV file of `duration` of a tone at `hz`.
    std::filesystem::path ToneFile(double hz, milliseconds duration) const {
        const auto path = dir_->path() / ("tone-" + std::to_string(static_cast<int>(hz)) + ".wav");
        WriteWav(path, Tone(hz, duration));
        return path;
    }

    // A phone that calls through `proxy` with the given password.
    static BaresipOptions Caller(const Kamailio& proxy, const std::string& password, const std::filesystem::path& wav) {
        BaresipOptions options;
        options.user = "caller";
        options.auto_answer = false;
        options.wav = wav;
        options.trailing_silence = seconds(10);
        options.outbound_proxy = proxy.uri();
        options.auth_user = kAuthUser;
        options.auth_password = password;
        return options;
    }

    static std::string Number(const Kamailio& proxy) {
        return "sip:+15550100@127.0.0.1:" + std::to_string(proxy.port());
    }

    std::unique_ptr<TempDir> dir_;
};

TEST_F(SipPeers, KamailioAnswersOptionsOverUdp) {
    Kamailio proxy({.auth_user = kAuthUser, .auth_password = kAuthPassword, .callee_port = FreeLoopbackPort()});
    const auto status = SipOptions(proxy.port(), seconds(5));
    ASSERT_TRUE(status.has_value()) << proxy.Log();
    EXPECT_EQ(*status, "SIP/2.0 200 OK");
}

TEST_F(SipPeers, AuthorizedCallReachesTheCalleeAndCarriesAudioBothWays) {
    Baresip callee({.user = "callee", .wav = ToneFile(440, milliseconds(1500)), .trailing_silence = seconds(10)});
    Kamailio proxy({.auth_user = kAuthUser,
                    .auth_password = kAuthPassword,
                    .callee_user = "callee",
                    .callee_port = callee.sip_port()});
    Baresip caller(Caller(proxy, kAuthPassword, ToneFile(1000, milliseconds(1500))));

    ASSERT_TRUE(caller.Dial(Number(proxy)));
    ASSERT_TRUE(caller.WaitForEvent("CALL_ESTABLISHED")) << caller.Log() << proxy.Log();
    ASSERT_TRUE(callee.WaitForEvent("CALL_ESTABLISHED")) << callee.Log() << proxy.Log();

    // Both tones have played once each phone has heard two seconds.
    const size_t two_seconds = audio::SamplesForMs(2000) * sizeof(int16_t);
    const auto heard = [](const Baresip& phone, size_t bytes) {
        return WaitUntil(
            [&] {
                for (const auto& file : phone.Recordings(milliseconds(0))) {
                    if (std::filesystem::file_size(file) >= bytes) return true;
                }
                return false;
            },
            seconds(10));
    };
    ASSERT_TRUE(heard(callee, two_seconds)) << callee.Log();
    ASSERT_TRUE(heard(caller, two_seconds)) << caller.Log();

    ASSERT_TRUE(caller.Hangup());
    const auto caller_closed = caller.WaitForEvent("CALL_CLOSED");
    const auto callee_closed = callee.WaitForEvent("CALL_CLOSED");
    ASSERT_TRUE(caller_closed);
    ASSERT_TRUE(callee_closed) << callee.Log();
    EXPECT_EQ(callee_closed->param, "Connection reset by peer");
    // The BYE went through the proxy, as the Record-Route asked.
    EXPECT_NE(proxy.Log().find("request BYE"), std::string::npos) << proxy.Log();
    // The first INVITE was challenged, the second carried the credentials.
    EXPECT_NE(proxy.Log().find("challenging INVITE"), std::string::npos) << proxy.Log();

    const auto callee_files = callee.Recordings();
    const auto caller_files = caller.Recordings();
    ASSERT_EQ(callee_files.size(), 1u);
    ASSERT_EQ(caller_files.size(), 1u);
    EXPECT_GT(audio::RmsDbfs(ReadWav(callee_files[0])), kHeardDbfs);
    EXPECT_GT(audio::RmsDbfs(ReadWav(caller_files[0])), kHeardDbfs);
}

TEST_F(SipPeers, WrongPasswordEndsTheCallWithoutReachingTheCallee) {
    Baresip callee({.user = "callee", .wav = ToneFile(440, milliseconds(500))});
    Kamailio proxy({.auth_user = kAuthUser,
                    .auth_password = kAuthPassword,
                    .callee_user = "callee",
                    .callee_port = callee.sip_port()});
    Baresip caller(Caller(proxy, "wrong", ToneFile(1000, milliseconds(500))));

    ASSERT_TRUE(caller.Dial(Number(proxy)));
    const auto closed = caller.WaitForEvent("CALL_CLOSED");
    ASSERT_TRUE(closed) << caller.Log() << proxy.Log();
    EXPECT_NE(closed->param.find("407"), std::string::npos) << closed->json.dump();
    EXPECT_FALSE(caller.WaitForEvent("CALL_ESTABLISHED", milliseconds(0)));
    // An INVITE that got through would have reached the callee before the caller gave up.
    EXPECT_TRUE(callee.Events().empty());
    // Challenged twice: without credentials, then with the wrong ones.
    const std::string log = proxy.Log();
    const auto first = log.find("challenging INVITE");
    ASSERT_NE(first, std::string::npos) << log;
    EXPECT_NE(log.find("challenging INVITE", first + 1), std::string::npos) << log;
}

TEST_F(SipPeers, CallFromTheCalleeGoesUnchallengedToParley) {
    // A phone with the user "parley" stands in for Parley's SIP listener.
    Baresip parley({.user = "parley", .wav = ToneFile(440, milliseconds(500)), .trailing_silence = seconds(1)});
    Baresip callee({.user = "callee", .auto_answer = false, .wav = ToneFile(1000, milliseconds(500))});
    Kamailio proxy({.auth_user = kAuthUser,
                    .auth_password = kAuthPassword,
                    .callee_user = "callee",
                    .callee_port = callee.sip_port(),
                    .parley_port = parley.sip_port()});

    ASSERT_TRUE(callee.Dial("sip:parley@127.0.0.1:" + std::to_string(proxy.port())));
    ASSERT_TRUE(parley.WaitForEvent("CALL_ESTABLISHED")) << parley.Log() << proxy.Log();
    ASSERT_TRUE(callee.WaitForEvent("CALL_ESTABLISHED")) << callee.Log();
    // The shorter of the two files ends the call.
    ASSERT_TRUE(parley.WaitForEvent("CALL_CLOSED"));
    ASSERT_TRUE(callee.WaitForEvent("CALL_CLOSED"));
    EXPECT_EQ(proxy.Log().find("challenging"), std::string::npos) << proxy.Log();
}

}  // namespace
}  // namespace parley::testing
