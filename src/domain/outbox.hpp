#pragma once

#include "common/error.hpp"
#include "domain/entities.hpp"
#include "domain/events.hpp"
#include "domain/repos.hpp"

namespace parley::domain {

// Changes that cause events, each written with its events in the caller's transaction.

// Saves the call if its stored status is still `expected` (CallRepo::Save) and records the event
// its new status causes (CallStatusEvent). False when another writer changed the call first.
Result<bool> SaveCall(Repos& r, const Call& call, CallStatus expected, int64_t now);

// A new Do Not Call ledger entry for `phone` (E.164) in `org_id`, made at `now`; the caller adds
// who and why beyond the reason (note, contact, call, API key).
DncLedgerEntry NewDncEntry(std::string org_id, std::string phone, DncAction action, DncReason reason, int64_t now);

// Appends to the Do Not Call ledger. An addition records contact.dnc_requested; with
// `contact_updated`, when the number belongs to a contact, contact.updated follows with the
// contact as it is now (a contact being created records contact.created instead).
Result<void> RecordDnc(Repos& r, const DncLedgerEntry& entry, bool contact_updated = true);

}  // namespace parley::domain
