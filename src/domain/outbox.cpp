#include "domain/outbox.hpp"

#include "common/ids.hpp"

namespace parley::domain {

Result<bool> SaveCall(Repos& r, const Call& call, CallStatus expected, int64_t now) {
    auto saved = r.calls().Save(call, expected);
    if (!saved || !*saved || call.status == expected) return saved;
    if (auto event = CallStatusEvent(call, now)) {
        if (auto recorded = r.webhooks().Record(*event); !recorded) return Fail(std::move(recorded.error()));
    }
    return true;
}

DncLedgerEntry NewDncEntry(std::string org_id, std::string phone, DncAction action, DncReason reason, int64_t now) {
    DncLedgerEntry e;
    e.id = NewId("dnc_", now);
    e.org_id = std::move(org_id);
    e.phone = std::move(phone);
    e.action = action;
    e.reason = reason;
    e.created_at = now;
    return e;
}

Result<void> RecordDnc(Repos& r, const DncLedgerEntry& entry, bool contact_updated) {
    if (auto recorded = r.dnc().Record(entry); !recorded) return recorded;
    if (entry.action == DncAction::kAdd) {
        if (auto e = r.webhooks().Record(DncRequestedEvent(entry, entry.created_at)); !e) return e;
    }
    if (!contact_updated || !entry.contact_id) return {};
    auto contact = r.contacts().Get(entry.org_id, *entry.contact_id);
    if (!contact) return Fail(std::move(contact.error()));
    if (!*contact) return {};
    return r.webhooks().Record(ContactEvent("contact.updated", **contact, entry.created_at));
}

}  // namespace parley::domain
