#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>

#include "api/api.hpp"
#include "api/test_api.hpp"
#include "common/clock.hpp"
#include "store/db.hpp"
#include "store/sql_repos.hpp"

namespace parley::api {
namespace {

using OrderedJson = nlohmann::ordered_json;

OrderedJson Document() {
    return OrderedJson::parse(OpenApiDocument());
}

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

// The generated permission tests read what each route needs from the description; this holds
// the description to what the server enforces.
TEST(OpenApi, SaysWhatEveryRouteNeedsOfAKeyAsTheServerEnforcesIt) {
    ApiOverSqlite server;
    const auto doc = Document();
    for (const auto& route : server.api().RouteAccessList()) {
        const std::string path = ToOpenApiPath(route.pattern);
        const std::string method = Lower(route.method);
        if (!doc["paths"].contains(path) || !doc["paths"][path].contains(method)) continue;  // another test's finding
        const auto& op = doc["paths"][path][method];
        SCOPED_TRACE(route.method + " " + route.pattern);
        if (route.access == "public") {
            EXPECT_EQ(op.value("security", OrderedJson::array()), OrderedJson::array());
            EXPECT_FALSE(op.contains("x-parley-access"));
            continue;
        }
        EXPECT_EQ(op.value("x-parley-access", ""), route.access);
        std::vector<std::string> roles;
        if (op.contains("x-parley-roles")) roles = op["x-parley-roles"].get<std::vector<std::string>>();
        EXPECT_EQ(roles, route.roles);
    }
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
        EXPECT_TRUE(documented) << "route " << route << " is missing from openapi.json as paths[\"" << path << "\"][\""
                                << method << "\"]";
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

// The server refuses unknown keys in every JSON body that has fields of its own (400 naming each),
// so every such schema must say so to the clients generated from it.
TEST(OpenApi, EveryJsonBodyWithFieldsRefusesUnknownKeys) {
    const auto doc = Document();
    const auto& schemas = doc["components"]["schemas"];
    int checked = 0;
    for (const auto& [path, item] : doc["paths"].items()) {
        for (const auto& [method, operation] : item.items()) {
            if (!operation.is_object() || !operation.contains("requestBody")) continue;
            const auto& content = operation["requestBody"]["content"];
            if (!content.contains("application/json")) continue;
            OrderedJson schema = content["application/json"]["schema"];
            std::string name = "inline";
            while (schema.contains("$ref")) {
                name = schema["$ref"].get<std::string>().substr(std::string("#/components/schemas/").size());
                schema = schemas[name];
            }
            // RFC 7591 client registration must ignore metadata it does not know; its schema says so.
            if (!schema.contains("properties") || schema.contains("x-parley-ignores-unknown-keys")) continue;
            ++checked;
            EXPECT_EQ(schema.value("additionalProperties", OrderedJson(true)), OrderedJson(false))
                << Upper(method) << " " << path << ": schema " << name << " lets unknown keys through";
        }
    }
    EXPECT_GT(checked, 20);
}

}  // namespace
}  // namespace parley::api
