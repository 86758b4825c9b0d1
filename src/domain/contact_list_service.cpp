#include "domain/contact_list_service.hpp"

#include "common/ids.hpp"
#include "domain/validation.hpp"

namespace parley::domain {
namespace {

constexpr size_t kMaxListNameBytes = 200;
constexpr size_t kMaxDescriptionBytes = 2000;
// A request may name up to 1000 contacts; an error names this many of the unknown ones.
constexpr size_t kMaxNamedUnknownIds = 10;

Error DuplicateName(const std::string& name) {
    return Error{ErrorCode::kDuplicate,
                 "a contact list named \"" + name + "\" exists",
                 {{"name", "is taken by another list of this organization"}}};
}

Result<std::vector<std::string>> ContactIds(const Json& body, bool required) {
    if (!body.is_object()) return Fail(ErrorCode::kValidation, "request body must be a JSON object");
    auto it = body.find("contact_ids");
    if (it == body.end() || it->is_null()) {
        if (!required) return std::vector<std::string>{};
        return Fail(ErrorCode::kValidation, "contact_ids is required", {{"contact_ids", "is required"}});
    }
    if (!it->is_array() || (required && it->empty()) || it->size() > kMaxListChange) {
        return Fail(ErrorCode::kValidation, "contact_ids must be an array of 1 to 1000 contact ids",
                    {{"contact_ids", "must be an array of 1 to 1000 contact ids"}});
    }
    std::vector<std::string> ids;
    Checker checker;
    for (size_t i = 0; i < it->size(); ++i) {
        const Json& v = (*it)[i];
        if (!v.is_string() || v.get<std::string>().empty() || v.get<std::string>().size() > 64) {
            checker.SetIndex(static_cast<long>(i));
            checker.Add("contact_ids", "must be a contact id");
            continue;
        }
        ids.push_back(v.get<std::string>());
    }
    if (!checker.ok()) return Fail(checker.ToError("contact_ids are not valid"));
    return ids;
}

// The body of an add or remove request: {contact_ids: [...]} and nothing else.
Result<std::vector<std::string>> MemberIds(const Json& body) {
    if (body.is_object()) {
        Checker checker;
        checker.RejectUnknownKeys(body, {"contact_ids"});
        if (!checker.ok()) return Fail(checker.ToError("only contact_ids may be given"));
    }
    return ContactIds(body, true);
}

// Fails when any id is not a contact of the organization: the message counts them, the details
// name the first kMaxNamedUnknownIds with their index.
Result<void> CheckContactsExist(Repos& r, const std::string& org_id, const std::vector<std::string>& ids) {
    size_t unknown = 0;
    std::vector<FieldError> named;
    for (size_t i = 0; i < ids.size(); ++i) {
        auto found = r.contacts().Get(org_id, ids[i]);
        if (!found) return Fail(std::move(found.error()));
        if (*found) continue;
        ++unknown;
        if (named.size() < kMaxNamedUnknownIds) {
            named.push_back({"contact_ids", "no contact " + ids[i] + " in this organization", static_cast<long>(i)});
        }
    }
    if (unknown == 0) return {};
    std::string message = std::to_string(unknown) + " of the " + std::to_string(ids.size()) +
                          " contact ids are not contacts of this organization";
    if (unknown > named.size()) message += "; the details name the first " + std::to_string(named.size());
    return Fail(ErrorCode::kUnprocessable, std::move(message), std::move(named));
}

}  // namespace

Result<ContactList> ContactListService::Create(const Principal& who, const Json& body) {
    if (!body.is_object()) return Fail(ErrorCode::kValidation, "request body must be a JSON object");
    Checker checker;
    checker.RejectUnknownKeys(body, {"name", "description", "contact_ids"});
    ContactList list;
    if (auto name = checker.String(body, "name", kMaxListNameBytes, true)) list.name = *name;
    if (auto d = checker.String(body, "description", kMaxDescriptionBytes)) list.description = *d;
    if (!checker.ok()) return Fail(checker.ToError("contact list is not valid"));
    auto ids = ContactIds(body, false);
    if (!ids) return Fail(std::move(ids.error()));
    const int64_t now = clock_.NowMs();
    list.id = NewId("list_", now);
    list.org_id = who.org_id;
    list.created_at = list.updated_at = now;
    return WriteTx(store_, [&](Repos& r) -> Result<ContactList> {
        if (auto exist = CheckContactsExist(r, who.org_id, *ids); !exist) return Fail(std::move(exist.error()));
        if (auto inserted = r.contact_lists().Insert(list); !inserted) {
            if (inserted.error().code == ErrorCode::kDuplicate) return Fail(DuplicateName(list.name));
            return Fail(std::move(inserted.error()));
        }
        if (auto added = r.contact_lists().AddMembers(who.org_id, list.id, *ids, now); !added) {
            return Fail(std::move(added.error()));
        }
        auto stored = r.contact_lists().Get(who.org_id, list.id);
        if (!stored) return Fail(std::move(stored.error()));
        return std::move(**stored);
    });
}

Result<ContactList> ContactListService::Get(const Principal& who, std::string_view id) {
    auto found = ReadTx(store_, [&](Repos& r) { return r.contact_lists().Get(who.org_id, id); });
    if (!found) return Fail(std::move(found.error()));
    if (!*found) return Fail(ErrorCode::kNotFound, "contact list not found");
    return std::move(**found);
}

Result<Page<ContactList>> ContactListService::List(const Principal& who, const PageRequest& page) {
    return ReadTx(store_, [&](Repos& r) { return r.contact_lists().List(who.org_id, page); });
}

Result<ContactList> ContactListService::Update(const Principal& who, std::string_view id, const Json& patch) {
    if (!patch.is_object()) return Fail(ErrorCode::kValidation, "request body must be a JSON object");
    Checker checker;
    checker.RejectUnknownKeys(patch, {"name", "description"});
    auto name = checker.String(patch, "name", kMaxListNameBytes);
    if (name && name->empty()) checker.Add("name", "must not be empty");
    auto description = checker.String(patch, "description", kMaxDescriptionBytes, false, true);
    if (!checker.ok()) return Fail(checker.ToError("contact list is not valid"));
    return WriteTx(store_, [&](Repos& r) -> Result<ContactList> {
        auto found = r.contact_lists().Get(who.org_id, id);
        if (!found) return Fail(std::move(found.error()));
        if (!*found) return Fail(ErrorCode::kNotFound, "contact list not found");
        ContactList list = std::move(**found);
        if (name) list.name = *name;
        if (description) list.description = *description;
        list.updated_at = clock_.NowMs();
        if (auto saved = r.contact_lists().Update(list); !saved) {
            if (saved.error().code == ErrorCode::kDuplicate) return Fail(DuplicateName(list.name));
            return Fail(std::move(saved.error()));
        }
        return list;
    });
}

Result<void> ContactListService::Delete(const Principal& who, std::string_view id) {
    return store_.Write([&](Repos& r) -> Result<void> {
        auto users = r.campaigns().ActiveUsingList(who.org_id, id);
        if (!users) return Fail(std::move(users.error()));
        if (!users->empty()) {
            return Fail(ErrorCode::kConflict,
                        "campaign " + users->front().id + " is " + std::string(ToString(users->front().status)) +
                            " with this list; stop it first",
                        {{"campaign_id", users->front().id}});
        }
        auto deleted = r.contact_lists().Delete(who.org_id, id);
        if (!deleted) return Fail(std::move(deleted.error()));
        if (!*deleted) return Fail(ErrorCode::kNotFound, "contact list not found");
        return {};
    });
}

Result<ListChange> ContactListService::AddContacts(const Principal& who, std::string_view id, const Json& body) {
    auto ids = MemberIds(body);
    if (!ids) return Fail(std::move(ids.error()));
    const int64_t now = clock_.NowMs();
    return WriteTx(store_, [&](Repos& r) -> Result<ListChange> {
        auto found = r.contact_lists().Get(who.org_id, id);
        if (!found) return Fail(std::move(found.error()));
        if (!*found) return Fail(ErrorCode::kNotFound, "contact list not found");
        if (auto exist = CheckContactsExist(r, who.org_id, *ids); !exist) return Fail(std::move(exist.error()));
        auto added = r.contact_lists().AddMembers(who.org_id, id, *ids, now);
        if (!added) return Fail(std::move(added.error()));
        auto campaigns = r.campaigns().ActiveUsingList(who.org_id, id);
        if (!campaigns) return Fail(std::move(campaigns.error()));
        for (const auto& campaign : *campaigns) {
            for (const auto& contact_id : *ids) {
                if (auto q = r.campaigns().EnqueueContact(campaign, contact_id, now); !q)
                    return Fail(std::move(q.error()));
            }
        }
        auto stored = r.contact_lists().Get(who.org_id, id);
        if (!stored) return Fail(std::move(stored.error()));
        return ListChange{std::move(**stored), *added};
    });
}

Result<ListChange> ContactListService::RemoveContacts(const Principal& who, std::string_view id, const Json& body) {
    auto ids = MemberIds(body);
    if (!ids) return Fail(std::move(ids.error()));
    return WriteTx(store_, [&](Repos& r) -> Result<ListChange> {
        auto found = r.contact_lists().Get(who.org_id, id);
        if (!found) return Fail(std::move(found.error()));
        if (!*found) return Fail(ErrorCode::kNotFound, "contact list not found");
        auto removed = r.contact_lists().RemoveMembers(who.org_id, id, *ids);
        if (!removed) return Fail(std::move(removed.error()));
        // A running or paused campaign of this list no longer calls a removed contact it reached
        // only through the list (one a tag or the campaign's id still selects stays).
        auto campaigns = r.campaigns().ActiveUsingList(who.org_id, id);
        if (!campaigns) return Fail(std::move(campaigns.error()));
        for (const auto& campaign : *campaigns) {
            const Audience audience{campaign.spec.contact_list_id, campaign.spec.contact_tags};
            for (const auto& contact_id : *ids) {
                auto dequeued = r.campaigns().DequeueUnlessSelected(campaign, audience, contact_id);
                if (!dequeued) return Fail(std::move(dequeued.error()));
            }
        }
        auto stored = r.contact_lists().Get(who.org_id, id);
        if (!stored) return Fail(std::move(stored.error()));
        return ListChange{std::move(**stored), *removed};
    });
}

}  // namespace parley::domain
