// Calls over SIP through real peers on loopback: Parley dials through Kamailio, a carrier's proxy
// that asks for digest auth, to a baresip phone where a person (a synthesized voice that waits
// for its turn) answers the agent. Everything a sandbox call has is checked on these calls too:
// the transcript, the analysis with the extracted field, the recording.

#include "support/sip_calls.hpp"

#include <cstring>
#include <thread>

namespace parley::testing {
namespace {

using SipCalls = SipCallTest;

// The keys the callee pressed, as the call's transcript has them.
std::string Keys(const Json& call) {
    std::string keys;
    for (const auto& line : call["transcript"]) {
        if (line.value("dtmf", false) && line["speaker"] == "callee") keys += line["text"].get<std::string>();
    }
    return keys;
}

TEST_F(SipCalls, AnOutboundCallThroughAnAuthenticatingProxyHasTheWholeConversation) {
    Baresip phone({.wav = Line("silence.wav"), .trailing_silence = std::chrono::milliseconds(0)});
    Kamailio proxy({.auth_user = "parley", .auth_password = "trunk-secret", .callee_port = phone.sip_port()});
    AddTrunk(proxy, "trunk-secret");
    const std::string profile = SizeProfile();
    ListeningCallee person(phone, {Line("minute.wav"), Line("size.wav")});

    const std::string id = Call(profile);
    const Json call = WaitForEnd(api(), id, std::chrono::seconds(90));
    ASSERT_TRUE(call.is_object());
    EXPECT_EQ(call["status"], "completed") << call.dump(2) << "\n" << proxy.Log();
    EXPECT_EQ(call["from_number"], kParleyNumber);
    EXPECT_EQ(call["analysis"]["extracted_data"]["company_size"], 50) << call.dump(2);
    const auto said = Lines(call, "callee");
    ASSERT_GE(said.size(), 2u) << call.dump(2);
    EXPECT_NE(said[1].find("fifty"), std::string::npos) << said[1];
    EXPECT_EQ(person.said(), 2);
    // The agent hung up after its closing line, and the phone heard the agent speak.
    EXPECT_TRUE(phone.WaitForEvent("CALL_CLOSED").has_value());
    auto heard = phone.Recordings();
    ASSERT_FALSE(heard.empty());
    EXPECT_GT(audio::RmsDbfs(ReadWav(heard.back())), -40.0);
    // The recording has both directions of the real streams: the callee's line and the agent's.
    ASSERT_EQ(call["has_recording"], true) << call.dump(2);
    const auto [left, right] = Recording(id);
    EXPECT_GT(audio::RmsDbfs(left), -45.0) << "the callee's side";
    EXPECT_GT(audio::RmsDbfs(right), -45.0) << "the agent's side";
}

TEST_F(SipCalls, AWrongTrunkPasswordFailsTheCallWithTheProxysAnswer) {
    Baresip phone({.wav = Line("silence.wav"), .trailing_silence = std::chrono::milliseconds(0)});
    Kamailio proxy({.auth_user = "parley", .auth_password = "trunk-secret", .callee_port = phone.sip_port()});
    AddTrunk(proxy, "not-the-password");
    const std::string id = Call(NewProfile(api()));
    const Json call = WaitForEnd(api(), id, std::chrono::seconds(30));
    ASSERT_TRUE(call.is_object());
    EXPECT_EQ(call["status"], "failed") << call.dump(2);
    EXPECT_NE(call.dump().find("407"), std::string::npos) << call.dump(2);
    EXPECT_TRUE(phone.Events().empty()) << "the phone never rang";
}

// A campaign whose caller id is the organization's number dials its contacts over SIP, whatever
// their numbers (the sandbox could not reach this one), and completes.
TEST_F(SipCalls, ACampaignFromTheOrganizationsNumberDialsOverSip) {
    Baresip phone({.wav = Line("silence.wav"), .trailing_silence = std::chrono::milliseconds(0)});
    Kamailio proxy({.auth_user = "parley", .auth_password = "trunk-secret", .callee_port = phone.sip_port()});
    AddTrunk(proxy, "trunk-secret");
    TurnGuardOff(api());
    const std::string contact = NewContact(api(), "+14153217600", {{"tags", {"sip"}}});
    // The person answers the second question with a key of a phone that plays keys as tones.
    ListeningCallee person(phone, {Line("minute.wav"), Line("key-7.wav")});
    auto created = api().Post("/api/v1/campaigns", {{"name", "Over SIP"},
                                                    {"profile_id", SizeProfile()},
                                                    {"contact_tags", {"sip"}},
                                                    {"caller_ids", {kParleyNumber}},
                                                    {"schedule", AroundTheClock()},
                                                    {"retry_rules", {{"max_attempts", 1}}}});
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string id = created.json()["data"]["id"];
    ASSERT_EQ(api().Send("POST", "/api/v1/campaigns/" + id + "/start").status, 200);
    ASSERT_TRUE(WaitForCampaign(api(), id, "completed", std::chrono::seconds(90)).is_object()) << proxy.Log();
    const auto calls = CallsByContact(api(), id);
    ASSERT_EQ(calls.count(contact), 1u);
    const Json& call = calls.at(contact).front();
    EXPECT_EQ(call["status"], "completed") << call.dump(2);
    EXPECT_EQ(call["from_number"], kParleyNumber);
    EXPECT_EQ(call["to_number"], "+14153217600");
    EXPECT_EQ(person.said(), 2);
    const Json detail = api().Get("/api/v1/calls/" + call["id"].get<std::string>()).json()["data"];
    EXPECT_EQ(detail["analysis"]["extracted_data"]["company_size"], 7) << detail.dump(2);
    EXPECT_EQ(Keys(detail), "7") << detail.dump(2);
}

// The callee puts the call on hold and takes it back (two re-INVITEs: sendonly, then sendrecv with
// one codec fewer): the call goes on, and what the callee says after it reaches the agent. (The
// phone stops recording what it hears at the hold, so the person speaks on cue rather than
// listening for their turn; it holds once the agent has begun to speak, so that a slow start of
// the agent, as under the sanitizers, cannot leave the answer before any question.)
TEST_F(SipCalls, HoldAndResumeByTheCalleeKeepTheCallGoing) {
    Baresip phone({.wav = Line("silence.wav"), .trailing_silence = std::chrono::milliseconds(0)});
    Kamailio proxy({.auth_user = "parley", .auth_password = "trunk-secret", .callee_port = phone.sip_port()});
    AddTrunk(proxy, "trunk-secret");
    const std::string id = Call(NewProfile(api()));
    ASSERT_TRUE(phone.WaitForEvent("CALL_ESTABLISHED").has_value()) << proxy.Log();
    ASSERT_TRUE(WaitUntilHeardSpeech(phone, std::chrono::seconds(30))) << "the agent never spoke";
    ASSERT_TRUE(phone.Command("hold").first) << phone.Log();
    std::this_thread::sleep_for(std::chrono::seconds(2));
    EXPECT_EQ(api().Get("/api/v1/calls/" + id).json()["data"]["status"], "in_progress");
    ASSERT_TRUE(phone.Command("resume").first) << phone.Log();
    std::this_thread::sleep_for(std::chrono::seconds(1));
    ASSERT_TRUE(phone.Command("ausrc", "aufile," + Line("minute.wav").string()).first);
    // The profile asks nothing more: the agent closes and hangs up once it has heard the callee.
    const Json call = WaitForEnd(api(), id, std::chrono::seconds(40));
    ASSERT_TRUE(call.is_object());
    EXPECT_EQ(call["status"], "completed") << call.dump(2);
    const auto said = Lines(call, "callee");
    ASSERT_FALSE(said.empty()) << call.dump(2);
    EXPECT_NE(said.front().find("minute"), std::string::npos) << said.front();
    const std::string log = proxy.Log();
    size_t invites = 0;
    for (size_t at = log.find("request INVITE"); at != std::string::npos; at = log.find("request INVITE", at + 1))
        ++invites;
    EXPECT_GE(invites, 4u) << log;  // the call's INVITE (challenged, then with credentials), hold, resume
}

// A carrier with one channel carries one call at a time: the second waits queued, not failed, and
// goes out when the first ends.
TEST_F(SipCalls, ACarriersChannelsHoldCallsQueuedUntilOneIsFree) {
    Baresip phone({.wav = Line("silence.wav"), .trailing_silence = std::chrono::milliseconds(0)});
    Kamailio proxy({.auth_user = "parley", .auth_password = "trunk-secret", .callee_port = phone.sip_port()});
    const std::string carrier = AddTrunk(proxy, "trunk-secret");
    ASSERT_EQ(api().Patch("/api/v1/phone-numbers/carriers/" + carrier, {{"max_channels", 1}}).status, 200);
    const std::string profile = NewProfile(api());
    const std::string first = Call(profile);
    ASSERT_TRUE(WaitForCall(
                    api(), first, [](const Json& c) { return c["status"] == "in_progress"; }, std::chrono::seconds(20))
                    .is_object());
    const std::string second = Call(profile);
    // Several passes of the dispatcher (one a second, and one per new call) leave it queued.
    std::this_thread::sleep_for(std::chrono::seconds(3));
    EXPECT_EQ(api().Get("/api/v1/calls/" + second).json()["data"]["status"], "queued");
    ASSERT_EQ(api().Post("/api/v1/calls/" + first + "/stop", Json::object()).status, 202);
    ASSERT_TRUE(WaitForCall(
                    api(), second, [](const Json& c) { return c["status"] == "in_progress"; }, std::chrono::seconds(20))
                    .is_object());
    ASSERT_EQ(api().Post("/api/v1/calls/" + second + "/stop", Json::object()).status, 202);
    EXPECT_EQ(WaitForEnd(api(), second, std::chrono::seconds(20))["status"], "completed");
}

// A carrier's test sends it a SIP OPTIONS: the proxy answers 200; a port where nothing listens
// gives no answer.
TEST_F(SipCalls, TestingACarrierAsksItForOptions) {
    Kamailio proxy({.callee_port = FreeLoopbackPort()});
    const std::string carrier = AddTrunk(proxy, "trunk-secret");
    auto tested = api().Post("/api/v1/phone-numbers/carriers/" + carrier + "/test", Json::object());
    ASSERT_EQ(tested.status, 200) << tested.body;
    const Json check = tested.json()["data"];
    EXPECT_EQ(check["reachable"], true);
    EXPECT_EQ(check["sip_status"], 200);
    EXPECT_EQ(check["reason"], "OK");
    EXPECT_GT(check["round_trip_ms"].get<double>(), 0.0);
    EXPECT_NE(proxy.Log().find("request OPTIONS"), std::string::npos);

    const std::string silent =
        CreatedId(api().Post("/api/v1/phone-numbers/carriers",
                             {{"name", "Nobody there"}, {"sip_host", "127.0.0.1"}, {"sip_port", FreeLoopbackPort()}}));
    const Json none = api().Post("/api/v1/phone-numbers/carriers/" + silent + "/test", Json::object()).json()["data"];
    EXPECT_EQ(none["reachable"], false) << none.dump();
    EXPECT_EQ(none["sip_status"], nullptr);
    EXPECT_TRUE(none["reason"].get<std::string>().starts_with("no answer")) << none.dump();
}

// A phone that rings and is never answered: stopping the call cancels the INVITE.
TEST_F(SipCalls, StoppingARingingCallCancelsIt) {
    Baresip phone({.auto_answer = false, .wav = Line("silence.wav"), .trailing_silence = std::chrono::milliseconds(0)});
    Kamailio proxy({.auth_user = "parley", .auth_password = "trunk-secret", .callee_port = phone.sip_port()});
    AddTrunk(proxy, "trunk-secret");
    const std::string id = Call(NewProfile(api()));
    ASSERT_TRUE(phone.WaitForEvent("CALL_INCOMING").has_value()) << proxy.Log();
    EXPECT_EQ(api().Get("/api/v1/calls/" + id).json()["data"]["status"], "ringing");
    ASSERT_EQ(api().Post("/api/v1/calls/" + id + "/stop", Json::object()).status, 202);
    const Json call = WaitForEnd(api(), id, std::chrono::seconds(20));
    ASSERT_TRUE(call.is_object());
    EXPECT_EQ(call["status"], "canceled") << call.dump(2);
    auto closed = phone.WaitForEvent("CALL_CLOSED");
    ASSERT_TRUE(closed.has_value());
    EXPECT_NE(proxy.Log().find("request CANCEL"), std::string::npos) << proxy.Log();
}

// The callee declines (baresip answers 486 Busy Here): the call ends busy, with the code kept.
TEST_F(SipCalls, ACalleeWhoDeclinesMakesTheCallBusy) {
    Baresip phone({.auto_answer = false, .wav = Line("silence.wav"), .trailing_silence = std::chrono::milliseconds(0)});
    Kamailio proxy({.auth_user = "parley", .auth_password = "trunk-secret", .callee_port = phone.sip_port()});
    AddTrunk(proxy, "trunk-secret");
    const std::string id = Call(NewProfile(api()));
    ASSERT_TRUE(phone.WaitForEvent("CALL_INCOMING").has_value()) << proxy.Log();
    ASSERT_TRUE(phone.Hangup());
    const Json call = WaitForEnd(api(), id, std::chrono::seconds(20));
    ASSERT_TRUE(call.is_object());
    EXPECT_EQ(call["status"], "busy") << call.dump(2) << phone.Log();
}

// Nobody answers: the carrier gives up on the callee (its proxy's 408 after 5 s without a reply
// from the callee's address, where nothing listens), and the call is no_answer.
TEST_F(SipCalls, ACalleeWhoNeverAnswersMakesTheCallNoAnswer) {
    Kamailio proxy({.auth_user = "parley", .auth_password = "trunk-secret", .callee_port = FreeLoopbackPort()});
    AddTrunk(proxy, "trunk-secret");
    const Json call = WaitForEnd(api(), Call(NewProfile(api())), std::chrono::seconds(20));
    ASSERT_TRUE(call.is_object());
    EXPECT_EQ(call["status"], "no_answer") << call.dump(2) << proxy.Log();
    EXPECT_EQ(call["talk_duration_seconds"], 0);
}

// The callee hangs up three seconds in (baresip's WAV ends), while the agent is still talking.
TEST_F(SipCalls, TheCalleeHangingUpFirstEndsTheCall) {
    const auto three_seconds = Line("three_seconds.wav");
    WriteLineWav(three_seconds, {}, std::chrono::milliseconds(3000));
    Baresip phone({.wav = three_seconds, .trailing_silence = std::chrono::milliseconds(0)});
    Kamailio proxy({.auth_user = "parley", .auth_password = "trunk-secret", .callee_port = phone.sip_port()});
    AddTrunk(proxy, "trunk-secret");
    const std::string id = Call(NewProfile(api()));
    const Json call = WaitForEnd(api(), id, std::chrono::seconds(30));
    ASSERT_TRUE(call.is_object());
    EXPECT_EQ(call["status"], "completed") << call.dump(2);
    EXPECT_GE(call["talk_duration_seconds"].get<double>(), 2.0) << call.dump(2);
    EXPECT_LE(call["talk_duration_seconds"].get<double>(), 6.0) << call.dump(2);
    auto closed = phone.WaitForEvent("CALL_CLOSED");
    ASSERT_TRUE(closed.has_value());
    EXPECT_NE(closed->param.find("end of file"), std::string::npos) << closed->param;
}

// A phone calls Parley's number through the carrier's proxy: the number's profile answers, and the
// call is an inbound call with the caller's number, the conversation and the extracted field. The
// caller answers the second question with the phone's keys (RFC 4733 telephone events), which the
// agent takes as the answer. The carrier and the phone speak SRTP alone: Parley answers the SRTP
// offer with a key of its own. A running inbound campaign answers the number: the call is the
// campaign's, with its profile, and counts in its stats.
TEST_F(SipCalls, AnInboundCallToANumberReachesItsProfile) {
    Baresip phone({.user = kCalleeNumber,
                   .wav = Line("silence.wav"),
                   .trailing_silence = std::chrono::milliseconds(0),
                   .srtp = true});
    Kamailio proxy({.callee_user = kCalleeNumber, .callee_port = phone.sip_port(), .parley_port = sip_port_});
    AddTrunk(proxy, "trunk-secret", {"127.0.0.0/8"}, NewProfile(api()), {{"media_encryption", "srtp"}});
    auto created = api().Post("/api/v1/campaigns", {{"name", "Front desk"},
                                                    {"direction", "inbound"},
                                                    {"profile_id", SizeProfile()},
                                                    {"caller_ids", {kParleyNumber}}});
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string campaign = created.json()["data"]["id"];
    ASSERT_EQ(api().Send("POST", "/api/v1/campaigns/" + campaign + "/start").status, 200);
    ListeningCallee person(phone, {Line("minute.wav"), Reply::Keys("7")});

    ASSERT_TRUE(phone.Dial(std::string("sip:") + kParleyNumber + "@127.0.0.1:" + std::to_string(proxy.port())));
    Json call;
    ASSERT_TRUE(WaitUntil(
        [&] {
            const Json list = api().Get("/api/v1/calls?direction=inbound").json()["data"];
            if (list.empty() || IsActive(list[0])) return false;
            call = api().Get("/api/v1/calls/" + list[0]["id"].get<std::string>()).json()["data"];
            return true;
        },
        std::chrono::seconds(90)))
        << proxy.Log();
    EXPECT_EQ(call["status"], "completed") << call.dump(2);
    EXPECT_EQ(call["direction"], "inbound");
    EXPECT_EQ(call["from_number"], kCalleeNumber);
    EXPECT_EQ(call["to_number"], kParleyNumber);
    EXPECT_EQ(call["campaign_id"], campaign);
    EXPECT_EQ(call["analysis"]["extracted_data"]["company_size"], 7) << call.dump(2);
    const Json stats = api().Get("/api/v1/campaigns/" + campaign).json()["data"]["stats"];
    EXPECT_EQ(stats["calls"], 1) << stats.dump();
    EXPECT_EQ(stats["connected"], 1) << stats.dump();
    EXPECT_EQ(person.said(), 2);
    EXPECT_EQ(Keys(call), "7") << call.dump(2);
}

// The callee's phone and the desk's (at kTransferNumber, behind the same proxy), and a profile
// that transfers there in `mode`.
struct TransferPeers {
    TransferPeers(const std::filesystem::path& silence, const std::filesystem::path& desk_line,
                  bool desk_answers = true)
        : phone({.wav = silence, .trailing_silence = std::chrono::milliseconds(0)}),
          desk({.user = "desk",
                .auto_answer = desk_answers,
                .wav = desk_line,
                .trailing_silence = std::chrono::milliseconds(0)}),
          proxy({.auth_user = "parley",
                 .auth_password = "trunk-secret",
                 .callee_port = phone.sip_port(),
                 .transfer_port = desk.sip_port()}) {}
    static Json Profile(const std::string& mode) {
        return {{"tools", {"transfer", "end_call"}}, {"transfer_number", kTransferNumber}, {"transfer_mode", mode}};
    }
    Baresip phone;
    Baresip desk;
    Kamailio proxy;
};

// The agent's transfer tool, bridged (the default): Parley calls the transfer number through the
// same carrier, presses the profile's extension there, joins the two calls and records both; the
// call ends when either person hangs up.
TEST_F(SipCalls, ABridgedTransferJoinsTheCalleeAndTheTransferNumber) {
    TransferPeers peers(Line("silence.wav"), Line("desk.wav"));
    auto& [phone, desk, proxy] = peers;
    AddTrunk(proxy, "trunk-secret");
    Json fields = TransferPeers::Profile("bridged");
    fields.erase("transfer_mode");  // bridged is the default
    fields["transfer_extension"] = "42";
    const std::string profile = NewProfile(api(), fields);
    // The person asks for a person, hears the desk (its tone), then speaks to it.
    ListeningCallee person(phone, {Line("person.wav"), Line("minute.wav")});

    const std::string id = Call(profile);
    const Json call = WaitForEnd(api(), id, std::chrono::seconds(60));
    ASSERT_TRUE(call.is_object());
    EXPECT_EQ(call["status"], "completed") << call.dump(2) << proxy.Log();
    EXPECT_EQ(call["transferred_to"], kTransferNumber) << call.dump(2);
    EXPECT_EQ(call["analysis"]["summary"],
              std::string("The callee asked for a person and was transferred to ") + kTransferNumber + ".");
    EXPECT_EQ(person.said(), 2);
    // The desk got the extension's keys (RFC 4733 events), hung up (its WAV ended), and heard the
    // callee's line.
    std::string keys;
    for (const auto& event : desk.Events()) {
        if (event.type == "CALL_DTMF_START") keys += event.param;
    }
    EXPECT_EQ(keys, "42") << desk.Log();
    const auto closed = desk.WaitForEvent("CALL_CLOSED");
    ASSERT_TRUE(closed.has_value()) << desk.Log();
    EXPECT_NE(closed->param.find("end of file"), std::string::npos) << closed->param;
    const auto heard = desk.Recordings();
    ASSERT_FALSE(heard.empty());
    EXPECT_GT(audio::RmsDbfs(ReadWav(heard.back())), -40.0);
    // Parley's recording has the callee's side and, on the other, the desk's tone after the agent.
    const auto [callee_side, other_side] = Recording(id);
    EXPECT_TRUE(HasTone(other_side, 1000)) << "the desk's tone is not in the recording";
    EXPECT_FALSE(HasTone(callee_side, 1000));
}

// A transfer the number does not take (the desk declines: busy) leaves the callee with the agent,
// who apologizes and hangs up; the call says why and is not transferred.
TEST_F(SipCalls, ATransferTheNumberDoesNotTakeEndsWithTheAgentsApology) {
    TransferPeers peers(Line("silence.wav"), Line("desk.wav"), false);
    auto& [phone, desk, proxy] = peers;
    AddTrunk(proxy, "trunk-secret");
    const std::string profile = NewProfile(api(), TransferPeers::Profile("bridged"));
    ListeningCallee person(phone, {Line("person.wav")});

    const std::string id = Call(profile);
    ASSERT_TRUE(desk.WaitForEvent("CALL_INCOMING", std::chrono::seconds(40)).has_value()) << proxy.Log();
    ASSERT_TRUE(desk.Hangup());
    const Json call = WaitForEnd(api(), id, std::chrono::seconds(40));
    ASSERT_TRUE(call.is_object());
    EXPECT_EQ(call["status"], "completed") << call.dump(2);
    EXPECT_TRUE(call["transferred_to"].is_null()) << call.dump(2);
    EXPECT_EQ(call["status_history"].back()["reason"], std::string("transfer failed: ") + kTransferNumber + " is busy");
    const auto said = Lines(call, "agent");
    ASSERT_FALSE(said.empty());
    EXPECT_NE(said.back().find("could not connect you"), std::string::npos) << said.back();
}

// Blind: the callee's phone is asked (REFER) to call the transfer number itself; once it reports
// that call answered (NOTIFY), Parley leaves the call to the two of them.
TEST_F(SipCalls, ABlindTransferHandsTheCalleeToTheTransferNumber) {
    TransferPeers peers(Line("silence.wav"), Line("desk.wav"));
    auto& [phone, desk, proxy] = peers;
    AddTrunk(proxy, "trunk-secret");
    const std::string profile = NewProfile(api(), TransferPeers::Profile("blind"));
    ListeningCallee person(phone, {Line("person.wav")});

    const std::string id = Call(profile);
    const Json call = WaitForEnd(api(), id, std::chrono::seconds(60));
    ASSERT_TRUE(call.is_object());
    EXPECT_EQ(call["status"], "completed") << call.dump(2) << proxy.Log();
    EXPECT_EQ(call["transferred_to"], kTransferNumber) << call.dump(2) << phone.Log();
    EXPECT_EQ(call["status_history"].back()["reason"], "transferred");
    // The desk's call came from the callee's phone (as the callee's number), not from Parley.
    const auto answered = desk.WaitForEvent("CALL_ESTABLISHED");
    ASSERT_TRUE(answered.has_value()) << desk.Log();
    EXPECT_EQ(answered->json.value("peeruri", ""), std::string("sip:") + kCalleeNumber + "@127.0.0.1")
        << answered->json.dump();
}

// A carrier that takes calls over TLS alone cannot be called from a node without SIP over TLS:
// the call fails at once and says what to turn on, rather than going out in the clear.
TEST_F(SipCalls, ATlsCarrierOnANodeWithoutTlsFailsTheCallWithWhatToTurnOn) {
    const std::string carrier = CreatedId(
        api().Post("/api/v1/phone-numbers/carriers",
                   {{"name", "TLS trunk"}, {"sip_host", "127.0.0.1"}, {"sip_port", 5061}, {"transport", "tls"}}));
    ASSERT_EQ(api().Post("/api/v1/phone-numbers", {{"number", kParleyNumber}, {"carrier_id", carrier}}).status, 201);
    const Json call = WaitForEnd(api(), Call(NewProfile(api())), std::chrono::seconds(10));
    ASSERT_TRUE(call.is_object());
    EXPECT_EQ(call["status"], "failed") << call.dump(2);
    EXPECT_NE(call["error"].get<std::string>().find("--sip-tls-port"), std::string::npos) << call.dump(2);
}

// What Parley does not take is refused with the SIP answer that says why, and makes no call.
TEST_F(SipCalls, InboundCallsFromAnUnlistedSourceOrToAnUnknownNumberAreRefused) {
    Baresip phone(
        {.user = kCalleeNumber, .wav = Line("silence.wav"), .trailing_silence = std::chrono::milliseconds(0)});
    Kamailio proxy({.callee_user = kCalleeNumber, .callee_port = phone.sip_port(), .parley_port = sip_port_});
    AddTrunk(proxy, "trunk-secret", {"192.0.2.0/24"}, NewProfile(api()));

    ASSERT_TRUE(phone.Dial(std::string("sip:") + kParleyNumber + "@127.0.0.1:" + std::to_string(proxy.port())));
    auto closed = phone.WaitForEvent("CALL_CLOSED");
    ASSERT_TRUE(closed.has_value()) << proxy.Log();
    EXPECT_NE(closed->param.find("403"), std::string::npos) << closed->param << "\n" << proxy.Log() << phone.Log();

    ASSERT_TRUE(phone.Dial("sip:+14155550177@127.0.0.1:" + std::to_string(proxy.port())));
    closed = phone.WaitForEvent("CALL_CLOSED");
    ASSERT_TRUE(closed.has_value()) << proxy.Log();
    EXPECT_NE(closed->param.find("404"), std::string::npos) << closed->param;

    EXPECT_TRUE(api().Get("/api/v1/calls").json()["data"].empty());
}

// An organization that may not spend (prepaid, no credits) answers an inbound call 402 Payment
// Required and makes no call.
TEST_F(SipCalls, AnOrganizationThatMayNotSpendAnswersInboundCalls402) {
    Baresip phone(
        {.user = kCalleeNumber, .wav = Line("silence.wav"), .trailing_silence = std::chrono::milliseconds(0)});
    Kamailio proxy({.callee_user = kCalleeNumber, .callee_port = phone.sip_port(), .parley_port = sip_port_});
    AddTrunk(proxy, "trunk-secret", {"127.0.0.0/8"}, NewProfile(api()));
    ASSERT_EQ(api().Patch("/api/v1/billing/settings", {{"prepaid", true}}).status, 200);

    ASSERT_TRUE(phone.Dial(std::string("sip:") + kParleyNumber + "@127.0.0.1:" + std::to_string(proxy.port())));
    auto closed = phone.WaitForEvent("CALL_CLOSED");
    ASSERT_TRUE(closed.has_value()) << proxy.Log();
    EXPECT_NE(closed->param.find("402"), std::string::npos) << closed->param << "\n" << proxy.Log() << phone.Log();
    EXPECT_TRUE(api().Get("/api/v1/calls").json()["data"].empty());
}

}  // namespace
}  // namespace parley::testing

namespace parley::testing {
namespace {

// Parley with SIP over TLS, its certificate and the authority it checks carriers' against.
class SipTlsCalls : public SipCallTest {
protected:
    static void SetUpTestSuite() {
        SipCallTest::SetUpTestSuite();
        if (SipPeersInstalled()) certificates_ = std::make_unique<TestCertificates>();
    }
    static void TearDownTestSuite() {
        certificates_.reset();
        SipCallTest::TearDownTestSuite();
    }
    std::vector<std::string> ServerArgs() const override {
        return {"--sip-tls-port", std::to_string(sip_port_ + 1), "--sip-tls-cert", certificates_->server().string(),
                "--sip-tls-ca",   certificates_->ca().string()};
    }

    static inline std::unique_ptr<TestCertificates> certificates_;
};

// A carrier that takes calls over TLS with SRTP media, and nothing else (baresip with SRTP
// mandatory): the whole conversation goes through, both ways, and the carrier test reaches it.
TEST_F(SipTlsCalls, ACallOverTlsWithSrtpHasTheWholeConversation) {
    ASSERT_TRUE(certificates_->ok());
    Baresip phone({.user = kCalleeNumber,
                   .wav = Line("silence.wav"),
                   .trailing_silence = std::chrono::milliseconds(0),
                   .tls_certificate = certificates_->server(),
                   .srtp = true});
    const std::string carrier =
        CreatedId(api().Post("/api/v1/phone-numbers/carriers", {{"name", "TLS and SRTP"},
                                                                {"sip_host", "127.0.0.1"},
                                                                {"sip_port", phone.sip_port() + 1},
                                                                {"transport", "tls"},
                                                                {"media_encryption", "srtp"}}));
    ASSERT_EQ(api().Post("/api/v1/phone-numbers", {{"number", kParleyNumber}, {"carrier_id", carrier}}).status, 201);
    const auto test = api().Post("/api/v1/phone-numbers/carriers/" + carrier + "/test", Json::object());
    ASSERT_EQ(test.status, 200) << test.body;
    EXPECT_EQ(test.json()["data"]["reachable"], true) << test.body;
    const std::string profile = SizeProfile();
    ListeningCallee person(phone, {Line("minute.wav"), Line("size.wav")});

    const std::string id = Call(profile);
    const Json call = WaitForEnd(api(), id, std::chrono::seconds(90));
    ASSERT_TRUE(call.is_object());
    EXPECT_EQ(call["status"], "completed") << call.dump(2) << phone.Log();
    EXPECT_EQ(call["analysis"]["extracted_data"]["company_size"], 50) << call.dump(2);
    EXPECT_EQ(person.said(), 2);
    // (The carrier's port is the phone's TLS port: it takes nothing but TLS there.)
    const std::string log = phone.Log();
    EXPECT_NE(log.find("SRTP is Enabled (cryptosuite=AES_CM_128_HMAC_SHA1_80)"), std::string::npos) << log;
}

// A peer whose certificate another authority signed is not the carrier: Parley does not talk to
// it (the carrier test finds nobody there).
TEST_F(SipTlsCalls, APeerWithACertificateOfAnotherAuthorityIsNotReached) {
    ASSERT_TRUE(certificates_->ok());
    TestCertificates other;
    ASSERT_TRUE(other.ok());
    Baresip impostor({.wav = Line("silence.wav"), .tls_certificate = other.server()});
    const std::string carrier =
        CreatedId(api().Post("/api/v1/phone-numbers/carriers", {{"name", "Impostor"},
                                                                {"sip_host", "127.0.0.1"},
                                                                {"sip_port", impostor.sip_port() + 1},
                                                                {"transport", "tls"}}));
    const auto test = api().Post("/api/v1/phone-numbers/carriers/" + carrier + "/test", Json::object());
    ASSERT_EQ(test.status, 200) << test.body;
    EXPECT_EQ(test.json()["data"]["reachable"], false) << test.body;
}

}  // namespace
}  // namespace parley::testing
