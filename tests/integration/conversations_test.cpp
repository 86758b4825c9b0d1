// Every talking sandbox persona end to end (docs/sandbox.md): the person's lines are synthesized
// and go through the agent's real pipeline (VAD, pocketsphinx, the scripted brain, flite), so
// these tests check what a user gets back: status, disposition, typed extracted values, the
// transcript, tools, costs, the recording and the Do Not Call list.

#include <chrono>
#include <map>
#include <mutex>

#include "support/calls.hpp"
#include "support/fixture.hpp"
#include "support/seeds.hpp"

namespace parley::testing {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

// Days from today (UTC) to an ISO date.
long DaysFromToday(const Json& iso) {
    if (!iso.is_string()) return -1;
    const std::string s = iso;
    int y = 0;
    unsigned m = 0;
    unsigned d = 0;
    if (std::sscanf(s.c_str(), "%d-%u-%u", &y, &m, &d) != 3) return -1;
    const sys_days date{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}};
    const auto today = std::chrono::floor<days>(std::chrono::system_clock::now());
    return (date - today).count();
}

constexpr int kTalkingPersonas[] = {0, 1, 2, 3, 6, 7, 8, 9, 10, 11};

// One organization per backend calls every talking persona at once; each test reads its call.
struct PersonaCalls {
    OrgKey org;
    std::string profile_id;
    std::map<int, Json> calls;
};

const PersonaCalls& CallEveryPersona(ParleyServer& server) {
    static std::mutex mutex;
    static std::map<Backend, PersonaCalls> done;
    std::lock_guard lock(mutex);
    auto found = done.find(server.backend());
    if (found != done.end()) return found->second;

    PersonaCalls out;
    out.org = server.CreateOrg("enterprise", "Acme Scheduling");
    const ApiClient api = server.Client(out.org.key);
    out.profile_id = NewQualifier(
        api, {{"agent_name", "Alex"},
              {"voicemail_message", "Hi, this is Alex from Acme Scheduling. Please call us back when you can."}});

    std::map<int, std::string> ids;
    for (int persona : kTalkingPersonas) {
        auto res = api.Post("/api/v1/calls/trigger", {{"profile_id", out.profile_id}, {"phone", Sandbox(persona)}});
        EXPECT_EQ(res.status, 201) << res.body;
        ids[persona] = res.json()["data"]["id"];
    }
    for (const auto& [persona, id] : ids) out.calls[persona] = WaitForEnd(api, id, std::chrono::seconds(300));
    return done.emplace(server.backend(), std::move(out)).first->second;
}

class Conversations : public ApiTest {
protected:
    void SetUp() override {
        ApiTest::SetUp();
        if (IsSkipped()) return;
        personas_ = &CallEveryPersona(*server_);
    }
    ApiClient org_api() const { return server_->Client(personas_->org.key); }
    const Json& Call(int persona) const { return personas_->calls.at(persona); }

    const PersonaCalls* personas_ = nullptr;
};
PARLEY_BACKENDS(Conversations);

// The extracted values persona 0 and persona 10 give (budget "about seventy five thousand
// dollars", timeline "in three months", size "around two hundred people").
void ExpectQualifiedAnswers(const Json& extracted) {
    EXPECT_EQ(extracted["budget_range"], "50k_100k") << extracted.dump();
    const long days_ahead = DaysFromToday(extracted["timeline"]);
    EXPECT_GE(days_ahead, 88) << extracted.dump();
    EXPECT_LE(days_ahead, 93) << extracted.dump();
    EXPECT_EQ(extracted["company_size"], 200) << extracted.dump();
}

TEST_P(Conversations, InterestedPersonAnswersEveryQuestionAndBooksAMeeting) {
    const Json& c = Call(0);
    ASSERT_TRUE(c.is_object());
    EXPECT_EQ(c["status"], "completed");
    const Json& a = c["analysis"];
    EXPECT_EQ(a["disposition"], "hot_lead") << a.dump();
    EXPECT_EQ(a["meeting_booked"], true);
    ExpectQualifiedAnswers(a["extracted_data"]);
    EXPECT_EQ(a["sentiment"], "positive");
    EXPECT_GE(a["ai_confidence_score"].get<int>(), 50);
    EXPECT_LE(a["ai_confidence_score"].get<int>(), 100);
    EXPECT_NE(a["summary"].get<std::string>().find("Booked a meeting"), std::string::npos) << a["summary"];
    // "thursday at two pm": a Thursday at 14:00 within the next week.
    const std::string at = a["meeting_at"];
    ASSERT_EQ(at.size(), 16u) << at;
    EXPECT_EQ(at.substr(10), "T14:00");
    const long days_ahead = DaysFromToday(at.substr(0, 10));
    EXPECT_GE(days_ahead, 0);
    EXPECT_LE(days_ahead, 7);

    // The opener discloses the AI and the organization, and offers the opt-out.
    const auto agent = Lines(c, "agent");
    ASSERT_FALSE(agent.empty());
    EXPECT_NE(agent[0].find("This is Alex, an AI assistant calling on behalf of Acme Scheduling."), std::string::npos)
        << agent[0];
    EXPECT_NE(agent[0].find("stop calling"), std::string::npos) << agent[0];
    EXPECT_NE(agent[0].find("Do you have a minute?"), std::string::npos);
    const auto callee = Lines(c, "callee");
    EXPECT_NE(std::find(callee.begin(), callee.end(), "about seventy five thousand dollars"), callee.end())
        << c["transcript"].dump();
    EXPECT_NE(std::find(callee.begin(), callee.end(), "around two hundred people"), callee.end());
    for (const auto& t : c["transcript"]) {
        EXPECT_TRUE(t["timestamp_seconds"].is_number()) << t.dump();
        if (t["speaker"] == "callee") {
            EXPECT_TRUE(t["confidence"].is_number()) << t.dump();
        }
    }

    std::vector<std::string> tools;
    for (const auto& t : c["tool_executions"]) {
        tools.push_back(t["tool"]);
        EXPECT_EQ(t["status"], "success") << t.dump();
    }
    EXPECT_EQ(tools, (std::vector<std::string>{"check_availability", "request_meeting", "end_call"}))
        << c["tool_executions"].dump();

    // Statuses in order, each with its time; the talk time and the costs of every engine.
    std::vector<std::string> statuses;
    for (const auto& t : c["status_history"]) statuses.push_back(t["status"]);
    EXPECT_EQ(statuses, (std::vector<std::string>{"queued", "ringing", "in_progress", "completed"}));
    EXPECT_GT(c["talk_duration_seconds"].get<int>(), 30);
    const Json& cost = c["cost_breakdown"];
    for (const char* engine : {"sandbox", "pocketsphinx", "flite", "scripted"}) {
        EXPECT_GT(cost[engine].get<int>(), 0) << engine << " " << cost.dump();
    }
    int total = 0;
    for (const auto& [k, v] : cost.items()) total += v.get<int>();
    EXPECT_EQ(c["cost_cents"], total);
    EXPECT_EQ(c["has_recording"], true);
}

TEST_P(Conversations, RecordingIsAStereoWavBehindASignedLinkThatExpires) {
    const Json& c = Call(0);
    ASSERT_TRUE(c.is_object());
    const std::string id = c["id"];
    auto link = org_api().Get("/api/v1/calls/" + id + "/recording");
    ASSERT_EQ(link.status, 200) << link.body;
    const Json l = link.json()["data"];
    EXPECT_EQ(l["content_type"], "audio/wav");
    const std::string url = l["url"];
    const auto path_at = url.find("/api/v1/recordings/");
    ASSERT_NE(path_at, std::string::npos) << url;
    const std::string path = url.substr(path_at);

    // Served without an API key.
    auto wav = http().Send("GET", path);
    ASSERT_EQ(wav.status, 200);
    EXPECT_EQ(wav.header("content-type"), "audio/wav");
    ASSERT_GT(wav.body.size(), 44u);
    EXPECT_EQ(wav.body.substr(0, 4), "RIFF");
    EXPECT_EQ(wav.body.substr(8, 4), "WAVE");
    auto u16 = [&](size_t at) {
        return static_cast<unsigned>(static_cast<unsigned char>(wav.body[at])) |
               static_cast<unsigned>(static_cast<unsigned char>(wav.body[at + 1])) << 8;
    };
    EXPECT_EQ(u16(22), 2u);     // channels: callee and agent
    EXPECT_EQ(u16(24), 8000u);  // sample rate (low 16 bits)
    // About as long as the talk: 8000 Hz x 2 channels x 2 bytes.
    const double seconds = static_cast<double>(wav.body.size() - 44) / 32000.0;
    EXPECT_GE(seconds, c["talk_duration_seconds"].get<double>() - 1) << seconds;

    // A changed signature, a changed expiry, another call's id, or no signature: 401.
    std::string bad = path;
    bad.back() = bad.back() == '0' ? '1' : '0';
    ExpectError(http().Send("GET", bad), 401, "UNAUTHORIZED");
    const auto expires_at = path.find("expires=") + 8;
    std::string later = path;
    later[expires_at] = later[expires_at] == '9' ? '8' : static_cast<char>(later[expires_at] + 1);
    ExpectError(http().Send("GET", later), 401, "UNAUTHORIZED");
    ExpectError(http().Send("GET", "/api/v1/recordings/" + id), 401, "UNAUTHORIZED");
    const std::string other = Call(1)["id"];
    std::string swapped = path;
    swapped.replace(swapped.find(id), id.size(), other);
    ExpectError(http().Send("GET", swapped), 401, "UNAUTHORIZED");
    // A made-up signature for a time long past.
    ExpectError(http().Send("GET", "/api/v1/recordings/" + id + "?expires=1000&signature=" + std::string(64, 'a')), 401,
                "UNAUTHORIZED");
    // Another organization cannot ask for the link.
    ExpectError(api().Get("/api/v1/calls/" + id + "/recording"), 404, "NOT_FOUND");
}

TEST_P(Conversations, NotInterestedEndsPolitely) {
    const Json& c = Call(1);
    ASSERT_TRUE(c.is_object());
    EXPECT_EQ(c["status"], "completed");
    EXPECT_EQ(c["analysis"]["disposition"], "not_interested");
    // "no thank you i am not interested"; the recognizer may blur the first words.
    const auto callee = Lines(c, "callee");
    ASSERT_EQ(callee.size(), 1u);
    EXPECT_TRUE(callee[0].ends_with("not interested")) << callee[0];
    EXPECT_EQ(Lines(c, "agent").back(), "No problem at all. Thank you for your time. Goodbye.");
    EXPECT_EQ(c["analysis"]["meeting_booked"], false);
    for (const auto& [k, v] : c["analysis"]["extracted_data"].items()) EXPECT_TRUE(v.is_null()) << k;
}

TEST_P(Conversations, OptOutPutsTheNumberOnTheDoNotCallListWithTheCall) {
    const Json& c = Call(2);
    ASSERT_TRUE(c.is_object());
    EXPECT_EQ(c["status"], "completed");
    EXPECT_EQ(c["analysis"]["disposition"], "dnc_request");
    EXPECT_EQ(c["analysis"]["sentiment"], "negative");
    const auto callee = Lines(c, "callee");
    ASSERT_EQ(callee.size(), 1u);
    EXPECT_TRUE(callee[0].starts_with("please stop calling me")) << callee[0];

    auto check = org_api().Get("/api/v1/dnc?phone=%2B12025550102");
    ASSERT_EQ(check.status, 200) << check.body;
    const Json d = check.json()["data"];
    EXPECT_EQ(d["on_dnc_list"], true);
    EXPECT_EQ(d["reason"], "call_opt_out");
    ASSERT_FALSE(d["history"].empty());
    EXPECT_EQ(d["history"].back()["call_id"], c["id"]);
    // The number can no longer be called by this organization, and only by it.
    ExpectError(org_api().Post("/api/v1/calls", {{"profile_id", personas_->profile_id}, {"phone", Sandbox(2)}}), 409,
                "DNC_BLOCKED");
    EXPECT_EQ(api().Get("/api/v1/dnc?phone=%2B12025550102").json()["data"]["on_dnc_list"], false);
}

TEST_P(Conversations, BudgetAndTimelineWithoutAMeetingIsInterested) {
    const Json& c = Call(3);
    ASSERT_TRUE(c.is_object());
    const Json& a = c["analysis"];
    EXPECT_EQ(a["disposition"], "interested") << a.dump();
    EXPECT_EQ(a["meeting_booked"], false);
    const Json& x = a["extracted_data"];
    EXPECT_EQ(x["budget_range"], "10k_50k") << x.dump();   // "around twenty thousand"
    const long days_ahead = DaysFromToday(x["timeline"]);  // "probably in six months"
    EXPECT_GE(days_ahead, 178) << x.dump();
    EXPECT_LE(days_ahead, 186) << x.dump();
    EXPECT_EQ(x["company_size"], 50) << x.dump();
    EXPECT_NE(a["summary"].get<std::string>().find("budget range: 10k_50k"), std::string::npos) << a["summary"];
}

TEST_P(Conversations, VoicemailGetsTheProfilesMessageAfterTheBeep) {
    const Json& c = Call(6);
    ASSERT_TRUE(c.is_object());
    EXPECT_EQ(c["status"], "voicemail");
    EXPECT_EQ(c["analysis"]["disposition"], "voicemail");
    const auto agent = Lines(c, "agent");
    ASSERT_GE(agent.size(), 2u);
    EXPECT_EQ(agent.back(), "Hi, this is Alex from Acme Scheduling. Please call us back when you can.");
    // The message was not cut: no barge-in, and nothing heard after the greeting.
    EXPECT_TRUE(c["analysis"]["timings"]["barge_ins"].empty()) << c["analysis"].dump();
    EXPECT_EQ(c["transcript"].back()["speaker"], "agent");
    EXPECT_FALSE(c["transcript"].back().contains("interrupted"));
    const auto callee = Lines(c, "callee");
    ASSERT_EQ(callee.size(), 1u);
    EXPECT_NE(callee[0].find("you have reached"), std::string::npos) << callee[0];
    EXPECT_NE(callee[0].find("please leave a message"), std::string::npos) << callee[0];
}

TEST_P(Conversations, HangingUpOnTheOpenerIsNotInterested) {
    const Json& c = Call(7);
    ASSERT_TRUE(c.is_object());
    EXPECT_EQ(c["status"], "completed");
    EXPECT_EQ(c["analysis"]["disposition"], "not_interested");
    EXPECT_TRUE(Lines(c, "callee").empty());
    EXPECT_EQ(c["status_history"].back()["reason"], "callee hung up") << c["status_history"].dump();
    EXPECT_LE(c["talk_duration_seconds"].get<int>(), 5);
}

TEST_P(Conversations, WrongNumber) {
    const Json& c = Call(8);
    ASSERT_TRUE(c.is_object());
    EXPECT_EQ(c["analysis"]["disposition"], "wrong_number");
    const auto callee = Lines(c, "callee");
    ASSERT_EQ(callee.size(), 1u);
    EXPECT_NE(callee[0].find("wrong number"), std::string::npos) << callee[0];
}

TEST_P(Conversations, CallMeBackTomorrowIsACallbackForTomorrow) {
    const Json& c = Call(9);
    ASSERT_TRUE(c.is_object());
    EXPECT_EQ(c["analysis"]["disposition"], "callback_requested");
    EXPECT_EQ(DaysFromToday(c["analysis"]["callback_date"]), 1) << c["analysis"].dump();
    EXPECT_EQ(Lines(c, "callee"), (std::vector<std::string>{"i am driving right now can you call me back tomorrow"}));
}

TEST_P(Conversations, TalkingOverTheOpenerCutsTheAgentWithin100Ms) {
    const Json& c = Call(10);
    ASSERT_TRUE(c.is_object());
    const Json& a = c["analysis"];
    EXPECT_EQ(a["disposition"], "interested") << a.dump();
    const Json& barge_ins = a["timings"]["barge_ins"];
    ASSERT_EQ(barge_ins.size(), 1u) << a.dump();
    EXPECT_LE(barge_ins[0]["cut_after_ms"].get<int>(), 100);
    // About 1.5 s into the opener (after the ringing-to-answer moment and the VAD's onset).
    EXPECT_GE(barge_ins[0]["at_seconds"].get<double>(), 1.5);
    EXPECT_LE(barge_ins[0]["at_seconds"].get<double>(), 3.0);
    ASSERT_FALSE(c["transcript"].empty());
    EXPECT_EQ(c["transcript"][0]["speaker"], "agent");
    EXPECT_EQ(c["transcript"][0]["interrupted"], true);
    ExpectQualifiedAnswers(a["extracted_data"]);
    EXPECT_EQ(a["meeting_booked"], false);
}

TEST_P(Conversations, SilenceGetsOnePromptThenTheAgentHangsUp) {
    const Json& c = Call(11);
    ASSERT_TRUE(c.is_object());
    EXPECT_EQ(c["status"], "completed");
    EXPECT_EQ(c["analysis"]["disposition"], "no_answer");
    EXPECT_TRUE(Lines(c, "callee").empty());
    const auto agent = Lines(c, "agent");
    ASSERT_EQ(agent.size(), 3u);
    EXPECT_TRUE(agent[1].starts_with("Are you still there?")) << agent[1];
    EXPECT_EQ(agent[2], "It seems I have lost you. Goodbye.");
}

TEST_P(Conversations, ListFiltersFindThePersonasCalls) {
    const ApiClient a = org_api();
    auto ids = [&](const std::string& query) {
        std::vector<std::string> out;
        auto res = a.Get("/api/v1/calls?limit=100" + query);
        EXPECT_EQ(res.status, 200) << res.body;
        const Json page = res.json();
        for (const auto& c : page["data"]) out.push_back(c["id"]);
        return out;
    };
    EXPECT_EQ(ids("&has_meeting=true"), (std::vector<std::string>{Call(0)["id"]}));
    EXPECT_EQ(ids("&disposition=wrong_number"), (std::vector<std::string>{Call(8)["id"]}));
    EXPECT_EQ(ids("&status=voicemail"), (std::vector<std::string>{Call(6)["id"]}));
    size_t long_calls = 0;
    for (const auto& [persona, c] : personas_->calls) long_calls += c["talk_duration_seconds"].get<int>() >= 30;
    EXPECT_GE(long_calls, 3u);  // personas 0, 3 and 10 at least
    EXPECT_EQ(ids("&min_duration=30").size(), long_calls);
    auto with_transcript = a.Get("/api/v1/calls?disposition=hot_lead&include=transcript,contact").json()["data"];
    ASSERT_EQ(with_transcript.size(), 1u);
    EXPECT_EQ(with_transcript[0]["transcript"], Call(0)["transcript"]);
    auto transcript = a.Get("/api/v1/calls/" + Call(9)["id"].get<std::string>() + "/transcript");
    ASSERT_EQ(transcript.status, 200);
    EXPECT_EQ(transcript.json()["data"]["transcript"], Call(9)["transcript"]);
}

}  // namespace
}  // namespace parley::testing
