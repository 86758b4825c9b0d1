#include "telephony/sip/sdp.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sofia-sip/sdp.h>
#include <sofia-sip/su_alloc.h>
#include <strings.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "common/crypto.hpp"

namespace parley::telephony::sip {

namespace {

int PayloadTypeOf(std::string_view codec) {
    if (codec == "PCMU") return rtp::kPcmu;
    if (codec == "PCMA") return rtp::kPcma;
    return -1;
}

struct HomeDeleter {
    void operator()(su_home_t* home) const { su_home_unref(home); }
};

constexpr std::string_view kSrtpSuite = "AES_CM_128_HMAC_SHA1_80";

// Standard base64 (RFC 4648 section 4), padding optional.
std::optional<std::string> DecodeBase64(std::string_view text) {
    while (!text.empty() && text.back() == '=') text.remove_suffix(1);
    std::string url(text);
    for (char& c : url) {
        if (c == '-' || c == '_') return std::nullopt;
        if (c == '+') c = '-';
        if (c == '/') c = '_';
    }
    return Base64UrlDecode(url);
}

// The key of a crypto attribute's value ("1 AES_CM_128_HMAC_SHA1_80 inline:<base64>|2^31"), when
// it is of the one suite Parley speaks, without an MKI, and 30 bytes long.
std::optional<std::pair<int, std::string>> ReadCrypto(std::string_view value) {
    const size_t space = value.find(' ');
    if (space == 0 || space == std::string_view::npos || space > 9) return std::nullopt;
    int tag = 0;
    for (const char c : value.substr(0, space)) {
        if (c < '0' || c > '9') return std::nullopt;
        tag = tag * 10 + (c - '0');
    }
    value.remove_prefix(space + 1);
    if (!value.starts_with(kSrtpSuite) || value.size() <= kSrtpSuite.size() || value[kSrtpSuite.size()] != ' ') {
        return std::nullopt;
    }
    value.remove_prefix(kSrtpSuite.size() + 1);
    constexpr std::string_view kInline = "inline:";
    if (!value.starts_with(kInline)) return std::nullopt;
    value.remove_prefix(kInline.size());
    std::string_view key = value.substr(0, value.find_first_of("| ;"));
    value.remove_prefix(key.size());
    // A lifetime may follow ("|2^31"); an MKI ("|1:4") needs MKIs in every packet: not taken.
    if (value.starts_with('|')) {
        const std::string_view params =
            value.substr(1, value.find(' ') == std::string_view::npos ? std::string_view::npos : value.find(' ') - 1);
        if (params.find(':') != std::string_view::npos) return std::nullopt;
    }
    auto bytes = DecodeBase64(key);
    if (!bytes || bytes->size() != rtp::kSrtpKeyBytes) return std::nullopt;
    return std::pair{tag, std::move(*bytes)};
}

}  // namespace

std::string OfferSdp(std::string_view address, int port, const std::vector<std::string>& codecs, const SdesKey* srtp) {
    std::string types;
    std::string maps;
    for (const auto& codec : codecs) {
        const int pt = PayloadTypeOf(codec);
        if (pt < 0) continue;
        types += fmt::format(" {}", pt);
        maps += fmt::format("a=rtpmap:{} {}/8000\r\n", pt, codec);
    }
    const std::string crypto =
        srtp ? fmt::format("a=crypto:{} {} inline:{}\r\n", srtp->tag, kSrtpSuite, Base64Encode(srtp->key)) : "";
    return fmt::format(
        "v=0\r\no=parley 0 0 IN IP4 {0}\r\ns=parley\r\nc=IN IP4 {0}\r\nt=0 0\r\n"
        "m=audio {1} {5}{2} {3}\r\n{4}a=rtpmap:{3} telephone-event/8000\r\na=fmtp:{3} 0-16\r\n"
        "a=ptime:20\r\n{6}a=sendrecv\r\n",
        address, port, types, rtp::kTelephoneEvent, maps, srtp ? "RTP/SAVP" : "RTP/AVP", crypto);
}

std::optional<Sipfrag> ReadSipfrag(std::string_view body) {
    constexpr std::string_view kVersion = "SIP/2.0 ";
    body = body.substr(0, std::min<size_t>(body.find_first_of("\r\n"), 256));
    if (!body.starts_with(kVersion)) return std::nullopt;
    body.remove_prefix(kVersion.size());
    if (body.size() < 3 || (body.size() > 3 && body[3] != ' ')) return std::nullopt;
    int status = 0;
    for (const char c : body.substr(0, 3)) {
        if (c < '0' || c > '9') return std::nullopt;
        status = status * 10 + (c - '0');
    }
    if (status < 100) return std::nullopt;
    return Sipfrag{status, std::string(body)};
}

std::expected<rtp::RemoteMedia, std::string> ReadRemoteSdp(std::string_view sdp, const std::vector<std::string>& codecs,
                                                           bool srtp) {
    if (sdp.empty()) return std::unexpected("the peer sent no SDP");
    if (sdp.size() > kMaxSdpBytes) return std::unexpected("the peer's SDP is too large");
    std::unique_ptr<su_home_t, HomeDeleter> home(static_cast<su_home_t*>(su_home_new(sizeof(su_home_t))));
    if (!home) return std::unexpected("out of memory");
    sdp_parser_t* parser = sdp_parse(home.get(), sdp.data(), static_cast<issize_t>(sdp.size()), sdp_f_anynet);
    const sdp_session_t* session = sdp_session(parser);
    if (session == nullptr) {
        std::string why = fmt::format("the peer's SDP does not parse ({})", sdp_parsing_error(parser));
        sdp_parser_free(parser);
        return std::unexpected(why);
    }
    std::expected<rtp::RemoteMedia, std::string> out = std::unexpected("the peer's SDP has no audio stream");
    for (const sdp_media_t* m = session->sdp_media; m != nullptr; m = m->m_next) {
        if (m->m_type != sdp_media_audio || m->m_rejected || m->m_port == 0) continue;
        if (m->m_proto == sdp_proto_srtp && !srtp) {
            out = std::unexpected("the peer's audio is encrypted (RTP/SAVP); the carrier's media_encryption is none");
            continue;
        }
        if (m->m_proto != sdp_proto_rtp && m->m_proto != sdp_proto_srtp) {
            out = std::unexpected("the peer's audio is not RTP/AVP");
            continue;
        }
        if (m->m_port > 65534) {
            out = std::unexpected(fmt::format("the peer's audio port {} is out of range", m->m_port));
            break;
        }
        const sdp_connection_t* c = sdp_media_connections(m);
        unsigned char ip[16];
        if (c == nullptr || c->c_address == nullptr ||
            (inet_pton(AF_INET, c->c_address, ip) != 1 && inet_pton(AF_INET6, c->c_address, ip) != 1)) {
            out = std::unexpected("the peer's SDP has no connection address (an IP address)");
            break;
        }
        rtp::RemoteMedia media;
        media.address = c->c_address;
        media.port = static_cast<int>(m->m_port);
        int chosen = -1;
        for (const sdp_rtpmap_t* r = m->m_rtpmaps; r != nullptr; r = r->rm_next) {
            if (r->rm_encoding == nullptr) continue;
            if (strcasecmp(r->rm_encoding, "telephone-event") == 0 && r->rm_rate == 8000) {
                media.telephone_event = static_cast<int>(r->rm_pt);
                continue;
            }
            if (chosen >= 0) continue;
            // Its codecs in its order of preference; only those of the carrier count, under their
            // static payload types (RFC 3551).
            for (const auto& codec : codecs) {
                if (strcasecmp(r->rm_encoding, codec.c_str()) == 0 && r->rm_rate == 8000 &&
                    static_cast<int>(r->rm_pt) == PayloadTypeOf(codec)) {
                    chosen = static_cast<int>(r->rm_pt);
                    break;
                }
            }
        }
        if (chosen < 0) {
            out = std::unexpected("no codec in common with the peer (Parley speaks " +
                                  fmt::format("{}", fmt::join(codecs, ", ")) + ")");
            break;
        }
        media.payload_type = chosen;
        if (srtp) {
            for (const sdp_attribute_t* a = m->m_attributes; a != nullptr; a = a->a_next) {
                if (a->a_name == nullptr || a->a_value == nullptr || strcasecmp(a->a_name, "crypto") != 0) continue;
                if (auto key = ReadCrypto(a->a_value)) {
                    media.srtp_tag = key->first;
                    media.srtp_key = std::move(key->second);
                    break;
                }
            }
            if (media.srtp_key.empty()) {
                out = std::unexpected(
                    fmt::format("the peer's audio has no SRTP key of {} (the carrier requires SRTP)", kSrtpSuite));
                break;
            }
        }
        // The peer's mode is its own: sendonly or inactive means it holds the call (c=0.0.0.0 too).
        const auto mode = static_cast<sdp_mode_t>(m->m_mode);
        media.send = (mode & sdp_recvonly) != 0 && media.address != "0.0.0.0";
        out = std::move(media);
        break;
    }
    sdp_parser_free(parser);
    return out;
}

}  // namespace parley::telephony::sip
