#pragma once

#include "domain/call_service.hpp"
#include "domain/campaign_service.hpp"
#include "domain/contact_list_service.hpp"
#include "domain/contact_service.hpp"
#include "domain/engine_catalog.hpp"
#include "domain/entities.hpp"
#include "domain/key_service.hpp"

namespace parley::api {

using domain::Json;

// The JSON shapes of resources, shared by the REST API and the MCP tools.
Json ToJson(const domain::Contact& c);
Json ToJson(const domain::CustomField& f);
Json ToJson(const domain::ApiKey& k);
Json ToJson(const domain::NewKey& k);
Json ToJson(const domain::DncNumber& n);
Json ToJson(const domain::DncLedgerEntry& e);
Json ToJson(const domain::DncStatus& s);
Json ToJson(const domain::BulkOutcome& o, bool with_ids);
Json ToJson(const domain::Organization& o);
Json ToJson(const domain::Profile& p);
Json ToJson(const domain::VoicePreset& v);
Json ToJson(const domain::BuiltinVoice& v);
Json ToJson(const domain::ModelInfo& m);
// A call as seed 000's "Call Response"; the transcript only when asked for.
Json ToJson(const domain::Call& c, bool with_transcript = true);
Json ToJson(const domain::BatchOutcome& o);
Json ToJson(const domain::BatchStatus& s);
Json ToJson(const domain::ContactList& l);
Json ToJson(const domain::ListChange& c);
// A campaign's settings; with its live stats when they are given (get and control actions).
Json ToJson(const domain::Campaign& c);
Json ToJson(const domain::CampaignView& v);
Json ToJson(const domain::DialerSettings& s);

Json TimeOrNull(const std::optional<int64_t>& ms);
template <class T>
Json OrNull(const std::optional<T>& v) {
    return v ? Json(*v) : Json(nullptr);
}

}  // namespace parley::api
