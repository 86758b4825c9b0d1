#include "net/url_guard.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstring>
#include <memory>

#include "common/text.hpp"

namespace parley::net {
namespace {

using Bytes = std::array<unsigned char, 16>;  // an IPv4 address fills the first 4

struct Range {
    const char* prefix;
    int bits;
    const char* reason;
};

// The first range that holds an address gives the reason, so a range sits before any that contains it.
constexpr Range kForbidden4[] = {
    {"0.0.0.0", 8, "unspecified"},
    {"10.0.0.0", 8, "private network"},
    {"100.64.0.0", 10, "carrier-grade NAT"},
    {"127.0.0.0", 8, "loopback"},
    {"169.254.169.254", 32, "cloud metadata service"},
    {"169.254.0.0", 16, "link-local"},
    {"172.16.0.0", 12, "private network"},
    {"192.0.0.0", 24, "reserved"},
    {"192.168.0.0", 16, "private network"},
    {"198.18.0.0", 15, "benchmarking network"},
    {"224.0.0.0", 4, "multicast"},
    {"255.255.255.255", 32, "broadcast"},
    {"240.0.0.0", 4, "reserved"},
};

constexpr Range kForbidden6[] = {
    {"::", 128, "unspecified"},       {"::1", 128, "loopback"},     {"fd00:ec2::254", 128, "cloud metadata service"},
    {"fc00::", 7, "private network"}, {"fe80::", 10, "link-local"}, {"fec0::", 10, "site-local"},
    {"ff00::", 8, "multicast"},
};

// IPv6 forms that carry an IPv4 address, and the byte it starts at: such an address reaches
// whatever its IPv4 address reaches.
struct Embedding {
    const char* prefix;
    int bits;
    size_t offset;
};

constexpr Embedding kIpv4Carriers[] = {
    {"::ffff:0:0", 96, 12},  // IPv4-mapped
    {"::", 96, 12},          // IPv4-compatible
    {"64:ff9b::", 96, 12},   // NAT64
    {"2002::", 16, 2},       // 6to4
};

bool InPrefix(const unsigned char* address, int family, const char* prefix, int bits) {
    Bytes net{};
    inet_pton(family, prefix, net.data());
    const int whole = bits / 8;
    if (std::memcmp(address, net.data(), whole) != 0) return false;
    if (bits % 8 == 0) return true;
    const auto mask = static_cast<unsigned char>(0xff << (8 - bits % 8));
    return (address[whole] & mask) == (net[whole] & mask);
}

std::optional<std::string> Forbidden4(const unsigned char* address) {
    for (const auto& r : kForbidden4) {
        if (InPrefix(address, AF_INET, r.prefix, r.bits)) return r.reason;
    }
    return std::nullopt;
}

std::optional<std::string> Forbidden6(const unsigned char* address) {
    for (const auto& r : kForbidden6) {
        if (InPrefix(address, AF_INET6, r.prefix, r.bits)) return r.reason;
    }
    for (const auto& e : kIpv4Carriers) {
        if (InPrefix(address, AF_INET6, e.prefix, e.bits)) return Forbidden4(address + e.offset);
    }
    return std::nullopt;
}

bool IsNumeric(const std::string& host) {
    Bytes bytes{};
    return inet_pton(AF_INET, host.c_str(), bytes.data()) == 1 || inet_pton(AF_INET6, host.c_str(), bytes.data()) == 1;
}

// Resolvers read "2130706433", "0x7f.1" and "127.1" as IPv4 addresses, as they do any host whose
// last label is a number.
bool EndsInNumber(std::string_view host) {
    std::string_view last = host.substr(host.rfind('.') + 1);
    const bool hex = last.starts_with("0x");
    if (hex) last.remove_prefix(2);
    return std::all_of(last.begin(), last.end(),
                       [hex](unsigned char c) { return hex ? std::isxdigit(c) : std::isdigit(c); });
}

bool IsHostName(std::string_view host) {
    const bool allowed = std::all_of(
        host.begin(), host.end(), [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_' || c == '.'; });
    return allowed && !host.starts_with('.') && !host.ends_with('.') && host.find("..") == std::string_view::npos;
}

Result<int> ParsePort(std::string_view text) {
    int port = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (text.empty() || !std::isdigit(static_cast<unsigned char>(text.front())) || ec != std::errc() ||
        end != text.data() + text.size() || port < 1 || port > 65535) {
        return Fail(ErrorCode::kValidation, "has an invalid port");
    }
    return port;
}

}  // namespace

Result<HttpUrl> ParseHttpUrl(std::string_view url) {
    auto invalid = [](std::string message) { return Fail(ErrorCode::kValidation, std::move(message)); };
    if (std::any_of(url.begin(), url.end(), [](unsigned char c) { return c <= ' ' || c == 0x7f; })) {
        return invalid("must not contain spaces or control characters");
    }
    url = url.substr(0, url.find('#'));
    const size_t separator = url.find("://");
    HttpUrl out;
    out.scheme = ToLower(url.substr(0, separator));
    if (separator == std::string_view::npos || (out.scheme != "http" && out.scheme != "https")) {
        return invalid("must be an http:// or https:// URL");
    }
    url.remove_prefix(separator + 3);
    const size_t path = url.find_first_of("/?");
    const std::string_view authority = url.substr(0, path);
    out.target = path == std::string_view::npos ? "/" : std::string(url.substr(path));
    if (out.target.front() == '?') out.target.insert(0, "/");
    // Refusing every '@' leaves no user-info for libcurl and this parser to split differently.
    if (authority.find('@') != std::string_view::npos) return invalid("must not contain credentials");

    std::string_view host = authority;
    std::optional<std::string_view> port;
    if (authority.starts_with('[')) {
        const size_t close = authority.find(']');
        if (close == std::string_view::npos) return invalid("has an invalid IPv6 address");
        host = authority.substr(1, close - 1);
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty() && !after.starts_with(':')) return invalid("has an invalid port");
        if (!after.empty()) port = after.substr(1);
    } else if (const size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    if (host.empty()) return invalid("must have a host");
    out.host = ToLower(host);
    if (authority.starts_with('[')) {
        Bytes bytes{};
        if (inet_pton(AF_INET6, out.host.c_str(), bytes.data()) != 1) return invalid("has an invalid IPv6 address");
    } else if (!IsHostName(out.host)) {
        return invalid("has an invalid host");
    } else if (EndsInNumber(out.host) && !IsNumeric(out.host)) {
        return invalid("must write an IPv4 address as four decimal numbers, like 203.0.113.7");
    }
    out.port = out.scheme == "https" ? 443 : 80;
    if (port) {
        auto number = ParsePort(*port);
        if (!number) return Fail(std::move(number.error()));
        out.port = *number;
    }
    return out;
}

std::optional<std::string> ForbiddenReason(const std::string& numeric_address) {
    Bytes bytes{};
    if (inet_pton(AF_INET, numeric_address.c_str(), bytes.data()) == 1) return Forbidden4(bytes.data());
    if (inet_pton(AF_INET6, numeric_address.c_str(), bytes.data()) == 1) return Forbidden6(bytes.data());
    return "not a numeric address";
}

Result<std::vector<std::string>> ResolveHost(const std::string& host) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = IsNumeric(host) ? AI_NUMERICHOST : 0;
    addrinfo* found = nullptr;
    if (const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &found); rc != 0) {
        return Fail(ErrorCode::kUnavailable, "cannot resolve " + host + ": " + gai_strerror(rc));
    }
    const std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owner(found, freeaddrinfo);
    std::vector<std::string> addresses;
    for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
        const void* bytes = nullptr;
        if (a->ai_family == AF_INET) bytes = &reinterpret_cast<const sockaddr_in*>(a->ai_addr)->sin_addr;
        if (a->ai_family == AF_INET6) bytes = &reinterpret_cast<const sockaddr_in6*>(a->ai_addr)->sin6_addr;
        char text[INET6_ADDRSTRLEN];
        if (bytes == nullptr || inet_ntop(a->ai_family, bytes, text, sizeof text) == nullptr) continue;
        if (std::find(addresses.begin(), addresses.end(), text) == addresses.end()) addresses.emplace_back(text);
    }
    return addresses;
}

Result<ResolvedUrl> ResolveWebhookUrl(std::string_view url, bool allow_private, const HostResolver& resolve) {
    auto parsed = ParseHttpUrl(url);
    if (!parsed) return Fail(std::move(parsed.error()));
    ResolvedUrl out{std::move(*parsed), {}};
    const std::string& host = out.url.host;
    // A numeric host is its own address, whatever resolver is given.
    auto addresses = IsNumeric(host) ? ResolveHost(host) : resolve(host);
    if (!addresses) return Fail(std::move(addresses.error()));
    out.addresses = std::move(*addresses);
    if (out.addresses.empty()) return Fail(ErrorCode::kUnavailable, "cannot resolve " + host + ": no IP address");
    if (allow_private) return out;
    for (const auto& address : out.addresses) {
        const auto reason = ForbiddenReason(address);
        if (!reason) continue;
        const std::string article = std::strchr("aeiou", reason->front()) != nullptr ? "an " : "a ";
        std::string message = "webhook URL host " + host;
        message += address == host ? " is " : " resolves to " + address + ", ";
        message += article + *reason;
        message += " address; start parley serve with --allow-private-webhooks to allow it";
        return Fail(ErrorCode::kValidation, std::move(message));
    }
    return out;
}

std::optional<std::string> WebhookUrlPolicy::Problem(std::string_view url) const {
    auto resolved = Resolve(url);  // a URL that does not parse fails here with kValidation
    if (!resolved && resolved.error().code == ErrorCode::kValidation) return resolved.error().message;
    return std::nullopt;
}

std::string CurlResolveEntry(const ResolvedUrl& resolved) {
    const HttpUrl& url = resolved.url;
    // libcurl connects to an IPv6 literal without resolving it, so there is nothing to pin; and
    // libcurl before 8.13 fails a transfer whose entry names an IPv6 host, but skips a removal
    // entry it cannot read.
    if (url.host.find(':') != std::string::npos) return "-[" + url.host + "]:" + std::to_string(url.port);
    std::string entry = url.host + ":" + std::to_string(url.port) + ":";
    for (size_t i = 0; i < resolved.addresses.size(); ++i) {
        const std::string& address = resolved.addresses[i];
        if (i > 0) entry += ',';
        entry += address.find(':') != std::string::npos ? "[" + address + "]" : address;
    }
    return entry;
}

}  // namespace parley::net
