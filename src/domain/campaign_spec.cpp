#include "domain/campaign_spec.hpp"

#include "domain/schedule.hpp"
#include "domain/validation.hpp"

namespace parley::domain {
namespace {

// A member that must be an array of strings; absent keeps `out`.
void ReadStrings(const Json& object, std::string_view key, std::vector<std::string>& out, Checker& checker) {
    auto it = object.find(key);
    if (it == object.end()) return;
    if (!it->is_array()) {
        checker.Add(key, "must be an array of strings");
        return;
    }
    std::vector<std::string> values;
    for (const auto& v : *it) {
        if (!v.is_string()) {
            checker.Add(key, "must be an array of strings");
            return;
        }
        values.push_back(v.get<std::string>());
    }
    out = std::move(values);
}

// A stored count; absent keeps `out`.
void ReadCount(const Json& object, std::string_view key, int& out, Checker& checker) {
    if (auto n = checker.Int(object, key, 1, 1'000'000)) out = *n;
}

}  // namespace

Json ToJson(const CampaignSpec& spec) {
    return Json{{"contact_list_id", spec.contact_list_id ? Json(*spec.contact_list_id) : Json(nullptr)},
                {"contact_tags", spec.contact_tags},
                {"schedule", ToJson(spec.schedule)},
                {"retry_rules",
                 {{"max_attempts", spec.retry_rules.max_attempts},
                  {"delay_minutes", spec.retry_rules.delay_minutes},
                  {"retry_on", spec.retry_rules.retry_on},
                  {"max_attempts_per_day", spec.retry_rules.max_attempts_per_day}}},
                {"concurrent_calls", spec.concurrent_calls},
                {"caller_ids", spec.caller_ids}};
}

Result<CampaignSpec> ParseCampaignSpec(const Json& stored) {
    if (!stored.is_object()) return Fail(ErrorCode::kInternal, "stored campaign settings are not a JSON object");
    CampaignSpec spec;
    Checker checker;
    if (auto it = stored.find("contact_list_id"); it != stored.end() && !it->is_null()) {
        if (it->is_string()) {
            spec.contact_list_id = it->get<std::string>();
        } else {
            checker.Add("contact_list_id", "must be a string or null");
        }
    }
    ReadStrings(stored, "contact_tags", spec.contact_tags, checker);
    if (auto it = stored.find("schedule"); it != stored.end()) {
        auto schedule = ParseSchedule(*it);
        if (schedule) {
            spec.schedule = std::move(*schedule);
        } else {
            for (auto& e : schedule.error().details) checker.Add("schedule." + e.field, std::move(e.message));
            if (schedule.error().details.empty()) checker.Add("schedule", schedule.error().message);
        }
    }
    if (auto it = stored.find("retry_rules"); it != stored.end()) {
        if (!it->is_object()) {
            checker.Add("retry_rules", "must be an object");
        } else {
            Checker rules("retry_rules.");
            ReadCount(*it, "max_attempts", spec.retry_rules.max_attempts, rules);
            ReadCount(*it, "delay_minutes", spec.retry_rules.delay_minutes, rules);
            ReadCount(*it, "max_attempts_per_day", spec.retry_rules.max_attempts_per_day, rules);
            ReadStrings(*it, "retry_on", spec.retry_rules.retry_on, rules);
            for (auto& e : rules.errors()) checker.errors().push_back(std::move(e));
        }
    }
    ReadCount(stored, "concurrent_calls", spec.concurrent_calls, checker);
    ReadStrings(stored, "caller_ids", spec.caller_ids, checker);
    if (!checker.ok()) {
        Error error = checker.ToError("stored campaign settings are not valid");
        std::string message = error.message + ":";
        for (const auto& d : error.details) message += " " + d.field + " " + d.message + ";";
        message.pop_back();
        return Fail(ErrorCode::kInternal, std::move(message));
    }
    return spec;
}

}  // namespace parley::domain
