#include "domain/campaign_service.hpp"

#include <algorithm>
#include <array>

#include "common/ids.hpp"
#include "common/phone.hpp"
#include "common/text.hpp"
#include "domain/billing.hpp"
#include "domain/schedule.hpp"

namespace parley::domain {
namespace {

Error WrongStatus(const Campaign& c, std::string_view action, std::string_view allowed) {
    return Error{ErrorCode::kConflict,
                 "campaign is " + std::string(ToString(c.status)) + "; only " + std::string(allowed) +
                     " campaign can be " + std::string(action),
                 {{"status", std::string(ToString(c.status))}}};
}

// A campaign whose stored settings do not read back is neither changed nor called from.
Error UnreadableSettings(const Campaign& c) {
    return Error{ErrorCode::kConflict, "the campaign's stored settings are not valid (" + *c.spec_problem +
                                           "); it can be stopped or read, not changed or started"};
}

}  // namespace

Audience AudienceOf(const CampaignSpec& spec) {
    return Audience{spec.contact_list_id, spec.contact_tags};
}

// Each caller id is a number of the organization's own (its calls go out through that number's
// carrier) or one the installation's carrier places calls from (the sandbox's numbers); a
// campaign uses one kind or the other, since the kind decides which numbers it can reach.
Result<void> CampaignService::CheckCallerIds(Repos& r, const Principal& who, const std::vector<std::string>& ids) {
    size_t owned = 0;
    for (const auto& id : ids) {
        auto number = r.phone_numbers().FindByNumber(who.org_id, id);
        if (!number) return Fail(std::move(number.error()));
        if (*number) {
            ++owned;
        } else if (!launcher_.CheckReachable(id)) {
            return Fail(
                ErrorCode::kUnprocessable, id + " is not a number of the organization",
                {{"caller_ids", id + " is neither one of the organization's phone numbers (POST /phone-numbers) "
                                     "nor a sandbox number"}});
        }
    }
    if (owned != 0 && owned != ids.size()) {
        return Fail(ErrorCode::kUnprocessable, "caller_ids mixes the organization's numbers with sandbox numbers",
                    {{"caller_ids", "give the organization's own numbers, or sandbox numbers, not both"}});
    }
    return {};
}

Result<void> CampaignService::Apply(const Principal& who, const Json& body, Campaign& campaign, bool creating) {
    if (!body.is_object()) return Fail(ErrorCode::kValidation, "request body must be a JSON object");
    Checker checker;
    const CampaignRefs refs = ReadCampaignFields(body, campaign, creating, default_region_, checker);
    if (!checker.ok()) return Fail(checker.ToError("campaign is not valid"));

    // What the campaign refers to must exist.
    return store_.Read([&](Repos& r) -> Result<void> {
        if (const auto& profile_id = refs.profile_id) {
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
        if (const auto& list_id = refs.list_id) {
            auto list = r.contact_lists().Get(who.org_id, *list_id);
            if (!list) return Fail(std::move(list.error()));
            if (!*list) {
                return Fail(ErrorCode::kUnprocessable, "no contact list \"" + *list_id + "\" in this organization",
                            {{"contact_list_id", "is not a contact list of this organization"}});
            }
            campaign.spec.contact_list_id = *list_id;
        }
        return CheckCallerIds(r, who, campaign.spec.caller_ids);
    });
}

Result<Campaign> CampaignService::Create(const Principal& who, const Json& body) {
    Campaign campaign;
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
    if (campaign.spec_problem) return Fail(UnreadableSettings(campaign));
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
        if (c.spec_problem && (action == "started" || action == "resumed")) return Fail(UnreadableSettings(c));
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
        if (action == "started" || action == "resumed") {
            auto refusal = SpendingRefusal(r, who.org_id, now);
            if (!refusal) return Fail(std::move(refusal.error()));
            if (*refusal) return Fail(std::move(**refusal));
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
                    (std::string_view(key) == "start" ? s.legal_hours_start : s.legal_hours_end) =
                        v->get<std::string>();
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
