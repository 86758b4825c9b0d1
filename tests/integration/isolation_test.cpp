#include <chrono>
#include <map>
#include <regex>
#include <set>

#include "support/calls.hpp"
#include "support/fixture.hpp"
#include "support/seeds.hpp"
#include "support/wait.hpp"
#include "support/webhook_receiver.hpp"

namespace parley::testing {
namespace {

// What an organization other than the caller's holds: one of everything the API has ids for,
// keyed by the OpenAPI parameter that names it.
struct OtherOrg {
    ApiClient api;
    std::map<std::string, std::string> ids;  // "ContactId" -> "ct_..."
};

// An id of the same kind and shape as `id` that names nothing: every character after the
// prefix is replaced (a phone number keeps all but its last two digits, so it is a sandbox
// number in the same time zone).
std::string Absent(const std::string& id) {
    std::string out = id;
    const size_t from = id.starts_with("+") ? 10 : id.find('_') + 1;
    for (size_t i = from; i < out.size(); ++i) out[i] = std::isdigit(static_cast<unsigned char>(out[i])) ? '7' : 'z';
    return out;
}

// A response made comparable: its request id dropped, and each of the ids replaced by "{id}".
std::string Comparable(const HttpResult& res, const std::vector<std::string>& ids) {
    Json j = res.json();
    if (j.is_object()) j.erase("request_id");
    if (j.is_object() && j["error"].is_object()) j["error"].erase("request_id");
    std::string text = std::to_string(res.status) + " " + (j.is_discarded() ? res.body : j.dump());
    for (const auto& id : ids) {
        for (size_t at = text.find(id); !id.empty() && at != std::string::npos; at = text.find(id, at + 4)) {
            text.replace(at, id.size(), "{id}");
        }
    }
    return text;
}

// What a read of everything an organization holds answers, made comparable between two times:
// fields that change with each use of a key (or each signed link's expiry) are dropped.
Json Without(Json j, const std::set<std::string>& volatile_fields) {
    if (j.is_object()) {
        for (const auto& f : volatile_fields) j.erase(f);
        for (auto& [k, v] : j.items()) v = Without(v, volatile_fields);
    } else if (j.is_array()) {
        for (auto& v : j) v = Without(v, volatile_fields);
    }
    return j;
}

class IsolationApi : public ApiTest {
protected:
    // Builds the other organization: a contact on a list, a custom field, a profile, a voice
    // preset, a finished call, a finished batch, a draft campaign, a webhook with a delivered
    // event, a second API key, a DNC entry, a carrier and a phone number on it.
    OtherOrg Build() {
        const auto key = server_->CreateOrg("enterprise", "Other org");
        OtherOrg other{server_->Client(key.key), {}};
        auto& ids = other.ids;
        const auto& b = other.api;
        auto hook = b.Post("/api/v1/webhooks", {{"url", receiver_.url("other")}, {"events", {"contact.created"}}});
        ids["WebhookId"] = CreatedId(hook);
        receiver_.SetSecret(hook.json()["data"].value("secret", ""));
        ids["Phone"] = "+12025550162";
        ids["ContactId"] = NewContact(b, ids["Phone"], {{"first_name", "Bea"}});
        ids["CustomFieldId"] = CreatedId(b.Post("/api/v1/custom-fields", {{"name", "budget"}, {"type", "string"}}));
        ids["ProfileId"] = NewProfile(b, {{"name", "Other"}});
        ids["VoiceId"] = CreatedId(b.Post("/api/v1/voices", {{"name", "Calm"}, {"voice", "flite:kal"}}));
        ids["ContactListId"] =
            CreatedId(b.Post("/api/v1/contact-lists", {{"name", "Other list"}, {"contact_ids", {ids["ContactId"]}}}));
        ids["CampaignId"] = CreatedId(b.Post(
            "/api/v1/campaigns",
            {{"name", "Other campaign"}, {"profile_id", ids["ProfileId"]}, {"contact_list_id", ids["ContactListId"]}}));
        ids["ApiKeyId"] = CreatedId(b.Post("/api/v1/api-keys", {{"name", "other key"}}));
        ids["CarrierId"] = CreatedId(b.Post("/api/v1/phone-numbers/carriers", {{"name", "Other trunk"},
                                                                               {"sip_host", "sip.example.net"},
                                                                               {"auth_username", "other"},
                                                                               {"auth_password", "other-password"}}));
        ids["PhoneNumberId"] = CreatedId(
            b.Post("/api/v1/phone-numbers",
                   {{"number", "+12025550177"}, {"carrier_id", ids["CarrierId"]}, {"profile_id", ids["ProfileId"]}}));
        EXPECT_EQ(b.Post("/api/v1/dnc", {{"phone", ids["Phone"]}}).status, 201);
        ids["CallId"] = CreatedId(b.Post("/api/v1/calls", {{"profile_id", ids["ProfileId"]}, {"phone", Sandbox(4)}}));
        auto batch = b.Post("/api/v1/batches",
                            {{"profile_id", ids["ProfileId"]}, {"calls", Json::array({Json{{"phone", Sandbox(5)}}})}});
        EXPECT_EQ(batch.status, 201) << batch.body;
        ids["BatchId"] = batch.json()["data"].value("batch_id", "");
        receiver_.WaitFor("other", 1);
        WaitUntil(
            [&] {
                const Json calls = b.Get("/api/v1/calls").json()["data"];
                const Json deliveries = b.Get("/api/v1/webhooks/deliveries").json()["data"];
                bool settled = calls.size() == 2 && deliveries.size() == 1 && deliveries[0]["status"] == "delivered";
                for (const auto& c : calls) settled = settled && !IsActive(c);
                if (settled) ids["WebhookDeliveryId"] = deliveries[0]["id"];
                return settled;
            },
            std::chrono::seconds(60));
        EXPECT_TRUE(ids.contains("WebhookDeliveryId")) << "the other organization's calls and delivery did not settle";
        return other;
    }

    // Everything the other organization can read, through every described read route, with
    // its own ids.
    Json Snapshot(const OtherOrg& other, const Json& doc) {
        const std::regex parameter("\\{([a-z_]+)\\}");
        Json out = Json::object();
        for (const auto& [path, operations] : doc["paths"].items()) {
            if (!operations.contains("get") || operations["get"].value("x-parley-access", "") != "read") continue;
            std::string target = path;
            for (const auto& p : operations["get"].value("parameters", Json::array())) {
                if (!p.contains("$ref")) continue;
                const std::string name =
                    p["$ref"].get<std::string>().substr(p["$ref"].get<std::string>().rfind('/') + 1);
                if (other.ids.contains(name)) target = std::regex_replace(target, parameter, other.ids.at(name));
            }
            auto res = other.api.Get(target);
            out[target] = Json{{"status", res.status}, {"body", Without(res.json(), {"request_id", "last_used_at"})}};
        }
        return out;
    }

    WebhookReceiver receiver_;
};
PARLEY_BACKENDS(IsolationApi);

// Generated from the OpenAPI description the server serves: every operation that names a
// resource in its path, and every query parameter that names one, is sent by an owner key of one
// organization with the ids of another's resources. Each answers exactly as it does for an id
// that names nothing (a 404 for a path id, an empty list for a filter), and afterwards the other
// organization reads everything it had, unchanged. A new route is covered once it is described;
// a new kind of id needs one line in Build().
TEST_P(IsolationApi, AnotherOrganizationsIdsAnswerAsIfTheyDidNotExistAndChangeNothing) {
    const Json doc = http().Send("GET", "/api/v1/openapi.json").json();
    ASSERT_TRUE(doc.contains("paths"));
    const OtherOrg other = Build();
    if (HasFailure()) return;
    const Json before = Snapshot(other, doc);
    int found = 0;
    for (const auto& [target, read] : before.items()) found += read["status"] == 200 ? 1 : 0;
    EXPECT_GT(found, 25) << before.dump(1);

    // Bodies this organization could send with its own data, so a request is refused for the
    // id alone.
    auto own = api().Post("/api/v1/contacts", {{"phone", "+12025550163"}});
    ASSERT_EQ(own.status, 201) << own.body;
    const std::string own_contact = own.json()["data"]["id"];
    const std::map<std::string, Json> bodies = {
        {"/api/v1/contacts/{id}", {{"first_name", "Mallory"}}},
        {"/api/v1/contacts/{id}/dnc", Json::object()},
        {"/api/v1/custom-fields/{id}", {{"name", "budget"}, {"type", "string"}, {"description", "taken"}}},
        {"/api/v1/profiles/{id}", {{"name", "Taken"}, {"opener", "Hello?"}}},
        {"/api/v1/agents/{id}", {{"name", "Taken"}, {"opener", "Hello?"}}},
        {"/api/v1/voices/{id}", {{"name", "Taken"}, {"voice", "flite:kal"}}},
        {"/api/v1/contact-lists/{id}", {{"name", "Taken"}}},
        {"/api/v1/contact-lists/{id}/contacts", {{"contact_ids", {own_contact}}}},
        {"/api/v1/campaigns/{id}", {{"name", "Taken"}}},
        {"/api/v1/webhooks/{id}", {{"url", receiver_.url("taken")}, {"events", {"contact.created"}}}},
    };
    // Query parameters that name a resource, by the id they take.
    const std::map<std::string, std::string> query_ids = {{"campaign_id", "CampaignId"}, {"list_id", "ContactListId"},
                                                          {"contact_id", "ContactId"},   {"batch_id", "BatchId"},
                                                          {"webhook_id", "WebhookId"},   {"call_id", "CallId"},
                                                          {"carrier_id", "CarrierId"},   {"phone", "Phone"}};
    // Named in seed documents, with no resource in Parley yet: any value finds nothing.
    const std::set<std::string> no_resource_yet = {"call_flow_id"};

    std::vector<std::string> all_ids;
    for (const auto& [name, id] : other.ids) all_ids.push_back(id);
    int checked = 0;
    for (const auto& [path, operations] : doc["paths"].items()) {
        for (const auto& [method_name, op] : operations.items()) {
            if (!op.is_object() || !op.contains("x-parley-access")) continue;
            std::string method = method_name;
            for (auto& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            SCOPED_TRACE(method + " " + path);
            // The path's resource ids, and the query parameters that take one.
            std::string foreign = path;
            std::string absent = path;
            std::vector<std::string> sent;
            bool names_a_resource = false;  // a phone number is looked up, not owned: no 404
            std::vector<std::string> filters;
            for (const auto& p : op.value("parameters", Json::array())) {
                if (p.contains("$ref")) {
                    const std::string ref = p["$ref"];
                    const std::string name = ref.substr(ref.rfind('/') + 1);
                    const Json& def = doc["components"]["parameters"][name];
                    if (def["in"] != "path") continue;
                    ASSERT_TRUE(other.ids.contains(name)) << "no id of another organization for " << name;
                    const std::string placeholder = "{" + def["name"].get<std::string>() + "}";
                    foreign.replace(foreign.find(placeholder), placeholder.size(), other.ids.at(name));
                    absent.replace(absent.find(placeholder), placeholder.size(), Absent(other.ids.at(name)));
                    sent.push_back(other.ids.at(name));
                    names_a_resource = names_a_resource || name != "Phone";
                } else if (p["in"] == "query") {
                    const std::string name = p["name"];
                    if (query_ids.contains(name) && method == "GET") filters.push_back(name);
                    EXPECT_TRUE(!name.ends_with("_id") || query_ids.contains(name) || no_resource_yet.contains(name))
                        << "query parameter " << name << " names a resource this test does not know";
                }
            }
            std::string body;
            if (op.contains("requestBody") && method != "GET") {
                const auto it = bodies.find(path);
                body = it != bodies.end() ? it->second.dump() : "{}";
            }
            auto expect_same = [&](const std::string& foreign_target, const std::string& absent_target,
                                   const std::vector<std::string>& replaced) {
                const auto a = api().Send(method, foreign_target, body);
                const auto b = api().Send(method, absent_target, body);
                EXPECT_EQ(Comparable(a, replaced), Comparable(b, replaced)) << foreign_target;
                if (names_a_resource) {
                    EXPECT_EQ(a.status, 404) << foreign_target << " " << a.body;
                }
                ++checked;
            };
            std::vector<std::string> replaced = sent;
            for (const auto& id : sent) replaced.push_back(Absent(id));
            if (!sent.empty()) expect_same(foreign, absent, replaced);
            auto query_value = [](std::string v) { return v.starts_with("+") ? "%2B" + v.substr(1) : v; };
            for (const auto& name : filters) {
                const std::string id = other.ids.at(query_ids.at(name));
                expect_same(foreign + "?" + name + "=" + query_value(id),
                            absent + "?" + name + "=" + query_value(Absent(id)), {id, Absent(id)});
            }
        }
    }
    EXPECT_GT(checked, 50);
    const Json after = Snapshot(other, doc);
    for (const auto& [target, read] : before.items()) {
        EXPECT_EQ(read, after[target]) << target << " changed";
    }
}

}  // namespace
}  // namespace parley::testing
