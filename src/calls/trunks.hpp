#pragma once

#include <string>

#include "domain/entities.hpp"
#include "telephony/sip/sip_agent.hpp"

namespace parley::calls {

// An organization's carrier as the SIP agent dials it.
telephony::sip::SipTrunk TrunkOf(const domain::Carrier& c);

// The caller id `e164` as the carrier wants it written (its caller_id_format).
std::string CallerIdFor(const domain::Carrier& c, const std::string& e164);

}  // namespace parley::calls
