#include "domain/carrier_body.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "common/phone.hpp"

namespace parley::domain {
namespace {

constexpr size_t kMaxCarrierName = 100;
constexpr size_t kMaxHost = 253;
constexpr size_t kMaxCredential = 128;
constexpr std::string_view kCodecs[] = {"PCMU", "PCMA"};

bool IsHostName(std::string_view s) {
    if (s.empty() || s.size() > kMaxHost) return false;
    size_t label = 0;
    char previous = '.';
    for (char c : s) {
        if (c == '.') {
            if (label == 0 || previous == '-') return false;
            label = 0;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-') {
            if ((label == 0 && c == '-') || ++label > 63) return false;
        } else {
            return false;
        }
        previous = c;
    }
    return label > 0 && previous != '-';
}

bool IsIp(std::string_view s, int family) {
    if (s.empty() || s.size() > 45) return false;
    const std::string text(s);
    unsigned char buffer[16];
    return ::inet_pton(family, text.c_str(), buffer) == 1;
}

bool IsHost(std::string_view s) {
    return IsIp(s, AF_INET) || IsHostName(s);
}

bool IsPort(std::string_view s) {
    int port = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), port);
    return ec == std::errc() && end == s.data() + s.size() && port >= 1 && port <= 65535;
}

// A list of distinct strings, each checked by `valid`; absent leaves `out`.
template <class Valid>
void ReadList(const Json& body, std::string_view key, size_t max_items, std::vector<std::string>& out, Checker& checker,
              std::string_view what, Valid valid) {
    auto it = body.find(key);
    if (it == body.end()) return;
    if (it->is_null()) {
        out.clear();
        return;
    }
    if (!it->is_array() || it->size() > max_items) {
        checker.Add(key, "must be an array of at most " + std::to_string(max_items) + " " + std::string(what));
        return;
    }
    std::vector<std::string> values;
    std::set<std::string> seen;
    for (const auto& item : *it) {
        if (!item.is_string() || !valid(item.get_ref<const std::string&>())) {
            checker.Add(key, "each item must be " + std::string(what));
            return;
        }
        if (!seen.insert(item.get<std::string>()).second) {
            checker.Add(key, "\"" + item.get<std::string>() + "\" is listed twice");
            return;
        }
        values.push_back(item.get<std::string>());
    }
    out = std::move(values);
}

// A string that null removes; absent leaves `out`.
void ReadOptional(const Json& body, std::string_view key, size_t max, std::optional<std::string>& out,
                  Checker& checker) {
    auto it = body.find(key);
    if (it == body.end()) return;
    if (it->is_null()) {
        out.reset();
    } else if (auto v = checker.String(body, key, max)) {
        out = v->empty() ? std::nullopt : std::optional(std::move(*v));
    }
}

// One of an enum's names; absent leaves `out`.
template <class E, class Parse>
void ReadEnum(const Json& body, std::string_view key, E& out, Checker& checker, Parse parse, std::string_view choices) {
    if (auto v = checker.String(body, key, 32)) {
        if (auto e = parse(*v)) {
            out = *e;
        } else {
            checker.Add(key, "must be one of " + std::string(choices));
        }
    }
}

}  // namespace

bool IsSipHostPort(std::string_view text) {
    if (text.starts_with('[')) {
        const auto close = text.find(']');
        if (close == std::string_view::npos || !IsIp(text.substr(1, close - 1), AF_INET6)) return false;
        const auto rest = text.substr(close + 1);
        return rest.empty() || (rest.starts_with(':') && IsPort(rest.substr(1)));
    }
    if (IsIp(text, AF_INET6)) return true;
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return IsHost(text);
    return IsHost(text.substr(0, colon)) && IsPort(text.substr(colon + 1));
}

bool IsAddressOrBlock(std::string_view text) {
    const auto slash = text.find('/');
    const auto address = text.substr(0, slash);
    const int family = IsIp(address, AF_INET) ? AF_INET : IsIp(address, AF_INET6) ? AF_INET6 : 0;
    if (family == 0) return false;
    if (slash == std::string_view::npos) return true;
    const auto bits_text = text.substr(slash + 1);
    int bits = -1;
    auto [end, ec] = std::from_chars(bits_text.data(), bits_text.data() + bits_text.size(), bits);
    return ec == std::errc() && end == bits_text.data() + bits_text.size() && bits >= 0 &&
           bits <= (family == AF_INET ? 32 : 128);
}

bool SourceAllowed(std::string_view address, const std::vector<std::string>& sources) {
    unsigned char ip[16];
    const int family = IsIp(address, AF_INET) ? AF_INET : IsIp(address, AF_INET6) ? AF_INET6 : 0;
    if (family == 0 || ::inet_pton(family, std::string(address).c_str(), ip) != 1) return false;
    const int max_bits = family == AF_INET ? 32 : 128;
    for (const auto& source : sources) {
        const auto slash = source.find('/');
        const std::string block = source.substr(0, slash);
        unsigned char net[16];
        if (::inet_pton(family, block.c_str(), net) != 1) continue;  // the other family
        int bits = max_bits;
        if (slash != std::string::npos) std::from_chars(source.data() + slash + 1, source.data() + source.size(), bits);
        bits = std::clamp(bits, 0, max_bits);
        bool inside = true;
        for (int i = 0; i < bits && inside; ++i) {
            const int mask = 0x80 >> (i % 8);
            inside = (ip[i / 8] & mask) == (net[i / 8] & mask);
        }
        if (inside) return true;
    }
    return false;
}

void ReadCarrierFields(const Json& body, Carrier& carrier, Checker& checker, bool creating) {
    checker.RejectUnknownKeys(
        body, {"name", "sip_host", "sip_port", "transport", "auth_username", "auth_password", "from_domain",
               "outbound_proxy", "caller_id_format", "max_channels", "codecs", "media_encryption", "inbound_sources"});
    if (auto name = checker.String(body, "name", kMaxCarrierName, creating)) {
        if (name->empty()) {
            checker.Add("name", "must not be empty");
        } else {
            carrier.name = std::move(*name);
        }
    }
    if (auto host = checker.String(body, "sip_host", kMaxHost, creating)) {
        if (IsHost(*host) || IsIp(*host, AF_INET6)) {
            carrier.sip_host = std::move(*host);
        } else {
            checker.Add("sip_host", "must be a host name or an IP address, without a scheme or port");
        }
    }
    if (auto port = checker.Int(body, "sip_port", 1, 65535)) carrier.sip_port = *port;
    ReadEnum(body, "transport", carrier.transport, checker, ParseSipTransport, "udp, tcp, tls");
    ReadOptional(body, "auth_username", kMaxCredential, carrier.auth_username, checker);
    ReadOptional(body, "auth_password", kMaxCredential, carrier.auth_password, checker);
    ReadOptional(body, "from_domain", kMaxHost, carrier.from_domain, checker);
    if (carrier.from_domain && !IsHost(*carrier.from_domain)) {
        checker.Add("from_domain", "must be a host name or an IPv4 address");
    }
    ReadOptional(body, "outbound_proxy", kMaxHost + 8, carrier.outbound_proxy, checker);
    if (carrier.outbound_proxy && !IsSipHostPort(*carrier.outbound_proxy)) {
        checker.Add("outbound_proxy", "must be host or host:port");
    }
    ReadEnum(body, "caller_id_format", carrier.caller_id_format, checker, ParseCallerIdFormat,
             "e164, e164_no_plus, national");
    if (auto n = checker.Int(body, "max_channels", 1, kMaxCarrierChannels)) carrier.max_channels = *n;
    ReadList(body, "codecs", std::size(kCodecs), carrier.codecs, checker, "PCMU or PCMA", [](std::string_view c) {
        return std::find(std::begin(kCodecs), std::end(kCodecs), c) != std::end(kCodecs);
    });
    if (carrier.codecs.empty()) checker.Add("codecs", "must name at least one of PCMU, PCMA");
    ReadEnum(body, "media_encryption", carrier.media_encryption, checker, ParseMediaEncryption, "none, srtp");
    ReadList(body, "inbound_sources", kMaxInboundSources, carrier.inbound_sources, checker,
             "an IP address or CIDR block", IsAddressOrBlock);
    if (carrier.auth_password && !carrier.auth_username) {
        checker.Add("auth_username", "is required with auth_password");
    }
}

void ReadPhoneNumberFields(const Json& body, OwnedNumber& number, Checker& checker, bool creating,
                           std::string_view default_region) {
    checker.RejectUnknownKeys(body, {"number", "phone_number", "carrier_id", "friendly_name", "profile_id"});
    if (!creating && (body.contains("number") || body.contains("phone_number"))) {
        checker.Add(body.contains("number") ? "number" : "phone_number",
                    "cannot change; delete the number and add it again");
    } else {
        // "phone_number" is seed 003's name for it.
        const char* key = body.contains("phone_number") ? "phone_number" : "number";
        if (auto text = checker.String(body, key, 40, creating)) {
            if (auto phone = ParsePhone(*text, default_region)) {
                number.number = phone->e164;
            } else {
                checker.Add(key, phone.error().message);
            }
        }
    }
    if (!creating && body.contains("carrier_id")) {
        checker.Add("carrier_id", "cannot change; delete the number and add it again");
    } else if (auto carrier = checker.String(body, "carrier_id", 64, creating)) {
        number.carrier_id = std::move(*carrier);
    }
    if (auto name = checker.String(body, "friendly_name", kMaxCarrierName, false, true)) number.friendly_name = *name;
    ReadOptional(body, "profile_id", 64, number.profile_id, checker);
}

}  // namespace parley::domain
