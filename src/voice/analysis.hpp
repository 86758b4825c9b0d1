#pragma once

#include <vector>

#include "domain/entities.hpp"
#include "voice/brain.hpp"

namespace parley::voice {

// The post-call analysis of seed 000's "Call Response": disposition, sentiment, summary,
// meeting_booked, ai_confidence_score and the extracted fields as typed values. Only fields
// named in `fields` are reported, each as a value its definition accepts, or null.
Json Analyze(const Conversation& conversation, domain::CallStatus status,
             const std::vector<domain::CustomField>& fields);

}  // namespace parley::voice
