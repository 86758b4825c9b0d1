// The bodies Parley reads from SIP peers: SDP, as an INVITE or its answer carries it (whatever it
// says, what Parley takes from it is an address, a port it can send to, one of its own codecs and,
// for SRTP, a whole key), and a transfer's NOTIFY sipfrag.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "telephony/sip/sdp.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    static const std::vector<std::string> codecs{"PCMU", "PCMA"};
    for (const bool srtp : {false, true}) {
        auto media = parley::telephony::sip::ReadRemoteSdp(text, codecs, srtp);
        if (!media) continue;
        if (media->port < 1 || media->port > 65534 || media->address.empty()) std::abort();
        if (media->payload_type != parley::telephony::rtp::kPcmu &&
            media->payload_type != parley::telephony::rtp::kPcma)
            std::abort();
        // An SRTP call has a whole key; a plain one none.
        if (media->srtp_key.size() != (srtp ? parley::telephony::rtp::kSrtpKeyBytes : 0)) std::abort();
    }
    // The same bytes as a NOTIFY's sipfrag: a status of three digits, a line of at most 248 bytes.
    if (auto frag = parley::telephony::sip::ReadSipfrag(text)) {
        if (frag->status < 100 || frag->status > 999 || frag->line.size() > 248) std::abort();
    }
    return 0;
}
