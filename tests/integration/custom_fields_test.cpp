#include "support/fixture.hpp"

namespace parley::testing {
namespace {

class CustomFieldsApi : public ApiTest {};
PARLEY_BACKENDS(CustomFieldsApi);

Json BudgetRange() {
    return Json{
        {"name", "budget_range"}, {"type", "enum"},    {"description", "Prospect budget range for the project"},
        {"category", "both"},     {"required", false}, {"options", {"under_10k", "10k_50k", "50k_100k", "100k_plus"}}};
}

TEST_P(CustomFieldsApi, CreatesTheSeedExampleAndReadsItBack) {
    auto res = api().Post("/api/v1/custom-fields", BudgetRange());
    ASSERT_EQ(res.status, 201) << res.body;
    const auto f = res.json()["data"];
    EXPECT_TRUE(f["id"].get<std::string>().starts_with("cf_"));
    EXPECT_EQ(f["name"], "budget_range");
    EXPECT_EQ(f["type"], "enum");
    EXPECT_EQ(f["category"], "both");
    EXPECT_EQ(f["required"], false);
    EXPECT_EQ(f["options"], Json({"under_10k", "10k_50k", "50k_100k", "100k_plus"}));
    EXPECT_EQ(api().Get("/api/v1/custom-fields/" + f["id"].get<std::string>()).json()["data"], f);
}

TEST_P(CustomFieldsApi, DefaultsToCategoryBothAndNotRequired) {
    auto res = api().Post("/api/v1/custom-fields", {{"name", "decision_timeline"}, {"type", "string"}});
    ASSERT_EQ(res.status, 201) << res.body;
    EXPECT_EQ(res.json()["data"]["category"], "both");
    EXPECT_EQ(res.json()["data"]["required"], false);
    EXPECT_TRUE(res.json()["data"]["options"].is_null());
}

TEST_P(CustomFieldsApi, RefusesBadDefinitionsAndWritesNothing) {
    const std::vector<std::pair<Json, std::string>> cases = {
        {{{"type", "string"}}, "name"},
        {{{"name", "x"}}, "type"},
        {{{"name", "Bad Name"}, {"type", "string"}}, "name"},
        {{{"name", "1st"}, {"type", "string"}}, "name"},
        {{{"name", "ok"}, {"type", "color"}}, "type"},
        {{{"name", "ok"}, {"type", "enum"}}, "options"},
        {{{"name", "ok"}, {"type", "enum"}, {"options", Json::array()}}, "options"},
        {{{"name", "ok"}, {"type", "enum"}, {"options", {"a", "a"}}}, "options"},
        {{{"name", "ok"}, {"type", "enum"}, {"options", {"a", 1}}}, "options"},
        {{{"name", "ok"}, {"type", "string"}, {"options", {"a"}}}, "options"},
        {{{"name", "ok"}, {"type", "string"}, {"category", "everything"}}, "category"},
        {{{"name", "ok"}, {"type", "string"}, {"required", "yes"}}, "required"},
        {{{"name", "ok"}, {"type", "string"}, {"colour", "red"}}, "colour"},
    };
    for (const auto& [body, field] : cases) {
        auto res = api().Post("/api/v1/custom-fields", body);
        ExpectError(res, 400, "VALIDATION_ERROR");
        bool named = false;
        const Json details = res.json()["error"]["details"];
        for (const auto& d : details) named = named || d["field"] == field;
        EXPECT_TRUE(named) << "expected " << field << " in " << res.body;
    }
    EXPECT_EQ(api().Get("/api/v1/custom-fields").json()["data"].size(), 0u);
}

TEST_P(CustomFieldsApi, NamesAreUniquePerOrganization) {
    ASSERT_EQ(api().Post("/api/v1/custom-fields", BudgetRange()).status, 201);
    ExpectError(api().Post("/api/v1/custom-fields", BudgetRange()), 409, "DUPLICATE");
    auto other = server_->CreateOrg();
    EXPECT_EQ(server_->Client(other.key).Post("/api/v1/custom-fields", BudgetRange()).status, 201);
}

TEST_P(CustomFieldsApi, ListFiltersByCategory) {
    api().Post("/api/v1/custom-fields", {{"name", "a"}, {"type", "string"}, {"category", "contact"}});
    api().Post("/api/v1/custom-fields", {{"name", "b"}, {"type", "string"}, {"category", "extraction"}});
    api().Post("/api/v1/custom-fields", {{"name", "c"}, {"type", "string"}});
    EXPECT_EQ(api().Get("/api/v1/custom-fields").json()["data"].size(), 3u);
    auto contact = api().Get("/api/v1/custom-fields?category=contact").json()["data"];
    ASSERT_EQ(contact.size(), 1u);
    EXPECT_EQ(contact[0]["name"], "a");
    EXPECT_EQ(api().Get("/api/v1/custom-fields?category=both").json()["data"].size(), 1u);
    ExpectError(api().Get("/api/v1/custom-fields?category=all"), 400, "VALIDATION_ERROR");
    auto page = api().Get("/api/v1/custom-fields?limit=2").json();
    EXPECT_EQ(page["data"].size(), 2u);
    EXPECT_EQ(page["meta"]["has_more"], true);
    auto rest = api().Get("/api/v1/custom-fields?limit=2&cursor=" + page["meta"]["next_cursor"].get<std::string>());
    EXPECT_EQ(rest.json()["data"].size(), 1u);
}

TEST_P(CustomFieldsApi, UpdatesAndDeletes) {
    const std::string id = api().Post("/api/v1/custom-fields", BudgetRange()).json()["data"]["id"];
    auto res = api().Patch("/api/v1/custom-fields/" + id,
                           {{"options", {"small", "large"}}, {"required", true}, {"description", "Budget"}});
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.json()["data"]["options"], Json({"small", "large"}));
    EXPECT_EQ(res.json()["data"]["required"], true);
    EXPECT_EQ(res.json()["data"]["name"], "budget_range");
    auto put = api().Send("PUT", "/api/v1/custom-fields/" + id, Json{{"type", "string"}}.dump());
    ASSERT_EQ(put.status, 200) << put.body;
    EXPECT_EQ(put.json()["data"]["type"], "string");
    EXPECT_TRUE(put.json()["data"]["options"].is_null());
    ExpectError(api().Patch("/api/v1/custom-fields/" + id, {{"type", "enum"}}), 400, "VALIDATION_ERROR");
    EXPECT_EQ(api().Get("/api/v1/custom-fields/" + id).json()["data"]["type"], "string");
    ASSERT_EQ(api().Delete("/api/v1/custom-fields/" + id).status, 200);
    ExpectError(api().Get("/api/v1/custom-fields/" + id), 404, "NOT_FOUND");
    ExpectError(api().Delete("/api/v1/custom-fields/" + id), 404, "NOT_FOUND");
}

TEST_P(CustomFieldsApi, ContactValuesAreTypeCheckedAgainstDefinitions) {
    api().Post("/api/v1/custom-fields", BudgetRange());
    api().Post("/api/v1/custom-fields", {{"name", "seats"}, {"type", "number"}});
    api().Post("/api/v1/custom-fields", {{"name", "renewal"}, {"type", "date"}});
    api().Post("/api/v1/custom-fields", {{"name", "vip"}, {"type", "boolean"}});
    api().Post("/api/v1/custom-fields", {{"name", "note"}, {"type", "string"}});
    auto post = [&](const Json& custom) {
        return api().Post("/api/v1/contacts", {{"phone", "+12025550150"}, {"custom_fields", custom}});
    };
    for (const auto& [custom, field] : std::vector<std::pair<Json, std::string>>{
             {{{"budget_range", "a_lot"}}, "custom_fields.budget_range"},
             {{{"budget_range", 5}}, "custom_fields.budget_range"},
             {{{"seats", "ten"}}, "custom_fields.seats"},
             {{{"renewal", "2025-02-30"}}, "custom_fields.renewal"},
             {{{"renewal", "next week"}}, "custom_fields.renewal"},
             {{{"vip", "true"}}, "custom_fields.vip"},
             {{{"note", 12}}, "custom_fields.note"},
         }) {
        auto res = post(custom);
        ExpectError(res, 400, "VALIDATION_ERROR");
        EXPECT_EQ(res.json()["error"]["details"][0]["field"], field) << res.body;
    }
    EXPECT_TRUE(AllContacts().empty());
    auto ok = post({{"budget_range", "10k_50k"},
                    {"seats", 12.5},
                    {"renewal", "2026-01-31"},
                    {"vip", true},
                    {"note", "hi"},
                    {"anything_else", {{"nested", true}}}});
    ASSERT_EQ(ok.status, 201) << ok.body;
    EXPECT_EQ(ok.json()["data"]["custom_fields"]["anything_else"]["nested"], true);
}

// A probe stored a contact with 40,000 custom_fields keys; every read of it then took a second.
TEST_P(CustomFieldsApi, ContactValuesAreBoundedInCountAndSize) {
    auto post = [&](const Json& custom) {
        return api().Post("/api/v1/contacts", {{"phone", "+12025550151"}, {"custom_fields", custom}});
    };
    Json hundred = Json::object();
    for (int i = 0; i < 100; ++i) hundred["f" + std::to_string(i)] = i;
    Json too_many = hundred;
    too_many["one_more"] = 1;
    auto refused = post(too_many);
    ExpectError(refused, 400, "VALIDATION_ERROR");
    EXPECT_EQ(refused.json()["error"]["details"][0]["field"], "custom_fields") << refused.body;
    auto long_value = post({{"note", std::string(2001, 'x')}});
    ExpectError(long_value, 400, "VALIDATION_ERROR");
    EXPECT_EQ(long_value.json()["error"]["details"][0]["field"], "custom_fields.note") << long_value.body;
    Json too_big = Json::object();
    for (int i = 0; i < 10; ++i) too_big["f" + std::to_string(i)] = std::string(1900, 'x');
    ExpectError(post(too_big), 400, "VALIDATION_ERROR");
    // 80,000 keys are refused before they are parsed.
    std::string huge = R"({"phone": "+12025550151", "custom_fields": {)";
    for (int i = 0; i < 80'000; ++i) huge += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":1";
    huge += "}}";
    ExpectError(api().Send("POST", "/api/v1/contacts", huge), 400, "VALIDATION_ERROR");
    EXPECT_TRUE(AllContacts().empty());
    auto ok = post(hundred);
    ASSERT_EQ(ok.status, 201) << ok.body;
    // An update may not pass the bound either.
    const std::string id = ok.json()["data"]["id"];
    ExpectError(api().Patch("/api/v1/contacts/" + id, {{"custom_fields", {{"one_more", 1}}}}), 400, "VALIDATION_ERROR");
    EXPECT_EQ(api().Get("/api/v1/contacts/" + id).json()["data"]["custom_fields"].size(), 100u);
}

TEST_P(CustomFieldsApi, AnOrganizationDefinesAtMostTwoHundredFields) {
    for (int i = 0; i < 200; ++i) {
        auto made = api().Post("/api/v1/custom-fields", {{"name", "field_" + std::to_string(i)}, {"type", "string"}});
        ASSERT_EQ(made.status, 201) << made.body;
    }
    ExpectError(api().Post("/api/v1/custom-fields", {{"name", "field_200"}, {"type", "string"}}), 400,
                "VALIDATION_ERROR");
}

TEST_P(CustomFieldsApi, RequiredContactFieldsMustBePresent) {
    api().Post("/api/v1/custom-fields", {{"name", "region"}, {"type", "string"}, {"required", true}});
    api().Post("/api/v1/custom-fields",
               {{"name", "outcome"}, {"type", "string"}, {"required", true}, {"category", "extraction"}});
    auto missing = api().Post("/api/v1/contacts", {{"phone", "+12025550160"}});
    ExpectError(missing, 400, "VALIDATION_ERROR");
    EXPECT_EQ(missing.json()["error"]["details"][0]["field"], "custom_fields.region");
    EXPECT_EQ(missing.json()["error"]["details"].size(), 1u) << "extraction-only fields are not required on contacts";
    auto ok = api().Post("/api/v1/contacts", {{"phone", "+12025550160"}, {"custom_fields", {{"region", "west"}}}});
    ASSERT_EQ(ok.status, 201) << ok.body;
    const std::string id = ok.json()["data"]["id"];
    ExpectError(api().Patch("/api/v1/contacts/" + id, {{"custom_fields", {{"region", nullptr}}}}), 400,
                "VALIDATION_ERROR");
    EXPECT_EQ(api().Patch("/api/v1/contacts/" + id, {{"company", "Acme"}}).status, 200);
}

}  // namespace
}  // namespace parley::testing
