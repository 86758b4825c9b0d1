#include "net/url_guard.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace parley::net {
namespace {

std::string Judge(const std::string& address) {
    return ForbiddenReason(address).value_or("allowed");
}

using Cases = std::pair<const char*, const char*>;

TEST(ForbiddenReason, JudgesEachIpv4RangeOnBothSidesOfItsEdges) {
    const Cases cases[] = {
        {"0.0.0.0", "unspecified"},
        {"0.255.255.255", "unspecified"},
        {"1.0.0.0", "allowed"},
        {"9.255.255.255", "allowed"},
        {"10.0.0.0", "private network"},
        {"10.255.255.255", "private network"},
        {"11.0.0.0", "allowed"},
        {"100.63.255.255", "allowed"},
        {"100.64.0.0", "carrier-grade NAT"},
        {"100.127.255.255", "carrier-grade NAT"},
        {"100.128.0.0", "allowed"},
        {"126.255.255.255", "allowed"},
        {"127.0.0.0", "loopback"},
        {"127.0.0.1", "loopback"},
        {"127.255.255.255", "loopback"},
        {"128.0.0.0", "allowed"},
        {"169.253.255.255", "allowed"},
        {"169.254.0.0", "link-local"},
        {"169.254.169.253", "link-local"},
        {"169.254.169.254", "cloud metadata service"},
        {"169.254.169.255", "link-local"},
        {"169.254.255.255", "link-local"},
        {"169.255.0.0", "allowed"},
        {"172.15.255.255", "allowed"},
        {"172.16.0.0", "private network"},
        {"172.31.255.255", "private network"},
        {"172.32.0.0", "allowed"},
        {"191.255.255.255", "allowed"},
        {"192.0.0.0", "reserved"},
        {"192.0.0.255", "reserved"},
        {"192.0.1.0", "allowed"},
        {"192.167.255.255", "allowed"},
        {"192.168.0.0", "private network"},
        {"192.168.255.255", "private network"},
        {"192.169.0.0", "allowed"},
        {"198.17.255.255", "allowed"},
        {"198.18.0.0", "benchmarking network"},
        {"198.19.255.255", "benchmarking network"},
        {"198.20.0.0", "allowed"},
        {"223.255.255.255", "allowed"},
        {"224.0.0.0", "multicast"},
        {"239.255.255.255", "multicast"},
        {"240.0.0.0", "reserved"},
        {"255.255.255.254", "reserved"},
        {"255.255.255.255", "broadcast"},
        {"8.8.8.8", "allowed"},
        {"93.184.216.34", "allowed"},
    };
    for (const auto& [address, reason] : cases) EXPECT_EQ(Judge(address), reason) << address;
}

TEST(ForbiddenReason, JudgesIpv6Ranges) {
    const Cases cases[] = {
        {"::", "unspecified"},
        {"::1", "loopback"},
        {"0:0:0:0:0:0:0:1", "loopback"},
        {"fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "allowed"},
        {"fc00::", "private network"},
        {"fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "private network"},
        {"fd00:ec2::253", "private network"},
        {"fd00:ec2::254", "cloud metadata service"},
        {"fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "allowed"},
        {"fe80::", "link-local"},
        {"fe80::1", "link-local"},
        {"febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "link-local"},
        {"fec0::1", "site-local"},
        {"feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "site-local"},
        {"ff00::", "multicast"},
        {"ff02::1", "multicast"},
        {"2001:4860:4860::8888", "allowed"},
        {"2606:2800:220:1:248:1893:25c8:1946", "allowed"},
    };
    for (const auto& [address, reason] : cases) EXPECT_EQ(Judge(address), reason) << address;
}

TEST(ForbiddenReason, JudgesIpv6FormsThatCarryAnIpv4AddressByThatAddress) {
    const Cases cases[] = {
        {"::ffff:127.0.0.1", "loopback"},        {"::ffff:7f00:1", "loopback"},
        {"::ffff:10.1.2.3", "private network"},  {"::ffff:169.254.169.254", "cloud metadata service"},
        {"::ffff:93.184.216.34", "allowed"},     {"::127.0.0.1", "loopback"},
        {"::192.168.1.1", "private network"},    {"::93.184.216.34", "allowed"},
        {"64:ff9b::127.0.0.1", "loopback"},      {"64:ff9b::a9fe:a9fe", "cloud metadata service"},
        {"64:ff9b::8.8.8.8", "allowed"},         {"2002:7f00:1::", "loopback"},
        {"2002:c0a8:101::1", "private network"}, {"2002:5db8:d822::1", "allowed"},
    };
    for (const auto& [address, reason] : cases) EXPECT_EQ(Judge(address), reason) << address;
}

TEST(ForbiddenReason, RefusesTextThatIsNotAnAddress) {
    EXPECT_TRUE(ForbiddenReason("localhost"));
    EXPECT_TRUE(ForbiddenReason(""));
    EXPECT_TRUE(ForbiddenReason("127.1"));
}

TEST(ParseHttpUrl, SplitsSchemeHostPortAndTarget) {
    auto url = ParseHttpUrl("HTTPS://Hooks.Example.COM/in/bound?x=1&y=2#section");
    ASSERT_TRUE(url) << url.error().message;
    EXPECT_EQ(url->scheme, "https");
    EXPECT_EQ(url->host, "hooks.example.com");
    EXPECT_EQ(url->port, 443);
    EXPECT_EQ(url->target, "/in/bound?x=1&y=2");

    url = ParseHttpUrl("http://example.com");
    ASSERT_TRUE(url);
    EXPECT_EQ(url->port, 80);
    EXPECT_EQ(url->target, "/");

    url = ParseHttpUrl("http://my_host.example.com:8080?q=1");
    ASSERT_TRUE(url);
    EXPECT_EQ(url->host, "my_host.example.com");
    EXPECT_EQ(url->port, 8080);
    EXPECT_EQ(url->target, "/?q=1");

    url = ParseHttpUrl("http://[2001:DB8::1]:8443/x");
    ASSERT_TRUE(url);
    EXPECT_EQ(url->host, "2001:db8::1");
    EXPECT_EQ(url->port, 8443);

    url = ParseHttpUrl("https://[::1]");
    ASSERT_TRUE(url);
    EXPECT_EQ(url->host, "::1");
    EXPECT_EQ(url->port, 443);
}

TEST(ParseHttpUrl, RefusesWhatCannotBeAWebhookWithAMessageAUserCanActOn) {
    const Cases cases[] = {
        {"ftp://example.com/", "must be an http:// or https:// URL"},
        {"example.com/hook", "must be an http:// or https:// URL"},
        {"http:/example.com/", "must be an http:// or https:// URL"},
        {"javascript:alert(1)", "must be an http:// or https:// URL"},
        {"", "must be an http:// or https:// URL"},
        {"http://user:secret@example.com/", "must not contain credentials"},
        {"http://user@example.com/", "must not contain credentials"},
        {"http://example.com\\@127.0.0.1/", "must not contain credentials"},
        {"http:///hook", "must have a host"},
        {"http://:8080/", "must have a host"},
        {"http://?x", "must have a host"},
        {"http://example.com:0/", "has an invalid port"},
        {"http://example.com:65536/", "has an invalid port"},
        {"http://example.com:/", "has an invalid port"},
        {"http://example.com:-1/", "has an invalid port"},
        {"http://example.com:+80/", "has an invalid port"},
        {"http://example.com:http/", "has an invalid port"},
        {"http://example.com:80:80/", "has an invalid host"},
        {"http://[::1]x/", "has an invalid port"},
        {"http://exa mple.com/", "must not contain spaces or control characters"},
        {" http://example.com/", "must not contain spaces or control characters"},
        {"http://example.com/\n", "must not contain spaces or control characters"},
        {"http://example.com/\t", "must not contain spaces or control characters"},
        {"http://example.com/\x7f", "must not contain spaces or control characters"},
        {"http://ex%61mple.com/", "has an invalid host"},
        {"http://example..com/", "has an invalid host"},
        {"http://.example.com/", "has an invalid host"},
        {"http://example.com./", "has an invalid host"},
        {"http://ex\xc3\xa4mple.com/", "has an invalid host"},
        {"http://example.com\\.evil.com/", "has an invalid host"},
        {"http://::1/", "has an invalid host"},
        {"http://[::1/", "has an invalid IPv6 address"},
        {"http://[127.0.0.1]/", "has an invalid IPv6 address"},
        {"http://[fe80::1%25eth0]/", "has an invalid IPv6 address"},
    };
    for (const auto& [text, message] : cases) {
        const auto url = ParseHttpUrl(text);
        ASSERT_FALSE(url) << text;
        EXPECT_EQ(url.error().code, ErrorCode::kValidation) << text;
        EXPECT_EQ(url.error().message, message) << text;
    }
}

TEST(ParseHttpUrl, RefusesIpv4AddressesNotWrittenAsFourDecimalNumbers) {
    for (const char* text :
         {"http://2130706433/", "http://0x7f.1/", "http://0x7f000001/", "http://017700000001/", "http://0177.0.0.1/",
          "http://127.1/", "http://127.0.0.01/", "http://10.0.0.0x5/", "http://a.b.0x/", "http://example.123/"}) {
        const auto url = ParseHttpUrl(text);
        ASSERT_FALSE(url) << text;
        EXPECT_EQ(url.error().message, "must write an IPv4 address as four decimal numbers, like 203.0.113.7") << text;
    }
    EXPECT_TRUE(ParseHttpUrl("http://1.2.3.4/"));
    EXPECT_TRUE(ParseHttpUrl("http://web1.example.com/"));
    EXPECT_TRUE(ParseHttpUrl("http://0x7f.example.com/"));
}

TEST(ResolveWebhookUrl, RefusesAPrivateAddressNamingHostAndAddress) {
    const auto resolved = ResolveWebhookUrl("http://10.0.0.5/hook", false);
    ASSERT_FALSE(resolved);
    EXPECT_EQ(resolved.error().code, ErrorCode::kValidation);
    EXPECT_EQ(resolved.error().message,
              "webhook URL host 10.0.0.5 is a private network address; start parley serve with "
              "--allow-private-webhooks to allow it");
}

TEST(ResolveWebhookUrl, RefusesIpv6LiteralsByTheAddressTheyReach) {
    auto resolved = ResolveWebhookUrl("http://[::1]:8080/", false);
    ASSERT_FALSE(resolved);
    EXPECT_EQ(resolved.error().message,
              "webhook URL host ::1 is a loopback address; start parley serve with --allow-private-webhooks to "
              "allow it");
    resolved = ResolveWebhookUrl("http://[::ffff:7f00:1]/", false);
    ASSERT_FALSE(resolved);
    EXPECT_EQ(resolved.error().message,
              "webhook URL host ::ffff:7f00:1 resolves to ::ffff:127.0.0.1, a loopback address; start parley serve "
              "with --allow-private-webhooks to allow it");
    resolved = ResolveWebhookUrl("http://0.0.0.0/", false);
    ASSERT_FALSE(resolved);
    EXPECT_NE(resolved.error().message.find("is an unspecified address"), std::string::npos);
}

TEST(ResolveWebhookUrl, AllowsPrivateAddressesWhenTheOperatorDoes) {
    auto resolved = ResolveWebhookUrl("http://10.0.0.5:9000/hook", true);
    ASSERT_TRUE(resolved) << resolved.error().message;
    EXPECT_EQ(resolved->addresses, std::vector<std::string>{"10.0.0.5"});
    resolved = ResolveWebhookUrl("http://[::1]/", true);
    ASSERT_TRUE(resolved) << resolved.error().message;
    EXPECT_EQ(resolved->addresses, std::vector<std::string>{"::1"});
}

TEST(ResolveWebhookUrl, RefusesLocalhostUnlessPrivateTargetsAreAllowed) {
    const auto refused = ResolveWebhookUrl("http://LocalHost:8080/hook", false);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kValidation);
    EXPECT_TRUE(refused.error().message.starts_with("webhook URL host localhost resolves to "))
        << refused.error().message;
    EXPECT_NE(refused.error().message.find("a loopback address"), std::string::npos);

    const auto allowed = ResolveWebhookUrl("http://localhost:8080/hook", true);
    ASSERT_TRUE(allowed) << allowed.error().message;
    ASSERT_FALSE(allowed->addresses.empty());
    for (const auto& address : allowed->addresses) EXPECT_EQ(Judge(address), "loopback") << address;
}

TEST(ResolveWebhookUrl, RefusesNumericSpellingsOfLoopbackEvenWhenPrivateTargetsAreAllowed) {
    for (const char* text : {"http://2130706433/", "http://0x7f.1/", "http://017700000001/"}) {
        for (bool allow_private : {false, true}) {
            const auto resolved = ResolveWebhookUrl(text, allow_private);
            ASSERT_FALSE(resolved) << text;
            EXPECT_EQ(resolved.error().code, ErrorCode::kValidation) << text;
        }
    }
}

TEST(ResolveWebhookUrl, AcceptsAPublicAddress) {
    auto resolved = ResolveWebhookUrl("https://93.184.216.34/hooks?x=1", false);
    ASSERT_TRUE(resolved) << resolved.error().message;
    EXPECT_EQ(resolved->url.host, "93.184.216.34");
    EXPECT_EQ(resolved->addresses, std::vector<std::string>{"93.184.216.34"});
    resolved = ResolveWebhookUrl("http://[2606:2800:220:1:248:1893:25C8:1946]/", false);
    ASSERT_TRUE(resolved) << resolved.error().message;
    EXPECT_EQ(resolved->addresses, std::vector<std::string>{"2606:2800:220:1:248:1893:25c8:1946"});
}

TEST(ResolveWebhookUrl, ReportsAHostThatDoesNotResolveAsUnavailable) {
    // A label longer than 63 bytes fails inside the resolver, before any query leaves the machine.
    const std::string host = std::string(64, 'a') + ".test";
    const auto resolved = ResolveWebhookUrl("http://" + host + "/", false);
    ASSERT_FALSE(resolved);
    EXPECT_EQ(resolved.error().code, ErrorCode::kUnavailable);
    EXPECT_TRUE(resolved.error().message.starts_with("cannot resolve " + host + ": ")) << resolved.error().message;
}

TEST(ResolveWebhookUrl, PassesParseErrorsThrough) {
    const auto resolved = ResolveWebhookUrl("ftp://example.com/", true);
    ASSERT_FALSE(resolved);
    EXPECT_EQ(resolved.error().code, ErrorCode::kValidation);
    EXPECT_EQ(resolved.error().message, "must be an http:// or https:// URL");
}

TEST(CurlResolveEntry, PinsHostAndPortToEveryCheckedAddress) {
    const ResolvedUrl resolved{{"https", "hooks.example.com", 443, "/"},
                               {"93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"}};
    EXPECT_EQ(CurlResolveEntry(resolved), "hooks.example.com:443:93.184.216.34,[2606:2800:220:1:248:1893:25c8:1946]");

    const auto literal = ResolveWebhookUrl("http://93.184.216.34:8080/x", false);
    ASSERT_TRUE(literal);
    EXPECT_EQ(CurlResolveEntry(*literal), "93.184.216.34:8080:93.184.216.34");
}

TEST(CurlResolveEntry, IsARemovalEntryForAnIpv6LiteralHost) {
    const auto literal = ResolveWebhookUrl("http://[2606:2800:220:1:248:1893:25c8:1946]:8443/", false);
    ASSERT_TRUE(literal);
    EXPECT_EQ(CurlResolveEntry(*literal), "-[2606:2800:220:1:248:1893:25c8:1946]:8443");
}

}  // namespace
}  // namespace parley::net
