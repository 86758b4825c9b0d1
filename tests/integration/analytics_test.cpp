#include "support/calls.hpp"
#include "support/fixture.hpp"
#include "support/seeds.hpp"

namespace parley::testing {
namespace {

class AnalyticsApi : public ApiTest {};
PARLEY_BACKENDS(AnalyticsApi);

bool NamesField(const HttpResult& res, const std::string& field) {
    for (const auto& d : res.json()["error"].value("details", Json::array())) {
        if (d["field"] == field) return true;
    }
    return false;
}

// Two sandbox calls to a busy line, counted by the dashboard and the analytics query of the
// organization that placed them, and by no other.
TEST_P(AnalyticsApi, TheDashboardAndTheQueryCountTheOrganizationsOwnCalls) {
    const std::string profile = NewProfile(api());
    ASSERT_FALSE(profile.empty());
    for (int i = 0; i < 2; ++i) {
        auto placed = api().Post("/api/v1/calls", {{"profile_id", profile}, {"phone", Sandbox(4)}});
        ASSERT_EQ(placed.status, 201) << placed.body;
        const Json call = WaitForEnd(api(), placed.json()["data"]["id"]);
        ASSERT_EQ(call["status"], "busy");
    }

    auto stats = api().Get("/api/v1/dashboard/stats?date_range=last_7_days&timezone=America/Chicago");
    ASSERT_EQ(stats.status, 200) << stats.body;
    const Json s = stats.json()["data"];
    EXPECT_EQ(s["total_calls"], 2);
    EXPECT_EQ(s["missed_calls"], 2);
    EXPECT_EQ(s["answered_calls"], 0);
    EXPECT_EQ(s["voicemail_calls"], 0);
    EXPECT_EQ(s["unique_callers"], 1);
    EXPECT_EQ(s["total_minutes"], 0);
    EXPECT_EQ(s["period"]["timezone"], "America/Chicago");

    // A read-only key (an assistant's) may run the query, a POST that changes nothing.
    auto ro = api().Post("/api/v1/api-keys", {{"name", "analyst"}, {"permission", "read_only"}});
    ASSERT_EQ(ro.status, 201) << ro.body;
    const ApiClient reader = server_->Client(ro.json()["data"]["key"]);
    auto query = reader.Post(
        "/api/v1/analytics/query",
        {{"date_range", "last_7_days"}, {"group_by", {"disposition"}}, {"metrics", {"calls", "missed", "answered"}}});
    ASSERT_EQ(query.status, 200) << query.body;
    const Json q = query.json()["data"];
    ASSERT_EQ(q["rows"].size(), 1u) << q.dump();
    EXPECT_EQ(q["rows"][0], Json({{"disposition", "busy"}, {"calls", 2}, {"missed", 2}, {"answered", 0}}));
    EXPECT_EQ(q["totals"]["calls"], 2);

    // The same saved as a report, run and exported as CSV; a read-only key runs it but saves none.
    auto saved = api().Post("/api/v1/reports", {{"name", "Missed calls, by outcome \u2014 weekly"},
                                                {"date_range", "last_7_days"},
                                                {"group_by", {"disposition"}},
                                                {"metrics", {"calls"}}});
    ASSERT_EQ(saved.status, 201) << saved.body;
    const std::string report = saved.json()["data"]["id"];
    ExpectError(api().Post("/api/v1/reports", {{"name", "Missed calls, by outcome \u2014 weekly"}}), 409, "DUPLICATE");
    ExpectError(reader.Post("/api/v1/reports", {{"name", "mine"}}), 403, "READ_ONLY");
    EXPECT_EQ(reader.Get("/api/v1/reports").json()["data"][0]["id"], report);
    auto run = reader.Post("/api/v1/reports/" + report + "/execute", Json::object());
    ASSERT_EQ(run.status, 200) << run.body;
    EXPECT_EQ(run.json()["data"]["rows"], Json::parse(R"([{"disposition": "busy", "calls": 2}])"));
    auto csv = reader.Get("/api/v1/reports/" + report + "/export?format=csv");
    ASSERT_EQ(csv.status, 200) << csv.body;
    EXPECT_EQ(csv.body, "disposition,calls\r\nbusy,2\r\n");
    EXPECT_EQ(csv.header("content-type"), "text/csv; charset=utf-8");
    EXPECT_EQ(csv.header("content-disposition"),
              "attachment; filename=\"Missed_calls__by_outcome_____weekly.csv\"; "
              "filename*=UTF-8''Missed%20calls%2C%20by%20outcome%20%E2%80%94%20weekly.csv");
    // The PDF: one page whose text is the report's (the drawing is checked in the reports' tests).
    auto pdf = reader.Get("/api/v1/reports/" + report + "/export?format=pdf");
    ASSERT_EQ(pdf.status, 200) << pdf.body;
    EXPECT_EQ(pdf.header("content-type"), "application/pdf");
    EXPECT_TRUE(pdf.body.starts_with("%PDF-1.")) << pdf.body.substr(0, 16);
    EXPECT_NE(pdf.body.find("%%EOF"), std::string::npos);
    EXPECT_NE(pdf.header("content-disposition").find("weekly.pdf\""), std::string::npos)
        << pdf.header("content-disposition");
    auto xlsx = reader.Get("/api/v1/reports/" + report + "/export?format=xlsx");
    ExpectError(xlsx, 400, "VALIDATION_ERROR");
    EXPECT_TRUE(NamesField(xlsx, "format")) << xlsx.body;
    ASSERT_EQ(api().Delete("/api/v1/reports/" + report).status, 200);
    ExpectError(api().Get("/api/v1/reports/" + report), 404, "NOT_FOUND");

    // Another organization's dashboard has none of them.
    const OrgKey other = server_->CreateOrg(tier());
    auto theirs = server_->Client(other.key).Get("/api/v1/dashboard/stats");
    ASSERT_EQ(theirs.status, 200) << theirs.body;
    EXPECT_EQ(theirs.json()["data"]["total_calls"], 0);
}

TEST_P(AnalyticsApi, BadPeriodsAndQueriesAreRefusedWithTheFieldNamed) {
    auto zone = api().Get("/api/v1/dashboard/stats?timezone=Mars%2FOlympus");
    ExpectError(zone, 400, "VALIDATION_ERROR");
    EXPECT_TRUE(NamesField(zone, "timezone")) << zone.body;
    auto dates = api().Get("/api/v1/dashboard/stats?date_from=2026-03-10&date_to=2026-03-01");
    ExpectError(dates, 400, "VALIDATION_ERROR");
    EXPECT_TRUE(NamesField(dates, "date_to")) << dates.body;

    auto metric = api().Post("/api/v1/analytics/query", {{"metrics", {"profit"}}, {"group_by", {"day", "week"}}});
    ExpectError(metric, 400, "VALIDATION_ERROR");
    EXPECT_TRUE(NamesField(metric, "metrics")) << metric.body;
    EXPECT_TRUE(NamesField(metric, "group_by")) << metric.body;
    ExpectError(api().Send("POST", "/api/v1/analytics/query", "{\"metrics\": ["), 400, "INVALID_JSON");
}

}  // namespace
}  // namespace parley::testing
