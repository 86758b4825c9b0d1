#include "api/api.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <random>
#include <set>
#include <string>

#include "common/clock.hpp"
#include "store/db.hpp"
#include "store/sql_repos.hpp"

namespace parley::api {
namespace {

using OrderedJson = nlohmann::ordered_json;

// A real Api over a migrated SQLite database in a temporary file.
class ApiOverSqlite {
public:
    ApiOverSqlite() {
        static std::mt19937_64 rng{std::random_device{}()};
        path_ = (std::filesystem::temp_directory_path() /
                 ("parley-openapi-test-" + std::to_string(rng() % 1'000'000'000) + ".db"))
                    .string();
        auto db = store::OpenSqlite(path_, 1);
        if (!db) throw std::runtime_error(db.error().message);
        db_ = std::move(*db);
        if (auto migrated = store::Migrate(*db_); !migrated) throw std::runtime_error(migrated.error().message);
        store_ = store::MakeSqlStore(*db_);
        keys_ = std::make_unique<domain::KeyService>(*store_, clock_);
        contacts_ = std::make_unique<domain::ContactService>(*store_, clock_, "US");
        fields_ = std::make_unique<domain::CustomFieldService>(*store_, clock_);
        api_ = std::make_unique<Api>(Services{*store_, *keys_, *contacts_, *fields_, [] { return true; }}, clock_);
    }

    ~ApiOverSqlite() {
        api_.reset();
        store_.reset();
        db_.reset();
        std::error_code ignored;
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix, ignored);
    }

    Api& api() { return *api_; }

private:
    std::string path_;
    SystemClock clock_;
    std::unique_ptr<store::Database> db_;
    std::unique_ptr<domain::Store> store_;
    std::unique_ptr<domain::KeyService> keys_;
    std::unique_ptr<domain::ContactService> contacts_;
    std::unique_ptr<domain::CustomFieldService> fields_;
    std::unique_ptr<Api> api_;
};

OrderedJson Document() { return OrderedJson::parse(OpenApiDocument()); }

// "/api/v1/contacts/:id/dnc" → "/api/v1/contacts/{id}/dnc".
std::string ToOpenApiPath(const std::string& pattern) {
    std::string out;
    size_t start = 0;
    while (start < pattern.size()) {
        size_t end = pattern.find('/', start + 1);
        if (end == std::string::npos) end = pattern.size();
        const std::string segment = pattern.substr(start, end - start);  // with its leading '/'
        out += segment.starts_with("/:") ? "/{" + segment.substr(2) + "}" : segment;
        start = end;
    }
    return out;
}

std::string Lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string Upper(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

// Every route as "METHOD /openapi/{path}".
std::set<std::string> RegisteredOperations(const Api& api) {
    std::set<std::string> out;
    for (const auto& route : api.RouteList()) {
        const auto space = route.find(' ');
        out.insert(route.substr(0, space) + " " + ToOpenApiPath(route.substr(space + 1)));
    }
    return out;
}

TEST(ToOpenApiPath, TurnsColonParametersIntoBraces) {
    EXPECT_EQ(ToOpenApiPath("/api/v1/contacts/:id/dnc"), "/api/v1/contacts/{id}/dnc");
    EXPECT_EQ(ToOpenApiPath("/api/v1/dnc/:phone"), "/api/v1/dnc/{phone}");
    EXPECT_EQ(ToOpenApiPath("/healthz"), "/healthz");
}

TEST(OpenApi, DocumentsEveryRegisteredRoute) {
    ApiOverSqlite server;
    const auto doc = Document();
    ASSERT_TRUE(doc.contains("paths") && doc["paths"].is_object());
    const auto routes = server.api().RouteList();
    ASSERT_FALSE(routes.empty());
    for (const auto& route : routes) {
        const auto space = route.find(' ');
        const std::string method = Lower(route.substr(0, space));
        const std::string path = ToOpenApiPath(route.substr(space + 1));
        const bool documented = doc["paths"].contains(path) && doc["paths"][path].contains(method);
        EXPECT_TRUE(documented) << "route " << route << " is missing from openapi.json as paths[\"" << path
                                << "\"][\"" << method << "\"]";
    }
}

TEST(OpenApi, ListsNoRouteTheServerLacks) {
    ApiOverSqlite server;
    const auto registered = RegisteredOperations(server.api());
    const auto doc = Document();
    static const std::set<std::string> kMethods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};
    int operations = 0;
    for (const auto& [path, item] : doc["paths"].items()) {
        for (const auto& [key, operation] : item.items()) {
            if (!kMethods.contains(key)) continue;
            ++operations;
            const std::string op = Upper(key) + " " + path;
            EXPECT_TRUE(registered.contains(op)) << "openapi.json documents " << op << ", which the router lacks";
        }
    }
    EXPECT_EQ(operations, static_cast<int>(registered.size()));
}

TEST(OpenApi, IsServedAtItsRoute) {
    ApiOverSqlite server;
    http::Request req;
    req.method = "GET";
    req.path = "/api/v1/openapi.json";
    req.target = "/api/v1/openapi.json";
    const auto res = server.api().Handle(req);
    ASSERT_EQ(res.status, 200) << res.body;
    EXPECT_EQ(res.content_type, "application/json");
    const auto body = OrderedJson::parse(res.body, nullptr, false);
    ASSERT_FALSE(body.is_discarded()) << "the served document is not valid JSON";
    EXPECT_EQ(body.value("openapi", ""), "3.1.0");
    EXPECT_EQ(res.body, std::string(OpenApiDocument()));
}

}  // namespace
}  // namespace parley::api
