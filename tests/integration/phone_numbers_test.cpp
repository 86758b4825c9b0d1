// Carriers of the organization's own and its phone numbers (seed 003 "Phone Numbers") through a
// real server: what is stored and shown, the password that is never shown, bad input refused
// without a change, and what keeps a carrier from being deleted.

#include "support/fixture.hpp"
#include "support/seeds.hpp"

namespace parley::testing {
namespace {

class PhoneNumbersApi : public ApiTest {
protected:
    Json Trunk() const {
        return Json{{"name", "Telnyx"},
                    {"sip_host", "sip.telnyx.com"},
                    {"sip_port", 5061},
                    {"transport", "tls"},
                    {"auth_username", "parley"},
                    {"auth_password", "s3cret-trunk-password"},
                    {"caller_id_format", "e164_no_plus"},
                    {"max_channels", 20},
                    {"codecs", {"PCMA"}},
                    {"media_encryption", "srtp"},
                    {"inbound_sources", {"192.76.120.10", "64.16.250.0/24", "2001:db8::/32"}}};
    }

    std::string NewCarrier(const std::string& name) const {
        Json body = Trunk();
        body["name"] = name;
        return CreatedId(api().Post("/api/v1/phone-numbers/carriers", body));
    }

    size_t Count(const std::string& path) const { return api().Get(path).json()["data"].size(); }
};
PARLEY_BACKENDS(PhoneNumbersApi);

TEST_P(PhoneNumbersApi, TestingACarrierNeedsSipOnTheNode) {
    const std::string id = NewCarrier("No SIP here");
    auto tested = api().Post("/api/v1/phone-numbers/carriers/" + id + "/test", Json::object());
    ExpectError(tested, 422, "UNPROCESSABLE");
    EXPECT_NE(tested.body.find("--sip-listen"), std::string::npos) << tested.body;
    ExpectError(api().Post("/api/v1/phone-numbers/carriers/car_nope/test", Json::object()), 404, "NOT_FOUND");
}

// Calls go out through the carrier of the number they are from: the organization's own numbers
// over SIP, or the sandbox's numbers through the sandbox, and a campaign uses one kind.
TEST_P(PhoneNumbersApi, CallsAndCampaignsCallFromTheOrganizationsNumbersOrSandboxNumbers) {
    const std::string carrier = NewCarrier("Caller ids");
    ASSERT_EQ(api().Post("/api/v1/phone-numbers", {{"number", "+14155550161"}, {"carrier_id", carrier}}).status, 201);
    const std::string profile = NewProfile(api());
    auto campaign = [&](const Json& caller_ids) {
        return api().Post("/api/v1/campaigns", {{"name", "From"}, {"profile_id", profile}, {"caller_ids", caller_ids}});
    };
    EXPECT_EQ(campaign({"+14155550161"}).status, 201);
    EXPECT_EQ(campaign({"+12025550100", "+12025550101"}).status, 201);
    auto mixed = campaign({"+14155550161", "+12025550100"});
    ExpectError(mixed, 422, "UNPROCESSABLE");
    EXPECT_NE(mixed.body.find("caller_ids"), std::string::npos) << mixed.body;
    ExpectError(campaign({"+14153217662"}), 422, "UNPROCESSABLE");  // not the organization's, not the sandbox's

    // A call from the organization's number may go to any number; without `from`, only the
    // sandbox's numbers are reachable.
    auto from_own =
        api().Post("/api/v1/calls", {{"profile_id", profile}, {"phone", "+14153217699"}, {"from", "+14155550161"}});
    ASSERT_EQ(from_own.status, 201) << from_own.body;
    EXPECT_EQ(from_own.json()["data"]["from_number"], "+14155550161");
    ExpectError(api().Post("/api/v1/calls", {{"profile_id", profile}, {"phone", "+14153217699"}}), 422,
                "UNPROCESSABLE");
    auto not_ours =
        api().Post("/api/v1/calls", {{"profile_id", profile}, {"phone", "+14153217699"}, {"from", "+14153217662"}});
    ExpectError(not_ours, 422, "UNPROCESSABLE");
    EXPECT_NE(not_ours.body.find("\"from\""), std::string::npos) << not_ours.body;
    ExpectError(api().Post("/api/v1/calls", {{"profile_id", profile}, {"phone", "+14153217699"}, {"from", "nope"}}),
                400, "VALIDATION_ERROR");
}

TEST_P(PhoneNumbersApi, ACarrierIsStoredAsGivenAndItsPasswordIsNeverShown) {
    auto created = api().Post("/api/v1/phone-numbers/carriers", Trunk());
    ASSERT_EQ(created.status, 201) << created.body;
    const Json c = created.json()["data"];
    EXPECT_TRUE(c["id"].get<std::string>().starts_with("car_"));
    EXPECT_EQ(c["sip_host"], "sip.telnyx.com");
    EXPECT_EQ(c["sip_port"], 5061);
    EXPECT_EQ(c["transport"], "tls");
    EXPECT_EQ(c["auth_username"], "parley");
    EXPECT_EQ(c["auth_password_set"], true);
    EXPECT_EQ(c["caller_id_format"], "e164_no_plus");
    EXPECT_EQ(c["codecs"], Json({"PCMA"}));
    EXPECT_EQ(c["media_encryption"], "srtp");
    EXPECT_EQ(c["inbound_sources"], Json({"192.76.120.10", "64.16.250.0/24", "2001:db8::/32"}));
    EXPECT_EQ(created.body.find("s3cret"), std::string::npos);

    const std::string path = "/api/v1/phone-numbers/carriers/" + c["id"].get<std::string>();
    auto got = api().Get(path);
    EXPECT_EQ(got.json()["data"], c);
    EXPECT_EQ(got.body.find("s3cret"), std::string::npos);
    // Seeds 002 and 003 document their API under /v1.
    EXPECT_EQ(api().Get("/v1/phone-numbers/carriers/" + c["id"].get<std::string>()).json()["data"], c);

    // A change keeps what it does not name, the password included; null removes the password.
    auto changed = api().Patch(path, {{"sip_port", 5080}});
    ASSERT_EQ(changed.status, 200) << changed.body;
    EXPECT_EQ(changed.json()["data"]["sip_port"], 5080);
    EXPECT_EQ(changed.json()["data"]["auth_password_set"], true);
    EXPECT_EQ(changed.json()["data"]["codecs"], Json({"PCMA"}));
    changed = api().Patch(path, {{"auth_password", nullptr}});
    EXPECT_EQ(changed.json()["data"]["auth_password_set"], false);
    EXPECT_EQ(changed.json()["data"]["auth_username"], "parley");

    ExpectError(api().Post("/api/v1/phone-numbers/carriers", Trunk()), 409, "DUPLICATE");
    EXPECT_EQ(api().Get("/api/v1/phone-numbers/carriers").json()["data"].size(), 1u);
}

TEST_P(PhoneNumbersApi, DefaultsAreThoseOfAPlainUdpTrunk) {
    auto created = api().Post("/api/v1/phone-numbers/carriers", {{"name", "PBX"}, {"sip_host", "10.0.0.5"}});
    ASSERT_EQ(created.status, 201) << created.body;
    const Json c = created.json()["data"];
    EXPECT_EQ(c["sip_port"], 5060);
    EXPECT_EQ(c["transport"], "udp");
    EXPECT_EQ(c["auth_username"], nullptr);
    EXPECT_EQ(c["auth_password_set"], false);
    EXPECT_EQ(c["caller_id_format"], "e164");
    EXPECT_EQ(c["max_channels"], 30);
    EXPECT_EQ(c["codecs"], Json({"PCMU", "PCMA"}));
    EXPECT_EQ(c["media_encryption"], "none");
    EXPECT_EQ(c["inbound_sources"], Json::array());
}

TEST_P(PhoneNumbersApi, RefusesBadCarriersNamingTheFieldAndStoresNothing) {
    const std::vector<std::pair<Json, std::string>> cases = {
        {{{"sip_host", "sip.example.com"}}, "name"},
        {{{"name", "x"}}, "sip_host"},
        {{{"name", "x"}, {"sip_host", "sip://sip.example.com"}}, "sip_host"},
        {{{"name", "x"}, {"sip_host", "sip.example.com:5060"}}, "sip_host"},
        {{{"name", "x"}, {"sip_host", "bad_host.example.com"}}, "sip_host"},
        {{{"name", "x"}, {"sip_host", "sip.example.com"}, {"sip_port", 70000}}, "sip_port"},
        {{{"name", "x"}, {"sip_host", "sip.example.com"}, {"transport", "sctp"}}, "transport"},
        {{{"name", "x"}, {"sip_host", "sip.example.com"}, {"codecs", {"G729"}}}, "codecs"},
        {{{"name", "x"}, {"sip_host", "sip.example.com"}, {"codecs", Json::array()}}, "codecs"},
        {{{"name", "x"}, {"sip_host", "sip.example.com"}, {"codecs", {"PCMU", "PCMU"}}}, "codecs"},
        {{{"name", "x"}, {"sip_host", "sip.example.com"}, {"max_channels", 0}}, "max_channels"},
        {{{"name", "x"}, {"sip_host", "sip.example.com"}, {"inbound_sources", {"10.0.0.0/33"}}}, "inbound_sources"},
        {{{"name", "x"}, {"sip_host", "sip.example.com"}, {"inbound_sources", {"everyone"}}}, "inbound_sources"},
        {{{"name", "x"}, {"sip_host", "sip.example.com"}, {"auth_password", "p"}}, "auth_username"},
        {{{"name", "x"}, {"sip_host", "sip.example.com"}, {"outbound_proxy", "proxy:99999"}}, "outbound_proxy"},
        {{{"name", "x"}, {"sip_host", "sip.example.com"}, {"media_encryption", "zrtp"}}, "media_encryption"},
        {{{"name", "x"}, {"sip_host", "sip.example.com"}, {"password", "p"}}, "password"},
        {{{"name", "x"}, {"sip_host", "sip.example.com"}, {"auth_username", std::string(200, 'u')}}, "auth_username"},
    };
    for (const auto& [body, field] : cases) {
        SCOPED_TRACE(body.dump());
        auto res = api().Post("/api/v1/phone-numbers/carriers", body);
        ExpectError(res, 400, "VALIDATION_ERROR");
        bool named = false;
        const Json details = res.json()["error"]["details"];
        for (const auto& d : details) named = named || d["field"] == field;
        EXPECT_TRUE(named) << res.body;
    }
    EXPECT_EQ(Count("/api/v1/phone-numbers/carriers"), 0u);

    const std::string id = NewCarrier("Trunk");
    ASSERT_FALSE(id.empty());
    const Json before = api().Get("/api/v1/phone-numbers/carriers/" + id).json()["data"];
    ExpectError(api().Patch("/api/v1/phone-numbers/carriers/" + id, {{"sip_port", "5060"}, {"name", "Renamed"}}), 400,
                "VALIDATION_ERROR");
    ExpectError(api().Patch("/api/v1/phone-numbers/carriers/" + id, {{"codecs", nullptr}}), 400, "VALIDATION_ERROR");
    EXPECT_EQ(api().Get("/api/v1/phone-numbers/carriers/" + id).json()["data"], before);
    ExpectError(api().Get("/api/v1/phone-numbers/carriers/car_none"), 404, "NOT_FOUND");
}

TEST_P(PhoneNumbersApi, OnlyOwnersAndAdminsChangeCarriers) {
    auto member = api().Post("/api/v1/api-keys", {{"name", "desk"}, {"role", "member"}});
    ASSERT_EQ(member.status, 201) << member.body;
    const ApiClient desk = server_->Client(member.json()["data"]["key"]);
    ExpectError(desk.Post("/api/v1/phone-numbers/carriers", Trunk()), 403, "FORBIDDEN");
    const std::string id = NewCarrier("Trunk");
    ExpectError(desk.Patch("/api/v1/phone-numbers/carriers/" + id, {{"sip_port", 5070}}), 403, "FORBIDDEN");
    ExpectError(desk.Send("DELETE", "/api/v1/phone-numbers/carriers/" + id), 403, "FORBIDDEN");
    // Reading a carrier shows nothing secret, so members may.
    EXPECT_EQ(desk.Get("/api/v1/phone-numbers/carriers/" + id).status, 200);
}

TEST_P(PhoneNumbersApi, ANumberBelongsToOneCarrierAndNamesTheProfileThatAnswers) {
    const std::string carrier = NewCarrier("Trunk");
    const std::string other_carrier = NewCarrier("Backup");
    const std::string profile = NewProfile(api());
    ASSERT_FALSE(carrier.empty() || other_carrier.empty() || profile.empty());

    // The default region (US) reads a national number.
    auto created = api().Post("/api/v1/phone-numbers", {{"phone_number", "(202) 555-0142"},
                                                        {"carrier_id", carrier},
                                                        {"friendly_name", "Sales line"},
                                                        {"profile_id", profile}});
    ASSERT_EQ(created.status, 201) << created.body;
    const Json n = created.json()["data"];
    EXPECT_TRUE(n["id"].get<std::string>().starts_with("pn_"));
    EXPECT_EQ(n["phone_number"], "+12025550142");
    EXPECT_EQ(n["carrier_id"], carrier);
    EXPECT_EQ(n["friendly_name"], "Sales line");
    EXPECT_EQ(n["profile_id"], profile);
    const std::string path = "/api/v1/phone-numbers/" + n["id"].get<std::string>();
    EXPECT_EQ(api().Get(path).json()["data"], n);

    ASSERT_EQ(api().Post("/api/v1/phone-numbers", {{"number", "+12025550143"}, {"carrier_id", other_carrier}}).status,
              201);
    EXPECT_EQ(Count("/api/v1/phone-numbers"), 2u);
    const Json on_trunk = api().Get("/api/v1/phone-numbers?carrier_id=" + carrier).json()["data"];
    ASSERT_EQ(on_trunk.size(), 1u);
    EXPECT_EQ(on_trunk[0]["id"], n["id"]);

    // A number is registered once in the installation, whoever registers it.
    ExpectError(api().Post("/api/v1/phone-numbers", {{"number", "+12025550142"}, {"carrier_id", carrier}}), 409,
                "DUPLICATE");
    const auto other = server_->CreateOrg("enterprise", "Another org");
    const ApiClient them = server_->Client(other.key);
    auto their_carrier = them.Post("/api/v1/phone-numbers/carriers", Trunk());
    ASSERT_EQ(their_carrier.status, 201);
    ExpectError(them.Post("/api/v1/phone-numbers",
                          {{"number", "+12025550142"}, {"carrier_id", their_carrier.json()["data"]["id"]}}),
                409, "DUPLICATE");
    // Their carrier is not ours to use.
    ExpectError(api().Post("/api/v1/phone-numbers",
                           {{"number", "+12025550144"}, {"carrier_id", their_carrier.json()["data"]["id"]}}),
                422, "UNPROCESSABLE");

    // The number and its carrier stay; the name and the answering profile change.
    ExpectError(api().Patch(path, {{"phone_number", "+12025550145"}}), 400, "VALIDATION_ERROR");
    ExpectError(api().Patch(path, {{"carrier_id", other_carrier}}), 400, "VALIDATION_ERROR");
    ExpectError(api().Patch(path, {{"profile_id", "prof_none"}}), 422, "UNPROCESSABLE");
    auto renamed = api().Patch(path, {{"friendly_name", "Support"}, {"profile_id", nullptr}});
    ASSERT_EQ(renamed.status, 200) << renamed.body;
    EXPECT_EQ(renamed.json()["data"]["friendly_name"], "Support");
    EXPECT_EQ(renamed.json()["data"]["profile_id"], nullptr);
    EXPECT_EQ(renamed.json()["data"]["phone_number"], "+12025550142");

    // A carrier with numbers stays until they are gone.
    ExpectError(api().Send("DELETE", "/api/v1/phone-numbers/carriers/" + carrier), 409, "CONFLICT");
    EXPECT_EQ(api().Send("DELETE", path).status, 200);
    ExpectError(api().Get(path), 404, "NOT_FOUND");
    EXPECT_EQ(api().Send("DELETE", "/api/v1/phone-numbers/carriers/" + carrier).status, 200);
    ExpectError(api().Get("/api/v1/phone-numbers/carriers/" + carrier), 404, "NOT_FOUND");
}

TEST_P(PhoneNumbersApi, RefusesBadNumbersAndStoresNothing) {
    const std::string carrier = NewCarrier("Trunk");
    const std::string archived = NewProfile(api(), {{"name", "Old"}});
    ASSERT_EQ(api().Send("DELETE", "/api/v1/profiles/" + archived).status, 200);
    ExpectError(api().Post("/api/v1/phone-numbers", {{"carrier_id", carrier}}), 400, "VALIDATION_ERROR");
    ExpectError(api().Post("/api/v1/phone-numbers", {{"number", "+12025550146"}}), 400, "VALIDATION_ERROR");
    ExpectError(api().Post("/api/v1/phone-numbers", {{"number", "not a number"}, {"carrier_id", carrier}}), 400,
                "VALIDATION_ERROR");
    ExpectError(api().Post("/api/v1/phone-numbers", {{"number", "+12025550146"}, {"carrier_id", "car_none"}}), 422,
                "UNPROCESSABLE");
    ExpectError(api().Post("/api/v1/phone-numbers",
                           {{"number", "+12025550146"}, {"carrier_id", carrier}, {"profile_id", archived}}),
                422, "UNPROCESSABLE");
    ExpectError(
        api().Post("/api/v1/phone-numbers", {{"number", "+12025550146"}, {"carrier_id", carrier}, {"sip", true}}), 400,
        "VALIDATION_ERROR");
    EXPECT_EQ(Count("/api/v1/phone-numbers"), 0u);
}

}  // namespace
}  // namespace parley::testing
