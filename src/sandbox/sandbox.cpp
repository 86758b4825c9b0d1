#include "sandbox/sandbox.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "audio/audio.hpp"
#include "common/text.hpp"

namespace parley::sandbox {
namespace {

constexpr int kRingFrames = 2000 / audio::kFrameMs;  // answered after 2 s of ringing
constexpr int kBusyFrames = 1000 / audio::kFrameMs;
constexpr int kNoAnswerFrames = 30000 / audio::kFrameMs;  // a carrier's usual ring timeout
constexpr int kReplyAfterQuietMs = 400;                   // the person answers once the agent pauses
constexpr double kAgentSpeechDb = -50;
constexpr int kBeepHz = 1000;
constexpr int kBeepMs = 400;
// Which take of their lines the people say (voice::SpeechStyle::take). pocketsphinx hears takes of
// one line differently (the clustergen voices' noise differs): in takes 0 to 7 the agent
// understood 23 to 26 of the 26 persona lines as a call hears them, and in 7 of takes 0 to 12
// every persona reached its documented outcome. This take is one of those 7, so the outcomes
// hold and are the same on every run (src/sandbox/sandbox_recognition_test.cpp measures it).
constexpr unsigned kTake = 3;

enum class Network { kAnswers, kBusy, kNoAnswer };

// What a person says to what. Topics are matched against the agent's words in this order.
struct Persona {
    std::string key;
    std::string description;
    std::string disposition;
    Network network = Network::kAnswers;
    std::string voice;
    std::string greeting;                                      // the reply to the opener
    std::vector<std::pair<std::string, std::string>> answers;  // topic -> line
    int hangup_after_agent_ms = 0;                             // hangs up once the agent has talked this long
    int interrupt_after_agent_ms = 0;                          // talks over the agent this far into the opener
    std::string interruption;
    bool silent = false;
    bool voicemail = false;
};

// Topics and the agent's words that raise them.
const std::vector<std::pair<std::string, std::vector<std::string>>>& Topics() {
    static const std::vector<std::pair<std::string, std::vector<std::string>>> topics = {
        {"still_there", {"still there"}},
        {"slot_retry", {"weekdays between", "which day and time was that"}},
        {"slot", {"which works better", "what day and time"}},
        {"meeting", {"book a short call", "meeting"}},
        {"budget", {"budget"}},
        {"timeline", {"timeline", "when do you", "decision"}},
        {"size", {"size", "employees", "how many"}},
        {"decision_maker", {"decision maker"}},
    };
    return topics;
}

std::vector<Persona> MakePersonas() {
    const std::vector<std::pair<std::string, std::string>> qualified = {
        {"budget", "about seventy five thousand dollars"},
        {"timeline", "we want to start in three months"},
        {"size", "around two hundred people"},
        {"still_there", "yes i am still here"},
    };
    auto with = [&](std::vector<std::pair<std::string, std::string>> extra) {
        auto all = qualified;
        all.insert(all.end(), extra.begin(), extra.end());
        return all;
    };
    std::vector<Persona> p(kSandboxPersonas);
    p[0] = {"books_meeting",
            "Interested; answers every question and books a meeting",
            "hot_lead",
            Network::kAnswers,
            "flite:rms",
            "yes sure go ahead",
            with({{"meeting", "yes that would be great"},
                  {"slot", "thursday at two pm works for me"},
                  {"slot_retry", "friday at ten am then"}})};
    p[1] = {"not_interested",
            "Not interested",
            "not_interested",
            Network::kAnswers,
            "flite:kal",
            "no thank you i am not interested",
            {}};
    p[2] = {"opt_out",
            "Asks never to be called again",
            "dnc_request",
            Network::kAnswers,
            "flite:rms",
            "please stop calling me and take me off your list",
            {}};
    p[3] = {"budget_and_timeline",
            "Gives budget and timeline, declines a meeting",
            "interested",
            Network::kAnswers,
            "flite:rms",
            "sure i have a minute",
            {{"budget", "around twenty thousand"},
             {"timeline", "probably in six months"},
             {"size", "about fifty people"},
             {"meeting", "no thanks not right now"},
             {"still_there", "yes i am here"}}};
    p[4] = {"busy", "The line is busy", "busy", Network::kBusy, "", "", {}};
    p[5] = {"no_answer", "Nobody answers", "no_answer", Network::kNoAnswer, "", "", {}};
    p[6] = {"voicemail", "Voicemail greeting, then a beep",
            "voicemail", Network::kAnswers,
            "flite:slt", "hi you have reached the voicemail of sam please leave a message after the tone",
            {}};
    p[6].voicemail = true;
    p[7] = {"hangs_up", "Hangs up two seconds into the opener", "not_interested", Network::kAnswers, "flite:kal", "",
            {}};
    p[7].hangup_after_agent_ms = 2000;
    p[8] = {"wrong_number",
            "Wrong number",
            "wrong_number",
            Network::kAnswers,
            "flite:kal",
            "sorry you have the wrong number",
            {}};
    p[9] = {"call_later",
            "Busy now; asks for a call back tomorrow",
            "callback_requested",
            Network::kAnswers,
            "flite:rms",
            "i am driving right now can you call me back tomorrow",
            {}};
    p[10] = {"interrupts",
             "Talks over the opener, then answers and declines a meeting",
             "interested",
             Network::kAnswers,
             "flite:kal",
             "yes go ahead",
             with({{"meeting", "no thanks"}})};
    p[10].interrupt_after_agent_ms = 1500;
    p[10].interruption = "yes yes i know who you are go ahead";
    p[11] = {"silent", "Answers and says nothing", "no_answer", Network::kAnswers, "", "", {}};
    p[11].silent = true;
    return p;
}

const std::vector<Persona>& AllPersonas() {
    static const std::vector<Persona> personas = MakePersonas();
    return personas;
}

audio::Pcm Beep() {
    audio::Pcm beep(audio::SamplesForMs(kBeepMs));
    for (size_t i = 0; i < beep.size(); ++i) {
        beep[i] =
            static_cast<int16_t>(8000 * std::sin(2 * M_PI * kBeepHz * static_cast<double>(i) / audio::kSampleRate));
    }
    return beep;
}

// A line as the person says it on the phone: the persona's voice at the pipeline's 8 kHz, and a
// voicemail greeting ends with its beep.
Result<audio::Pcm> SpeakLine(const voice::TtsRegistry& tts, const Persona& p, const std::string& words) {
    auto audio = tts.SynthesizeWithVoiceId(p.voice, {.take = kTake}, words);
    if (!audio) return audio;
    if (p.voicemail && words == p.greeting) {
        audio->insert(audio->end(), audio::SamplesForMs(300), 0);
        const auto beep = Beep();
        audio->insert(audio->end(), beep.begin(), beep.end());
    }
    return audio;
}

}  // namespace

struct SandboxCarrier::Impl {
    const voice::TtsRegistry& tts;
    std::map<std::string, audio::Pcm> lines;  // "<voice>|<words>" -> audio; read-only once ready
    mutable std::mutex mutex;
    mutable std::condition_variable ready_cv;
    std::atomic<bool> ready{false};
    bool failed = false;
    std::thread warmer;

    explicit Impl(const voice::TtsRegistry& t) : tts(t) {}

    const audio::Pcm* Line(const std::string& voice, const std::string& words) const {
        auto it = lines.find(voice + "|" + words);
        return it == lines.end() ? nullptr : &it->second;
    }

    void Warm() {
        std::map<std::string, audio::Pcm> made;
        bool ok = true;
        for (const auto& p : AllPersonas()) {
            if (p.voice.empty()) continue;
            std::vector<std::string> words{p.greeting, p.interruption};
            for (const auto& [topic, line] : p.answers) words.push_back(line);
            for (const auto& w : words) {
                if (w.empty() || made.contains(p.voice + "|" + w)) continue;
                auto audio = SpeakLine(tts, p, w);
                if (!audio) {
                    ok = false;
                    continue;
                }
                made[p.voice + "|" + w] = std::move(*audio);
            }
        }
        std::lock_guard lock(mutex);
        lines = std::move(made);
        failed = !ok;
        ready = true;
        ready_cv.notify_all();
    }
};

namespace {

class SandboxLeg final : public telephony::CallLeg {
public:
    SandboxLeg(std::shared_ptr<SandboxCarrier::Impl> impl, const Persona& persona)
        : impl_(std::move(impl)), persona_(persona) {}

    void Exchange(std::span<const int16_t> agent_out, std::span<int16_t> callee_in) override {
        std::fill(callee_in.begin(), callee_in.end(), 0);
        if (hung_up_) return;
        if (audio::RmsDbfs(agent_out) > kAgentSpeechDb) {
            agent_talk_ms_ += audio::kFrameMs;
            agent_quiet_ms_ = 0;
            heard_agent_ = true;
        } else {
            agent_quiet_ms_ += audio::kFrameMs;
        }
        if (persona_.hangup_after_agent_ms > 0 && agent_talk_ms_ >= persona_.hangup_after_agent_ms) {
            hung_up_ = true;
            return;
        }
        if (persona_.interrupt_after_agent_ms > 0 && !interrupted_ &&
            agent_talk_ms_ >= persona_.interrupt_after_agent_ms) {
            interrupted_ = true;
            // The interruption answers the opener.
            pending_.reset();
            greeted_ = true;
            Say(persona_.interruption);
        }
        if (!playing_ && pending_ && heard_agent_ && agent_quiet_ms_ >= kReplyAfterQuietMs) {
            const std::string caption = *pending_;
            pending_.reset();
            if (auto reply = ReplyTo(caption)) Say(*reply);
        }
        if (playing_) {
            const size_t n = std::min(callee_in.size(), playing_->size() - position_);
            std::copy_n(playing_->begin() + static_cast<long>(position_), n, callee_in.begin());
            position_ += n;
            if (position_ >= playing_->size()) playing_ = nullptr;
        }
    }

    void Caption(std::string_view agent_words) override {
        pending_ = ToLower(agent_words);
        heard_agent_ = false;
    }
    bool HungUp() const override { return hung_up_; }
    void Hangup() override { hung_up_ = true; }

private:
    void Say(const std::string& words) {
        playing_ = impl_->Line(persona_.voice, words);
        position_ = 0;
    }

    std::optional<std::string> ReplyTo(const std::string& caption) {
        if (persona_.silent) return std::nullopt;
        if (!greeted_) {
            greeted_ = true;
            return persona_.greeting.empty() ? std::nullopt : std::optional(persona_.greeting);
        }
        if (caption.find('?') == std::string::npos) return std::nullopt;  // nothing was asked
        for (const auto& [topic, cues] : Topics()) {
            if (std::none_of(cues.begin(), cues.end(),
                             [&](const std::string& c) { return caption.find(c) != std::string::npos; })) {
                continue;
            }
            for (const auto& [t, line] : persona_.answers) {
                if (t == topic) return line;
            }
        }
        return std::nullopt;
    }

    std::shared_ptr<SandboxCarrier::Impl> impl_;
    const Persona& persona_;
    std::optional<std::string> pending_;
    const audio::Pcm* playing_ = nullptr;
    size_t position_ = 0;
    int agent_talk_ms_ = 0;
    int agent_quiet_ms_ = 0;
    bool heard_agent_ = false;
    bool greeted_ = false;
    bool interrupted_ = false;
    bool hung_up_ = false;
};

class SandboxDialing final : public telephony::Dialing {
public:
    SandboxDialing(std::shared_ptr<SandboxCarrier::Impl> impl, const Persona& persona)
        : impl_(std::move(impl)), persona_(persona) {}

    telephony::DialState Tick() override {
        if (canceled_) return telephony::DialState::kFailed;
        if (!impl_->ready) return telephony::DialState::kRinging;
        ++frames_;
        switch (persona_.network) {
            case Network::kBusy:
                return frames_ >= kBusyFrames ? telephony::DialState::kBusy : telephony::DialState::kRinging;
            case Network::kNoAnswer:
                return frames_ >= kNoAnswerFrames ? telephony::DialState::kNoAnswer : telephony::DialState::kRinging;
            case Network::kAnswers: break;
        }
        return frames_ >= kRingFrames ? telephony::DialState::kAnswered : telephony::DialState::kRinging;
    }
    std::unique_ptr<telephony::CallLeg> TakeLeg() override { return std::make_unique<SandboxLeg>(impl_, persona_); }
    void Cancel() override { canceled_ = true; }
    std::string FailureReason() const override { return canceled_ ? "canceled while ringing" : ""; }

private:
    std::shared_ptr<SandboxCarrier::Impl> impl_;
    const Persona& persona_;
    int frames_ = 0;
    bool canceled_ = false;
};

}  // namespace

SandboxCarrier::SandboxCarrier(const voice::TtsRegistry& tts, SandboxNumbers numbers)
    : impl_(std::make_shared<Impl>(tts)), numbers_(numbers) {
    impl_->warmer = std::thread([impl = impl_] { impl->Warm(); });
}

SandboxCarrier::~SandboxCarrier() {
    if (impl_->warmer.joinable()) impl_->warmer.join();
}

bool SandboxCarrier::WaitReady() const {
    std::unique_lock lock(impl_->mutex);
    impl_->ready_cv.wait(lock, [&] { return impl_->ready.load(); });
    return !impl_->failed;
}

int SandboxCarrier::PersonaOf(std::string_view e164, SandboxNumbers numbers) {
    // +1 NPA NXX XXXX: NPA and NXX start 2-9; the fictional numbers are NXX 555, XXXX 01XX.
    if (e164.size() != 12 || !e164.starts_with("+1") || e164[2] < '2' || e164[2] > '9') return -1;
    for (char c : e164.substr(1)) {
        if (c < '0' || c > '9') return -1;
    }
    if (numbers == SandboxNumbers::kAnyNanp) {
        if (e164[5] < '2') return -1;
    } else if (e164.substr(5, 5) != "55501") {
        return -1;
    }
    return ((e164[10] - '0') * 10 + (e164[11] - '0')) % kSandboxPersonas;
}

Result<void> SandboxCarrier::CheckReachable(std::string_view e164) const {
    if (PersonaOf(e164, numbers_) >= 0) return {};
    if (numbers_ == SandboxNumbers::kAnyNanp) {
        return Fail(ErrorCode::kUnprocessable,
                    std::string(e164) +
                        " is not a sandbox number: the sandbox answers North American numbers "
                        "+1 NPA NXX XXXX only",
                    {{"phone", "is not a North American number (+1 NPA NXX XXXX)"}});
    }
    return Fail(ErrorCode::kUnprocessable,
                std::string(e164) +
                    " is not a sandbox number: the sandbox carrier calls only the fictional numbers "
                    "+1 NPA 555-0100 to 555-0199 (for example +1 202 555 0123); add a SIP carrier to "
                    "call real numbers",
                {{"phone", "is not a sandbox number (+1 NPA 555-0100 to 555-0199)"}});
}

std::unique_ptr<telephony::Dialing> SandboxCarrier::Dial(std::string_view, std::string_view to) {
    const int persona = PersonaOf(to, numbers_);
    if (persona < 0) return nullptr;
    return std::make_unique<SandboxDialing>(impl_, AllPersonas()[static_cast<size_t>(persona)]);
}

std::vector<PersonaInfo> SandboxCarrier::Personas() {
    std::vector<PersonaInfo> out;
    int i = 0;
    for (const auto& p : AllPersonas()) out.push_back({i++, p.key, p.description, p.disposition});
    return out;
}

std::vector<std::pair<std::string, std::string>> SandboxCarrier::Lines(int persona) {
    const auto& p = AllPersonas().at(static_cast<size_t>(persona));
    std::vector<std::pair<std::string, std::string>> out;
    if (!p.greeting.empty()) out.emplace_back("greeting", p.greeting);
    if (!p.interruption.empty()) out.emplace_back("interruption", p.interruption);
    for (const auto& a : p.answers) out.push_back(a);
    return out;
}

std::string SandboxCarrier::VoiceOf(int persona) {
    return AllPersonas().at(static_cast<size_t>(persona)).voice;
}

Result<audio::Pcm> SandboxCarrier::LineAudio(const voice::TtsRegistry& tts, int persona, const std::string& words) {
    return SpeakLine(tts, AllPersonas().at(static_cast<size_t>(persona)), words);
}

}  // namespace parley::sandbox
