#pragma once

#include "domain/call_service.hpp"
#include "domain/campaign_service.hpp"
#include "domain/contact_list_service.hpp"
#include "domain/contact_service.hpp"
#include "domain/engine_catalog.hpp"
#include "domain/entities.hpp"
#include "domain/key_service.hpp"
#include "domain/webhook_service.hpp"

namespace parley::domain {

// The JSON shapes of resources, shared by the REST API, the MCP tools and event payloads.
Json ToJson(const Contact& c);
Json ToJson(const CustomField& f);
Json ToJson(const ApiKey& k);
Json ToJson(const NewKey& k);
Json ToJson(const DncNumber& n);
Json ToJson(const DncLedgerEntry& e);
Json ToJson(const DncStatus& s);
Json ToJson(const BulkOutcome& o, bool with_ids);
Json ToJson(const Organization& o);
Json ToJson(const Profile& p);
Json ToJson(const VoicePreset& v);
// The password is never shown: "auth_password_set" says whether there is one.
Json ToJson(const Carrier& c);
Json ToJson(const OwnedNumber& n);
Json ToJson(const CarrierCheck& c);
Json ToJson(const BuiltinVoice& v);
Json ToJson(const ModelInfo& m);
// A call as seed 000's "Call Response"; the transcript only when asked for.
Json ToJson(const Call& c, bool with_transcript = true);
Json ToJson(const BatchOutcome& o);
Json ToJson(const BatchStatus& s);
Json ToJson(const ContactList& l);
// A report's id, name and description, its definition's fields, and its times.
Json ToJson(const SavedReport& r);
Json ToJson(const LedgerEntry& e);
Json ToJson(const ListChange& c);
// A campaign's settings; with its live stats when they are given (get and control actions).
Json ToJson(const Campaign& c);
Json ToJson(const CampaignView& v);
Json ToJson(const DialerSettings& s);

// A webhook endpoint; its whole secret only when made or rotated.
Json ToJson(const WebhookEndpoint& e);
Json ToJson(const WebhookWithSecret& w);
Json ToJson(const WebhookDelivery& d);

Json TimeOrNull(const std::optional<int64_t>& ms);
template <class T>
Json OrNull(const std::optional<T>& v) {
    return v ? Json(*v) : Json(nullptr);
}

}  // namespace parley::domain
