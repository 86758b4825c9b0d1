// Voice-to-voice over SIP against the same call over the sandbox: the qualifying profile of the
// SIP tests asks for a minute and the company's size, and the person answers "sure i have a
// minute" and "about fifty people" in the sandbox's persona 3 voice, once from a baresip phone
// through Kamailio and once as the sandbox's persona 3 itself, in the same real-time server, in
// turns. Each answer's voice-to-voice time is Parley's own (analysis.timings): from the end of the
// callee's speech, as the VAD heard it, to the agent's first frame of audio. Prints
//
//   sip_v2v rounds=5 sip_n=10 sip_p50_ms=... sip_mean_ms=... sandbox_n=10 sandbox_p50_ms=...
//       sandbox_mean_ms=... diff_p50_ms=... diff_mean_ms=...
//
// and never fails on a time (only when a call does not go through). Build and run:
//
//   cmake --build build -j2 --target parley_sip_v2v_bench
//   build/tests/parley_sip_v2v_bench [--rounds=5] [--detail]
//
// --detail prints each call's times, engine times and transcript on standard error.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <numeric>
#include <string>
#include <vector>

#include "support/sip_calls.hpp"

namespace parley::testing {
namespace {

int rounds = 5;
bool detail = false;

std::vector<double> VoiceToVoice(const Json& call, const std::string& path) {
    std::vector<double> out;
    const Json& timings = call["analysis"]["timings"];
    for (const auto& ms : timings["voice_to_voice_ms"]) out.push_back(ms.get<double>());
    if (detail) {
        std::cerr << path << " voice_to_voice_ms " << timings["voice_to_voice_ms"].dump() << " engine_ms "
                  << timings["engine_ms"].dump() << "\n";
        for (const auto& line : call["transcript"]) {
            std::cerr << "  " << line["timestamp_seconds"] << " " << line["speaker"].get<std::string>() << ": "
                      << line["text"].get<std::string>() << "\n";
        }
    }
    return out;
}

double Percentile(std::vector<double> v, double q) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

double Mean(const std::vector<double>& v) {
    return v.empty() ? 0 : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

using SipVoiceToVoice = SipCallTest;

TEST_F(SipVoiceToVoice, TheSameCallOverSipAndOverTheSandbox) {
    Baresip phone({.wav = Line("silence.wav"), .trailing_silence = std::chrono::milliseconds(0)});
    Kamailio proxy({.auth_user = "parley", .auth_password = "trunk-secret", .callee_port = phone.sip_port()});
    AddTrunk(proxy, "trunk-secret");
    const std::string profile = SizeProfile();
    std::vector<double> sip, sandbox;
    for (int round = 0; round < rounds; ++round) {
        {
            ListeningCallee person(phone, {Line("minute.wav"), Line("size.wav")});
            const Json call = WaitForEnd(api(), Call(profile), std::chrono::seconds(90));
            ASSERT_TRUE(call.is_object());
            ASSERT_EQ(call["analysis"]["extracted_data"]["company_size"], 50) << call.dump(2);
            for (double ms : VoiceToVoice(call, "sip")) sip.push_back(ms);
            ASSERT_TRUE(phone.WaitForEvent("CALL_CLOSED").has_value());
            // The phone's microphone is silent again for the next call.
            ASSERT_TRUE(phone.Command("ausrc", "aufile," + Line("silence.wav").string()).first);
        }
        const std::string id = CreatedId(api().Post("/api/v1/calls", {{"profile_id", profile}, {"phone", Sandbox(3)}}));
        const Json call = WaitForEnd(api(), id, std::chrono::seconds(90));
        ASSERT_TRUE(call.is_object());
        ASSERT_EQ(call["analysis"]["extracted_data"]["company_size"], 50) << call.dump(2);
        for (double ms : VoiceToVoice(call, "sandbox")) sandbox.push_back(ms);
        std::cerr << "round " << round + 1 << ": sip " << Mean(sip) << " ms, sandbox " << Mean(sandbox) << " ms\n";
    }
    std::cout << "sip_v2v rounds=" << rounds << " sip_n=" << sip.size() << " sip_p50_ms=" << Percentile(sip, 0.5)
              << " sip_mean_ms=" << Mean(sip) << " sandbox_n=" << sandbox.size()
              << " sandbox_p50_ms=" << Percentile(sandbox, 0.5) << " sandbox_mean_ms=" << Mean(sandbox)
              << " diff_p50_ms=" << Percentile(sip, 0.5) - Percentile(sandbox, 0.5)
              << " diff_mean_ms=" << Mean(sip) - Mean(sandbox) << std::endl;
}

}  // namespace
}  // namespace parley::testing

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg.starts_with("--rounds=")) parley::testing::rounds = std::max(1, std::atoi(arg.c_str() + 9));
        if (arg == "--detail") parley::testing::detail = true;
    }
    return RUN_ALL_TESTS();
}
