#include <set>

#include "support/fixture.hpp"
#include "support/seeds.hpp"

namespace parley::testing {
namespace {

// Campaigns here start in 2099, so the dialer never calls their contacts: these tests are about
// the API and the queue a start fills.
class CampaignsApi : public ApiTest {
protected:
    void SetUp() override {
        ApiTest::SetUp();
        if (IsSkipped()) return;
        profile_id_ = NewProfile(api());
        ASSERT_FALSE(profile_id_.empty());
    }

    std::string NewList(const std::string& name, const std::vector<std::string>& ids) const {
        auto res = api().Post("/api/v1/contact-lists", {{"name", name}, {"contact_ids", ids}});
        EXPECT_EQ(res.status, 201) << res.body;
        return res.json()["data"]["id"];
    }

    // Seed 002's example, with a start date no test reaches.
    Json Q1Outreach(const std::string& list_id) const {
        return Json{{"name", "Q1 Sales Outreach"},
                    {"agent_id", profile_id_},
                    {"contact_list_id", list_id},
                    {"schedule",
                     {{"start_date", "2099-03-25"},
                      {"calling_hours", {{"start", "09:00"}, {"end", "18:00"}}},
                      {"timezone", "Europe/London"}}},
                    {"retry_rules", {{"max_attempts", 3}, {"delay_minutes", 60}}},
                    {"concurrent_calls", 20}};
    }

    Json Campaign(const std::string& id) const {
        auto res = api().Get("/api/v1/campaigns/" + id);
        EXPECT_EQ(res.status, 200) << res.body;
        return res.json()["data"];
    }

    // A control action of seed 000 "Campaign Control" (no body).
    HttpResult Act(const std::string& id, const std::string& action) const {
        return api().Send("POST", "/api/v1/campaigns/" + id + "/" + action);
    }

    Json Contacts(const std::string& id) const { return Campaign(id)["stats"]["contacts"]; }

    size_t CampaignCount(const std::string& query = "") const {
        return api().Get("/api/v1/campaigns?limit=100" + query).json()["data"].size();
    }

    // A 409 that names the campaign's current status.
    static void ExpectStatusConflict(const HttpResult& res, const std::string& status) {
        ExpectError(res, 409, "CONFLICT");
        const Json details = res.json()["error"]["details"];
        ASSERT_EQ(details.size(), 1u) << res.body;
        EXPECT_EQ(details[0]["field"], "status");
        EXPECT_EQ(details[0]["message"], status);
        EXPECT_NE(res.json()["error"]["message"].get<std::string>().find(status), std::string::npos) << res.body;
    }

    std::string profile_id_;
};
PARLEY_BACKENDS(CampaignsApi);

TEST_P(CampaignsApi, CreateTakesSeed002sShapeAndFillsTheDefaults) {
    const std::string list = NewList("March leads", {NewContact(api(), "+12025550171")});
    auto res = api().Post("/api/v1/campaigns", Q1Outreach(list));
    ASSERT_EQ(res.status, 201) << res.body;
    const Json c = res.json()["data"];
    EXPECT_TRUE(c["id"].get<std::string>().starts_with("camp_"));
    EXPECT_EQ(c["name"], "Q1 Sales Outreach");
    EXPECT_EQ(c["status"], "draft");
    EXPECT_EQ(c["direction"], "outbound");
    EXPECT_EQ(c["profile_id"], profile_id_);
    EXPECT_EQ(c["agent_id"], profile_id_);
    EXPECT_EQ(c["contact_list_id"], list);
    EXPECT_EQ(c["schedule"]["start_date"], "2099-03-25");
    EXPECT_TRUE(c["schedule"]["end_date"].is_null());
    EXPECT_EQ(c["schedule"]["calling_hours"], Json({{"start", "09:00"}, {"end", "18:00"}}));
    EXPECT_EQ(c["schedule"]["days"], Json({"mon", "tue", "wed", "thu", "fri"}));
    EXPECT_EQ(c["schedule"]["timezone"], "Europe/London");
    EXPECT_EQ(c["retry_rules"]["max_attempts"], 3);
    EXPECT_EQ(c["retry_rules"]["delay_minutes"], 60);
    EXPECT_EQ(c["retry_rules"]["retry_on"], Json({"no_answer", "busy", "failed"}));
    EXPECT_EQ(c["retry_rules"]["max_attempts_per_day"], 3);
    EXPECT_EQ(c["concurrent_calls"], 20);
    EXPECT_TRUE(c["started_at"].is_null());

    const Json got = Campaign(c["id"]);
    EXPECT_EQ(got["name"], c["name"]);
    EXPECT_EQ(got["schedule"], c["schedule"]);
    const Json stats = got["stats"];
    EXPECT_EQ(stats["contacts"], Json({{"total", 0}, {"pending", 0}, {"in_progress", 0}, {"done", 0}}));
    EXPECT_EQ(stats["calls"], 0);
    EXPECT_EQ(stats["connected"], 0);
    EXPECT_EQ(stats["meetings_booked"], 0);
    EXPECT_EQ(stats["cost_cents"], 0);
    EXPECT_EQ(stats["dispositions"], Json::object());

    auto caller_ids = api().Post("/api/v1/campaigns", {{"name", "With caller ids"},
                                                       {"profile_id", profile_id_},
                                                       {"caller_ids", {"(202) 555-0100", "+1 202 555 0100"}},
                                                       {"schedule", {{"days", {"sat", "mon"}}}}});
    ASSERT_EQ(caller_ids.status, 201) << caller_ids.body;
    EXPECT_EQ(caller_ids.json()["data"]["caller_ids"], Json({"+12025550100"}));
    EXPECT_EQ(caller_ids.json()["data"]["schedule"]["days"], Json({"mon", "sat"}));
    EXPECT_EQ(caller_ids.json()["data"]["schedule"]["timezone"], "UTC");
}

TEST_P(CampaignsApi, BadInputIsRefusedWithTheFieldNamedAndCreatesNothing) {
    auto fields_of = [](const HttpResult& res) {
        std::set<std::string> fields;
        const Json body = res.json();
        for (const auto& d : body["error"]["details"]) fields.insert(d["field"].get<std::string>());
        return fields;
    };
    auto missing = api().Post("/api/v1/campaigns", Json::object());
    ExpectError(missing, 400, "VALIDATION_ERROR");
    EXPECT_EQ(fields_of(missing), (std::set<std::string>{"name", "profile_id"}));

    auto bad_schedule = api().Post("/api/v1/campaigns", {{"name", "x"},
                                                         {"profile_id", profile_id_},
                                                         {"schedule",
                                                          {{"start_date", "2099-02-30"},
                                                           {"calling_hours", {{"start", "25:00"}, {"end", "18:00"}}},
                                                           {"days", {"mon", "funday"}},
                                                           {"timezone", "Mars/Base"}}}});
    ExpectError(bad_schedule, 400, "VALIDATION_ERROR");
    EXPECT_EQ(fields_of(bad_schedule), (std::set<std::string>{"schedule.start_date", "schedule.calling_hours.start",
                                                              "schedule.days", "schedule.timezone"}));

    auto backwards = api().Post("/api/v1/campaigns", {{"name", "x"},
                                                      {"profile_id", profile_id_},
                                                      {"schedule",
                                                       {{"start_date", "2099-03-02"},
                                                        {"end_date", "2099-03-01"},
                                                        {"calling_hours", {{"start", "18:00"}, {"end", "09:00"}}},
                                                        {"days", Json::array()}}}});
    ExpectError(backwards, 400, "VALIDATION_ERROR");
    EXPECT_EQ(fields_of(backwards),
              (std::set<std::string>{"schedule.end_date", "schedule.calling_hours", "schedule.days"}));

    auto bad_rules = api().Post(
        "/api/v1/campaigns",
        {{"name", "x"},
         {"profile_id", profile_id_},
         {"retry_rules", {{"max_attempts", 0}, {"delay_minutes", "soon"}, {"retry_on", {"no_answer", "completed"}}}},
         {"concurrent_calls", 0},
         {"caller_ids", {"not a number"}},
         {"direction", "sideways"},
         {"colour", "blue"}});
    ExpectError(bad_rules, 400, "VALIDATION_ERROR");
    EXPECT_EQ(fields_of(bad_rules),
              (std::set<std::string>{"retry_rules.max_attempts", "retry_rules.delay_minutes", "retry_rules.retry_on",
                                     "concurrent_calls", "caller_ids", "direction", "colour"}));

    auto no_profile = api().Post("/api/v1/campaigns", {{"name", "x"}, {"agent_id", "prof_nope"}});
    ExpectError(no_profile, 422, "UNPROCESSABLE");
    EXPECT_EQ(fields_of(no_profile), (std::set<std::string>{"agent_id"}));
    auto no_list =
        api().Post("/api/v1/campaigns", {{"name", "x"}, {"profile_id", profile_id_}, {"contact_list_id", "list_nope"}});
    ExpectError(no_list, 422, "UNPROCESSABLE");
    EXPECT_EQ(fields_of(no_list), (std::set<std::string>{"contact_list_id"}));

    ASSERT_EQ(api().Delete("/api/v1/profiles/" + profile_id_).status, 200);
    auto archived = api().Post("/api/v1/campaigns", {{"name", "x"}, {"profile_id", profile_id_}});
    ExpectError(archived, 422, "UNPROCESSABLE");

    ExpectError(api().Post("/api/v1/campaigns", Json::array({1, 2})), 400, "VALIDATION_ERROR");
    ExpectError(api().Get("/api/v1/campaigns?status=finished"), 400, "VALIDATION_ERROR");
    ExpectError(api().Get("/api/v1/campaigns/camp_nope"), 404, "NOT_FOUND");
    ExpectError(Act("camp_nope", "start"), 404, "NOT_FOUND");
    EXPECT_EQ(CampaignCount(), 0u);
}

TEST_P(CampaignsApi, StartQueuesTheWholeAudienceOnceAndInvalidTransitionsAnswer409WithTheStatus) {
    const std::string a = NewContact(api(), "+12025550172");
    const std::string b = NewContact(api(), "+12025550173", {{"tags", {"vip"}}});
    NewContact(api(), "+12025550174", {{"tags", {"vip", "west"}}});
    NewContact(api(), "+12025550175", {{"tags", {"cold"}}});
    const std::string list = NewList("Both", {a, b});
    Json body = Q1Outreach(list);
    body["contact_tags"] = {"vip"};
    const std::string id = api().Post("/api/v1/campaigns", body).json()["data"]["id"];
    // A contact created with the id of a draft campaign waits for the start.
    NewContact(api(), "+12025550176", {{"campaign_id", id}});
    EXPECT_EQ(Contacts(id)["total"], 0);

    ExpectStatusConflict(Act(id, "pause"), "draft");
    ExpectStatusConflict(Act(id, "resume"), "draft");

    auto started = Act(id, "start");
    ASSERT_EQ(started.status, 200) << started.body;
    EXPECT_EQ(started.json()["data"]["status"], "running");
    EXPECT_FALSE(started.json()["data"]["started_at"].is_null());
    // a, b (list and tag: once), the other vip, the contact created for the campaign.
    EXPECT_EQ(started.json()["data"]["stats"]["contacts"],
              Json({{"total", 4}, {"pending", 4}, {"in_progress", 0}, {"done", 0}}));
    EXPECT_EQ(CampaignCount("&status=running"), 1u);
    EXPECT_EQ(CampaignCount("&status=draft"), 0u);

    ExpectStatusConflict(Act(id, "start"), "running");
    ExpectStatusConflict(Act(id, "resume"), "running");
    ExpectStatusConflict(api().Patch("/api/v1/campaigns/" + id, {{"concurrent_calls", 2}}), "running");

    auto paused = Act(id, "pause");
    ASSERT_EQ(paused.status, 200) << paused.body;
    EXPECT_EQ(paused.json()["data"]["status"], "paused");
    ExpectStatusConflict(Act(id, "pause"), "paused");
    ExpectStatusConflict(Act(id, "start"), "paused");
    // A paused campaign may be changed; the contacts it gains come in on resume.
    auto patched = api().Patch("/api/v1/campaigns/" + id, {{"concurrent_calls", 2}, {"contact_tags", {"vip", "cold"}}});
    ASSERT_EQ(patched.status, 200) << patched.body;
    EXPECT_EQ(patched.json()["data"]["concurrent_calls"], 2);
    EXPECT_EQ(patched.json()["data"]["name"], "Q1 Sales Outreach");
    auto resumed = Act(id, "resume");
    ASSERT_EQ(resumed.status, 200) << resumed.body;
    EXPECT_EQ(resumed.json()["data"]["status"], "running");
    EXPECT_EQ(resumed.json()["data"]["stats"]["contacts"]["total"], 5);

    auto stopped = Act(id, "stop");
    ASSERT_EQ(stopped.status, 200) << stopped.body;
    EXPECT_EQ(stopped.json()["data"]["status"], "stopped");
    EXPECT_FALSE(stopped.json()["data"]["ended_at"].is_null());
    EXPECT_EQ(stopped.json()["data"]["stats"]["contacts"],
              Json({{"total", 5}, {"pending", 0}, {"in_progress", 0}, {"done", 5}}));
    for (const char* action : {"start", "pause", "resume", "stop"}) {
        ExpectStatusConflict(Act(id, action), "stopped");
    }
    ExpectStatusConflict(api().Patch("/api/v1/campaigns/" + id, {{"name", "again"}}), "stopped");
    // A stopped campaign takes no one in.
    NewContact(api(), "+12025550177", {{"campaign_id", id}});
    EXPECT_EQ(Contacts(id)["total"], 5);
}

TEST_P(CampaignsApi, ATagAudienceIsTheOrganizationsContactsHoldingTheTagAtTheStart) {
    NewContact(api(), "+12025550180", {{"tags", {"vip"}}});
    const std::string deleted = NewContact(api(), "+12025550181", {{"tags", {"vip"}}});
    const std::string retagged = NewContact(api(), "+12025550182", {{"tags", {"vip", "west"}}});
    NewContact(api(), "+12025550183", {{"tags", {"vip", "cold"}}});
    ASSERT_EQ(api().Delete("/api/v1/contacts/" + deleted).status, 200);
    ASSERT_EQ(api().Patch("/api/v1/contacts/" + retagged, {{"tags", {"west"}}}).status, 200);
    // Another organization's contact with the same tag and number.
    const OrgKey other = server_->CreateOrg("enterprise");
    ASSERT_EQ(
        server_->Client(other.key).Post("/api/v1/contacts", {{"phone", "+12025550180"}, {"tags", {"vip"}}}).status,
        201);

    Json body = Q1Outreach(NewList("Empty", {}));
    body["contact_tags"] = {"vip", "cold"};
    const std::string id = api().Post("/api/v1/campaigns", body).json()["data"]["id"];
    auto started = Act(id, "start");
    ASSERT_EQ(started.status, 200) << started.body;
    // The first, and the last once though it holds both tags; not the deleted contact, the one
    // that lost the tag, or the other organization's.
    EXPECT_EQ(started.json()["data"]["stats"]["contacts"],
              Json({{"total", 2}, {"pending", 2}, {"in_progress", 0}, {"done", 0}}));
}

TEST_P(CampaignsApi, ContactsJoinARunningCampaignAtOnceAndUnknownCampaignsAreRefused) {
    const std::string list = NewList("Injected", {});
    const std::string id = api().Post("/api/v1/campaigns", Q1Outreach(list)).json()["data"]["id"];
    ASSERT_EQ(Act(id, "start").status, 200);
    EXPECT_EQ(Contacts(id)["total"], 0);

    // Seed 000 "Create Contact": with the id of a running campaign, queued immediately.
    const std::string injected = NewContact(api(), "+12025550178", {{"campaign_id", id}});
    EXPECT_EQ(Contacts(id), Json({{"total", 1}, {"pending", 1}, {"in_progress", 0}, {"done", 0}}));
    // Moving a contact into the campaign and adding one to its list queue them too, once each.
    const std::string moved = NewContact(api(), "+12025550179");
    ASSERT_EQ(api().Patch("/api/v1/contacts/" + moved, {{"campaign_id", id}}).status, 200);
    auto added = api().Post("/api/v1/contact-lists/" + list + "/contacts", {{"contact_ids", {injected, moved}}});
    ASSERT_EQ(added.status, 200) << added.body;
    EXPECT_EQ(added.json()["data"]["changed"], 2);
    auto bulk = api().Post(
        "/api/v1/contacts/bulk",
        {{"contacts", {{{"phone", "+12025550180"}}, {{"phone", "+12025550181"}, {"campaign_id", "camp_nope"}}}},
         {"campaign_id", id}});
    ASSERT_EQ(bulk.status, 200) << bulk.body;
    EXPECT_EQ(bulk.json()["data"]["created"], 1);
    EXPECT_EQ(bulk.json()["data"]["invalid"], 1);
    EXPECT_EQ(Contacts(id)["total"], 3);

    auto unknown = api().Post("/api/v1/contacts", {{"phone", "+12025550182"}, {"campaign_id", "camp_nope"}});
    ExpectError(unknown, 422, "UNPROCESSABLE");
    EXPECT_EQ(unknown.json()["error"]["details"][0]["field"], "campaign_id");
    EXPECT_TRUE(AllContacts("&phone=%2B12025550182").empty());
    ExpectError(api().Patch("/api/v1/contacts/" + moved, {{"campaign_id", "camp_nope"}}), 422, "UNPROCESSABLE");
    EXPECT_EQ(api().Get("/api/v1/contacts/" + moved).json()["data"]["campaign_id"], id);
}

// Issue 22: a contact taken off the list of a running campaign leaves its queue, unless the
// campaign still selects it by a tag or by its own id; put back, it is queued again.
TEST_P(CampaignsApi, AContactRemovedFromTheListLeavesTheQueueUnlessATagOrTheCampaignStillSelectsIt) {
    const std::string only_list = NewContact(api(), "+12025550185");
    const std::string tagged = NewContact(api(), "+12025550186", {{"tags", {"vip"}}});
    const std::string list = NewList("Removals", {only_list, tagged});
    Json body = Q1Outreach(list);
    body["contact_tags"] = {"vip"};
    const std::string id = api().Post("/api/v1/campaigns", body).json()["data"]["id"];
    ASSERT_EQ(Act(id, "start").status, 200);
    const std::string own = NewContact(api(), "+12025550187", {{"campaign_id", id}});
    ASSERT_EQ(api().Post("/api/v1/contact-lists/" + list + "/contacts", {{"contact_ids", {own}}}).status, 200);
    EXPECT_EQ(Contacts(id), Json({{"total", 3}, {"pending", 3}, {"in_progress", 0}, {"done", 0}}));

    auto removed = api().Send("DELETE", "/api/v1/contact-lists/" + list + "/contacts",
                              Json{{"contact_ids", {only_list, tagged, own}}}.dump());
    ASSERT_EQ(removed.status, 200) << removed.body;
    EXPECT_EQ(removed.json()["data"]["changed"], 3);
    EXPECT_EQ(Contacts(id), Json({{"total", 2}, {"pending", 2}, {"in_progress", 0}, {"done", 0}}));
    // Put back, it is queued again; a paused campaign's queue loses it as a running one's does.
    ASSERT_EQ(api().Post("/api/v1/contact-lists/" + list + "/contacts", {{"contact_ids", {only_list}}}).status, 200);
    EXPECT_EQ(Contacts(id)["pending"], 3);
    ASSERT_EQ(Act(id, "pause").status, 200);
    ASSERT_EQ(
        api()
            .Send("DELETE", "/api/v1/contact-lists/" + list + "/contacts", Json{{"contact_ids", {only_list}}}.dump())
            .status,
        200);
    EXPECT_EQ(Contacts(id)["pending"], 2);
}

TEST_P(CampaignsApi, ContactListsHoldMembersOnceAndRefuseUnknownContacts) {
    const std::string a = NewContact(api(), "+12025550183");
    const std::string b = NewContact(api(), "+12025550184");
    auto created = api().Post("/api/v1/contact-lists",
                              {{"name", "Spring"}, {"description", "webinar sign-ups"}, {"contact_ids", {a}}});
    ASSERT_EQ(created.status, 201) << created.body;
    const Json list = created.json()["data"];
    const std::string id = list["id"];
    EXPECT_TRUE(id.starts_with("list_"));
    EXPECT_EQ(list["contact_count"], 1);
    EXPECT_EQ(list["description"], "webinar sign-ups");
    ExpectError(api().Post("/api/v1/contact-lists", {{"name", "Spring"}}), 409, "DUPLICATE");

    auto added = api().Post("/api/v1/contact-lists/" + id + "/contacts", {{"contact_ids", {a, b}}});
    ASSERT_EQ(added.status, 200) << added.body;
    EXPECT_EQ(added.json()["data"]["changed"], 1);
    EXPECT_EQ(added.json()["data"]["contact_count"], 2);
    auto members = api().Get("/api/v1/contact-lists/" + id + "/contacts");
    ASSERT_EQ(members.status, 200) << members.body;
    EXPECT_EQ(members.json()["data"].size(), 2u);
    EXPECT_EQ(AllContacts("&list_id=" + id).size(), 2u);

    auto unknown = api().Post("/api/v1/contact-lists/" + id + "/contacts", {{"contact_ids", {b, "ct_nope"}}});
    ExpectError(unknown, 422, "UNPROCESSABLE");
    EXPECT_EQ(unknown.json()["error"]["details"][0]["index"], 1);
    ExpectError(api().Post("/api/v1/contact-lists/" + id + "/contacts", {{"contact_ids", Json::array()}}), 400,
                "VALIDATION_ERROR");
    ExpectError(api().Post("/api/v1/contact-lists/" + id + "/contacts", {{"contact_ids", {a}}, {"extra", 1}}), 400,
                "VALIDATION_ERROR");
    ExpectError(api().Post("/api/v1/contact-lists", {{"name", "Bad"}, {"contact_ids", {"ct_nope"}}}), 422,
                "UNPROCESSABLE");
    EXPECT_EQ(api().Get("/api/v1/contact-lists?limit=100").json()["data"].size(), 1u);

    auto removed =
        api().Send("DELETE", "/api/v1/contact-lists/" + id + "/contacts", Json{{"contact_ids", {a, "ct_nope"}}}.dump());
    ASSERT_EQ(removed.status, 200) << removed.body;
    EXPECT_EQ(removed.json()["data"]["changed"], 1);
    EXPECT_EQ(api().Get("/api/v1/contact-lists/" + id).json()["data"]["contact_count"], 1);
    // Deleting a contact takes it off its lists.
    ASSERT_EQ(api().Delete("/api/v1/contacts/" + b).status, 200);
    EXPECT_EQ(api().Get("/api/v1/contact-lists/" + id).json()["data"]["contact_count"], 0);

    auto renamed = api().Patch("/api/v1/contact-lists/" + id, {{"name", "Spring 2099"}});
    ASSERT_EQ(renamed.status, 200) << renamed.body;
    EXPECT_EQ(renamed.json()["data"]["name"], "Spring 2099");
    ExpectError(api().Patch("/api/v1/contact-lists/" + id, {{"name", ""}}), 400, "VALIDATION_ERROR");

    // A list a running campaign calls cannot be deleted until the campaign stops.
    const std::string campaign = api().Post("/api/v1/campaigns", Q1Outreach(id)).json()["data"]["id"];
    ASSERT_EQ(Act(campaign, "start").status, 200);
    ExpectError(api().Delete("/api/v1/contact-lists/" + id), 409, "CONFLICT");
    ASSERT_EQ(Act(campaign, "stop").status, 200);
    EXPECT_EQ(api().Delete("/api/v1/contact-lists/" + id).status, 200);
    ExpectError(api().Get("/api/v1/contact-lists/" + id), 404, "NOT_FOUND");
    ExpectError(api().Get("/api/v1/contact-lists/" + id + "/contacts"), 404, "NOT_FOUND");
}

// The refusal counts the unknown ids and names the first ten in its details; nothing is written.
TEST_P(CampaignsApi, UnknownContactIdsAreCountedAndTheFirstTenNamed) {
    const std::string known = NewContact(api(), "+12025550185");
    auto created = api().Post("/api/v1/contact-lists",
                              {{"name", "Two unknown"}, {"contact_ids", {known, "ct_nope_one", "ct_nope_two"}}});
    ExpectError(created, 422, "UNPROCESSABLE");
    const Json error = created.json()["error"];
    EXPECT_NE(error["message"].get<std::string>().find("2 of the 3 contact ids"), std::string::npos) << created.body;
    ASSERT_EQ(error["details"].size(), 2u) << created.body;
    EXPECT_EQ(error["details"][0]["field"], "contact_ids");
    EXPECT_EQ(error["details"][0]["index"], 1);
    EXPECT_NE(error["details"][0]["message"].get<std::string>().find("ct_nope_one"), std::string::npos);
    EXPECT_EQ(error["details"][1]["index"], 2);
    EXPECT_NE(error["details"][1]["message"].get<std::string>().find("ct_nope_two"), std::string::npos);
    EXPECT_EQ(api().Get("/api/v1/contact-lists?limit=100").json()["data"].size(), 0u);

    const std::string list = NewList("Spring", {known});
    Json many = Json::array();
    for (int i = 0; i < 15; ++i) many.push_back("ct_nope_" + std::to_string(i));
    auto added = api().Post("/api/v1/contact-lists/" + list + "/contacts", {{"contact_ids", many}});
    ExpectError(added, 422, "UNPROCESSABLE");
    EXPECT_NE(added.json()["error"]["message"].get<std::string>().find("15 of the 15 contact ids"), std::string::npos)
        << added.body;
    const Json details = added.json()["error"]["details"];
    ASSERT_EQ(details.size(), 10u) << added.body;
    for (int i = 0; i < 10; ++i) {
        EXPECT_EQ(details[i]["index"], i);
        EXPECT_NE(details[i]["message"].get<std::string>().find("ct_nope_" + std::to_string(i)), std::string::npos);
    }
    EXPECT_EQ(api().Get("/api/v1/contact-lists/" + list).json()["data"]["contact_count"], 1);
}

TEST_P(CampaignsApi, ListsFilterByStatusAndDirectionAndAnotherOrganizationSeesNothing) {
    const std::string out =
        api().Post("/api/v1/campaigns", {{"name", "Out"}, {"profile_id", profile_id_}}).json()["data"]["id"];
    api().Post("/api/v1/campaigns", {{"name", "In"}, {"profile_id", profile_id_}, {"direction", "inbound"}});
    EXPECT_EQ(CampaignCount(), 2u);
    EXPECT_EQ(CampaignCount("&direction=inbound"), 1u);
    EXPECT_EQ(CampaignCount("&direction=outbound&status=draft"), 1u);
    EXPECT_EQ(CampaignCount("&status=running"), 0u);
    ExpectError(api().Get("/api/v1/campaigns?direction=up"), 400, "VALIDATION_ERROR");

    const OrgKey other = server_->CreateOrg("enterprise");
    ExpectError(server_->Client(other.key).Get("/api/v1/campaigns/" + out), 404, "NOT_FOUND");
    ExpectError(server_->Client(other.key).Send("POST", "/api/v1/campaigns/" + out + "/start"), 404, "NOT_FOUND");
    EXPECT_EQ(server_->Client(other.key).Get("/api/v1/campaigns").json()["data"].size(), 0u);
    EXPECT_EQ(Campaign(out)["status"], "draft");
}

}  // namespace
}  // namespace parley::testing
