#include "calls/trunks.hpp"

#include "common/phone.hpp"

namespace parley::calls {

telephony::sip::SipTrunk TrunkOf(const domain::Carrier& c) {
    telephony::sip::SipTrunk t;
    t.host = c.sip_host;
    t.port = c.sip_port;
    t.transport = c.transport == domain::SipTransport::kTcp   ? telephony::sip::Transport::kTcp
                  : c.transport == domain::SipTransport::kTls ? telephony::sip::Transport::kTls
                                                              : telephony::sip::Transport::kUdp;
    t.username = c.auth_username;
    t.password = c.auth_password;
    t.from_domain = c.from_domain.value_or("");
    t.outbound_proxy = c.outbound_proxy.value_or("");
    t.codecs = c.codecs;
    t.srtp = c.media_encryption == domain::MediaEncryption::kSrtp;
    return t;
}

std::string CallerIdFor(const domain::Carrier& c, const std::string& e164) {
    switch (c.caller_id_format) {
        case domain::CallerIdFormat::kE164NoPlus: return e164.starts_with('+') ? e164.substr(1) : e164;
        case domain::CallerIdFormat::kNational: return NationalDigits(e164);
        case domain::CallerIdFormat::kE164: break;
    }
    return e164;
}

}  // namespace parley::calls
