#include "domain/call_service.hpp"

#include <algorithm>
#include <charconv>

#include "common/ids.hpp"
#include "common/phone.hpp"
#include "common/time_format.hpp"
#include "domain/billing.hpp"
#include "domain/call_body.hpp"
#include "domain/call_lifecycle.hpp"
#include "domain/custom_field_service.hpp"
#include "domain/validation.hpp"
#include "net/url_guard.hpp"

namespace parley::domain {
namespace {

std::optional<int> WholeNumber(std::string_view text) {
    int value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || value < 0) return std::nullopt;
    return value;
}

}  // namespace

struct CallService::Shared {
    Profile profile;
    std::vector<CustomField> definitions;
    std::vector<std::string> extract;
    Json variables = Json::object();
    Json metadata = Json::object();
    std::optional<std::string> webhook_url;
    std::optional<std::string> from;  // a number of the organization's own, on its carrier
};

CallRequestFields CallService::ReadShared(const Json& body, Checker& checker) const {
    CallRequestFields fields = ReadCallRequest(body, default_region_, checker);
    if (const auto& url = fields.webhook_url) {
        if (auto problem = webhook_urls_.Problem(*url)) {
            checker.Add("webhook_url", *problem);
            fields.webhook_url.reset();
        }
    }
    return fields;
}

Result<CallService::Shared> CallService::LoadShared(Repos& r, const Principal& who, CallRequestFields fields,
                                                    Checker& checker) {
    Shared shared;
    const auto& requested = fields.profile;
    const auto& extract = fields.extract;
    shared.variables = std::move(fields.variables);
    shared.metadata = std::move(fields.metadata);
    shared.webhook_url = std::move(fields.webhook_url);
    if (!checker.ok() || !requested) return Fail(checker.ToError("call request is not valid"));

    const std::string key(requested->key);
    auto profile = r.profiles().Get(who.org_id, requested->id);
    if (!profile) return Fail(std::move(profile.error()));
    if (!*profile) return Fail(ErrorCode::kNotFound, "profile not found", {{key, "no such profile"}});
    if ((*profile)->status == ProfileStatus::kArchived) {
        return Fail(ErrorCode::kConflict, "profile is archived; archived profiles place no calls",
                    {{key, "is archived"}});
    }
    shared.profile = std::move(**profile);
    if (fields.from) {
        auto owned = r.phone_numbers().FindByNumber(who.org_id, *fields.from);
        if (!owned) return Fail(std::move(owned.error()));
        if (!*owned) {
            return Fail(ErrorCode::kUnprocessable, "from is not one of the organization's phone numbers",
                        {{"from", "add it first with POST /phone-numbers, on the carrier that places its calls"}});
        }
        shared.from = std::move(fields.from);
    }
    auto defs = r.custom_fields().All(who.org_id);
    if (!defs) return Fail(std::move(defs.error()));
    shared.definitions = std::move(*defs);
    shared.extract = extract ? *extract : shared.profile.spec.extract_fields;
    if (extract) {
        std::vector<FieldError> wrong;
        for (const auto& name : *extract) {
            auto def = std::find_if(shared.definitions.begin(), shared.definitions.end(),
                                    [&](const CustomField& f) { return f.name == name; });
            if (def == shared.definitions.end()) {
                wrong.push_back({"extract", "\"" + name + "\" is not a custom field; create it first"});
            } else if (def->category == FieldCategory::kContact) {
                wrong.push_back({"extract", "\"" + name +
                                                "\" is a contact-only field; its category must be "
                                                "extraction or both"});
            }
        }
        if (!wrong.empty())
            return Fail(ErrorCode::kUnprocessable, "extract names fields that cannot be extracted", wrong);
    }
    return shared;
}

Result<Call> CallService::Prepare(Repos& r, const Principal& who, const Json& item, const Shared& shared, int64_t now) {
    Checker checker;
    CallItemFields fields = ReadCallItem(item, shared.definitions, default_region_, checker);
    const auto& phone = fields.phone;
    const auto& contact_id = fields.contact_id;
    Json variables = shared.variables;
    variables.update(fields.variables);
    Json metadata = shared.metadata;
    metadata.update(fields.metadata);
    Json custom = std::move(fields.custom_fields);
    if (!checker.ok()) return Fail(checker.ToError("call request is not valid"));

    Call call;
    if (contact_id) {
        auto contact = r.contacts().Get(who.org_id, *contact_id);
        if (!contact) return Fail(std::move(contact.error()));
        if (!*contact) return Fail(ErrorCode::kNotFound, "contact not found", {{"contact_id", "no such contact"}});
        if (phone && phone->e164 != (*contact)->phone) {
            return Fail(ErrorCode::kValidation, "phone does not match the contact's phone",
                        {{"phone", "differs from contact " + *contact_id + "'s phone; give one of them"}});
        }
        call.contact_id = *contact_id;
        call.to_number = (*contact)->phone;
    } else {
        call.to_number = phone->e164;
        auto existing = r.contacts().IdByPhone(who.org_id, call.to_number);
        if (!existing) return Fail(std::move(existing.error()));
        call.contact_id = *existing;
    }
    for (const auto& [name, fallback] : shared.profile.spec.variables) {
        if (!fallback && !variables.contains(name)) {
            return Fail(ErrorCode::kUnprocessable, "the profile's opener needs the variable \"" + name + "\"",
                        {{"variables." + name, "is required by the profile and has no default"}});
        }
    }
    auto listed = r.dnc().Find(who.org_id, call.to_number);
    if (!listed) return Fail(std::move(listed.error()));
    if (*listed) {
        return Fail(ErrorCode::kDncBlocked, call.to_number + " is on the Do Not Call list",
                    {{"phone", "is on the organization's Do Not Call list"}});
    }
    // A number of the organization's own reaches every number through its carrier; otherwise
    // the call goes through the installation's carrier, which may reach only some.
    if (!shared.from) {
        if (auto reachable = launcher_.CheckReachable(call.to_number); !reachable) return Fail(reachable.error());
    }

    Call queued = QueuedCall(who.org_id, shared.profile, shared.from.value_or(launcher_.CallerId()), call.to_number,
                             shared.extract, "api", now);
    queued.contact_id = std::move(call.contact_id);
    queued.variables = std::move(variables);
    queued.metadata = std::move(metadata);
    queued.custom_fields = std::move(custom);
    queued.webhook_url = shared.webhook_url;
    return queued;
}

Result<Call> CallService::Trigger(const Principal& who, const Json& body) {
    if (!body.is_object()) return Fail(ErrorCode::kValidation, "request body must be a JSON object");
    Checker checker;
    checker.RejectUnknownKeys(body, {"profile_id", "agent_id", "phone", "contact_id", "extract", "variables",
                                     "metadata", "custom_fields", "webhook_url", "from"});
    const int64_t now = clock_.NowMs();
    CallRequestFields fields = ReadShared(body, checker);
    auto call = WriteTx(store_, [&](Repos& r) -> Result<Call> {
        auto shared = LoadShared(r, who, std::move(fields), checker);
        if (!shared) return Fail(std::move(shared.error()));
        auto prepared = Prepare(r, who, body, *shared, now);
        if (!prepared) return prepared;
        auto refusal = SpendingRefusal(r, who.org_id, now);
        if (!refusal) return Fail(std::move(refusal.error()));
        if (*refusal) return Fail(std::move(**refusal));
        if (auto saved = r.calls().Insert(*prepared); !saved) return Fail(std::move(saved.error()));
        return prepared;
    });
    if (call) launcher_.Wake();
    return call;
}

Result<BatchOutcome> CallService::TriggerBatch(const Principal& who, const Json& body, const Progress& progress) {
    if (!body.is_object()) return Fail(ErrorCode::kValidation, "request body must be a JSON object");
    Checker checker;
    checker.RejectUnknownKeys(
        body, {"profile_id", "agent_id", "calls", "extract", "variables", "metadata", "webhook_url", "from"});
    const auto calls = body.find("calls");
    if (calls == body.end() || !calls->is_array() || calls->empty()) {
        checker.Add("calls", "must be a non-empty array of {phone | contact_id, variables, metadata, custom_fields}");
    } else if (calls->size() > kMaxBatchCalls) {
        checker.Add("calls", "must have at most 1000 calls");
    }
    const int64_t now = clock_.NowMs();
    CallRequestFields fields = ReadShared(body, checker);
    auto outcome = WriteTx(store_, [&](Repos& r) -> Result<BatchOutcome> {
        auto shared = LoadShared(r, who, std::move(fields), checker);
        if (!shared) return Fail(std::move(shared.error()));
        auto refusal = SpendingRefusal(r, who.org_id, now);
        if (!refusal) return Fail(std::move(refusal.error()));
        if (*refusal) return Fail(std::move(**refusal));
        BatchOutcome out;
        out.batch.id = NewId("batch_", now);
        out.batch.org_id = who.org_id;
        out.batch.profile_id = shared->profile.id;
        out.batch.created_at = now;
        long index = 0;
        const auto total = static_cast<int64_t>(calls->size());
        for (const auto& item : *calls) {
            const long i = index++;
            Report(progress, i, total);
            std::optional<std::string> phone;
            if (item.is_object() && item.contains("phone") && item["phone"].is_string()) phone = item["phone"];
            if (!item.is_object()) {
                out.rejections.push_back({i, phone, Error{ErrorCode::kValidation, "each call must be an object", {}}});
                continue;
            }
            Checker keys;
            keys.RejectUnknownKeys(item, {"phone", "contact_id", "variables", "metadata", "custom_fields"});
            if (!keys.ok()) {
                out.rejections.push_back({i, phone, keys.ToError("call is not valid")});
                continue;
            }
            auto call = Prepare(r, who, item, *shared, now);
            if (!call) {
                if (call.error().code == ErrorCode::kInternal) return Fail(std::move(call.error()));
                out.rejections.push_back({i, phone, Error(std::move(call.error()))});
                continue;
            }
            call->batch_id = out.batch.id;
            if (auto saved = r.calls().Insert(*call); !saved) return Fail(std::move(saved.error()));
            out.call_ids.push_back(call->id);
        }
        Report(progress, total, total);
        out.batch.total = static_cast<int>(calls->size());
        out.batch.rejected = static_cast<int>(out.rejections.size());
        if (auto saved = r.calls().InsertBatch(out.batch); !saved) return Fail(std::move(saved.error()));
        return out;
    });
    if (outcome && !outcome->call_ids.empty()) launcher_.Wake();
    return outcome;
}

Result<Call> CallService::Get(const Principal& who, std::string_view id) {
    auto found = ReadTx(store_, [&](Repos& r) -> Result<std::optional<Call>> {
        auto call = r.calls().Get(who.org_id, id);
        if (!call || !*call || (*call)->status != CallStatus::kQueued) return call;
        auto position = r.calls().QueuePosition((*call)->id);
        if (!position) return Fail(std::move(position.error()));
        (*call)->queue_position = *position;
        return call;
    });
    if (!found) return Fail(std::move(found.error()));
    if (!*found) return Fail(ErrorCode::kNotFound, "call not found");
    return std::move(**found);
}

Result<Page<Call>> CallService::List(const Principal& who, const CallQuery& q, const PageRequest& page) {
    CallFilter filter;
    std::vector<FieldError> wrong;
    filter.campaign_id = q.campaign_id;
    filter.contact_id = q.contact_id;
    filter.batch_id = q.batch_id;
    if (q.disposition) {
        if (std::find(std::begin(kDispositions), std::end(kDispositions), *q.disposition) == std::end(kDispositions)) {
            wrong.push_back({"disposition",
                             "must be one of hot_lead, interested, not_interested, callback_requested, "
                             "voicemail, dnc_request, wrong_number, no_answer, busy, failed"});
        }
        filter.disposition = q.disposition;
    }
    if (q.status) {
        filter.status = ParseCallStatus(*q.status);
        if (!filter.status) {
            wrong.push_back({"status",
                             "must be one of queued, ringing, in_progress, completed, no_answer, busy, "
                             "voicemail, failed, canceled"});
        }
    }
    if (q.direction) {
        filter.direction = ParseCallDirection(*q.direction);
        if (!filter.direction) wrong.push_back({"direction", "must be outbound or inbound"});
    }
    if (q.since) {
        filter.since = ParseIsoTime(*q.since);
        if (!filter.since) wrong.push_back({"since", "must be an ISO-8601 date or time"});
    }
    if (q.until) {
        filter.until = ParseIsoTime(*q.until);
        if (!filter.until) wrong.push_back({"until", "must be an ISO-8601 date or time"});
    }
    if (q.min_duration) {
        filter.min_duration = WholeNumber(*q.min_duration);
        if (!filter.min_duration) wrong.push_back({"min_duration", "must be a whole number of seconds"});
    }
    if (q.has_meeting) {
        if (*q.has_meeting == "true") {
            filter.has_meeting = true;
        } else if (*q.has_meeting == "false") {
            filter.has_meeting = false;
        } else {
            wrong.push_back({"has_meeting", "must be true or false"});
        }
    }
    if (!wrong.empty()) return Fail(ErrorCode::kValidation, "call filters are not valid", std::move(wrong));
    return ReadTx(store_, [&](Repos& r) { return r.calls().List(who.org_id, filter, page); });
}

Result<Call> CallService::Stop(const Principal& who, std::string_view id) {
    auto call = Get(who, id);
    if (!call) return call;
    if (call->status != CallStatus::kRinging && call->status != CallStatus::kInProgress) {
        return Fail(ErrorCode::kConflict,
                    "call is " + std::string(ToString(call->status)) +
                        "; only ringing or in-progress calls can be stopped (cancel a queued one)");
    }
    if (!launcher_.Hangup(id)) {
        return Fail(ErrorCode::kConflict, "call is not running on this node any more; read it again");
    }
    return call;
}

Result<Call> CallService::Cancel(const Principal& who, std::string_view id) {
    return WriteTx(store_, [&](Repos& r) -> Result<Call> {
        auto found = r.calls().Get(who.org_id, id);
        if (!found) return Fail(std::move(found.error()));
        if (!*found) return Fail(ErrorCode::kNotFound, "call not found");
        Call call = std::move(**found);
        if (call.status != CallStatus::kQueued) {
            return Fail(ErrorCode::kConflict, "call is " + std::string(ToString(call.status)) +
                                                  "; only queued calls can be canceled (stop an active one)");
        }
        const int64_t now = clock_.NowMs();
        call.MoveTo(CallStatus::kCanceled, now, "canceled by api");
        call.ended_at = now;
        auto saved = r.calls().Save(call, CallStatus::kQueued);
        if (!saved) return Fail(std::move(saved.error()));
        if (!*saved) return Fail(ErrorCode::kConflict, "call was placed before it could be canceled");
        return call;
    });
}

Result<BatchStatus> CallService::GetBatch(const Principal& who, std::string_view id) {
    return ReadTx(store_, [&](Repos& r) -> Result<BatchStatus> {
        auto batch = r.calls().GetBatch(who.org_id, id);
        if (!batch) return Fail(std::move(batch.error()));
        if (!*batch) return Fail(ErrorCode::kNotFound, "batch not found");
        auto counts = r.calls().BatchCounts(who.org_id, id);
        if (!counts) return Fail(std::move(counts.error()));
        BatchStatus status{std::move(**batch), std::move(*counts), 0, 0};
        for (const auto& [s, n] : status.counts) {
            status.accepted += n;
            if (IsFinal(s)) status.finished += n;
        }
        return status;
    });
}

}  // namespace parley::domain
