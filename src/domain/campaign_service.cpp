#include "domain/campaign_service.hpp"

#include <algorithm>
#include <array>

#include "common/ids.hpp"
#include "common/phone.hpp"
#include "common/text.hpp"
#include "domain/schedule.hpp"

namespace parley::domain {
namespace {

constexpr size_t kMaxCampaignNameBytes = 200;
constexpr size_t kMaxTags = 20;
constexpr size_t kMaxTagBytes = 64;
constexpr size_t kMaxCallerIds = 50;
constexpr std::array<std::string_view, 4> kRetryOutcomes = {"no_answer", "busy", "failed", "voicemail"};

// A JSON array of distinct strings, each one of `allowed`; reported under `key`.
std::optional<Json> NamesFrom(const Json& object, std::string_view key, std::span<const std::string_view> allowed,
                              Checker& checker) {
    auto it = object.find(key);
    if (it == object.end()) return std::nullopt;
    std::string choices;
    for (auto a : allowed) choices += (choices.empty() ? "" : ", ") + std::string(a);
    const std::string message = "must be an array of distinct values from: " + choices;
    if (!it->is_array()) {
        checker.Add(key, message);
        return std::nullopt;
    }
    Json out = Json::array();
    for (const auto& v : *it) {
        const bool known = v.is_string() && std::find(allowed.begin(), allowed.end(), v.get<std::string>()) != allowed.end();
        if (!known || std::find(out.begin(), out.end(), v) != out.end()) {
            checker.Add(key, message);
            return std::nullopt;
        }
        out.push_back(v);
    }
    // Keep the canonical order, so equal settings compare equal.
    Json ordered = Json::array();
    for (auto a : allowed) {
        if (std::find(out.begin(), out.end(), Json(a)) != out.end()) ordered.push_back(a);
    }
    return ordered;
}

// Changes the members of the stored `schedule` that `in` names (calling_hours member by member),
// then checks the whole result, so a change is judged together with what it leaves in place.
void ApplySchedule(const Json& in, Json& schedule, Checker& outer) {
    if (!in.is_object()) {
        outer.Add("schedule", "must be an object");
        return;
    }
    Json merged = schedule;
    for (const auto& [key, value] : in.items()) {
        if (key == "calling_hours" && value.is_object() && merged[key].is_object()) {
            for (const auto& [k, v] : value.items()) merged[key][k] = v;
        } else {
            merged[key] = value;
        }
    }
    auto parsed = ParseSchedule(merged);
    if (!parsed) {
        for (auto& e : parsed.error().details) outer.Add("schedule." + e.field, std::move(e.message));
        return;
    }
    schedule = ToJson(*parsed);
}

void ApplyRetryRules(const Json& in, Json& rules, Checker& outer) {
    if (!in.is_object()) {
        outer.Add("retry_rules", "must be an object");
        return;
    }
    Checker checker("retry_rules.");
    checker.RejectUnknownKeys(in, {"max_attempts", "delay_minutes", "retry_on", "max_attempts_per_day"});
    if (auto n = checker.Int(in, "max_attempts", 1, kMaxAttempts)) rules["max_attempts"] = *n;
    if (auto n = checker.Int(in, "delay_minutes", 1, kMaxDelayMinutes)) rules["delay_minutes"] = *n;
    if (auto n = checker.Int(in, "max_attempts_per_day", 1, kMaxAttempts)) rules["max_attempts_per_day"] = *n;
    if (auto on = NamesFrom(in, "retry_on", kRetryOutcomes, checker)) rules["retry_on"] = *on;
    for (auto& e : checker.errors()) outer.errors().push_back(std::move(e));
}

Error WrongStatus(const Campaign& c, std::string_view action, std::string_view allowed) {
    return Error{ErrorCode::kConflict,
                 "campaign is " + std::string(ToString(c.status)) + "; only " + std::string(allowed) +
                     " campaign can be " + std::string(action),
                 {{"status", std::string(ToString(c.status))}}};
}

}  // namespace

Json DefaultCampaignSpec() {
    return Json{{"contact_list_id", nullptr},
                {"contact_tags", Json::array()},
                {"schedule", ToJson(Schedule{})},
                {"retry_rules",
                 {{"max_attempts", kDefaultMaxAttempts},
                  {"delay_minutes", kDefaultDelayMinutes},
                  {"retry_on", {"no_answer", "busy", "failed"}},
                  {"max_attempts_per_day", kDefaultAttemptsPerDay}}},
                {"concurrent_calls", kDefaultConcurrentCalls},
                {"caller_ids", Json::array()}};
}

Audience AudienceOf(const Json& spec) {
    Audience a;
    if (auto it = spec.find("contact_list_id"); it != spec.end() && it->is_string()) a.list_id = it->get<std::string>();
    if (auto it = spec.find("contact_tags"); it != spec.end() && it->is_array()) {
        for (const auto& t : *it) a.tags.push_back(t.get<std::string>());
    }
    return a;
}

Result<void> CampaignService::Apply(const Principal& who, const Json& body, Campaign& campaign, bool creating) {
    if (!body.is_object()) return Fail(ErrorCode::kValidation, "request body must be a JSON object");
    Checker checker;
    checker.RejectUnknownKeys(body, {"name", "agent_id", "profile_id", "direction", "contact_list_id", "contact_tags",
                                     "schedule", "retry_rules", "concurrent_calls", "caller_ids"});
    Json& spec = campaign.spec;
    if (auto name = checker.String(body, "name", kMaxCampaignNameBytes, creating)) {
        if (Trim(*name).empty()) {
            checker.Add("name", "must not be empty");
        } else {
            campaign.name = std::string(Trim(*name));
        }
    }
    // Seed 002 names the profile agent_id.
    std::optional<std::string> profile_id;
    if (body.contains("agent_id") && body.contains("profile_id")) {
        checker.Add("agent_id", "give agent_id or profile_id, not both");
    } else {
        const char* key = body.contains("agent_id") ? "agent_id" : "profile_id";
        profile_id = checker.String(body, key, 64, creating);
    }
    if (auto d = checker.String(body, "direction", 16)) {
        if (auto parsed = ParseCallDirection(*d)) {
            campaign.direction = *parsed;
        } else {
            checker.Add("direction", "must be outbound or inbound");
        }
    }
    std::optional<std::string> list_id;
    if (auto l = checker.String(body, "contact_list_id", 64, false, true)) {
        if (l->empty()) {
            spec["contact_list_id"] = nullptr;
        } else {
            list_id = *l;
        }
    }
    if (auto it = body.find("contact_tags"); it != body.end()) {
        bool ok = it->is_array() && it->size() <= kMaxTags;
        Json tags = Json::array();
        for (size_t i = 0; ok && i < it->size(); ++i) {
            const Json& t = (*it)[i];
            ok = t.is_string() && !t.get<std::string>().empty() && t.get<std::string>().size() <= kMaxTagBytes;
            if (ok && std::find(tags.begin(), tags.end(), t) == tags.end()) tags.push_back(t);
        }
        if (ok) {
            spec["contact_tags"] = tags;
        } else {
            checker.Add("contact_tags", "must be an array of at most 20 tags of 1 to 64 bytes");
        }
    }
    if (auto it = body.find("schedule"); it != body.end()) ApplySchedule(*it, spec["schedule"], checker);
    if (auto it = body.find("retry_rules"); it != body.end()) ApplyRetryRules(*it, spec["retry_rules"], checker);
    if (auto n = checker.Int(body, "concurrent_calls", 1, kMaxConcurrentCalls)) spec["concurrent_calls"] = *n;
    if (auto it = body.find("caller_ids"); it != body.end()) {
        if (!it->is_array() || it->size() > kMaxCallerIds) {
            checker.Add("caller_ids", "must be an array of at most 50 phone numbers");
        } else {
            Json numbers = Json::array();
            for (size_t i = 0; i < it->size(); ++i) {
                const Json& v = (*it)[i];
                auto parsed = v.is_string() ? ParsePhone(v.get<std::string>(), default_region_)
                                            : Result<PhoneNumber>(Fail(ErrorCode::kValidation, ""));
                if (!parsed) {
                    checker.SetIndex(static_cast<long>(i));
                    checker.Add("caller_ids", "is not a valid phone number");
                    checker.SetIndex(-1);
                } else if (std::find(numbers.begin(), numbers.end(), Json(parsed->e164)) == numbers.end()) {
                    numbers.push_back(parsed->e164);
                }
            }
            spec["caller_ids"] = numbers;
        }
    }
    if (!checker.ok()) return Fail(checker.ToError("campaign is not valid"));

    // What the campaign refers to must exist.
    return store_.Read([&](Repos& r) -> Result<void> {
        if (profile_id) {
            auto profile = r.profiles().Get(who.org_id, *profile_id);
            if (!profile) return Fail(std::move(profile.error()));
            const char* key = body.contains("agent_id") ? "agent_id" : "profile_id";
            if (!*profile) {
                return Fail(ErrorCode::kUnprocessable, "no profile \"" + *profile_id + "\" in this organization",
                            {{key, "is not a profile of this organization"}});
            }
            if ((*profile)->status == ProfileStatus::kArchived) {
                return Fail(ErrorCode::kUnprocessable, "profile " + *profile_id + " is archived",
                            {{key, "is archived; campaigns need an active profile"}});
            }
            campaign.profile_id = *profile_id;
        }
        if (list_id) {
            auto list = r.contact_lists().Get(who.org_id, *list_id);
            if (!list) return Fail(std::move(list.error()));
            if (!*list) {
                return Fail(ErrorCode::kUnprocessable, "no contact list \"" + *list_id + "\" in this organization",
                            {{"contact_list_id", "is not a contact list of this organization"}});
            }
            spec["contact_list_id"] = *list_id;
        }
        return {};
    });
}

Result<Campaign> CampaignService::Create(const Principal& who, const Json& body) {
    Campaign campaign;
    campaign.spec = DefaultCampaignSpec();
    if (auto ok = Apply(who, body, campaign, true); !ok) return Fail(std::move(ok.error()));
    const int64_t now = clock_.NowMs();
    campaign.id = NewId("camp_", now);
    campaign.org_id = who.org_id;
    campaign.created_at = campaign.updated_at = now;
    auto saved = store_.Write([&](Repos& r) { return r.campaigns().Insert(campaign); });
    if (!saved) return Fail(std::move(saved.error()));
    return campaign;
}

Result<CampaignView> CampaignService::Get(const Principal& who, std::string_view id) {
    return ReadTx(store_, [&](Repos& r) -> Result<CampaignView> {
        auto found = r.campaigns().Get(who.org_id, id);
        if (!found) return Fail(std::move(found.error()));
        if (!*found) return Fail(ErrorCode::kNotFound, "campaign not found");
        auto stats = r.campaigns().Stats(who.org_id, id);
        if (!stats) return Fail(std::move(stats.error()));
        return CampaignView{std::move(**found), std::move(*stats)};
    });
}

Result<Page<Campaign>> CampaignService::List(const Principal& who, std::optional<std::string_view> status,
                                             std::optional<std::string_view> direction, const PageRequest& page) {
    CampaignFilter filter;
    Checker checker;
    if (status) {
        filter.status = ParseCampaignStatus(*status);
        if (!filter.status) checker.Add("status", "must be draft, running, paused, completed or stopped");
    }
    if (direction) {
        filter.direction = ParseCallDirection(*direction);
        if (!filter.direction) checker.Add("direction", "must be outbound or inbound");
    }
    if (!checker.ok()) return Fail(checker.ToError("list filters are not valid"));
    return ReadTx(store_, [&](Repos& r) { return r.campaigns().List(who.org_id, filter, page); });
}

Result<CampaignView> CampaignService::Update(const Principal& who, std::string_view id, const Json& patch) {
    auto current = Get(who, id);
    if (!current) return Fail(std::move(current.error()));
    Campaign campaign = current->campaign;
    const CampaignStatus before = campaign.status;
    if (before != CampaignStatus::kDraft && before != CampaignStatus::kPaused) {
        return Fail(WrongStatus(campaign, "changed", "a draft or a paused"));
    }
    if (auto ok = Apply(who, patch, campaign, false); !ok) return Fail(std::move(ok.error()));
    campaign.updated_at = clock_.NowMs();
    // A paused campaign whose audience changed takes the new contacts in when it resumes.
    auto saved = WriteTx(store_, [&](Repos& r) { return r.campaigns().Save(campaign, before); });
    if (!saved) return Fail(std::move(saved.error()));
    if (!*saved) return Fail(ErrorCode::kConflict, "the campaign changed meanwhile; read it again");
    return Get(who, id);
}

Result<CampaignView> CampaignService::Start(const Principal& who, std::string_view id) {
    return Transition(who, id, "started");
}
Result<CampaignView> CampaignService::Pause(const Principal& who, std::string_view id) {
    return Transition(who, id, "paused");
}
Result<CampaignView> CampaignService::Resume(const Principal& who, std::string_view id) {
    return Transition(who, id, "resumed");
}
Result<CampaignView> CampaignService::Stop(const Principal& who, std::string_view id) {
    return Transition(who, id, "stopped");
}

Result<CampaignView> CampaignService::Transition(const Principal& who, std::string_view id, std::string_view action) {
    const int64_t now = clock_.NowMs();
    auto done = store_.Write([&](Repos& r) -> Result<void> {
        auto found = r.campaigns().Get(who.org_id, id);
        if (!found) return Fail(std::move(found.error()));
        if (!*found) return Fail(ErrorCode::kNotFound, "campaign not found");
        Campaign c = std::move(**found);
        const CampaignStatus before = c.status;
        if (action == "started") {
            if (before != CampaignStatus::kDraft) return Fail(WrongStatus(c, action, "a draft"));
            c.status = CampaignStatus::kRunning;
            c.started_at = now;
        } else if (action == "paused") {
            if (before != CampaignStatus::kRunning) return Fail(WrongStatus(c, action, "a running"));
            c.status = CampaignStatus::kPaused;
        } else if (action == "resumed") {
            if (before != CampaignStatus::kPaused) return Fail(WrongStatus(c, action, "a paused"));
            c.status = CampaignStatus::kRunning;
        } else {
            if (before == CampaignStatus::kCompleted || before == CampaignStatus::kStopped) {
                return Fail(WrongStatus(c, action, "a draft, running or paused"));
            }
            c.status = CampaignStatus::kStopped;
            c.ended_at = now;
        }
        c.updated_at = now;
        auto saved = r.campaigns().Save(c, before);
        if (!saved) return Fail(std::move(saved.error()));
        if (!*saved) return Fail(ErrorCode::kConflict, "the campaign changed meanwhile; read it again");
        auto event = r.webhooks().Record(CampaignEvent("campaign." + std::string(action), c, now));
        if (!event) return Fail(std::move(event.error()));
        if (action == "started" || action == "resumed") {
            // Resuming also takes in list members and tagged contacts that came while paused.
            auto added = r.campaigns().EnqueueAudience(c, AudienceOf(c.spec), now);
            if (!added) return Fail(std::move(added.error()));
        }
        if (action == "stopped") {
            auto canceled = r.campaigns().CancelPending(c.id, now);
            if (!canceled) return Fail(std::move(canceled.error()));
        }
        return {};
    });
    if (!done) return Fail(std::move(done.error()));
    if (wake_dialer_ && (action == "started" || action == "resumed")) wake_dialer_();
    return Get(who, id);
}

Result<DialerSettings> CampaignService::Settings(const Principal& who) {
    return ReadTx(store_, [&](Repos& r) { return r.campaigns().Settings(who.org_id); });
}

Result<DialerSettings> CampaignService::UpdateSettings(const Principal& who, const Json& patch) {
    if (who.role != Role::kOwner && who.role != Role::kAdmin) {
        return Fail(ErrorCode::kForbidden, "changing the dialer's rules needs a key with the owner or admin role");
    }
    if (!patch.is_object()) return Fail(ErrorCode::kValidation, "request body must be a JSON object");
    auto current = Settings(who);
    if (!current) return Fail(std::move(current.error()));
    DialerSettings s = *current;
    Checker checker;
    checker.RejectUnknownKeys(patch, {"legal_hours_guard", "max_concurrent_calls"});
    if (auto n = checker.Int(patch, "max_concurrent_calls", 1, kMaxOrganizationCalls)) s.max_concurrent_calls = *n;
    if (auto it = patch.find("legal_hours_guard"); it != patch.end()) {
        if (!it->is_object()) {
            checker.Add("legal_hours_guard", "must be an object {enabled, start, end}");
        } else {
            Checker guard("legal_hours_guard.");
            guard.RejectUnknownKeys(*it, {"enabled", "start", "end"});
            if (auto on = guard.Bool(*it, "enabled")) s.legal_hours_guard = *on;
            for (const char* key : {"start", "end"}) {
                auto v = it->find(key);
                if (v == it->end()) continue;
                if (!ParseClock(*v)) {
                    guard.Add(key, "must be a 24-hour time written HH:MM");
                } else {
                    (std::string_view(key) == "start" ? s.legal_hours_start : s.legal_hours_end) = v->get<std::string>();
                }
            }
            if (guard.ok() && *ParseClock(s.legal_hours_start) >= *ParseClock(s.legal_hours_end)) {
                guard.Add("end", "must be later than start");
            }
            for (auto& e : guard.errors()) checker.errors().push_back(std::move(e));
        }
    }
    if (!checker.ok()) return Fail(checker.ToError("dialer settings are not valid"));
    s.updated_at = clock_.NowMs();
    auto saved = store_.Write([&](Repos& r) { return r.campaigns().SaveSettings(who.org_id, s); });
    if (!saved) return Fail(std::move(saved.error()));
    return s;
}

}  // namespace parley::domain
