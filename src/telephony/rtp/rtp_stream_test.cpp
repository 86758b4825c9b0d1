#include "telephony/rtp/rtp_stream.hpp"

#include <gtest/gtest.h>
#include <spandsp.h>

#include <chrono>
#include <cmath>
#include <functional>
#include <set>
#include <thread>
#include <vector>

namespace parley::telephony::rtp {
namespace {

std::vector<int16_t> Tone(size_t n, double hz, size_t offset) {
    std::vector<int16_t> pcm(n);
    for (size_t i = 0; i < n; ++i) {
        pcm[i] = static_cast<int16_t>(8000 * std::sin(2 * M_PI * hz * static_cast<double>(i + offset) / 8000.0));
    }
    return pcm;
}

double Rms(const std::vector<int16_t>& pcm) {
    double sum = 0;
    for (int16_t s : pcm) sum += static_cast<double>(s) * s;
    return pcm.empty() ? 0 : std::sqrt(sum / static_cast<double>(pcm.size()));
}

TEST(PortRange, GivesEvenPortsRoundTheRange) {
    PortRange ports(10001, 10006);  // even ports 10002 and 10004 (10006 has no RTCP port)
    EXPECT_EQ(ports.size(), 2);
    std::set<int> seen;
    for (int i = 0; i < 6; ++i) seen.insert(ports.Next());
    EXPECT_EQ(seen, (std::set<int>{10002, 10004}));
}

// Two streams on loopback, paced at 20 ms: each hears the other's tone, in both G.711 laws.
TEST(RtpStream, TwoStreamsExchangeAudioOverLoopback) {
    for (int law : {kPcmu, kPcma}) {
        PortRange ports(42000, 42999);
        auto a = RtpStream::Open("127.0.0.1", ports);
        auto b = RtpStream::Open("127.0.0.1", ports);
        ASSERT_TRUE(a && b);
        ASSERT_NE(a->port(), b->port());
        a->SetRemote({.address = "127.0.0.1", .port = b->port(), .payload_type = law});
        b->SetRemote({.address = "127.0.0.1", .port = a->port(), .payload_type = law});
        std::vector<int16_t> heard_by_b;
        std::vector<int16_t> frame(160);
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < 25; ++i) {
            a->Exchange(Tone(160, 440, static_cast<size_t>(i) * 160), frame);
            b->Exchange(std::vector<int16_t>(160, 0), frame);
            heard_by_b.insert(heard_by_b.end(), frame.begin(), frame.end());
            std::this_thread::sleep_until(start + std::chrono::milliseconds(20 * (i + 1)));
        }
        EXPECT_EQ(a->packets_sent(), 25u);
        EXPECT_GE(b->packets_received(), 20u);  // the jitter buffer holds back the first few
        // A 440 Hz sine of amplitude 8000 has an RMS of about 5657; G.711 keeps it within 1%.
        EXPECT_GT(Rms(heard_by_b), 4000) << "law " << law;
    }
}

// A phone that sends no RFC 4733 events plays its keys as tones in the audio; the stream hears
// them there, each key once, and nothing in speech-like audio.
TEST(RtpStream, KeysPlayedAsTonesInTheAudioAreHeard) {
    PortRange ports(45000, 45999);
    auto a = RtpStream::Open("127.0.0.1", ports);
    auto b = RtpStream::Open("127.0.0.1", ports);
    ASSERT_TRUE(a && b);
    a->SetRemote({.address = "127.0.0.1", .port = b->port(), .payload_type = kPcma});
    b->SetRemote({.address = "127.0.0.1", .port = a->port(), .payload_type = kPcma});
    dtmf_tx_state_t* keys = dtmf_tx_init(nullptr);
    ASSERT_NE(keys, nullptr);
    dtmf_tx_put(keys, "4#", -1);
    std::vector<int16_t> out(160);
    std::vector<int16_t> in(160);
    std::string heard;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 40; ++i) {
        std::fill(out.begin(), out.end(), int16_t{0});
        if (i < 15) {
            dtmf_tx(keys, out.data(), static_cast<int>(out.size()));
        } else {
            out = Tone(160, 440, static_cast<size_t>(i) * 160);  // a voice's pitch is not a key
        }
        a->Exchange(out, in);
        b->Exchange(std::vector<int16_t>(160, 0), in);
        heard += b->TakeDigits();
        std::this_thread::sleep_until(start + std::chrono::milliseconds(20 * (i + 1)));
    }
    dtmf_tx_free(keys);
    EXPECT_EQ(heard, "4#");
    EXPECT_EQ(a->TakeDigits(), "") << "a heard only silence";
}

// Keys pressed by Parley reach the peer as RFC 4733 events when it takes them, and as tones in
// the audio when it does not; either way the other side hears each key once.
TEST(RtpStream, KeysPressedReachThePeerAsEventsOrAsTones) {
    for (const int events : {kTelephoneEvent, -1}) {
        PortRange ports(47000, 47999);
        auto a = RtpStream::Open("127.0.0.1", ports);
        auto b = RtpStream::Open("127.0.0.1", ports);
        ASSERT_TRUE(a && b);
        a->SetRemote({.address = "127.0.0.1", .port = b->port(), .telephone_event = events});
        b->SetRemote({.address = "127.0.0.1", .port = a->port(), .telephone_event = events});
        a->SendDigits("1x2#");  // x is no key
        std::vector<int16_t> frame(160);
        std::string heard;
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < 45; ++i) {
            a->Exchange(std::vector<int16_t>(160, 0), frame);
            b->Exchange(std::vector<int16_t>(160, 0), frame);
            heard += b->TakeDigits();
            std::this_thread::sleep_until(start + std::chrono::milliseconds(20 * (i + 1)));
        }
        EXPECT_EQ(heard, "12#") << (events >= 0 ? "as events" : "as tones");
    }
}

// With each other's SRTP keys two streams hear each other. A stream with another key for the
// peer (as a forged or misdirected stream would have) hears nothing until it has the right one,
// and plain RTP to an SRTP stream is dropped.
TEST(RtpStream, SrtpStreamsHearOnlyPacketsSealedWithThePeersKey) {
    PortRange ports(46000, 46999);
    auto a = RtpStream::Open("127.0.0.1", ports);
    auto b = RtpStream::Open("127.0.0.1", ports);
    auto c = RtpStream::Open("127.0.0.1", ports);
    auto d = RtpStream::Open("127.0.0.1", ports);
    ASSERT_TRUE(a && b && c && d);
    EXPECT_EQ(a->srtp_key().size(), kSrtpKeyBytes);
    EXPECT_NE(a->srtp_key(), b->srtp_key());
    const std::vector<int16_t> silence(160, 0);
    std::vector<int16_t> frame(160);
    // Runs `frames` frames at 20 ms: `step(i)` exchanges and returns what the listener heard.
    const auto run = [&](int frames, const std::function<void(int, std::vector<int16_t>&)>& step) {
        std::vector<int16_t> heard;
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < frames; ++i) {
            step(i, heard);
            std::this_thread::sleep_until(start + std::chrono::milliseconds(20 * (i + 1)));
        }
        return heard;
    };
    const auto tone = [](int i) { return Tone(160, 440, static_cast<size_t>(i) * 160); };

    a->SetRemote({.address = "127.0.0.1", .port = b->port(), .srtp_key = b->srtp_key()});
    b->SetRemote({.address = "127.0.0.1", .port = a->port(), .srtp_key = a->srtp_key()});
    const auto heard_by_b = run(25, [&](int i, std::vector<int16_t>& heard) {
        a->Exchange(tone(i), frame);
        b->Exchange(silence, frame);
        heard.insert(heard.end(), frame.begin(), frame.end());
    });
    EXPECT_GT(Rms(heard_by_b), 4000);

    // a now sends to c, which has the wrong key for a; d sends plain RTP to b.
    a->SetRemote({.address = "127.0.0.1", .port = c->port(), .srtp_key = b->srtp_key()});
    c->SetRemote({.address = "127.0.0.1", .port = a->port(), .srtp_key = d->srtp_key()});
    d->SetRemote({.address = "127.0.0.1", .port = b->port()});
    std::vector<int16_t> heard_by_b_later;
    const auto heard_by_c = run(25, [&](int i, std::vector<int16_t>& heard) {
        a->Exchange(tone(i), frame);
        d->Exchange(tone(i), frame);
        c->Exchange(silence, frame);
        heard.insert(heard.end(), frame.begin(), frame.end());
        b->Exchange(silence, frame);
        if (i >= 5) heard_by_b_later.insert(heard_by_b_later.end(), frame.begin(), frame.end());  // past a's last
    });
    EXPECT_EQ(Rms(heard_by_c), 0);
    EXPECT_EQ(Rms(heard_by_b_later), 0) << "b took plain RTP";

    // With a's key, c hears a: the packets were reaching it all along.
    c->SetRemote({.address = "127.0.0.1", .port = a->port(), .srtp_key = a->srtp_key()});
    const auto heard_by_c_keyed = run(25, [&](int i, std::vector<int16_t>& heard) {
        a->Exchange(tone(i), frame);
        c->Exchange(silence, frame);
        heard.insert(heard.end(), frame.begin(), frame.end());
    });
    EXPECT_GT(Rms(heard_by_c_keyed), 4000);
}

TEST(RtpStream, APortALiveStreamHoldsIsNotGivenToAnother) {
    PortRange one(44000, 44001);  // one even port
    auto first = RtpStream::Open("127.0.0.1", one);
    ASSERT_TRUE(first);
    EXPECT_EQ(RtpStream::Open("127.0.0.1", one), nullptr);
    first.reset();
    EXPECT_NE(RtpStream::Open("127.0.0.1", one), nullptr) << "the port is free again";
}

TEST(RtpStream, AHeldPeerIsNotSentAudio) {
    PortRange ports(43000, 43999);
    auto a = RtpStream::Open("127.0.0.1", ports);
    ASSERT_TRUE(a);
    std::vector<int16_t> frame(160);
    a->Exchange(frame, frame);  // no peer yet
    a->SetRemote({.address = "127.0.0.1", .port = 9, .payload_type = kPcmu, .send = false});
    a->Exchange(frame, frame);
    EXPECT_EQ(a->packets_sent(), 0u);
}

}  // namespace
}  // namespace parley::telephony::rtp
