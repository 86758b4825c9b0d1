#pragma once

// What integration tests create as the preconditions of what they test: profiles, contacts, a
// schedule and settings that let a campaign call at any hour. Tests of those resources themselves
// write their requests out.

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "support/calls.hpp"
#include "support/http_client.hpp"
#include "support/wait.hpp"

namespace parley::testing {

// The id of what `res` created; a failure, with the body, and "" when it is not a 201.
inline std::string CreatedId(const HttpResult& res) {
    EXPECT_EQ(res.status, 201) << res.body;
    const Json j = res.json();
    if (!j.is_object() || !j.contains("data") || !j["data"].is_object()) return "";
    return j["data"].value("id", "");
}

// A profile named "Sales" whose opener is "Do you have a minute?", with `fields` over those; its id.
inline std::string NewProfile(const ApiClient& api, const Json& fields = Json::object()) {
    Json body = {{"name", "Sales"}, {"opener", "Do you have a minute?"}};
    body.update(fields);
    return CreatedId(api.Post("/api/v1/profiles", body));
}

// The qualifying agent of the sandbox's documented conversations (docs/sandbox.md), after the
// custom fields it extracts, with `fields` over its own; its id.
inline std::string NewQualifier(const ApiClient& api, const Json& fields = Json::object()) {
    EXPECT_EQ(api.Post("/api/v1/custom-fields", {{"name", "budget_range"},
                                                 {"type", "enum"},
                                                 {"options", {"under_10k", "10k_50k", "50k_100k", "100k_plus"}}})
                  .status,
              201);
    EXPECT_EQ(api.Post("/api/v1/custom-fields", {{"name", "timeline"}, {"type", "date"}}).status, 201);
    EXPECT_EQ(api.Post("/api/v1/custom-fields", {{"name", "company_size"}, {"type", "number"}}).status, 201);
    Json body = {{"name", "Qualifier"},
                 {"opener", "I am calling about our scheduling software. Do you have a minute?"},
                 {"extract_fields", {"budget_range", "timeline", "company_size"}},
                 {"tools", {"check_availability", "request_meeting"}}};
    body.update(fields);
    return NewProfile(api, body);
}

// A contact with this phone and `fields`; its id.
inline std::string NewContact(const ApiClient& api, const std::string& phone, const Json& fields = Json::object()) {
    Json body = {{"phone", phone}};
    body.update(fields);
    return CreatedId(api.Post("/api/v1/contacts", body));
}

// A contact whose number reaches sandbox persona `persona` (see Sandbox), with `fields`; its id.
inline std::string NewContact(const ApiClient& api, int persona, const Json& fields = Json::object()) {
    return NewContact(api, Sandbox(persona), fields);
}

// A campaign schedule of every day around the clock, so that tests do not depend on the hour
// they run at; TurnGuardOff lifts the organization's legal-hours guard for the same reason (the
// guard's own tests use a schedule that starts in the future).
inline Json AroundTheClock() {
    return Json{{"calling_hours", {{"start", "00:00"}, {"end", "24:00"}}},
                {"days", {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}},
                {"timezone", "America/New_York"}};
}

inline void TurnGuardOff(const ApiClient& api) {
    auto res = api.Patch("/api/v1/dialer/settings", {{"legal_hours_guard", {{"enabled", false}}}});
    ASSERT_EQ(res.status, 200) << res.body;
    ASSERT_EQ(res.json()["data"]["legal_hours_guard"]["enabled"], false);
}

// Polls the campaign until its status is `status`; returns the campaign, or null after `timeout`.
inline Json WaitForCampaign(const ApiClient& api, const std::string& id, const std::string& status,
                            std::chrono::seconds timeout = std::chrono::seconds(180)) {
    Json c;
    const bool reached = WaitUntil(
        [&] {
            c = api.Get("/api/v1/campaigns/" + id).json()["data"];
            return c.is_object() && c["status"] == status;
        },
        timeout, std::chrono::milliseconds(100));
    if (reached) return c;
    ADD_FAILURE() << "campaign " << id << " did not become " << status << ": " << c.dump();
    return nullptr;
}

// The campaign's calls (its first 100) by contact id.
inline std::map<std::string, std::vector<Json>> CallsByContact(const ApiClient& api, const std::string& campaign) {
    std::map<std::string, std::vector<Json>> out;
    const Json page = api.Get("/api/v1/calls?limit=100&campaign_id=" + campaign).json();
    for (const auto& call : page["data"]) out[call["contact_id"].get<std::string>()].push_back(call);
    return out;
}

}  // namespace parley::testing
