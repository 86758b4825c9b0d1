#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace parley::net {

struct HttpUrl {
    std::string scheme;  // "http" or "https"
    std::string host;    // lowercased; an IPv6 literal without its brackets
    int port = 0;        // as written, else 80 or 443
    std::string target;  // path and query, "/" when empty
};

// Parses an absolute http:// or https:// URL; a fragment is dropped. Fails with kValidation and a
// message that reads after a field name ("must not contain credentials") for other schemes,
// credentials, a missing or malformed host, a bad port, and whitespace or control characters. Host
// names are limited to ASCII letters, digits, '-', '_' and inner dots, and an IPv4 address must be
// four decimal numbers, so libcurl, which connects, reads the same host as the resolver checked.
Result<HttpUrl> ParseHttpUrl(std::string_view url);

// Why webhooks may not go to a numeric IPv4 or IPv6 address ("loopback", "private network",
// "cloud metadata service" …), or nullopt when they may. IPv4-mapped, IPv4-compatible, NAT64 and
// 6to4 addresses are judged by the IPv4 address they carry. Text that is not an address is refused.
std::optional<std::string> ForbiddenReason(const std::string& numeric_address);

struct ResolvedUrl {
    HttpUrl url;
    std::vector<std::string> addresses;  // numeric, in resolver order, at least one
};

// A host name's numeric addresses; kUnavailable when it does not resolve.
using HostResolver = std::function<Result<std::vector<std::string>>(const std::string& host)>;

// The system's resolver (getaddrinfo).
Result<std::vector<std::string>> ResolveHost(const std::string& host);

// Parses the URL and resolves its host (numeric hosts without DNS) with `resolve`. Unless
// `allow_private`, fails with kValidation when any address is forbidden, naming the host and the
// address. Fails with kUnavailable when the host does not resolve.
Result<ResolvedUrl> ResolveWebhookUrl(std::string_view url, bool allow_private,
                                      const HostResolver& resolve = ResolveHost);

// Where webhooks may go: every address of the host must be allowed (all are, with
// parley serve --allow-private-webhooks). Resolving may take seconds, so it runs before a
// transaction opens, never inside one.
struct WebhookUrlPolicy {
    bool allow_private = false;
    HostResolver resolve = ResolveHost;

    Result<ResolvedUrl> Resolve(std::string_view url) const { return ResolveWebhookUrl(url, allow_private, resolve); }
    // Why a user may not give `url` (a message that reads after the field's name), or nullopt. A
    // host that does not resolve yet is accepted: its deliveries fail and retry until it does.
    std::optional<std::string> Problem(std::string_view url) const;
};

// The CURLOPT_RESOLVE entry "host:port:addr1,[addr2]" that pins libcurl to the checked addresses,
// so a DNS answer that changes before the connection (DNS rebinding) cannot reach another address.
// For a host written as an IPv6 address, which libcurl does not resolve, it is a removal entry
// "-[host]:port" that changes nothing.
std::string CurlResolveEntry(const ResolvedUrl& resolved);

}  // namespace parley::net
