#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "domain/entities.hpp"
#include "domain/repos.hpp"
#include "domain/validation.hpp"

namespace parley::domain {

inline constexpr size_t kMaxBulkContacts = 1000;
inline constexpr size_t kMaxImportRows = 100'000;
// The contact's own columns and its custom fields (at most kMaxCustomValues), with room to spare.
inline constexpr size_t kMaxImportColumns = 150;

// What happened to each row of a bulk create or an import.
struct BulkOutcome {
    struct Failure {
        long index = 0;      // bulk: position in "contacts" (from 0); import: CSV row (the header is row 1)
        std::string status;  // "duplicate" or "invalid"
        std::optional<std::string> phone;
        std::optional<std::string> existing_contact_id;
        std::vector<FieldError> errors;
    };
    int created = 0;
    int duplicates = 0;
    int invalid = 0;
    std::vector<std::string> created_ids;
    std::vector<Failure> failures;
};

// The filters of a contact list as a user writes them; checked by List.
struct ContactQuery {
    std::optional<std::string> dnc_status;  // "dnc" or "callable"
    std::optional<std::string> source;
    std::optional<std::string> tag;
    std::optional<std::string> campaign_id;
    std::optional<std::string> phone;
    std::optional<std::string> list_id;  // members of a contact list
};

struct DncStatus {
    std::string phone;
    std::optional<DncNumber> listed;
    std::vector<DncLedgerEntry> history;
};

class ContactService {
public:
    ContactService(Store& store, const Clock& clock, std::string default_region)
        : store_(store), clock_(clock), default_region_(std::move(default_region)) {}

    // `source` is the default for the contact's source field (the caller's channel).
    Result<Contact> Create(const Principal& who, const Json& body, std::string_view source = "api");
    Result<BulkOutcome> CreateMany(const Principal& who, const Json& body, const Progress& progress = {});
    // `options` may set tags, campaign_id and source for every row (checked as a bulk request's).
    Result<BulkOutcome> Import(const Principal& who, std::string_view csv, const Json& options);
    Result<Contact> Get(const Principal& who, std::string_view id);
    Result<Page<Contact>> List(const Principal& who, const ContactQuery& query, const PageRequest& page);
    Result<Contact> Update(const Principal& who, std::string_view id, const Json& patch);
    // The number stays on the DNC list if it is there: the list belongs to the organization.
    Result<void> Delete(const Principal& who, std::string_view id);
    Result<Contact> SetDnc(const Principal& who, std::string_view id, bool on_list, const Json& body);

    Result<Page<DncNumber>> ListDnc(const Principal& who, const PageRequest& page);
    Result<DncStatus> CheckDnc(const Principal& who, std::string_view phone);
    // Adds the number to the organization's list or takes it off, with a ledger entry. Adding a
    // listed number records another entry; removing one that is not listed is kNotFound and
    // writes nothing.
    Result<DncStatus> ChangeDnc(const Principal& who, const Json& body, bool on_list);
    Result<DncStatus> ChangeDnc(const Principal& who, std::string_view phone, bool on_list, const Json& body,
                                bool phone_in_body = false);

private:
    Result<std::vector<CustomField>> Definitions(const Principal& who);
    Result<BulkOutcome> InsertRows(const Principal& who, const std::vector<CustomField>& defs,
                                   std::span<const Json> rows, const Json& defaults, std::string_view default_source,
                                   std::span<const long> indexes, std::vector<BulkOutcome::Failure> failures,
                                   DncReason dnc_reason, const Progress& progress = {});

    Store& store_;
    const Clock& clock_;
    std::string default_region_;
};

}  // namespace parley::domain
