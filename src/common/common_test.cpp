#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <vector>

#include "common/crypto.hpp"
#include "common/error.hpp"
#include "common/ids.hpp"
#include "common/log_throttle.hpp"
#include "common/phone.hpp"
#include "common/secret_box.hpp"
#include "common/time_format.hpp"

namespace parley {
namespace {

TEST(SecretBox, SealsWithTheFirstKeyAndOpensWithAnyKeyOfTheKeyring) {
    const std::string old_key = SecretBox::NewHexKey();
    const std::string new_key = SecretBox::NewHexKey();
    auto old_box = SecretBox::FromHex(old_key);
    auto ring = SecretBox::FromHex(new_key + "," + old_key);
    ASSERT_TRUE(old_box && ring);
    const std::string sealed = old_box->Seal("whsec_plaintext");
    EXPECT_TRUE(SecretBox::IsSealed(sealed));
    EXPECT_EQ(sealed.find("plaintext"), std::string::npos);
    EXPECT_NE(old_box->Seal("whsec_plaintext"), sealed) << "a new nonce every time";
    EXPECT_EQ(old_box->Open(sealed), "whsec_plaintext");
    EXPECT_EQ(ring->Open(sealed), "whsec_plaintext");
    EXPECT_TRUE(ring->Seal("x").starts_with(ring->SealingPrefix()));
    EXPECT_NE(ring->SealingPrefix(), old_box->SealingPrefix());
    EXPECT_FALSE(old_box->Open(ring->Seal("x"))) << "a key not in the keyring";
    std::string altered = sealed;
    altered[altered.size() - 3] = altered[altered.size() - 3] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(old_box->Open(altered));
    EXPECT_FALSE(old_box->Open("whsec_plaintext"));
    EXPECT_FALSE(old_box->Open("v1:"));
    EXPECT_EQ(old_box->Open(old_box->Seal("")), "");
}

TEST(SecretBox, RefusesMalformedKeys) {
    EXPECT_FALSE(SecretBox::FromHex(""));
    EXPECT_FALSE(SecretBox::FromHex("abcd"));
    EXPECT_FALSE(SecretBox::FromHex(std::string(64, 'g')));
    EXPECT_FALSE(SecretBox::FromHex(SecretBox::NewHexKey() + ",xyz"));
    EXPECT_TRUE(SecretBox::FromHex(SecretBox::NewHexKey() + "\n"));
}

TEST(LogThrottle, LetsOneLineAnIntervalThroughAndCountsTheOthers) {
    LogThrottle throttle(std::chrono::seconds(1));
    const auto start = LogThrottle::Clock::time_point{} + std::chrono::hours(1);
    ASSERT_EQ(throttle.Allow(start), 0u);
    for (int i = 1; i <= 1000; ++i) EXPECT_FALSE(throttle.Allow(start + std::chrono::microseconds(i)));
    EXPECT_EQ(throttle.Allow(start + std::chrono::seconds(1)), 1000u);
    EXPECT_FALSE(throttle.Allow(start + std::chrono::milliseconds(1500)));
    EXPECT_EQ(throttle.Allow(start + std::chrono::seconds(5)), 1u);
    EXPECT_EQ(HeldBack(0), "");
    EXPECT_EQ(HeldBack(3), " (3 more like it since the last)");
}

TEST(Ids, AreWellFormedUniqueAndSortInCreationOrder) {
    std::vector<std::string> ids;
    for (int i = 0; i < 2000; ++i) ids.push_back(NewId("ct_", 1'700'000'000'000 + i / 100));
    EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
    EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
    for (const auto& id : ids) EXPECT_TRUE(IsWellFormedId(id, "ct_")) << id;
    EXPECT_FALSE(IsWellFormedId(ids[0], "org_"));
    EXPECT_FALSE(IsWellFormedId("ct_short", "ct_"));
    EXPECT_FALSE(IsWellFormedId("ct_01JD0000000000000000000000", "ct_"));
}

TEST(Ids, LaterMillisecondSortsAfterEarlier) {
    const auto earlier = NewId("x_", 1'800'000'000'000);
    const auto later = NewId("x_", 1'900'000'000'000);
    EXPECT_LT(earlier, later);
}

TEST(Ids, AClockThatGoesBackDoesNotBreakTheOrder) {
    const auto later = NewId("x_", 2'000'000'000'000);
    const auto after_clock_went_back = NewId("x_", 1'000);
    EXPECT_LT(later, after_clock_went_back);
}

TEST(TimeFormat, FormatsUtcWithMilliseconds) {
    EXPECT_EQ(FormatIsoTime(0), "1970-01-01T00:00:00.000Z");
    EXPECT_EQ(FormatIsoTime(1'743'690'852'123), "2025-04-03T14:34:12.123Z");
}

TEST(TimeFormat, ParsesDatesTimesAndOffsets) {
    EXPECT_EQ(ParseIsoTime("2025-04-03T14:34:12Z"), 1'743'690'852'000);
    EXPECT_EQ(ParseIsoTime("2025-04-03T14:34:12.123Z"), 1'743'690'852'123);
    EXPECT_EQ(ParseIsoTime("2025-04-03T20:04:12+05:30"), 1'743'690'852'000);
    EXPECT_EQ(ParseIsoTime("1970-01-02"), 86'400'000);
    EXPECT_FALSE(ParseIsoTime("2025-02-30"));
    EXPECT_FALSE(ParseIsoTime("2025-04-03T25:00Z"));
    EXPECT_FALSE(ParseIsoTime("yesterday"));
    EXPECT_FALSE(ParseIsoTime("2025-04-03T14:34:12"));
    EXPECT_TRUE(IsIsoDate("2024-02-29"));
    EXPECT_FALSE(IsIsoDate("2023-02-29"));
    EXPECT_FALSE(IsIsoDate("2023-2-9"));
}

TEST(Crypto, Sha256AndHmacMatchKnownVectors) {
    EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    // RFC 4231 test case 2.
    EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Crypto, Base64UrlRoundTripsAndRejectsGarbage) {
    for (const std::string& s : std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\xfe", 3)}) {
        EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(s)), s);
    }
    EXPECT_FALSE(Base64UrlDecode("a"));
    EXPECT_FALSE(Base64UrlDecode("ab$d"));
    EXPECT_EQ(Base64Encode("hello"), "aGVsbG8=");
}

TEST(Crypto, RandomAlphanumericHasRequestedLengthAndAlphabet) {
    const auto s = RandomAlphanumeric(40);
    EXPECT_EQ(s.size(), 40u);
    EXPECT_TRUE(std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); }));
    EXPECT_NE(RandomAlphanumeric(40), s);
}

TEST(Phone, NormalizesToE164) {
    auto p = ParsePhone("(202) 555-0123", "US");
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->e164, "+12025550123");
    EXPECT_EQ(p->region, "US");
    auto gb = ParsePhone("+44 20 7946 0958", "US");
    ASSERT_TRUE(gb);
    EXPECT_EQ(gb->e164, "+442079460958");
    EXPECT_EQ(gb->region, "GB");
    auto seed = ParsePhone("+12145551234", "US");
    ASSERT_TRUE(seed);
    EXPECT_EQ(seed->e164, "+12145551234");
}

TEST(Phone, NationalDigitsAreTheNumberAsDialledInItsCountry) {
    EXPECT_EQ(NationalDigits("+12025550123"), "2025550123");
    EXPECT_EQ(NationalDigits("+442079460958"), "02079460958");
    EXPECT_EQ(NationalDigits("not a number"), "not a number");
}

TEST(Phone, RejectsWhatIsNotANumber) {
    for (const char* bad : {"", "hello", "12", "+1 000 000 0000", "+999 123", "' OR 1=1 --"}) {
        auto p = ParsePhone(bad, "US");
        ASSERT_FALSE(p) << bad;
        EXPECT_EQ(p.error().code, ErrorCode::kValidation);
    }
    EXPECT_TRUE(IsSupportedRegion("IN"));
    EXPECT_FALSE(IsSupportedRegion("XX"));
}

TEST(ErrorCodes, EveryCodeHasAWireName) {
    std::set<std::string_view> names;
    for (ErrorCode code : kAllErrorCodes) names.insert(ErrorCodeName(code));
    EXPECT_EQ(names.size(), std::size(kAllErrorCodes));
    EXPECT_EQ(ErrorCodeName(ErrorCode::kRateLimited), "RATE_LIMIT_EXCEEDED");
}

}  // namespace
}  // namespace parley
