#include "domain/contact_service.hpp"

#include <algorithm>
#include <map>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "common/ids.hpp"
#include "common/phone.hpp"
#include "common/text.hpp"
#include "domain/contact_body.hpp"
#include "domain/csv.hpp"
#include "domain/custom_field_service.hpp"
#include "domain/outbox.hpp"

namespace parley::domain {
namespace {

DncLedgerEntry DncEntryBy(const Principal& who, std::string_view phone, DncAction action, DncReason reason,
                          std::optional<std::string> contact_id, std::optional<std::string> note, int64_t now) {
    DncLedgerEntry e = NewDncEntry(who.org_id, std::string(phone), action, reason, now);
    e.note = std::move(note);
    e.contact_id = std::move(contact_id);
    e.api_key_id = who.key_id;
    return e;
}

Error DuplicatePhone(std::string_view phone) {
    return Error{ErrorCode::kDuplicate,
                 "a contact with phone " + std::string(phone) + " exists",
                 {{"phone", "is already used by another contact"}}};
}

Error UnknownCampaign(const std::string& id, long index = -1) {
    return Error{ErrorCode::kUnprocessable,
                 "no campaign \"" + id + "\" in this organization",
                 {{"campaign_id", "is not a campaign of this organization", index}}};
}

// Contacts that name a campaign join it: while the campaign runs (or is paused) they enter its
// queue at once (seed 000 "Create Contact"); a draft campaign takes them when it starts.
// `campaigns` caches what was read, for requests with many contacts.
Result<void> JoinCampaign(Repos& r, const Contact& contact, int64_t now,
                          std::map<std::string, std::optional<Campaign>>& campaigns) {
    if (!contact.campaign_id) return {};
    auto it = campaigns.find(*contact.campaign_id);
    if (it == campaigns.end()) {
        auto found = r.campaigns().Get(contact.org_id, *contact.campaign_id);
        if (!found) return Fail(std::move(found.error()));
        it = campaigns.emplace(*contact.campaign_id, std::move(*found)).first;
    }
    if (!it->second) return Fail(UnknownCampaign(*contact.campaign_id));
    const Campaign& campaign = *it->second;
    if (campaign.status == CampaignStatus::kRunning || campaign.status == CampaignStatus::kPaused) {
        auto queued = r.campaigns().EnqueueContact(campaign, contact.id, now);
        if (!queued) return Fail(std::move(queued.error()));
    }
    return {};
}

}  // namespace

Result<std::vector<CustomField>> ContactService::Definitions(const Principal& who) {
    return ReadTx(store_, [&](Repos& r) { return r.custom_fields().All(who.org_id); });
}

Result<Contact> ContactService::Create(const Principal& who, const Json& body, std::string_view source) {
    if (!body.is_object()) return Fail(ErrorCode::kValidation, "request body must be a JSON object");
    auto defs = Definitions(who);
    if (!defs) return Fail(std::move(defs.error()));
    Contact contact;
    contact.source = std::string(source);
    Checker checker;
    std::optional<bool> dnc;
    ReadContactFields(body, contact, true, *defs, default_region_, checker, &dnc);
    if (!checker.ok()) return Fail(checker.ToError("contact is not valid"));
    const int64_t now = clock_.NowMs();
    contact.id = NewId("ct_", now);
    contact.org_id = who.org_id;
    contact.created_at = contact.updated_at = now;
    return WriteTx(store_, [&](Repos& r) -> Result<Contact> {
        if (auto inserted = r.contacts().Insert(contact); !inserted) {
            if (inserted.error().code == ErrorCode::kDuplicate) return Fail(DuplicatePhone(contact.phone));
            return Fail(std::move(inserted.error()));
        }
        std::map<std::string, std::optional<Campaign>> campaigns;
        if (auto joined = JoinCampaign(r, contact, now, campaigns); !joined) return Fail(std::move(joined.error()));
        if (dnc.value_or(false)) {
            auto entry = DncEntryBy(who, contact.phone, DncAction::kAdd, DncReason::kApi, contact.id, {}, now);
            if (auto recorded = RecordDnc(r, entry, false); !recorded) return Fail(std::move(recorded.error()));
        }
        auto stored = r.contacts().Get(who.org_id, contact.id);
        if (!stored) return Fail(std::move(stored.error()));
        if (auto e = r.webhooks().Record(ContactEvent("contact.created", **stored, now)); !e)
            return Fail(std::move(e.error()));
        return std::move(**stored);
    });
}

Result<BulkOutcome> ContactService::CreateMany(const Principal& who, const Json& body, const Progress& progress) {
    if (!body.is_object()) return Fail(ErrorCode::kValidation, "request body must be a JSON object");
    Checker checker;
    checker.RejectUnknownKeys(body, {"contacts", "campaign_id", "tags", "source"});
    const auto it = body.find("contacts");
    if (it == body.end() || !it->is_array()) {
        checker.Add("contacts", "must be an array of contacts");
    } else if (it->empty() || it->size() > kMaxBulkContacts) {
        checker.Add("contacts", "must hold 1 to 1000 contacts");
    }
    Json defaults = ReadRowDefaults(body, checker);
    if (!checker.ok()) return Fail(checker.ToError("bulk request is not valid"));
    auto defs = Definitions(who);
    if (!defs) return Fail(std::move(defs.error()));
    const auto& rows = it->get_ref<const Json::array_t&>();
    std::vector<long> indexes(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) indexes[i] = static_cast<long>(i);
    return InsertRows(who, *defs, rows, defaults, "bulk", indexes, {}, DncReason::kApi, progress);
}

Result<BulkOutcome> ContactService::Import(const Principal& who, std::string_view csv, const Json& options) {
    if (!options.is_object()) return Fail(ErrorCode::kValidation, "import options must be an object");
    Checker checker;
    checker.RejectUnknownKeys(options, {"tags", "campaign_id", "source"});
    const Json defaults_in = ReadRowDefaults(options, checker);
    if (!checker.ok()) return Fail(checker.ToError("import options are not valid"));
    auto records = ParseCsv(csv, kMaxImportRows + 1);
    if (!records) return Fail(std::move(records.error()));
    if (records->empty()) return Fail(ErrorCode::kValidation, "CSV is empty: a header row and data rows are needed");
    if (records->size() == 1) return Fail(ErrorCode::kValidation, "CSV has a header row but no data rows");
    auto defs = Definitions(who);
    if (!defs) return Fail(std::move(defs.error()));

    static constexpr std::string_view kTextColumns[] = {"first_name", "last_name", "phone",       "email",
                                                        "company",    "timezone",  "campaign_id", "source"};
    const auto& header = records->front();
    if (header.size() > kMaxImportColumns) {
        return Fail(ErrorCode::kValidation, "CSV header has " + std::to_string(header.size()) + " columns; at most " +
                                                std::to_string(kMaxImportColumns) + " are read");
    }
    std::vector<std::string> columns;
    std::unordered_set<std::string> seen;
    bool has_phone = false;
    for (const auto& h : header) {
        auto name = ToLower(Trim(h));
        if (name.empty()) return Fail(ErrorCode::kValidation, "CSV header has an empty column name");
        if (!seen.insert(name).second) return Fail(ErrorCode::kValidation, "CSV header names \"" + name + "\" twice");
        has_phone = has_phone || name == "phone";
        columns.push_back(std::move(name));
    }
    if (!has_phone) return Fail(ErrorCode::kValidation, "CSV header needs a \"phone\" column");

    std::vector<Json> rows;
    std::vector<long> indexes;
    std::vector<BulkOutcome::Failure> failures;
    rows.reserve(records->size() - 1);
    for (size_t r = 1; r < records->size(); ++r) {
        const auto& record = (*records)[r];
        const long line = static_cast<long>(r) + 1;  // the header is row 1
        Checker checker;
        checker.SetIndex(line);
        if (record.size() != columns.size()) {
            checker.Add("row", "has " + std::to_string(record.size()) + " columns; the header has " +
                                   std::to_string(columns.size()));
        }
        Json row = Json::object();
        Json custom = Json::object();
        for (size_t c = 0; c < columns.size() && c < record.size(); ++c) {
            const auto cell = Trim(record[c]);
            if (cell.empty()) continue;
            const auto& col = columns[c];
            if (std::find(std::begin(kTextColumns), std::end(kTextColumns), col) != std::end(kTextColumns)) {
                row[col] = std::string(cell);
            } else if (col == "tags") {
                Json tags = Json::array();
                size_t start = 0;
                while (start <= cell.size()) {
                    auto end = cell.find_first_of(";|", start);
                    if (end == std::string_view::npos) end = cell.size();
                    auto tag = Trim(cell.substr(start, end - start));
                    if (!tag.empty()) tags.push_back(std::string(tag));
                    start = end + 1;
                }
                row["tags"] = std::move(tags);
            } else if (col == "dnc") {
                static const CustomField boolean_field{.type = FieldType::kBoolean};
                if (auto v = CoerceCell(cell, &boolean_field)) {
                    row["dnc"] = *v;
                } else {
                    checker.Add("dnc", "must be true/false, yes/no or 1/0");
                }
            } else {
                const CustomField* def = nullptr;
                for (const auto& d : *defs) {
                    if (d.name == col) def = &d;
                }
                if (auto v = CoerceCell(cell, def)) {
                    custom[col] = *v;
                } else {
                    checker.Add("custom_fields." + col, std::string("must be a ") + std::string(ToString(def->type)));
                }
            }
        }
        if (!custom.empty()) row["custom_fields"] = std::move(custom);
        if (!checker.ok()) {
            BulkOutcome::Failure f;
            f.index = line;
            f.status = "invalid";
            f.errors = std::move(checker.errors());
            failures.push_back(std::move(f));
            continue;
        }
        rows.push_back(std::move(row));
        indexes.push_back(line);
    }
    records->clear();
    return InsertRows(who, *defs, rows, defaults_in, "import", indexes, std::move(failures), DncReason::kImport);
}

Result<BulkOutcome> ContactService::InsertRows(const Principal& who, const std::vector<CustomField>& defs,
                                               std::span<const Json> rows, const Json& defaults,
                                               std::string_view default_source, std::span<const long> indexes,
                                               std::vector<BulkOutcome::Failure> failures, DncReason dnc_reason,
                                               const Progress& progress) {
    BulkOutcome out;
    out.invalid = static_cast<int>(failures.size());
    out.failures = std::move(failures);
    std::vector<std::string> default_tags;
    if (auto t = defaults.find("tags"); t != defaults.end() && t->is_array()) {
        for (const auto& tag : *t) default_tags.push_back(tag.get<std::string>());
    }

    // Checking rows (phone numbers above all) is most of the work and each row stands alone,
    // so a large request is checked on two threads; what depends on order comes after.
    struct Checked {
        Contact contact;
        bool dnc = false;
        std::vector<FieldError> errors;
    };
    std::vector<Checked> checked(rows.size());
    auto check_range = [&](size_t begin, size_t end) {
        for (size_t i = begin; i < end; ++i) {
            Checker checker;
            checker.SetIndex(indexes[i]);
            Checked& c = checked[i];
            c.contact.source = std::string(default_source);
            if (!rows[i].is_object()) {
                checker.Add("contact", "must be a JSON object");
            } else {
                std::optional<bool> dnc;
                ReadContactFields(rows[i], c.contact, true, defs, default_region_, checker, &dnc);
                c.dnc = dnc.value_or(false);
            }
            c.errors = std::move(checker.errors());
        }
    };
    constexpr size_t kParallelFrom = 200;
    if (rows.size() >= kParallelFrom) {
        const size_t half = rows.size() / 2;
        std::thread helper(check_range, half, rows.size());
        check_range(0, half);
        helper.join();
    } else {
        check_range(0, rows.size());
    }

    struct Ready {
        Contact contact;
        bool dnc = false;
        long index = 0;
    };
    std::vector<Ready> ready;
    ready.reserve(rows.size());
    std::unordered_set<std::string> phones_seen;
    std::map<std::string, bool> known_campaigns;
    const int64_t now = clock_.NowMs();
    for (size_t i = 0; i < rows.size(); ++i) {
        const long index = indexes[i];
        Checked& c = checked[i];
        if (!c.errors.empty()) {
            out.invalid++;
            out.failures.push_back({index, "invalid", std::nullopt, std::nullopt, std::move(c.errors)});
            continue;
        }
        if (!phones_seen.insert(c.contact.phone).second) {
            out.duplicates++;
            out.failures.push_back({index,
                                    "duplicate",
                                    c.contact.phone,
                                    std::nullopt,
                                    {{"phone", "appears earlier in this request", index}}});
            continue;
        }
        Contact& contact = c.contact;
        for (const auto& tag : default_tags) {
            if (std::find(contact.tags.begin(), contact.tags.end(), tag) == contact.tags.end() &&
                contact.tags.size() < kMaxContactTags) {
                contact.tags.push_back(tag);
            }
        }
        if (!contact.campaign_id && defaults.contains("campaign_id")) {
            contact.campaign_id = defaults["campaign_id"].get<std::string>();
        }
        if (contact.campaign_id) {
            auto known = known_campaigns.find(*contact.campaign_id);
            if (known == known_campaigns.end()) {
                auto found =
                    ReadTx(store_, [&](Repos& r) { return r.campaigns().Get(who.org_id, *contact.campaign_id); });
                if (!found) return Fail(std::move(found.error()));
                known = known_campaigns.emplace(*contact.campaign_id, found->has_value()).first;
            }
            if (!known->second) {
                out.invalid++;
                out.failures.push_back({index, "invalid", std::nullopt, std::nullopt,
                                        UnknownCampaign(*contact.campaign_id, index).details});
                continue;
            }
        }
        if (contact.source == default_source && defaults.contains("source")) {
            contact.source = defaults["source"].get<std::string>();
        }
        contact.org_id = who.org_id;
        contact.id = NewId("ct_", now);
        contact.created_at = contact.updated_at = now;
        ready.push_back(Ready{std::move(contact), c.dnc, index});
    }

    // One transaction: an import or a bulk request is written whole or not at all, so a crash or
    // a failure halfway leaves no partial import for a retry to trip over. Other writers wait
    // for it (about a second for 100,000 rows on SQLite, the most an import takes).
    std::vector<std::pair<size_t, std::optional<std::string>>> dupes;
    // Rows refused before the write count as done: progress is over every row of the request.
    const auto total = static_cast<int64_t>(out.failures.size() + ready.size());
    const auto refused = static_cast<int64_t>(out.failures.size());
    auto done = store_.Write([&](Repos& r) -> Result<void> {
        dupes.clear();
        std::map<std::string, std::optional<Campaign>> campaigns;
        for (size_t i = 0; i < ready.size(); ++i) {
            Report(progress, refused + static_cast<int64_t>(i), total);
            auto& item = ready[i];
            auto inserted = r.contacts().InsertIfNew(item.contact);
            if (!inserted) return Fail(std::move(inserted.error()));
            if (!*inserted) {
                auto existing = r.contacts().IdByPhone(who.org_id, item.contact.phone);
                if (!existing) return Fail(std::move(existing.error()));
                dupes.emplace_back(i, *existing);
                continue;
            }
            if (auto joined = JoinCampaign(r, item.contact, now, campaigns); !joined) return joined;
            if (item.dnc) {
                auto entry = DncEntryBy(who, item.contact.phone, DncAction::kAdd, dnc_reason, item.contact.id, {}, now);
                if (auto recorded = RecordDnc(r, entry, false); !recorded) return recorded;
            }
            Contact created = item.contact;
            if (item.dnc) {
                created.dnc = true;
                created.dnc_since = now;
            }
            if (auto e = r.webhooks().Record(ContactEvent("contact.created", created, now)); !e) return e;
        }
        Report(progress, total, total);
        return {};
    });
    if (!done) return Fail(std::move(done.error()));
    size_t d = 0;
    for (size_t i = 0; i < ready.size(); ++i) {
        if (d < dupes.size() && dupes[d].first == i) {
            out.duplicates++;
            out.failures.push_back({ready[i].index,
                                    "duplicate",
                                    ready[i].contact.phone,
                                    dupes[d].second,
                                    {{"phone", "is already used by another contact", ready[i].index}}});
            ++d;
        } else {
            out.created++;
            out.created_ids.push_back(ready[i].contact.id);
        }
    }
    std::sort(out.failures.begin(), out.failures.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
    return out;
}

Result<Contact> ContactService::Get(const Principal& who, std::string_view id) {
    auto found = ReadTx(store_, [&](Repos& r) { return r.contacts().Get(who.org_id, id); });
    if (!found) return Fail(std::move(found.error()));
    if (!*found) return Fail(ErrorCode::kNotFound, "contact not found");
    return std::move(**found);
}

Result<Page<Contact>> ContactService::List(const Principal& who, const ContactQuery& query, const PageRequest& page) {
    ContactFilter filter;
    Checker checker;
    if (query.dnc_status) {
        if (*query.dnc_status == "dnc") {
            filter.dnc = true;
        } else if (*query.dnc_status == "callable") {
            filter.dnc = false;
        } else {
            checker.Add("dnc_status", "must be dnc or callable");
        }
    }
    filter.source = query.source;
    filter.tag = query.tag;
    filter.campaign_id = query.campaign_id;
    filter.list_id = query.list_id;
    if (query.phone) {
        auto parsed = ParsePhone(*query.phone, default_region_);
        if (!parsed) {
            checker.Add("phone", "is not a valid phone number");
        } else {
            filter.phone = parsed->e164;
        }
    }
    if (!checker.ok()) return Fail(checker.ToError("list filters are not valid"));
    return ReadTx(store_, [&](Repos& r) { return r.contacts().List(who.org_id, filter, page); });
}

Result<Contact> ContactService::Update(const Principal& who, std::string_view id, const Json& patch) {
    if (!patch.is_object()) return Fail(ErrorCode::kValidation, "request body must be a JSON object");
    auto defs = Definitions(who);
    if (!defs) return Fail(std::move(defs.error()));
    return WriteTx(store_, [&](Repos& r) -> Result<Contact> {
        auto existing = r.contacts().Get(who.org_id, id);
        if (!existing) return Fail(std::move(existing.error()));
        if (!*existing) return Fail(ErrorCode::kNotFound, "contact not found");
        Contact contact = std::move(**existing);
        const auto campaign_before = contact.campaign_id;
        Checker checker;
        ReadContactFields(patch, contact, false, *defs, default_region_, checker, nullptr);
        if (!checker.ok()) return Fail(checker.ToError("contact is not valid"));
        contact.updated_at = clock_.NowMs();
        if (auto saved = r.contacts().Update(contact); !saved) {
            if (saved.error().code == ErrorCode::kDuplicate) return Fail(DuplicatePhone(contact.phone));
            return Fail(std::move(saved.error()));
        }
        if (contact.campaign_id != campaign_before) {
            std::map<std::string, std::optional<Campaign>> campaigns;
            auto joined = JoinCampaign(r, contact, contact.updated_at, campaigns);
            if (!joined) return Fail(std::move(joined.error()));
        }
        auto stored = r.contacts().Get(who.org_id, id);
        if (!stored) return Fail(std::move(stored.error()));
        auto e = r.webhooks().Record(ContactEvent("contact.updated", **stored, contact.updated_at));
        if (!e) return Fail(std::move(e.error()));
        return std::move(**stored);
    });
}

Result<void> ContactService::Delete(const Principal& who, std::string_view id) {
    auto deleted = WriteTx(store_, [&](Repos& r) { return r.contacts().Delete(who.org_id, id); });
    if (!deleted) return Fail(std::move(deleted.error()));
    if (!*deleted) return Fail(ErrorCode::kNotFound, "contact not found");
    return {};
}

Result<Contact> ContactService::SetDnc(const Principal& who, std::string_view id, bool on_list, const Json& body) {
    auto note = ReadNote(body, false);
    if (!note) return Fail(std::move(note.error()));
    return WriteTx(store_, [&](Repos& r) -> Result<Contact> {
        auto existing = r.contacts().Get(who.org_id, id);
        if (!existing) return Fail(std::move(existing.error()));
        if (!*existing) return Fail(ErrorCode::kNotFound, "contact not found");
        const int64_t now = clock_.NowMs();
        auto entry = DncEntryBy(who, (*existing)->phone, on_list ? DncAction::kAdd : DncAction::kRemove,
                                DncReason::kApi, std::string(id), *note, now);
        if (auto recorded = RecordDnc(r, entry); !recorded) return Fail(std::move(recorded.error()));
        auto stored = r.contacts().Get(who.org_id, id);
        if (!stored) return Fail(std::move(stored.error()));
        return std::move(**stored);
    });
}

Result<Page<DncNumber>> ContactService::ListDnc(const Principal& who, const PageRequest& page) {
    return ReadTx(store_, [&](Repos& r) { return r.dnc().List(who.org_id, page); });
}

Result<DncStatus> ContactService::CheckDnc(const Principal& who, std::string_view phone_text) {
    auto phone = ParsePhone(phone_text, default_region_);
    if (!phone) return Fail(ErrorCode::kValidation, phone.error().message, {{"phone", phone.error().message}});
    return ReadTx(store_, [&](Repos& r) -> Result<DncStatus> {
        DncStatus status;
        status.phone = phone->e164;
        auto listed = r.dnc().Find(who.org_id, phone->e164);
        if (!listed) return Fail(std::move(listed.error()));
        status.listed = std::move(*listed);
        auto history = r.dnc().History(who.org_id, phone->e164);
        if (!history) return Fail(std::move(history.error()));
        status.history = std::move(*history);
        return status;
    });
}

Result<DncStatus> ContactService::ChangeDnc(const Principal& who, const Json& body, bool on_list) {
    if (!body.is_object()) return Fail(ErrorCode::kValidation, "request body must be a JSON object");
    Checker checker;
    auto phone = checker.String(body, "phone", 64, true);
    if (!checker.ok()) return Fail(checker.ToError("request is not valid"));
    return ChangeDnc(who, *phone, on_list, body, true);
}

Result<DncStatus> ContactService::ChangeDnc(const Principal& who, std::string_view phone_text, bool on_list,
                                            const Json& body, bool phone_in_body) {
    auto note = ReadNote(body, phone_in_body);
    if (!note) return Fail(std::move(note.error()));
    auto phone = ParsePhone(phone_text, default_region_);
    if (!phone) return Fail(ErrorCode::kValidation, phone.error().message, {{"phone", phone.error().message}});
    auto done = store_.Write([&](Repos& r) -> Result<void> {
        if (!on_list) {
            auto listed = r.dnc().Find(who.org_id, phone->e164);
            if (!listed) return Fail(std::move(listed.error()));
            if (!*listed) {
                return Fail(ErrorCode::kNotFound, phone->e164 + " is not on this organization's Do Not Call list",
                            {{"phone", "is not on the Do Not Call list"}});
            }
        }
        auto contact_id = r.contacts().IdByPhone(who.org_id, phone->e164);
        if (!contact_id) return Fail(std::move(contact_id.error()));
        auto entry = DncEntryBy(who, phone->e164, on_list ? DncAction::kAdd : DncAction::kRemove, DncReason::kApi,
                                *contact_id, *note, clock_.NowMs());
        return RecordDnc(r, entry);
    });
    if (!done) return Fail(std::move(done.error()));
    return CheckDnc(who, phone->e164);
}

}  // namespace parley::domain
