#pragma once

#include <string_view>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "domain/entities.hpp"
#include "domain/repos.hpp"

namespace parley::domain {

inline constexpr size_t kMaxListChange = 1000;  // contact ids per add or remove request

struct ListChange {
    ContactList list;
    int64_t changed = 0;  // contacts added or removed by the request
};

// Named contact lists, a campaign's audience (seed 002 contact_list_id). Contacts added to a list
// that a running or paused campaign calls enter that campaign's queue at once.
class ContactListService {
public:
    ContactListService(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

    // {name, description?, contact_ids?}
    Result<ContactList> Create(const Principal& who, const Json& body);
    Result<ContactList> Get(const Principal& who, std::string_view id);
    Result<Page<ContactList>> List(const Principal& who, const PageRequest& page);
    // {name?, description?}
    Result<ContactList> Update(const Principal& who, std::string_view id, const Json& patch);
    // Refused (409) while a running or paused campaign calls the list.
    Result<void> Delete(const Principal& who, std::string_view id);
    // {contact_ids: [...]}: every id must be a contact of the organization.
    Result<ListChange> AddContacts(const Principal& who, std::string_view id, const Json& body);
    Result<ListChange> RemoveContacts(const Principal& who, std::string_view id, const Json& body);

private:
    Store& store_;
    const Clock& clock_;
};

}  // namespace parley::domain
