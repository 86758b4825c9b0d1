#include "telephony/sip/sdp.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "telephony/sip/sip_agent.hpp"

namespace parley::telephony::sip {
namespace {

const std::vector<std::string> kBoth{"PCMU", "PCMA"};

std::string Answer(std::string_view media_line, std::string_view extra = "", std::string_view c = "127.0.0.1") {
    return fmt::format("v=0\r\no=peer 1 1 IN IP4 {0}\r\ns=-\r\nc=IN IP4 {0}\r\nt=0 0\r\n{1}\r\n{2}", c, media_line,
                       extra);
}

TEST(Sdp, ParleysOfferReadsBackAsItsOwnMedia) {
    const std::string offer = OfferSdp("192.0.2.10", 40000, {"PCMA", "PCMU"});
    EXPECT_NE(offer.find("m=audio 40000 RTP/AVP 8 0 101\r\n"), std::string::npos) << offer;
    EXPECT_NE(offer.find("a=rtpmap:101 telephone-event/8000\r\n"), std::string::npos);
    auto media = ReadRemoteSdp(offer, kBoth);
    ASSERT_TRUE(media) << media.error();
    EXPECT_EQ(media->address, "192.0.2.10");
    EXPECT_EQ(media->port, 40000);
    EXPECT_EQ(media->payload_type, rtp::kPcma);  // the peer's first choice, which is ours too
    EXPECT_EQ(media->telephone_event, 101);
    EXPECT_TRUE(media->send);
}

TEST(Sdp, TheFirstCodecOfThePeersThatTheCarrierAllowsIsChosen) {
    auto media = ReadRemoteSdp(Answer("m=audio 5004 RTP/AVP 9 8 0", "a=rtpmap:9 G722/8000\r\n"), {"PCMU"});
    ASSERT_TRUE(media) << media.error();
    EXPECT_EQ(media->payload_type, rtp::kPcmu);
    EXPECT_EQ(media->telephone_event, -1);
}

TEST(Sdp, AMediaLevelAddressWinsOverTheSessionsOne) {
    auto media = ReadRemoteSdp(Answer("m=audio 5004 RTP/AVP 0", "c=IN IP4 198.51.100.7\r\n"), kBoth);
    ASSERT_TRUE(media) << media.error();
    EXPECT_EQ(media->address, "198.51.100.7");
}

TEST(Sdp, APeerThatHoldsTheCallIsNotSentAudio) {
    for (const char* mode : {"a=sendonly\r\n", "a=inactive\r\n"}) {
        auto media = ReadRemoteSdp(Answer("m=audio 5004 RTP/AVP 0", mode), kBoth);
        ASSERT_TRUE(media) << media.error();
        EXPECT_FALSE(media->send) << mode;
    }
    auto old_style = ReadRemoteSdp(Answer("m=audio 5004 RTP/AVP 0", "", "0.0.0.0"), kBoth);
    ASSERT_TRUE(old_style) << old_style.error();
    EXPECT_FALSE(old_style->send);
    auto listening = ReadRemoteSdp(Answer("m=audio 5004 RTP/AVP 0", "a=recvonly\r\n"), kBoth);
    ASSERT_TRUE(listening);
    EXPECT_TRUE(listening->send);
}

TEST(Sdp, WhatCannotCarryACallIsRefusedWithTheReason) {
    auto no_codec = ReadRemoteSdp(Answer("m=audio 5004 RTP/AVP 9 18", "a=rtpmap:9 G722/8000\r\n"), kBoth);
    ASSERT_FALSE(no_codec);
    EXPECT_NE(no_codec.error().find("no codec in common"), std::string::npos) << no_codec.error();

    auto absurd_port = ReadRemoteSdp(Answer("m=audio 70000 RTP/AVP 0"), kBoth);
    ASSERT_FALSE(absurd_port);
    EXPECT_NE(absurd_port.error().find("out of range"), std::string::npos) << absurd_port.error();

    auto video_only = ReadRemoteSdp(Answer("m=video 5004 RTP/AVP 96", "a=rtpmap:96 VP8/90000\r\n"), kBoth);
    ASSERT_FALSE(video_only);
    EXPECT_NE(video_only.error().find("no audio"), std::string::npos);

    auto rejected = ReadRemoteSdp(Answer("m=audio 0 RTP/AVP 0"), kBoth);
    EXPECT_FALSE(rejected);

    EXPECT_FALSE(ReadRemoteSdp("", kBoth));
    EXPECT_FALSE(ReadRemoteSdp("this is not SDP at all", kBoth));
    EXPECT_FALSE(ReadRemoteSdp(std::string(kMaxSdpBytes + 1, 'v'), kBoth));
    auto secure = ReadRemoteSdp(Answer("m=audio 5004 RTP/SAVP 0"), kBoth);
    EXPECT_FALSE(secure);

    // Found by fuzzing: an empty or non-IP connection address, and G.711 under a dynamic type.
    auto empty_address =
        ReadRemoteSdp("v=0\r\no=p 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=\r\nt=0 0\r\nm=audio 5004 RTP/AVP 0\r\n", kBoth);
    ASSERT_FALSE(empty_address);
    EXPECT_NE(empty_address.error().find("connection address"), std::string::npos) << empty_address.error();
    EXPECT_FALSE(ReadRemoteSdp(Answer("m=audio 5004 RTP/AVP 0", "", "phone.example.com"), kBoth));
    EXPECT_FALSE(ReadRemoteSdp(Answer("m=audio 5004 RTP/AVP 96", "a=rtpmap:96 PCMU/8000\r\n"), kBoth));
}

TEST(Sdp, AnSrtpOfferCarriesItsKeyAndReadsBackWithIt) {
    const SdesKey ours{std::string(rtp::kSrtpKeyBytes, '\x5a'), 3};
    const std::string offer = OfferSdp("192.0.2.10", 40000, {"PCMU"}, &ours);
    EXPECT_NE(offer.find("m=audio 40000 RTP/SAVP 0 101\r\n"), std::string::npos) << offer;
    EXPECT_NE(offer.find("a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpa\r\n"),
              std::string::npos)
        << offer;
    auto media = ReadRemoteSdp(offer, kBoth, true);
    ASSERT_TRUE(media) << media.error();
    EXPECT_EQ(media->srtp_key, ours.key);
    EXPECT_EQ(media->srtp_tag, 3);
    // Without SRTP on the carrier, encrypted audio is refused; plain audio with a key is plain.
    auto plain_carrier = ReadRemoteSdp(offer, kBoth);
    ASSERT_FALSE(plain_carrier);
    EXPECT_NE(plain_carrier.error().find("RTP/SAVP"), std::string::npos) << plain_carrier.error();
    const std::string key_line = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpa";
    auto optional_srtp = ReadRemoteSdp(Answer("m=audio 5004 RTP/AVP 0", key_line + "|2^31\r\n"), kBoth);
    ASSERT_TRUE(optional_srtp) << optional_srtp.error();
    EXPECT_TRUE(optional_srtp->srtp_key.empty());
    // baresip's optional SRTP (RTP/AVP with a key, a lifetime after it) is SRTP to a carrier that wants it.
    optional_srtp = ReadRemoteSdp(Answer("m=audio 5004 RTP/AVP 0", key_line + "|2^31\r\n"), kBoth, true);
    ASSERT_TRUE(optional_srtp) << optional_srtp.error();
    EXPECT_EQ(optional_srtp->srtp_key, ours.key);
}

TEST(Sdp, SrtpWithoutAKeyParleyCanUseIsRefused) {
    const auto refused = [](const std::string& attributes) {
        auto media = ReadRemoteSdp(Answer("m=audio 5004 RTP/SAVP 0", attributes), kBoth, true);
        return !media && media.error().find("no SRTP key") != std::string::npos;
    };
    EXPECT_TRUE(refused(""));
    EXPECT_TRUE(refused("a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpa\r\n"));
    EXPECT_TRUE(refused("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WlpaWlpa\r\n"));  // 6 bytes
    EXPECT_TRUE(refused("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:Wlpa-lpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpa\r\n"));
    EXPECT_TRUE(
        refused("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpa|2^20|1:4\r\n"));
    EXPECT_TRUE(refused("a=crypto:x AES_CM_128_HMAC_SHA1_80 inline:WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpa\r\n"));
    // The first usable key of several counts.
    auto media =
        ReadRemoteSdp(Answer("m=audio 5004 RTP/SAVP 0",
                             "a=crypto:1 AEAD_AES_256_GCM inline:AAAA\r\n"
                             "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpa\r\n"),
                      kBoth, true);
    ASSERT_TRUE(media) << media.error();
    EXPECT_EQ(media->srtp_tag, 2);
}

TEST(Sipfrag, AStatusLineIsReadAndAnythingElseIsNot) {
    auto ok = ReadSipfrag("SIP/2.0 200 OK\r\n");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200);
    EXPECT_EQ(ok->line, "200 OK");
    auto busy = ReadSipfrag("SIP/2.0 486 Busy Here\nVia: x\n");  // baresip ends lines with LF alone
    ASSERT_TRUE(busy);
    EXPECT_EQ(busy->status, 486);
    EXPECT_EQ(busy->line, "486 Busy Here");
    EXPECT_EQ(ReadSipfrag("SIP/2.0 100")->status, 100);
    for (const std::string_view bad : {"", "SIP/2.0 ", "SIP/2.0 20", "SIP/2.0 2x0 OK", "SIP/2.0 2000 OK",
                                       "SIP/2.0 099 x", "HTTP/1.1 200 OK", "INVITE sip:a@b SIP/2.0"}) {
        EXPECT_FALSE(ReadSipfrag(bad)) << bad;
    }
    EXPECT_EQ(ReadSipfrag("SIP/2.0 603 " + std::string(1000, 'x'))->line.size(), 248u);  // one short line, at most
}

TEST(SipStatus, FinalAnswersMapToHowTheCallEnded) {
    EXPECT_EQ(StateForFinalStatus(200), DialState::kAnswered);
    for (int busy : {486, 600, 603}) EXPECT_EQ(StateForFinalStatus(busy), DialState::kBusy) << busy;
    for (int none : {408, 480, 487}) EXPECT_EQ(StateForFinalStatus(none), DialState::kNoAnswer) << none;
    for (int failed : {403, 404, 407, 488, 500, 503}) EXPECT_EQ(StateForFinalStatus(failed), DialState::kFailed);
}

}  // namespace
}  // namespace parley::telephony::sip
