#include <signal.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <thread>

#include "common/secret_box.hpp"
#include "support/fixture.hpp"
#include "support/raw_connection.hpp"
#include "support/wait.hpp"

namespace parley::testing {
namespace {

class ServerApi : public ApiTest {};
PARLEY_BACKENDS(ServerApi);

TEST_P(ServerApi, UnknownRoutesAre404AndWrongMethods405InTheEnvelope) {
    ExpectError(api().Get("/api/v1/nothing-here"), 404, "NOT_FOUND");
    ExpectError(http().Send("GET", "/"), 404, "NOT_FOUND");
    auto res = api().Send("PUT", "/api/v1/contacts");
    ExpectError(res, 405, "METHOD_NOT_ALLOWED");
    EXPECT_NE(res.header("allow").find("GET"), std::string::npos);
    EXPECT_NE(res.header("allow").find("POST"), std::string::npos);
}

TEST_P(ServerApi, OversizedBodiesAre413AndWriteNothing) {
    std::string big = "{\"phone\": \"+12025550123\", \"first_name\": \"" + std::string(2 * 1024 * 1024, 'x') + "\"}";
    ExpectError(api().Send("POST", "/api/v1/contacts", big), 413, "PAYLOAD_TOO_LARGE");
    EXPECT_TRUE(AllContacts().empty());
    // Bulk endpoints take more than the 1 MiB default.
    Json rows = Json::array();
    for (int i = 0; i < 1000; ++i) {
        rows.push_back({{"phone", "+1212555" + std::to_string(1000 + i)}, {"company", std::string(1200, 'c')}});
    }
    auto bulk = api().Post("/api/v1/contacts/bulk", {{"contacts", rows}});
    EXPECT_EQ(bulk.status, 200) << bulk.body.substr(0, 300);
}

TEST_P(ServerApi, MalformedHttpIsA400NotACrash) {
    const std::string garbage = http().Raw("THIS IS NOT HTTP\r\n\r\n");
    EXPECT_NE(garbage.find("400"), std::string::npos) << garbage;
    const std::string huge_header =
        http().Raw("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n");
    EXPECT_NE(huge_header.find("431"), std::string::npos) << huge_header.substr(0, 200);
    const std::string bad_length =
        http().Raw("POST /api/v1/contacts HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}");
    EXPECT_NE(bad_length.find("400"), std::string::npos) << bad_length;
    const std::string bad_escape = http().Raw("GET /api/v1/contacts?limit=%zz HTTP/1.1\r\nHost: x\r\n\r\n");
    EXPECT_NE(bad_escape.find("400"), std::string::npos) << bad_escape;
    const std::string header_injection =
        http().Raw("GET /api/v1/contacts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + org_.key +
                   "\r\nX-A: b\rInjected: 1\r\n\r\n");
    EXPECT_NE(header_injection.find("400"), std::string::npos) << header_injection;
    EXPECT_EQ(http().Send("GET", "/healthz").status, 200) << "the server still answers";
}

// Every answer, success included, names its request in X-Request-Id; an error's body names the
// same request, so a user quoting either finds the server's log line.
TEST_P(ServerApi, EveryResponseCarriesItsRequestId) {
    auto created = api().Post("/api/v1/contacts", {{"phone", "+12025550177"}});
    ASSERT_EQ(created.status, 201) << created.body;
    std::set<std::string> ids;
    for (const auto& res : {created, api().Get("/api/v1/contacts"), http().Send("GET", "/healthz"),
                            http().Send("GET", "/metrics"), api().Get("/v1/balance")}) {
        const std::string id = res.header("x-request-id");
        EXPECT_TRUE(id.starts_with("req_")) << res.status << " " << id;
        ids.insert(id);
    }
    EXPECT_EQ(ids.size(), 5u) << "each request has its own id";
    for (const auto& res : {api().Get("/api/v1/contacts/ct_nothing"), http().Send("GET", "/api/v1/contacts"),
                            api().Send("PUT", "/api/v1/contacts")}) {
        EXPECT_GE(res.status, 400);
        EXPECT_EQ(res.header("x-request-id"), res.json()["error"]["request_id"]) << res.body;
    }
    // The server's own answers too: a body over the limit, before any route ran.
    auto too_large = api().Send("POST", "/api/v1/contacts", std::string(2 * 1024 * 1024, 'x'));
    EXPECT_EQ(too_large.status, 413);
    EXPECT_TRUE(too_large.header("x-request-id").starts_with("req_")) << too_large.header("x-request-id");
}

TEST_P(ServerApi, KeepAliveServesSeveralRequestsOnOneConnection) {
    const std::string two =
        "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    const std::string answer = http().Raw(two);
    size_t count = 0;
    for (size_t pos = 0; (pos = answer.find("HTTP/1.1 200", pos)) != std::string::npos; ++pos) ++count;
    EXPECT_EQ(count, 2u) << answer;
}

TEST_P(ServerApi, HealthMetricsAndOpenApiNeedNoKey) {
    auto health = http().Send("GET", "/healthz");
    ASSERT_EQ(health.status, 200);
    EXPECT_EQ(health.json()["data"]["database"], "ok");
    api().Get("/api/v1/contacts");
    auto metrics = http().Send("GET", "/metrics");
    ASSERT_EQ(metrics.status, 200);
    EXPECT_NE(metrics.body.find("parley_http_requests_total{method=\"GET\",route=\"/api/v1/contacts\",status=\"200\"}"),
              std::string::npos)
        << metrics.body.substr(0, 1000);
    EXPECT_NE(metrics.body.find("parley_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/contacts\","
                                "le=\"+Inf\"}"),
              std::string::npos);
    // The call runtime's gauges: the node's call slots (--max-calls auto: 150 per core), those
    // of calls recognized here (--max-local-calls auto: 6 per speech worker with a core of its
    // own; the test servers have two workers), the calls waiting queued and the queue of engine
    // work.
    const auto gauge = [&](const std::string& name) {
        const auto at = metrics.body.find("\n" + name + " ");
        return at == std::string::npos ? -1 : std::stol(metrics.body.substr(at + name.size() + 2));
    };
    EXPECT_GE(gauge("parley_call_slots"), 150) << metrics.body;
    EXPECT_EQ(gauge("parley_call_slots") % 150, 0) << metrics.body;
    const long local = gauge("parley_local_call_slots");
    EXPECT_TRUE(local == 6 || local == 12) << metrics.body;
    EXPECT_EQ(gauge("parley_queued_calls"), 0) << metrics.body;
    EXPECT_EQ(gauge("parley_active_local_calls"), 0) << metrics.body;
    EXPECT_NE(metrics.body.find("\nparley_recognizer_backlog "), std::string::npos);
    EXPECT_NE(metrics.body.find("\nparley_active_calls "), std::string::npos);
    EXPECT_FALSE(health.header("date").empty());
    auto openapi = http().Send("GET", "/api/v1/openapi.json");
    ASSERT_EQ(openapi.status, 200);
    EXPECT_EQ(openapi.json()["openapi"], "3.1.0");
}

// A probe sent 64 MiB bodies to /contacts/import without a key: each was read in full before
// the 401 (and Expect: 100-continue got "100 Continue"); sixteen held 1.4 GB.
TEST_P(ServerApi, TheKeyAndPermissionAreCheckedBeforeABodyIsRead) {
    auto head = [](const std::string& authorization, const std::string& type) {
        return "POST /api/v1/contacts/import HTTP/1.1\r\nHost: x\r\n" + authorization + "Content-Type: " + type +
               "\r\nContent-Length: 67108864\r\nExpect: 100-continue\r\n\r\n";
    };
    auto read_only = api().Post("/api/v1/api-keys", {{"name", "ro"}, {"permission", "read_only"}});
    ASSERT_EQ(read_only.status, 201);
    const std::string ro_key = read_only.json()["data"]["key"];
    const std::vector<std::pair<std::string, std::string>> refused = {
        {head("", "text/csv"), "HTTP/1.1 401"},
        {head("Authorization: Bearer " + ro_key + "\r\n", "text/csv"), "HTTP/1.1 403"},
        {head("Authorization: Bearer " + org_.key + "\r\n", "application/xml"), "HTTP/1.1 415"},
    };
    for (const auto& [request, status] : refused) {
        const std::string answer = http().Raw(request);
        EXPECT_TRUE(answer.starts_with(status)) << answer;
        EXPECT_EQ(answer.find("100 Continue"), std::string::npos) << answer;
    }
    // An authorized upload is invited to send its body.
    const std::string csv = "phone\n+12025550142\n";
    const std::string ok = http().RawInTwoParts(
        "POST /api/v1/contacts/import HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + org_.key +
            "\r\nContent-Type: text/csv\r\nConnection: close\r\nExpect: 100-continue\r\nContent-Length: " +
            std::to_string(csv.size()) + "\r\n\r\n",
        csv, [] {});
    EXPECT_TRUE(ok.starts_with("HTTP/1.1 100 Continue")) << ok;
    EXPECT_NE(ok.find("HTTP/1.1 200"), std::string::npos) << ok;
    EXPECT_EQ(AllContacts().size(), 1u);
}

TEST_P(ServerApi, AnHttp11RequestWithoutHostIs400) {
    const std::string answer = http().Raw("GET /healthz HTTP/1.1\r\n\r\n");
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 400")) << answer;
    EXPECT_NE(answer.find("Host"), std::string::npos) << answer;
    // HTTP/1.0 has no Host requirement.
    EXPECT_TRUE(http().Raw("GET /healthz HTTP/1.0\r\n\r\n").starts_with("HTTP/1.0 200"));
}

TEST_P(ServerApi, AQueryParameterGivenTwiceIs400) {
    api().Post("/api/v1/contacts", {{"phone", "+12025550143"}, {"tags", {"a"}}});
    auto res = api().Get("/api/v1/contacts?tag=a&tag=b");
    ExpectError(res, 400, "VALIDATION_ERROR");
    EXPECT_EQ(res.json()["error"]["details"][0]["field"], "tag") << res.body;
    EXPECT_EQ(api().Get("/api/v1/contacts?tag=a").json()["data"].size(), 1u);
}

// Seeds 002 and 003 document their API under /v1: a user of theirs changes only the host.
TEST_P(ServerApi, EveryRouteAnswersUnderV1AsUnderApiV1) {
    auto created = api().Post("/v1/contacts", {{"phone", "+12025550144"}}, {{"Idempotency-Key", "v1-contact"}});
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string id = created.json()["data"]["id"];
    EXPECT_EQ(api().Get("/v1/contacts/" + id).json()["data"], created.json()["data"]);
    EXPECT_EQ(api().Get("/api/v1/contacts/" + id).json()["data"], created.json()["data"]);
    // The same request under the other prefix is the same request for its Idempotency-Key.
    auto again = api().Post("/api/v1/contacts", {{"phone", "+12025550144"}}, {{"Idempotency-Key", "v1-contact"}});
    EXPECT_EQ(again.status, 201) << again.body;
    EXPECT_EQ(again.header("idempotent-replayed"), "true");
    ExpectError(api().Send("PUT", "/v1/contacts"), 405, "METHOD_NOT_ALLOWED");
    ExpectError(api().Get("/v1/nothing-here"), 404, "NOT_FOUND");
    ExpectError(http().Send("GET", "/v1/contacts"), 401, "UNAUTHORIZED");
    EXPECT_EQ(http().Send("GET", "/v1x/contacts").status, 404);
}

// Each test starts servers of its own, with options and organizations of its own.
class ServerLifecycle : public BackendTest {};
PARLEY_BACKENDS(ServerLifecycle);

TEST_P(ServerLifecycle, FirstStartCreatesAnOrganizationAndPrintsItsKeyOnce) {
    ParleyServer server(GetParam());
    server.Start();
    std::smatch m;
    const std::string out = server.first_start_output();
    ASSERT_TRUE(std::regex_search(out, m, std::regex("(pl_live_[A-Za-z0-9]{32})"))) << out;
    const std::string key = m[1];
    EXPECT_EQ(server.Client(key).Get("/api/v1/contacts").status, 200);
    EXPECT_EQ(server.Stop(SIGTERM), 0);
    server.Start();
    EXPECT_EQ(server.Client(key).Get("/api/v1/contacts").status, 200);
    EXPECT_EQ(server.first_start_output().find("pl_live_"), out.find("pl_live_"));
}

TEST_P(ServerLifecycle, OperatorsManageKeysFromTheCommandLine) {
    // The revocation comes from another process, so the server must not trust its key cache.
    ParleyServer server(GetParam(), {"--key-cache-seconds", "0"});
    server.Start();
    auto org = server.CreateOrg("standard");
    auto [code, out] = server.Cli({"key", "create", "--org", org.org_id, "--name", "ops", "--permission", "read_only"});
    ASSERT_EQ(code, 0) << out;
    auto key = Json::parse(out);
    const std::string secret = key["key"];
    EXPECT_EQ(key["permission"], "read_only");
    EXPECT_EQ(server.Client(secret).Get("/api/v1/contacts").status, 200);
    ExpectError(server.Client(secret).Post("/api/v1/contacts", {{"phone", "+12025550123"}}), 403, "READ_ONLY");

    auto [list_code, list] = server.Cli({"key", "list", "--org", org.org_id});
    ASSERT_EQ(list_code, 0) << list;
    EXPECT_EQ(Json::parse(list).size(), 2u);
    EXPECT_EQ(list.find(secret), std::string::npos);

    auto [revoke_code, revoked] = server.Cli({"key", "revoke", "--org", org.org_id, key["id"].get<std::string>()});
    ASSERT_EQ(revoke_code, 0) << revoked;
    ExpectError(server.Client(secret).Get("/api/v1/contacts"), 401, "UNAUTHORIZED");
    auto [missing_code, missing] = server.Cli({"key", "revoke", "--org", org.org_id, "key_nope"});
    EXPECT_NE(missing_code, 0);
    EXPECT_NE(missing.find("not found"), std::string::npos) << missing;
}

TEST_P(ServerLifecycle, AcceptedContactsSurviveKillNine) {
    ParleyServer server(GetParam());
    server.Start();
    auto org = server.CreateOrg();
    auto api = server.Client(org.key);
    std::vector<std::string> ids;
    for (int i = 0; i < 20; ++i) {
        auto res = api.Post("/api/v1/contacts", {{"phone", "+1202555" + std::to_string(2000 + i)}});
        ASSERT_EQ(res.status, 201) << res.body;
        ids.push_back(res.json()["data"]["id"]);
    }
    Json rows = Json::array();
    for (int i = 0; i < 500; ++i) rows.push_back({{"phone", "+1303555" + std::to_string(2000 + i)}});
    ASSERT_EQ(api.Post("/api/v1/contacts/bulk", {{"contacts", rows}}).status, 200);
    const std::string dnc_id = ids[0];
    ASSERT_EQ(api.Post("/api/v1/contacts/" + dnc_id + "/dnc", nullptr).status, 200);

    EXPECT_EQ(server.Stop(SIGKILL), 128 + SIGKILL);
    server.Start();
    auto restarted = server.Client(org.key);
    for (const auto& id : ids) EXPECT_EQ(restarted.Get("/api/v1/contacts/" + id).status, 200) << id;
    EXPECT_EQ(restarted.Get("/api/v1/contacts/" + dnc_id).json()["data"]["dnc_status"], "dnc");
    size_t total = 0;
    std::string cursor;
    do {
        auto page = restarted.Get("/api/v1/contacts?limit=100" + (cursor.empty() ? "" : "&cursor=" + cursor)).json();
        total += page["data"].size();
        cursor = page["meta"]["has_more"].get<bool>() ? page["meta"]["next_cursor"].get<std::string>() : "";
    } while (!cursor.empty());
    EXPECT_EQ(total, 520u);
}

// A probe killed the server during imports of 5,000 rows: 9 of 97 were left part-written, and a
// retry with the same Idempotency-Key was refused for ten minutes as "still being processed".
TEST_P(ServerLifecycle, AnImportKilledHalfwayLeavesNothingAndItsRetryRunsAtOnce) {
    ParleyServer server(GetParam());
    server.Start();
    auto org = server.CreateOrg();
    constexpr int kRows = 20'000;
    std::string csv = "phone,first_name\n";
    for (int i = 0; i < kRows; ++i) csv += "+1404" + std::to_string(2'000'000 + i) + ",Row\n";
    const std::vector<std::pair<std::string, std::string>> headers = {
        {"Authorization", "Bearer " + org.key}, {"Content-Type", "text/csv"}, {"Idempotency-Key", "import-1"}};
    std::thread first([&] {
        try {
            server.http().Send("POST", "/api/v1/contacts/import", csv, headers);
        } catch (const std::exception&) {
            // The kill cut the connection: the request has no answer.
        }
    });
    // The claim of the key shows the import is under way; the kill comes at once.
    bool in_flight = false;
    for (int attempt = 0; attempt < 2000 && !in_flight; ++attempt) {
        try {
            in_flight = server.http().Send("POST", "/api/v1/contacts/import", csv, headers).status == 409;
        } catch (const std::exception&) {
        }
    }
    EXPECT_EQ(server.Stop(SIGKILL), 128 + SIGKILL);
    first.join();
    server.Start();
    auto count = [&] {
        size_t total = 0;
        std::string cursor;
        do {
            auto page = server.Client(org.key)
                            .Get("/api/v1/contacts?limit=100" + (cursor.empty() ? "" : "&cursor=" + cursor))
                            .json();
            total += page["data"].size();
            cursor = page["meta"]["has_more"].get<bool>() ? page["meta"]["next_cursor"].get<std::string>() : "";
        } while (!cursor.empty());
        return total;
    };
    const size_t after_kill = count();
    EXPECT_TRUE(after_kill == 0 || after_kill == kRows) << after_kill << " contacts: a partial import";
    auto retry = server.http().Send("POST", "/api/v1/contacts/import", csv, headers);
    ASSERT_EQ(retry.status, 200) << retry.body.substr(0, 300);
    EXPECT_EQ(count(), static_cast<size_t>(kRows));
}

TEST_P(ServerLifecycle, SigtermFinishesTheRequestInFlightThenExitsZero) {
    ParleyServer server(GetParam());
    server.Start();
    auto org = server.CreateOrg();
    const std::string body = Json{{"phone", "+12025550199"}}.dump();
    // Expect: 100-continue tells us the server has read the headers, so the request is in
    // flight when the signal arrives; its body follows the signal.
    std::promise<std::string> answer;
    auto future = answer.get_future();
    std::thread client([&] {
        std::string request = "POST /api/v1/contacts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + org.key +
                              "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: " +
                              std::to_string(body.size()) + "\r\n\r\n";
        answer.set_value(server.http().RawInTwoParts(request, body, [&] { server.Signal(SIGTERM); }));
    });
    const std::string response = future.get();
    client.join();
    // The signal is handled asynchronously: the answer may or may not say Connection: close,
    // but it must be whole, and the process must then end by itself with 0.
    EXPECT_NE(response.find("HTTP/1.1 201"), std::string::npos) << response;
    EXPECT_NE(response.find("\"phone\":\"+12025550199\""), std::string::npos) << response;
    EXPECT_EQ(server.Wait(), 0);
}

// Everything of the SQLite database in `dir`, its write-ahead log included, as bytes.
std::string DatabaseBytes(const std::string& dir) {
    std::string out;
    for (const char* name : {"parley.db", "parley.db-wal"}) {
        std::ifstream in(std::filesystem::path(dir) / name, std::ios::binary);
        out += std::string(std::istreambuf_iterator<char>(in), {});
    }
    return out;
}

TEST(SecretsAtRest, StoredSecretsAreSealedAndSurviveAMasterKeyRotation) {
    ParleyServer server(Backend::kSqlite);
    server.Start();
    const std::string dir = server.StorageArgs()[1];
    auto org = server.CreateOrg();
    auto hook = server.Client(org.key).Post("/api/v1/webhooks",
                                            {{"url", "https://hooks.example.com/p"}, {"events", {"call.completed"}}});
    ASSERT_EQ(hook.status, 201) << hook.body;
    const std::string hook_id = hook.json()["data"]["id"];
    const std::string hook_secret = hook.json()["data"]["secret"];
    const std::string call_secret =
        server.Client(org.key).Get("/api/v1/webhooks/signing-secret").json()["data"]["secret"];
    ASSERT_TRUE(call_secret.starts_with("whsec_"));
    const auto key_file = std::filesystem::path(dir) / "master.key";
    EXPECT_EQ(std::filesystem::status(key_file).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    EXPECT_EQ(server.Stop(SIGTERM), 0);
    std::string bytes = DatabaseBytes(dir);
    ASSERT_FALSE(bytes.empty());
    EXPECT_EQ(bytes.find(hook_secret.substr(6)), std::string::npos);
    EXPECT_EQ(bytes.find(call_secret.substr(6)), std::string::npos);
    EXPECT_EQ(bytes.find("whsec_"), std::string::npos);

    auto read_key = [&] {
        std::ifstream in(key_file);
        std::string text;
        std::getline(in, text);
        return text;
    };
    const std::string before = read_key();
    auto [code, out] = server.Cli({"secrets", "rotate"});
    ASSERT_EQ(code, 0) << out;
    EXPECT_NE(read_key(), before);
    EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(dir) / "master.key.next"));
    EXPECT_NE(out.find("\"secrets_sealed\": 4"), std::string::npos) << out;  // the hook's, the org's, the link key

    server.Start();
    EXPECT_EQ(server.Client(org.key).Get("/api/v1/webhooks/signing-secret").json()["data"]["secret"], call_secret);
    EXPECT_EQ(server.Client(org.key).Get("/api/v1/webhooks/" + hook_id).status, 200);
    EXPECT_EQ(server.Stop(SIGTERM), 0);

    // A node without the key the secrets are sealed with refuses to start, and says why.
    { std::ofstream(key_file, std::ios::trunc) << SecretBox::NewHexKey() << "\n"; }
    auto [refused, why] = server.Cli({"migrate"});
    EXPECT_EQ(refused, 2);
    EXPECT_NE(why.find("master key"), std::string::npos) << why;
}

TEST(Cli, BadArgumentsAreClearErrors) {
    const std::string data = (std::filesystem::temp_directory_path() / "parley-cli-test").string();
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"serve", "--listen", "nonsense", "--data", data}, "HOST:PORT"},
        {{"serve", "--listen", "127.0.0.1:99999", "--data", data}, "port"},
        {{"serve", "--db", "mysql://x", "--listen", "127.0.0.1:0"}, "postgres"},
        {{"serve", "--default-region", "XX", "--listen", "127.0.0.1:0", "--data", data}, "region"},
        {{"serve", "--recording-link-seconds", "0", "--listen", "127.0.0.1:0", "--data", data},
         "--recording-link-seconds: Value 0 not in range 1 to 604800"},
        {{"serve", "--recording-link-seconds", "604801", "--listen", "127.0.0.1:0", "--data", data},
         "--recording-link-seconds"},
        {{"serve", "--recording-link-seconds", "an hour", "--listen", "127.0.0.1:0", "--data", data},
         "--recording-link-seconds"},
        {{"serve", "--sandbox-numbers", "everyone", "--listen", "127.0.0.1:0", "--data", data},
         "--sandbox-numbers: everyone not in {fictional,any-nanp}"},
        {{"serve", "--max-calls", "0", "--listen", "127.0.0.1:0", "--data", data},
         "--max-calls must be auto or a number from 1 to 10000"},
        {{"serve", "--max-local-calls", "many", "--listen", "127.0.0.1:0", "--data", data},
         "--max-local-calls must be auto or a number from 1 to 10000"},
        {{"org", "create", "--data", data}, "--name"},
        {{"org", "create", "--name", "x", "--tier", "platinum", "--data", data}, "platinum"},
        {{"frobnicate"}, "subcommand"},
    };
    for (const auto& [args, mention] : cases) {
        std::vector<std::string> argv{ParleyBinary()};
        argv.insert(argv.end(), args.begin(), args.end());
        auto [code, out] = RunCommand(argv);
        EXPECT_NE(code, 0) << args[0] << " " << args[1];
        EXPECT_NE(out.find(mention), std::string::npos) << out;
    }
    // Options given in the environment are checked the same way.
    auto [env_code, env_out] = RunCommand({ParleyBinary(), "serve", "--listen", "127.0.0.1:0", "--data", data},
                                          {"PARLEY_RECORDING_LINK_SECONDS=-5"});
    EXPECT_NE(env_code, 0);
    EXPECT_NE(env_out.find("--recording-link-seconds"), std::string::npos) << env_out;
    std::filesystem::remove_all(data);
}

// A probe opened 19,990 idle connections: the server hit the file limit, its accept loop spun
// logging "Too many open files" two million times, and /healthz stopped answering.
TEST(ConnectionCaps, ConnectionsPastEitherCapAre503AndIdleOnesAreClosed) {
    ParleyServer server(Backend::kSqlite, {"--max-connections", "16", "--max-connections-per-address", "8"});
    server.Start();
    const uint16_t port = server.http().port();
    std::vector<RawConnection> held;
    for (int i = 0; i < 8; ++i) held.emplace_back("127.0.0.2", port);
    RawConnection ninth("127.0.0.2", port);
    const std::string refused = ninth.ReadUntilClosed();
    EXPECT_TRUE(refused.starts_with("HTTP/1.1 503")) << refused;
    EXPECT_NE(refused.find("SERVICE_UNAVAILABLE"), std::string::npos) << refused;
    // Another address is still served (on a connection kept open, so it counts below).
    held.emplace_back("127.0.0.1", port);
    ASSERT_TRUE(held.back().Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    const std::string health = held.back().ReadUntil("}}");
    EXPECT_TRUE(health.starts_with("HTTP/1.1 200")) << health;

    for (int i = 0; i < 7; ++i) held.emplace_back("127.0.0.3", port);
    // 16 open: the cap.
    RawConnection seventeenth("127.0.0.4", port);
    const std::string past_cap = seventeenth.ReadUntilClosed();
    EXPECT_TRUE(past_cap.starts_with("HTTP/1.1 503")) << past_cap;

    // An idle connection is closed by the server after its keep-alive timeout; then others are
    // served again.
    EXPECT_EQ(held.front().ReadUntilClosed(), "");
    HttpResult answer;
    WaitUntil(
        [&] {
            answer = server.http().Send("GET", "/healthz");
            return answer.status == 200;
        },
        std::chrono::seconds(5), std::chrono::milliseconds(100));
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(server.Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace parley::testing
