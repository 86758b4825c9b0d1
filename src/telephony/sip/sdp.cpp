#include "telephony/sip/sdp.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sofia-sip/sdp.h>
#include <sofia-sip/su_alloc.h>
#include <strings.h>

#include <algorithm>
#include <memory>

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

}  // namespace

std::string OfferSdp(std::string_view address, int port, const std::vector<std::string>& codecs) {
    std::string types;
    std::string maps;
    for (const auto& codec : codecs) {
        const int pt = PayloadTypeOf(codec);
        if (pt < 0) continue;
        types += fmt::format(" {}", pt);
        maps += fmt::format("a=rtpmap:{} {}/8000\r\n", pt, codec);
    }
    return fmt::format(
        "v=0\r\no=parley 0 0 IN IP4 {0}\r\ns=parley\r\nc=IN IP4 {0}\r\nt=0 0\r\n"
        "m=audio {1} RTP/AVP{2} {3}\r\n{4}a=rtpmap:{3} telephone-event/8000\r\na=fmtp:{3} 0-16\r\n"
        "a=ptime:20\r\na=sendrecv\r\n",
        address, port, types, rtp::kTelephoneEvent, maps);
}

std::expected<rtp::RemoteMedia, std::string> ReadRemoteSdp(std::string_view sdp,
                                                           const std::vector<std::string>& codecs) {
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
        if (m->m_proto != sdp_proto_rtp) {
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
