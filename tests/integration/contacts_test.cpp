#include <chrono>
#include <set>

#include "support/fixture.hpp"
#include "support/seeds.hpp"
#include "support/wait.hpp"

namespace parley::testing {
namespace {

class ContactsApi : public ApiTest {
protected:
    // A draft campaign (it never calls), for contacts that name one.
    std::string NewCampaign(const std::string& name) const {
        return CreatedId(api().Post("/api/v1/campaigns", {{"name", name}, {"profile_id", NewProfile(api())}}));
    }
};
PARLEY_BACKENDS(ContactsApi);

Json John() {
    return Json{{"first_name", "John"},
                {"last_name", "Martinez"},
                {"phone", "+12145551234"},
                {"email", "john@example.com"},
                {"company", "ABC Corp"},
                {"tags", {"website_lead"}},
                {"custom_fields", {{"source", "contact_form"}}}};
}

TEST_P(ContactsApi, CreatesTheSeedExampleContactAndReadsItBack) {
    const std::string campaign = NewCampaign("Website leads");
    Json john = John();
    john["campaign_id"] = campaign;
    auto res = api().Post("/api/v1/contacts", john);
    ASSERT_EQ(res.status, 201) << res.body;
    auto j = res.json();
    EXPECT_EQ(j["success"], true);
    const auto& c = j["data"];
    EXPECT_TRUE(c["id"].get<std::string>().starts_with("ct_"));
    EXPECT_EQ(c["first_name"], "John");
    EXPECT_EQ(c["last_name"], "Martinez");
    EXPECT_EQ(c["phone"], "+12145551234");
    EXPECT_EQ(c["phone_country"], "US");
    EXPECT_EQ(c["email"], "john@example.com");
    EXPECT_EQ(c["company"], "ABC Corp");
    EXPECT_EQ(c["tags"], Json({"website_lead"}));
    EXPECT_EQ(c["campaign_id"], campaign);
    EXPECT_EQ(c["custom_fields"]["source"], "contact_form");
    EXPECT_EQ(c["dnc_status"], "callable");
    EXPECT_EQ(c["source"], "api");

    auto got = api().Get("/api/v1/contacts/" + c["id"].get<std::string>());
    ASSERT_EQ(got.status, 200) << got.body;
    EXPECT_EQ(got.json()["data"], c);
}

TEST_P(ContactsApi, StoresPhonesInE164WhateverTheirWriting) {
    auto res = api().Post("/api/v1/contacts", {{"phone", "(202) 555-0123"}});
    ASSERT_EQ(res.status, 201) << res.body;
    EXPECT_EQ(res.json()["data"]["phone"], "+12025550123");
    auto uk = api().Post("/api/v1/contacts", {{"phone", "+44 20 7946 0958"}});
    ASSERT_EQ(uk.status, 201) << uk.body;
    EXPECT_EQ(uk.json()["data"]["phone"], "+442079460958");
    EXPECT_EQ(uk.json()["data"]["phone_country"], "GB");
}

TEST_P(ContactsApi, RefusesASecondContactWithTheSamePhone) {
    ASSERT_EQ(api().Post("/api/v1/contacts", John()).status, 201);
    auto again = api().Post("/api/v1/contacts", {{"phone", "214-555-1234"}, {"first_name", "Other"}});
    ExpectError(again, 409, "DUPLICATE");
    EXPECT_EQ(AllContacts().size(), 1u);
}

TEST_P(ContactsApi, InvalidFieldsAreNamedAndNothingIsWritten) {
    struct Case {
        Json body;
        std::string field;
    };
    const std::vector<Case> cases = {
        {{{"first_name", "No phone"}}, "phone"},
        {{{"phone", "not a number"}}, "phone"},
        {{{"phone", "+1 000 000 0000"}}, "phone"},
        {{{"phone", 12025550123LL}}, "phone"},
        {{{"phone", "+12025550123"}, {"email", "nope"}}, "email"},
        {{{"phone", "+12025550123"}, {"first_name", 42}}, "first_name"},
        {{{"phone", "+12025550123"}, {"tags", "vip"}}, "tags"},
        {{{"phone", "+12025550123"}, {"tags", {1, 2}}}, "tags"},
        {{{"phone", "+12025550123"}, {"custom_fields", {1, 2}}}, "custom_fields"},
        {{{"phone", "+12025550123"}, {"timezone", "Mars/Olympus"}}, "timezone"},
        {{{"phone", "+12025550123"}, {"first_name", std::string(300, 'x')}}, "first_name"},
        {{{"phone", "+12025550123"}, {"phonee", "typo"}}, "phonee"},
        {{{"phone", "+12025550123"}, {"first_name", "a\u0001b"}}, "first_name"},
    };
    for (const auto& c : cases) {
        auto res = api().Post("/api/v1/contacts", c.body);
        ExpectError(res, 400, "VALIDATION_ERROR");
        bool named = false;
        const Json details = res.json()["error"]["details"];
        for (const auto& d : details) named = named || d["field"] == c.field;
        EXPECT_TRUE(named) << "expected " << c.field << " in " << res.body;
    }
    EXPECT_TRUE(AllContacts().empty());
}

TEST_P(ContactsApi, MalformedBodiesAreRefusedAndNothingIsWritten) {
    auto send = [&](const std::string& body, const std::string& type = "application/json") {
        return api().Send("POST", "/api/v1/contacts", body, {{"Content-Type", type}});
    };
    ExpectError(send("{\"phone\": "), 400, "INVALID_JSON");
    ExpectError(send("{\"phone\": \"+12025550123\", }"), 400, "INVALID_JSON");
    ExpectError(send("{\"first_name\": \"\xff\xfe\", \"phone\": \"+12025550123\"}"), 400, "INVALID_JSON");
    ExpectError(send(std::string(100, '[') + std::string(100, ']')), 400, "INVALID_JSON");
    ExpectError(send("[1, 2, 3]"), 400, "VALIDATION_ERROR");
    ExpectError(send("\"just a string\""), 400, "VALIDATION_ERROR");
    ExpectError(send("phone=+12025550123", "application/x-www-form-urlencoded"), 415, "UNSUPPORTED_MEDIA_TYPE");
    ExpectError(api().Send("POST", "/api/v1/contacts"), 400, "VALIDATION_ERROR");
    EXPECT_TRUE(AllContacts().empty());
}

TEST_P(ContactsApi, InjectionLookingTextIsStoredAsText) {
    const std::string evil = "Robert'); DROP TABLE contacts;--";
    auto res =
        api().Post("/api/v1/contacts", {{"phone", "+12025550123"}, {"first_name", evil}, {"tags", {"' OR 1=1"}}});
    ASSERT_EQ(res.status, 201) << res.body;
    EXPECT_EQ(res.json()["data"]["first_name"], evil);
    auto list = api().Get("/api/v1/contacts?tag=%27%20OR%201%3D1");
    ASSERT_EQ(list.status, 200) << list.body;
    EXPECT_EQ(list.json()["data"].size(), 1u);
    EXPECT_EQ(AllContacts().size(), 1u);
}

TEST_P(ContactsApi, UpdatesWithPatchAndKeepsWhatWasNotSent) {
    auto created = api().Post("/api/v1/contacts", John()).json()["data"];
    const std::string id = created["id"];
    auto res = api().Patch("/api/v1/contacts/" + id,
                           {{"company", "XYZ Inc"}, {"tags", {"customer"}}, {"custom_fields", {{"crm_id", "42"}}}});
    ASSERT_EQ(res.status, 200) << res.body;
    const Json c = res.json()["data"];
    EXPECT_EQ(c["company"], "XYZ Inc");
    EXPECT_EQ(c["first_name"], "John");
    EXPECT_EQ(c["tags"], Json({"customer"}));
    EXPECT_EQ(c["custom_fields"]["source"], "contact_form");
    EXPECT_EQ(c["custom_fields"]["crm_id"], "42");

    auto cleared =
        api().Patch("/api/v1/contacts/" + id, {{"email", nullptr}, {"custom_fields", {{"source", nullptr}}}});
    ASSERT_EQ(cleared.status, 200) << cleared.body;
    EXPECT_TRUE(cleared.json()["data"]["email"].is_null());
    EXPECT_FALSE(cleared.json()["data"]["custom_fields"].contains("source"));

    EXPECT_EQ(api().Get("/api/v1/contacts?tag=website_lead").json()["data"].size(), 0u);
    EXPECT_EQ(api().Get("/api/v1/contacts?tag=customer").json()["data"].size(), 1u);
}

TEST_P(ContactsApi, PatchWithBadInputChangesNothing) {
    auto created = api().Post("/api/v1/contacts", John()).json()["data"];
    const std::string id = created["id"];
    ASSERT_EQ(api().Post("/api/v1/contacts", {{"phone", "+12025550123"}}).status, 201);
    ExpectError(api().Patch("/api/v1/contacts/" + id, {{"company", "New"}, {"email", "broken"}}), 400,
                "VALIDATION_ERROR");
    ExpectError(api().Patch("/api/v1/contacts/" + id, {{"phone", "+12025550123"}}), 409, "DUPLICATE");
    ExpectError(api().Patch("/api/v1/contacts/" + id, {{"phone", nullptr}}), 400, "VALIDATION_ERROR");
    EXPECT_EQ(api().Get("/api/v1/contacts/" + id).json()["data"], created);
}

TEST_P(ContactsApi, DeletesAContact) {
    const std::string id = api().Post("/api/v1/contacts", John()).json()["data"]["id"];
    auto res = api().Delete("/api/v1/contacts/" + id);
    ASSERT_EQ(res.status, 200) << res.body;
    ExpectError(api().Get("/api/v1/contacts/" + id), 404, "NOT_FOUND");
    ExpectError(api().Delete("/api/v1/contacts/" + id), 404, "NOT_FOUND");
    // The phone is free again.
    EXPECT_EQ(api().Post("/api/v1/contacts", John()).status, 201);
}

TEST_P(ContactsApi, AnotherOrganizationsContactsAreInvisible) {
    const std::string id = api().Post("/api/v1/contacts", John()).json()["data"]["id"];
    auto other = server_->CreateOrg();
    auto them = server_->Client(other.key);
    ExpectError(them.Get("/api/v1/contacts/" + id), 404, "NOT_FOUND");
    ExpectError(them.Patch("/api/v1/contacts/" + id, {{"company", "Stolen"}}), 404, "NOT_FOUND");
    ExpectError(them.Delete("/api/v1/contacts/" + id), 404, "NOT_FOUND");
    ExpectError(them.Post("/api/v1/contacts/" + id + "/dnc", nullptr), 404, "NOT_FOUND");
    EXPECT_EQ(them.Get("/api/v1/contacts").json()["data"].size(), 0u);
    // The same phone is free in the other organization.
    EXPECT_EQ(them.Post("/api/v1/contacts", John()).status, 201);
    EXPECT_EQ(api().Get("/api/v1/contacts/" + id).json()["data"]["company"], "ABC Corp");
}

TEST_P(ContactsApi, ListsNewestFirstWithStableCursorsUnderConcurrentInserts) {
    Json rows = Json::array();
    for (int i = 0; i < 120; ++i) rows.push_back({{"phone", "+1202555" + std::to_string(1000 + i)}});
    auto bulk = api().Post("/api/v1/contacts/bulk", {{"contacts", rows}});
    ASSERT_EQ(bulk.status, 200) << bulk.body;
    ASSERT_EQ(bulk.json()["data"]["created"], 120);

    auto first = api().Get("/api/v1/contacts?limit=50");
    ASSERT_EQ(first.status, 200);
    auto j = first.json();
    EXPECT_EQ(j["meta"]["limit"], 50);
    EXPECT_EQ(j["meta"]["has_more"], true);
    EXPECT_EQ(j["data"].size(), 50u);
    EXPECT_GT(j["data"][0]["id"].get<std::string>(), j["data"][49]["id"].get<std::string>());

    // Inserts between pages must neither repeat nor skip a contact of the original 120.
    std::set<std::string> seen;
    for (auto& c : j["data"]) seen.insert(c["id"]);
    std::string cursor = j["meta"]["next_cursor"];
    for (int page = 0; page < 5 && !cursor.empty(); ++page) {
        api().Post("/api/v1/contacts", {{"phone", "+1303555" + std::to_string(1000 + page)}});
        auto next = api().Get("/api/v1/contacts?limit=50&cursor=" + cursor).json();
        for (auto& c : next["data"]) EXPECT_TRUE(seen.insert(c["id"]).second) << "repeated " << c["id"];
        cursor = next["meta"]["has_more"].get<bool>() ? next["meta"]["next_cursor"].get<std::string>() : "";
    }
    EXPECT_EQ(seen.size(), 120u);
}

TEST_P(ContactsApi, BadLimitsAndCursorsAreA400) {
    for (const char* q : {"limit=0", "limit=101", "limit=-5", "limit=abc", "limit=99999999999999999999",
                          "limit=", "cursor=garbage", "cursor=Y2ZfMDFqZA", "cursor=%00"}) {
        ExpectError(api().Get(std::string("/api/v1/contacts?") + q), 400, "VALIDATION_ERROR");
    }
    ExpectError(api().Get("/api/v1/contacts?dnc_status=maybe"), 400, "VALIDATION_ERROR");
    ExpectError(api().Get("/api/v1/contacts?phone=xyz"), 400, "VALIDATION_ERROR");
    EXPECT_EQ(api().Get("/api/v1/contacts?limit=100").status, 200);
}

TEST_P(ContactsApi, FiltersByTagSourceDncStatusAndCampaign) {
    const std::string camp_x = NewCampaign("x");
    ASSERT_EQ(
        api().Post("/api/v1/contacts", {{"phone", "+12025550101"}, {"tags", {"a", "b"}}, {"source", "website"}}).status,
        201);
    ASSERT_EQ(
        api().Post("/api/v1/contacts", {{"phone", "+12025550102"}, {"tags", {"b"}}, {"campaign_id", camp_x}}).status,
        201);
    const std::string dnc_id =
        api().Post("/api/v1/contacts", {{"phone", "+12025550103"}}).json()["data"]["id"].get<std::string>();
    ASSERT_EQ(api().Post("/api/v1/contacts/" + dnc_id + "/dnc", nullptr).status, 200);

    EXPECT_EQ(AllContacts("&tag=a").size(), 1u);
    EXPECT_EQ(AllContacts("&tag=b").size(), 2u);
    EXPECT_EQ(AllContacts("&source=website").size(), 1u);
    EXPECT_EQ(AllContacts("&source=api").size(), 2u);
    EXPECT_EQ(AllContacts("&campaign_id=" + camp_x).size(), 1u);
    auto dnc = AllContacts("&dnc_status=dnc");
    ASSERT_EQ(dnc.size(), 1u);
    EXPECT_EQ(dnc[0]["id"], dnc_id);
    EXPECT_EQ(AllContacts("&dnc_status=callable").size(), 2u);
    EXPECT_EQ(AllContacts("&tag=b&source=website").size(), 1u);
    EXPECT_EQ(AllContacts("&phone=%2B12025550102").size(), 1u);
}

TEST_P(ContactsApi, BulkCreateReportsCreatedDuplicatesAndInvalidRows) {
    const std::string camp_b = NewCampaign("b");
    ASSERT_EQ(api().Post("/api/v1/contacts", {{"phone", "+12145551234"}}).status, 201);
    auto res = api().Post("/api/v1/contacts/bulk", {{"contacts",
                                                     {{{"first_name", "John"}, {"phone", "+12145551234"}},
                                                      {{"first_name", "Jane"}, {"phone", "+13105559876"}},
                                                      {{"first_name", "Jim"}, {"phone", "not a phone"}},
                                                      {{"first_name", "Jane again"}, {"phone", "310-555-9876"}},
                                                      "not an object"}},
                                                    {"tags", {"batch_import"}},
                                                    {"campaign_id", camp_b}});
    ASSERT_EQ(res.status, 200) << res.body;
    const auto d = res.json()["data"];
    EXPECT_EQ(d["created"], 1);
    EXPECT_EQ(d["duplicates"], 2);
    EXPECT_EQ(d["invalid"], 2);
    ASSERT_EQ(d["failures"].size(), 4u);
    EXPECT_EQ(d["failures"][0]["index"], 0);
    EXPECT_EQ(d["failures"][0]["status"], "duplicate");
    EXPECT_TRUE(d["failures"][0]["existing_contact_id"].is_string());
    EXPECT_EQ(d["failures"][1]["index"], 2);
    EXPECT_EQ(d["failures"][1]["status"], "invalid");
    EXPECT_EQ(d["failures"][1]["errors"][0]["field"], "phone");
    EXPECT_EQ(d["failures"][2]["index"], 3);
    EXPECT_EQ(d["failures"][3]["index"], 4);
    auto jane = api().Get("/api/v1/contacts/" + d["created_ids"][0].get<std::string>()).json()["data"];
    EXPECT_EQ(jane["first_name"], "Jane");
    EXPECT_EQ(jane["tags"], Json({"batch_import"}));
    EXPECT_EQ(jane["campaign_id"], camp_b);
    EXPECT_EQ(jane["source"], "bulk");
}

TEST_P(ContactsApi, BulkCreateTakesAThousandAndRefusesMore) {
    Json rows = Json::array();
    for (int i = 0; i < 1000; ++i) rows.push_back({{"phone", "+1212555" + std::to_string(1000 + i)}});
    auto ok = api().Post("/api/v1/contacts/bulk", {{"contacts", rows}});
    ASSERT_EQ(ok.status, 200) << ok.body.substr(0, 500);
    EXPECT_EQ(ok.json()["data"]["created"], 1000);
    rows.push_back({{"phone", "+12135550000"}});
    ExpectError(api().Post("/api/v1/contacts/bulk", {{"contacts", rows}}), 400, "VALIDATION_ERROR");
    ExpectError(api().Post("/api/v1/contacts/bulk", {{"contacts", Json::array()}}), 400, "VALIDATION_ERROR");
    ExpectError(api().Post("/api/v1/contacts/bulk", {{"contacts", "x"}}), 400, "VALIDATION_ERROR");
    EXPECT_EQ(AllContacts().size(), 1000u);
}

TEST_P(ContactsApi, ImportsCsvWithTheSameValidationAsBulk) {
    api().Post("/api/v1/custom-fields", {{"name", "budget"}, {"type", "number"}});
    api().Post("/api/v1/custom-fields", {{"name", "vip"}, {"type", "boolean"}});
    const std::string csv =
        "first_name,last_name,phone,email,tags,budget,vip,notes,dnc\r\n"
        "Ann,Lee,+12025550111,ann@example.com,a;b,5000,yes,\"likes, commas\",\n"
        "Bob,,(202) 555-0112,,,not-a-number,,,\n"
        "\"Cy \"\"the\"\" Guy\",Ray,+12025550113,,c,,no,\"two\nlines\",true\n"
        "Dup,,202.555.0111,,,,,,\n"
        "Bad,,12,,,,,,\n";
    auto res = api().Send("POST", "/api/v1/contacts/import?tags=imported", csv, {{"Content-Type", "text/csv"}});
    ASSERT_EQ(res.status, 200) << res.body;
    const auto d = res.json()["data"];
    EXPECT_EQ(d["created"], 2);
    EXPECT_EQ(d["duplicates"], 1);
    EXPECT_EQ(d["invalid"], 2);
    std::map<long, std::string> failures;
    for (auto& f : d["failures"]) failures[f["index"].get<long>()] = f["status"];
    // Rows are numbered as a spreadsheet shows them: the header is row 1.
    EXPECT_EQ(failures[3], "invalid");    // Bob: budget is not a number
    EXPECT_EQ(failures[5], "duplicate");  // Dup: the same phone as Ann
    EXPECT_EQ(failures[6], "invalid");    // Bad: phone 12

    auto ann = AllContacts("&phone=%2B12025550111");
    ASSERT_EQ(ann.size(), 1u);
    EXPECT_EQ(ann[0]["tags"], Json({"a", "b", "imported"}));
    EXPECT_EQ(ann[0]["custom_fields"]["budget"], 5000);
    EXPECT_EQ(ann[0]["custom_fields"]["vip"], true);
    EXPECT_EQ(ann[0]["custom_fields"]["notes"], "likes, commas");
    EXPECT_EQ(ann[0]["source"], "import");
    auto cy = AllContacts("&phone=%2B12025550113");
    ASSERT_EQ(cy.size(), 1u);
    EXPECT_EQ(cy[0]["first_name"], "Cy \"the\" Guy");
    EXPECT_EQ(cy[0]["custom_fields"]["notes"], "two\nlines");
    EXPECT_EQ(cy[0]["dnc_status"], "dnc");
    auto status = api().Get("/api/v1/dnc?phone=%2B12025550113").json()["data"];
    EXPECT_EQ(status["on_dnc_list"], true);
    EXPECT_EQ(status["reason"], "import");
}

TEST_P(ContactsApi, ImportRefusesBrokenCsvAndWritesNothing) {
    auto send = [&](const std::string& csv) {
        return api().Send("POST", "/api/v1/contacts/import", csv, {{"Content-Type", "text/csv"}});
    };
    ExpectError(send(""), 400, "VALIDATION_ERROR");
    ExpectError(send("first_name,phone\n"), 400, "VALIDATION_ERROR");
    ExpectError(send("first_name,email\nAnn,a@b.co\n"), 400, "VALIDATION_ERROR");
    ExpectError(send("phone,phone\n+12025550111,+12025550112\n"), 400, "VALIDATION_ERROR");
    ExpectError(send("phone,first_name\n+12025550111,\"unterminated\n"), 400, "VALIDATION_ERROR");
    ExpectError(send("phone\n+1202555\xff\xfe\n"), 400, "VALIDATION_ERROR");
    ExpectError(
        api().Send("POST", "/api/v1/contacts/import", "phone\n+12025550111\n", {{"Content-Type", "text/plain"}}), 415,
        "UNSUPPORTED_MEDIA_TYPE");
    EXPECT_TRUE(AllContacts().empty());
}

TEST_P(ContactsApi, ImportAcceptsAJsonWrappedCsv) {
    auto res =
        api().Post("/api/v1/contacts/import", {{"csv", "phone,first_name\n+12025550111,Ann\n"}, {"tags", {"t"}}});
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.json()["data"]["created"], 1);
    EXPECT_EQ(AllContacts("&tag=t").size(), 1u);
}

TEST_P(ContactsApi, ImportOptionsAreCheckedLikeABulkRequest) {
    const std::string csv = "phone\n+12025550111\n";
    for (const Json& bad :
         {Json{{"csv", csv}, {"tags", {1}}}, Json{{"csv", csv}, {"tags", {std::string(100, 't')}}},
          Json{{"csv", csv}, {"source", "a\u0002"}}, Json{{"csv", csv}, {"colour", "red"}}, Json{{"csv", 5}}}) {
        auto res = api().Post("/api/v1/contacts/import", bad, {{"Idempotency-Key", "import-" + bad.dump()}});
        ExpectError(res, 400, "VALIDATION_ERROR");
    }
    ExpectError(api().Send("POST", "/api/v1/contacts/import?campaign_id=" + std::string(80, 'c'), csv,
                           {{"Content-Type", "text/csv"}}),
                400, "VALIDATION_ERROR");
    EXPECT_TRUE(AllContacts().empty());
}

TEST_P(ContactsApi, ImportRefusesMoreThanOneHundredFiftyColumns) {
    std::string header = "phone";
    std::string row = "+12025550144";
    for (int i = 0; i < 150; ++i) {
        header += ",c" + std::to_string(i);
        row += ",v";
    }
    auto res =
        api().Send("POST", "/api/v1/contacts/import", header + "\n" + row + "\n", {{"Content-Type", "text/csv"}});
    ExpectError(res, 400, "VALIDATION_ERROR");
    EXPECT_NE(res.json()["error"]["message"].get<std::string>().find("151 columns"), std::string::npos) << res.body;
    EXPECT_TRUE(AllContacts().empty());
}

TEST_P(ContactsApi, ImportRefusesMoreThanOneHundredThousandRows) {
    std::string csv = "phone\n";
    csv.reserve(100'001 * 14);
    for (int i = 0; i <= 100'000; ++i) csv += "+1202555" + std::to_string(1000 + i % 9000) + "\n";
    auto res = api().Send("POST", "/api/v1/contacts/import", csv, {{"Content-Type", "text/csv"}});
    ExpectError(res, 400, "VALIDATION_ERROR");
    EXPECT_NE(res.json()["error"]["message"].get<std::string>().find("100000"), std::string::npos) << res.body;
    EXPECT_TRUE(AllContacts().empty());
}

TEST_P(ContactsApi, DncLedgerOutlivesTheContact) {
    auto created = api().Post("/api/v1/contacts", John()).json()["data"];
    const std::string id = created["id"];
    auto added = api().Post("/api/v1/contacts/" + id + "/dnc", {{"note", "asked on the phone"}});
    ASSERT_EQ(added.status, 200) << added.body;
    EXPECT_EQ(added.json()["data"]["dnc_status"], "dnc");
    EXPECT_TRUE(added.json()["data"]["dnc_since"].is_string());

    ASSERT_EQ(api().Delete("/api/v1/contacts/" + id).status, 200);
    auto again = api().Post("/api/v1/contacts", John());
    ASSERT_EQ(again.status, 201);
    EXPECT_EQ(again.json()["data"]["dnc_status"], "dnc");

    auto status = api().Get("/api/v1/dnc/+12145551234");
    ASSERT_EQ(status.status, 200) << status.body;
    auto s = status.json()["data"];
    EXPECT_EQ(s["on_dnc_list"], true);
    EXPECT_EQ(s["reason"], "api");
    ASSERT_EQ(s["history"].size(), 1u);
    EXPECT_EQ(s["history"][0]["action"], "add");
    EXPECT_EQ(s["history"][0]["note"], "asked on the phone");
    EXPECT_EQ(s["history"][0]["contact_id"], id);
    EXPECT_EQ(s["history"][0]["api_key_id"], org_.key_id);

    const std::string new_id = again.json()["data"]["id"];
    auto removed = api().Delete("/api/v1/contacts/" + new_id + "/dnc");
    ASSERT_EQ(removed.status, 200);
    EXPECT_EQ(removed.json()["data"]["dnc_status"], "callable");
    auto after = api().Get("/api/v1/dnc?phone=%2B12145551234").json()["data"];
    EXPECT_EQ(after["on_dnc_list"], false);
    ASSERT_EQ(after["history"].size(), 2u);
    EXPECT_EQ(after["history"][1]["action"], "remove");
}

TEST_P(ContactsApi, DncListTakesNumbersWithoutContacts) {
    auto added = api().Post("/api/v1/dnc", {{"phone", "(415) 555-0199"}, {"note", "complaint"}});
    ASSERT_EQ(added.status, 201) << added.body;
    EXPECT_EQ(added.json()["data"]["phone"], "+14155550199");
    auto list = api().Get("/api/v1/dnc");
    ASSERT_EQ(list.status, 200);
    ASSERT_EQ(list.json()["data"].size(), 1u);
    EXPECT_EQ(list.json()["data"][0]["phone"], "+14155550199");
    auto contact = api().Post("/api/v1/contacts", {{"phone", "+14155550199"}});
    EXPECT_EQ(contact.json()["data"]["dnc_status"], "dnc");
    ExpectError(api().Post("/api/v1/dnc", {{"phone", "nope"}}), 400, "VALIDATION_ERROR");
    ExpectError(api().Post("/api/v1/dnc", Json::object()), 400, "VALIDATION_ERROR");
    ExpectError(api().Get("/api/v1/dnc/12"), 400, "VALIDATION_ERROR");
    ExpectError(api().Send("DELETE", "/api/v1/dnc/+14155550199", Json{{"phone", "+12025550123"}}.dump()), 400,
                "VALIDATION_ERROR");
    ASSERT_EQ(api().Delete("/api/v1/dnc/+14155550199").status, 200);
    EXPECT_EQ(api().Get("/api/v1/dnc").json()["data"].size(), 0u);
}

// Removing a number that is not on the organization's list (never added, or removed already) is
// a 404 that leaves no ledger entry and records no event.
TEST_P(ContactsApi, RemovingANumberNotOnTheDncListIs404AndWritesNothing) {
    auto hook = api().Post("/api/v1/webhooks",
                           {{"url", "http://127.0.0.1:9/dnc"}, {"events", {"contact.created", "contact.updated"}}});
    ASSERT_EQ(hook.status, 201) << hook.body;
    ASSERT_EQ(api().Post("/api/v1/contacts", {{"phone", "+12025550161"}, {"first_name", "Ann"}}).status, 201);

    auto never = api().Delete("/api/v1/dnc/+12025550161");
    ExpectError(never, 404, "NOT_FOUND");
    EXPECT_EQ(never.json()["error"]["details"][0]["field"], "phone") << never.body;
    auto status = api().Get("/api/v1/dnc/+12025550161").json()["data"];
    EXPECT_EQ(status["on_dnc_list"], false);
    EXPECT_TRUE(status["history"].empty()) << status.dump();

    ASSERT_EQ(api().Post("/api/v1/dnc", {{"phone", "+14155550188"}}).status, 201);
    ASSERT_EQ(api().Delete("/api/v1/dnc/+14155550188").status, 200);
    ExpectError(api().Delete("/api/v1/dnc/+14155550188"), 404, "NOT_FOUND");
    EXPECT_EQ(api().Get("/api/v1/dnc/+14155550188").json()["data"]["history"].size(), 2u);

    // Events fan out in the order they were recorded: once the second contact's contact.created
    // has its delivery, an event of the refused removal would have one too.
    ASSERT_EQ(api().Post("/api/v1/contacts", {{"phone", "+12025550162"}, {"first_name", "Bo"}}).status, 201);
    size_t created = 0;
    WaitUntil(
        [&] {
            created = api().Get("/api/v1/webhooks/deliveries?event=contact.created").json()["data"].size();
            return created >= 2;
        },
        std::chrono::seconds(15));
    ASSERT_EQ(created, 2u);
    EXPECT_EQ(api().Get("/api/v1/webhooks/deliveries?event=contact.updated").json()["data"].size(), 0u);
}

// JSON import options are checked like every other body: an unknown key is a 400 that names it,
// and nothing is imported.
TEST_P(ContactsApi, ImportRefusesUnknownJsonKeysAndNamesThem) {
    auto res = api().Post("/api/v1/contacts/import",
                          {{"csv", "phone,first_name\n+12025550111,Ann\n"}, {"tags", {"t"}}, {"colour", "red"}});
    ExpectError(res, 400, "VALIDATION_ERROR");
    const Json details = res.json()["error"]["details"];
    ASSERT_EQ(details.size(), 1u) << res.body;
    EXPECT_EQ(details[0]["field"], "colour");
    EXPECT_TRUE(AllContacts().empty());
}

}  // namespace
}  // namespace parley::testing
