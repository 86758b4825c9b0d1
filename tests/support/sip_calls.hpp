#pragma once

// A Parley server with SIP on loopback, and what tests of its SIP calls share: a carrier through
// a Kamailio proxy, a number on it, the person's lines for a baresip phone to say, and calls from
// that number.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sandbox/sandbox.hpp"
#include "support/calls.hpp"
#include "support/listening_callee.hpp"
#include "support/parley_server.hpp"
#include "support/seeds.hpp"
#include "support/sip_peers.hpp"
#include "voice/engines/tts.hpp"

namespace parley::testing {

constexpr const char* kParleyNumber = "+14155550100";
constexpr const char* kCalleeNumber = "+14155550123";
constexpr const char* kTransferNumber = "+14155550177";  // KamailioOptions' transfer_number

// `samples` of a sine of `hz` at 8 kHz.
inline audio::Pcm Tone(double hz, size_t samples) {
    audio::Pcm pcm(samples);
    for (size_t i = 0; i < samples; ++i) {
        pcm[i] = static_cast<int16_t>(8000 * std::sin(2 * M_PI * hz * static_cast<double>(i) / 8000.0));
    }
    return pcm;
}

// Whether `pcm` has a `hz` tone for 100 ms somewhere: a 100 ms window with nine tenths of its
// power at that frequency (Goertzel), which speech never has.
inline bool HasTone(const audio::Pcm& pcm, double hz) {
    constexpr size_t kWindow = 800;
    const double coefficient = 2 * std::cos(2 * M_PI * hz / 8000.0);
    for (size_t at = 0; at + kWindow <= pcm.size(); at += kWindow / 2) {
        double s1 = 0, s2 = 0, total = 0;
        for (size_t i = at; i < at + kWindow; ++i) {
            const double x = pcm[i];
            const double s0 = x + coefficient * s1 - s2;
            s2 = s1;
            s1 = s0;
            total += x * x;
        }
        // The tone's share: its Goertzel power over the window's, both scaled to the same units.
        const double tone = (s1 * s1 + s2 * s2 - coefficient * s1 * s2) * 2 / static_cast<double>(kWindow);
        if (total > 1e6 && tone / total > 0.9) return true;
    }
    return false;
}

class SipCallTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (!SipPeersInstalled()) return;
        lines_dir_ = std::make_unique<TempDir>("parley-sip-lines");
        voice::TtsRegistry tts;
        tts.Add(voice::MakeFliteTts());
        // Persona 3 of the sandbox speaks these lines; its recognition is tested in the sandbox's
        // tests, so a miss here is the line's path through SIP, not the recognizer.
        auto say = [&](const std::string& name, const std::string& words) {
            auto pcm = sandbox::SandboxCarrier::LineAudio(tts, 3, words);
            ASSERT_TRUE(pcm) << pcm.error().message;
            WriteLineWav(lines_dir_->path() / name, *pcm);
        };
        say("minute.wav", "sure i have a minute");
        say("size.wav", "about fifty people");
        say("person.wav", "can i talk to a person");
        // Key 7 pressed on a phone that sends no RFC 4733 events: its two tones (852 Hz and
        // 1209 Hz) for 120 ms, in the audio.
        audio::Pcm seven(960);
        for (size_t i = 0; i < seven.size(); ++i) {
            const double t = static_cast<double>(i) / 8000.0;
            seven[i] = static_cast<int16_t>(6000 * (std::sin(2 * M_PI * 852 * t) + std::sin(2 * M_PI * 1209 * t)));
        }
        WriteLineWav(lines_dir_->path() / "key-7.wav", seven);
        // The person at the number calls are transferred to: a second of a 1 kHz tone (which no
        // voice makes), then five seconds of silence, then they hang up.
        WriteLineWav(lines_dir_->path() / "desk.wav", Tone(1000, 8000), std::chrono::seconds(5));
        WriteLineWav(lines_dir_->path() / "silence.wav", {});
    }
    static void TearDownTestSuite() { lines_dir_.reset(); }

    // Options of `parley serve` beyond SIP and storage; sip_port_ + 1 is free for them.
    virtual std::vector<std::string> ServerArgs() const { return {}; }

    void SetUp() override {
        if (!SipPeersInstalled()) GTEST_SKIP() << "kamailio and baresip are not installed (scripts/install-deps.sh)";
        // SIP's port (and the next one, for TLS) was free a moment ago; another test's connection
        // can take it before Parley binds it, so Parley starts again on new ports, as the peers do.
        for (int attempt = 1;; ++attempt) {
            sip_port_ = FreeLoopbackPort(2);
            // RTP takes the first port of its range that it can bind, so a range below the kernel's
            // ephemeral ports (where the other tests' connections come and go) needs no search.
            std::vector<std::string> args{"--sip-listen", "127.0.0.1:" + std::to_string(sip_port_), "--rtp-ports",
                                          "20000-29999"};
            for (const auto& arg : ServerArgs()) args.push_back(arg);
            server_ = std::make_unique<ParleyServer>(Backend::kSqlite, args);
            try {
                server_->Start();
                break;
            } catch (const std::runtime_error&) {
                if (attempt == 3) throw;
            }
        }
        org_ = server_->CreateOrg();
    }

    ApiClient api() const { return server_->Client(org_.key); }
    static std::filesystem::path Line(const std::string& name) { return lines_dir_->path() / name; }

    // A carrier reaching `proxy` with these credentials and taking calls from `sources`, with
    // `more` fields, and kParleyNumber on it, answered by `profile` when given; the carrier's id.
    std::string AddTrunk(const Kamailio& proxy, const std::string& password, const Json& sources = Json::array(),
                         const std::string& profile = "", const Json& more = Json::object()) const {
        Json fields = {{"name", "Loopback proxy"},  {"sip_host", "127.0.0.1"},   {"sip_port", proxy.port()},
                       {"auth_username", "parley"}, {"auth_password", password}, {"inbound_sources", sources}};
        fields.update(more);
        const std::string carrier = CreatedId(api().Post("/api/v1/phone-numbers/carriers", fields));
        Json number = {{"number", kParleyNumber}, {"carrier_id", carrier}};
        if (!profile.empty()) number["profile_id"] = profile;
        EXPECT_EQ(api().Post("/api/v1/phone-numbers", number).status, 201);
        return carrier;
    }

    // The profile of the listening person's conversation: it asks for the company's size.
    std::string SizeProfile() const {
        EXPECT_EQ(api().Post("/api/v1/custom-fields", {{"name", "company_size"}, {"type", "number"}}).status, 201);
        return NewProfile(api(), {{"extract_fields", {"company_size"}}});
    }

    std::string Call(const std::string& profile) const {
        return CreatedId(
            api().Post("/api/v1/calls", {{"profile_id", profile}, {"phone", kCalleeNumber}, {"from", kParleyNumber}}));
    }

    // The call's recording, the callee's side and the other (the agent's, or a bridged call's).
    std::pair<audio::Pcm, audio::Pcm> Recording(const std::string& id) const {
        std::pair<audio::Pcm, audio::Pcm> sides;
        const std::string url = api().Get("/api/v1/calls/" + id + "/recording").json()["data"]["url"];
        const auto wav = server_->http().Send("GET", url.substr(url.find("/api/v1/recordings/")));
        EXPECT_EQ(wav.status, 200);
        for (size_t at = 44; at + 4 <= wav.body.size(); at += 4) {
            int16_t l = 0, r = 0;
            std::memcpy(&l, wav.body.data() + at, 2);
            std::memcpy(&r, wav.body.data() + at + 2, 2);
            sides.first.push_back(l);
            sides.second.push_back(r);
        }
        return sides;
    }

    static inline std::unique_ptr<TempDir> lines_dir_;
    uint16_t sip_port_ = 0;
    std::unique_ptr<ParleyServer> server_;
    OrgKey org_;
};

}  // namespace parley::testing
