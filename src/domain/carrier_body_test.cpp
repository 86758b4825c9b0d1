#include "domain/carrier_body.hpp"

#include <gtest/gtest.h>

namespace parley::domain {
namespace {

TEST(CarrierBody, SipAddressesAreHostsOrIpsWithAnOptionalPort) {
    for (const char* good : {"sip.telnyx.com", "sip.telnyx.com:5061", "10.0.0.5", "10.0.0.5:5080", "::1",
                             "[2001:db8::1]", "[2001:db8::1]:5060", "pbx"}) {
        EXPECT_TRUE(IsSipHostPort(good)) << good;
    }
    for (const char* bad : {"", "sip:pbx", "pbx:0", "pbx:65536", "pbx:", "[2001:db8::1", "[pbx]:5060", "-pbx.example",
                            "pbx..example", "under_score.example", "pbx:50a"}) {
        EXPECT_FALSE(IsSipHostPort(bad)) << bad;
    }
}

TEST(CarrierBody, InboundSourcesAreAddressesOrCidrBlocks) {
    for (const char* good : {"192.0.2.1", "192.0.2.0/24", "0.0.0.0/0", "2001:db8::/32", "::1", "2001:db8::1/128"}) {
        EXPECT_TRUE(IsAddressOrBlock(good)) << good;
    }
    for (const char* bad : {"", "192.0.2.0/33", "2001:db8::/129", "192.0.2.0/-1", "192.0.2.0/", "host.example",
                            "192.0.2.256", "192.0.2.0/24/8"}) {
        EXPECT_FALSE(IsAddressOrBlock(bad)) << bad;
    }
}

TEST(CarrierBody, AnInboundCallIsAllowedOnlyFromAListedAddressOrBlock) {
    const std::vector<std::string> sources{"192.76.120.10", "64.16.250.0/24", "2001:db8::/32", "10.0.0.0/0"};
    EXPECT_TRUE(SourceAllowed("192.76.120.10", sources));
    EXPECT_TRUE(SourceAllowed("64.16.250.201", sources));
    EXPECT_TRUE(SourceAllowed("2001:db8:1::5", sources));
    EXPECT_TRUE(SourceAllowed("8.8.8.8", sources)) << "a /0 block is every address of its family";
    EXPECT_FALSE(SourceAllowed("2001:db9::1", sources));
    EXPECT_FALSE(SourceAllowed("192.76.120.11", {"192.76.120.10", "64.16.250.0/24"}));
    EXPECT_FALSE(SourceAllowed("64.16.251.1", {"64.16.250.0/24"}));
    EXPECT_FALSE(SourceAllowed("127.0.0.1", {}));
    EXPECT_FALSE(SourceAllowed("not an address", {"0.0.0.0/0"}));
    EXPECT_FALSE(SourceAllowed("", {"0.0.0.0/0"}));
}

TEST(CarrierBody, AnUpdateChangesOnlyWhatItNames) {
    Carrier carrier;
    Checker checker;
    ReadCarrierFields(
        {{"name", "Trunk"}, {"sip_host", "sip.example.com"}, {"auth_username", "u"}, {"auth_password", "p"}}, carrier,
        checker, true);
    ASSERT_TRUE(checker.ok());
    ReadCarrierFields({{"sip_port", 5070}}, carrier, checker, false);
    ASSERT_TRUE(checker.ok());
    EXPECT_EQ(carrier.auth_password, "p");
    EXPECT_EQ(carrier.sip_port, 5070);
    // Removing the user name while a password stays is refused.
    ReadCarrierFields({{"auth_username", nullptr}}, carrier, checker, false);
    ASSERT_EQ(checker.errors().size(), 1u);
    EXPECT_EQ(checker.errors()[0].field, "auth_username");
}

}  // namespace
}  // namespace parley::domain
