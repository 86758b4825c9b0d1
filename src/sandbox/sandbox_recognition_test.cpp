// How well the agent hears the sandbox's people, per step of the scripted dialogue. Every line of
// every persona with a voice is synthesized as calls hear it (SandboxCarrier::LineAudio), cut into
// utterances by voice activity detection as the call runtime cuts it, and recognized by
// pocketsphinx configured as `parley serve` configures it: once with the JSGF grammar the agent
// builds for that step (falling back to the open language model as the server does), once with
// the open language model alone. Recognition is a function of the audio, so the floors below are
// measured values less a small margin: a regression in the grammars, the recognizer or the voices
// fails the test, and so does a line the agent would misunderstand.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <fstream>
#include <future>
#include <map>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "audio/audio.hpp"
#include "audio/vad.hpp"
#include "sandbox/sandbox.hpp"
#include "voice/engines/stt.hpp"
#include "voice/engines/tts.hpp"
#include "voice/engines/word_errors.hpp"
#include "voice/understanding/answers.hpp"
#include "voice/understanding/grammar.hpp"
#include "voice/understanding/intents.hpp"

namespace parley::sandbox {
namespace {

using voice::AnswerKind;
using voice::Expectation;

// How the scripted brain (src/voice/scripted_brain.cpp) reads an answer at a step, after the
// intent it checks first on every utterance.
enum class Reading {
    kDeclined,    // while greeting: only a "no" ends the call, anything else goes on
    kYesNo,       // the meeting offer: yes, no or unsure (re-ask); a day with a time books at once
    kAnswer,      // a question: the field's typed answer (ParseAnswer)
    kDayAndTime,  // choosing a slot: a day (ParseDate) and a time of day (ParseTimeOfDay)
};

// One step of the scripted dialogue for the profile of tests/integration/conversations_test.cpp:
// extract fields budget_range (enum), timeline (date), company_size (number), tools
// check_availability and request_meeting. `topic` is the sandbox topic whose lines answer it.
struct Step {
    std::string topic;
    Expectation expect;  // the Turn::expect the brain asks with; the recognizer's grammar
    Reading reading;
    // Floors: the word accuracy measured with the step's grammar and with the open model, less
    // a small margin (see the table the test prints).
    double min_grammar_accuracy = 0;
    double min_open_accuracy = 0;
};

const std::vector<Step>& Steps() {
    const std::vector<std::string> budget_ranges = {"under_10k", "10k_50k", "50k_100k", "100k_plus"};
    static const std::vector<Step> steps = {
        // The opener asks whether the callee has a minute (ScriptedBrain::Start).
        {"greeting", {AnswerKind::kYesNo, {}}, Reading::kDeclined, 0.60, 0.70},
        // Said over the opener, so heard with the opener's expectation.
        {"interruption", {AnswerKind::kYesNo, {}}, Reading::kDeclined, 0.75, 0.75},
        {"budget", {AnswerKind::kEnum, budget_ranges}, Reading::kAnswer, 0.90, 0.95},
        {"timeline", {AnswerKind::kDate, {}}, Reading::kAnswer, 0.80, 0.50},
        {"size", {AnswerKind::kNumber, {}}, Reading::kAnswer, 0.95, 0.95},
        // "Would you like to book a short call with our team ...?"
        {"meeting", {AnswerKind::kYesNo, {}}, Reading::kYesNo, 0.60, 0.85},
        // "Which works better for you?" and, when the slot is outside office hours, "Which weekday
        // and time would work?" both expect a date (the date grammar takes a time after it).
        {"slot", {AnswerKind::kDate, {}}, Reading::kDayAndTime, 0.95, 0.25},
        {"slot_retry", {AnswerKind::kDate, {}}, Reading::kDayAndTime, 0.15, 0.15},
        // "Are you still there?" repeats the last question with its expectation. Measured where the
        // silent persona hears it: after the opener, while greeting.
        {"still_there", {AnswerKind::kYesNo, {}}, Reading::kDeclined, 0.30, 0.65},
    };
    return steps;
}

const Step* StepOf(const std::string& topic) {
    for (const auto& s : Steps()) {
        if (s.topic == topic) return &s;
    }
    return nullptr;
}

// Any fixed day: dates are compared between the reference and the recognized words.
constexpr date::year_month_day kToday{date::year{2026} / 1 / 14};

std::string YesNo(std::optional<bool> v) {
    return v ? (*v ? "yes" : "no") : "unsure";
}

// What the scripted brain makes of `words` at `step`, as comparable text.
std::string Meaning(const Step& step, const std::string& words) {
    std::string out = "intent=" + std::string(voice::IntentName(voice::DetectIntent(words)));
    const auto day = voice::ParseDate(words, kToday);
    const auto time = voice::ParseTimeOfDay(words);
    switch (step.reading) {
        case Reading::kDeclined: return out + " declined=" + (voice::ParseYesNo(words) == false ? "yes" : "no");
        case Reading::kYesNo:
            if (day && time) return out + " slot=" + *day + "T" + *time;
            return out + " answer=" + YesNo(voice::ParseYesNo(words));
        case Reading::kAnswer: {
            const auto parsed = voice::ParseAnswer(words, step.expect, kToday);
            return out + " answer=" + (parsed.ok ? parsed.value.dump() : "-");
        }
        case Reading::kDayAndTime: return out + " day=" + day.value_or("-") + " time=" + time.value_or("-");
    }
    return out;
}

// The recognizer and dictionary as voice::SpeechEngines sets them up for `parley serve`.
voice::SphinxConfig ServerSphinxConfig() {
    voice::SphinxConfig config;
    config.pool_size = 2;  // both cores; which decoder hears a line does not change its words
    config.reject_out_of_grammar = true;
    config.stream_decoders = 3;  // one stream at a time, as in parley serve
    return config;
}

Result<voice::Lexicon> ServerLexicon() {
    std::ifstream in(ServerSphinxConfig().model_dir + "/cmudict-en-us.dict");
    std::ostringstream text;
    text << in.rdbuf();
    return voice::Lexicon::FromCmuDict(text.str());
}

// The call runtime's endpointing (RuntimeOptions::vad in src/voice/call_runtime.hpp) and the
// audio it keeps from before the detector fires (kPreRollFrames in call_runtime.cpp).
constexpr audio::VadConfig kCallVad = {.start_ms = 60, .end_silence_ms = 300};
// The quiet after which a streamed utterance's grammar answer is taken (RuntimeOptions).
constexpr int kGrammarEndSilenceMs = 180;
constexpr size_t kPreRollFrames = 10;
// The person answers after a pause and is quiet afterwards: the line is all the call hears.
constexpr long kQuietAroundMs = 1000;

// The utterances the call runtime hands the recognizer when the person says `line`, cut as its
// media loop cuts them: speech from the detector's start (plus the frames before it) to its end
// (after kCallVad.end_silence_ms of quiet). A pause that long inside a line splits it.
std::vector<audio::Pcm> Utterances(const audio::Pcm& line) {
    audio::Pcm stream = audio::Silence(kQuietAroundMs);
    stream.insert(stream.end(), line.begin(), line.end());
    const audio::Pcm after = audio::Silence(kQuietAroundMs);
    stream.insert(stream.end(), after.begin(), after.end());
    stream.resize((stream.size() + audio::kFrameSamples - 1) / audio::kFrameSamples * audio::kFrameSamples);

    audio::Vad vad(kCallVad);
    std::deque<audio::Pcm> pre_roll;
    audio::Pcm utterance;
    std::vector<audio::Pcm> out;
    for (size_t at = 0; at < stream.size(); at += audio::kFrameSamples) {
        const std::span<const int16_t> frame(stream.data() + at, audio::kFrameSamples);
        const auto event = vad.Process(frame);
        if (vad.InSpeech() || event == audio::Vad::Event::kSpeechEnd) {
            utterance.insert(utterance.end(), frame.begin(), frame.end());
        } else {
            pre_roll.emplace_back(frame.begin(), frame.end());
            if (pre_roll.size() > kPreRollFrames) pre_roll.pop_front();
        }
        if (event == audio::Vad::Event::kSpeechStart) {
            audio::Pcm start;
            for (const auto& f : pre_roll) start.insert(start.end(), f.begin(), f.end());
            pre_roll.clear();
            start.insert(start.end(), utterance.begin(), utterance.end());
            utterance = std::move(start);
        }
        if (event == audio::Vad::Event::kSpeechEnd) {
            out.push_back(std::move(utterance));
            utterance.clear();
        }
    }
    return out;
}

// Words for counting errors: the grammars spell "pm" and "am" as two letters ("two p m"), the
// open model and the sandbox's lines as one word; the spelling is not a recognition error.
std::string CountableWords(const std::string& text) {
    const auto words = voice::TranscriptWords(text);
    std::string out;
    for (size_t i = 0; i < words.size(); ++i) {
        std::string w = words[i];
        if ((w == "a" || w == "p") && i + 1 < words.size() && words[i + 1] == "m") {
            w += "m";
            ++i;
        }
        out += (out.empty() ? "" : " ") + w;
    }
    return out;
}

// What the agent heard of a line: the texts of its utterances, joined. (The brain hears each
// utterance on its own; only the voicemail greeting is two, its words and its beep.)
struct Hearing {
    std::string text;
    bool all_from_grammar = true;  // every utterance's words came from the step's grammar
};

void Add(Hearing& h, const voice::Recognition& r) {
    if (!r.text.empty()) h.text += (h.text.empty() ? "" : " ") + r.text;
    h.all_from_grammar = h.all_from_grammar && r.used_grammar;
}

struct Heard {
    int persona = 0;
    const Step* step = nullptr;
    std::string reference;
    std::vector<audio::Pcm> utterances;
    Hearing grammar;   // what the agent gets: the step's grammar, else the open model
    Hearing open;      // the open language model alone
    Hearing streamed;  // as `grammar`, recognized while spoken as a call does (Streamed)
    std::string error;
};

// What a call's agent gets for `utterance` when the person's previous utterance gave `channel`
// (none for the call's first): a stream pushed a frame at a time, whose grammar answer is taken
// after kGrammarEndSilenceMs of quiet, else the open model's at the endpoint (MediaLoop), or the
// utterance recognized whole when the recognizer leaves it to that (EnginePool).
Result<voice::Recognition> Streamed(voice::SttEngine& stt, const audio::Pcm& utterance,
                                    const voice::RecognizeOptions& options, const std::vector<float>& channel) {
    auto stream = stt.OpenStream(options, channel);
    if (!stream) return stt.Recognize(utterance, options);
    const size_t late = static_cast<size_t>(kCallVad.end_silence_ms - kGrammarEndSilenceMs) * audio::kSampleRate / 1000;
    const size_t early = utterance.size() > late ? utterance.size() - late : 0;
    auto push = [&](size_t from, size_t to) {
        for (size_t at = from; at < to; at += audio::kFrameSamples) {
            const size_t n = std::min<size_t>(audio::kFrameSamples, to - at);
            if (stream->Push(std::span<const int16_t>(utterance.data() + at, n))) stream->Decode();
        }
    };
    push(0, early);
    if (options.jsgf) {
        auto answer = stream->FinishGrammar();
        if (!answer) return Fail(std::move(answer.error()));
        if (*answer) return std::move(**answer);
    }
    push(early, utterance.size());
    auto heard = stream->Finish();
    if (!heard && heard.error().code == ErrorCode::kUnavailable) return stt.Recognize(utterance, options);
    return heard;
}

std::string Fixed(double v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%.3f", v);
    return buf;
}

struct Tally {
    int lines = 0;
    int words = 0;
    int grammar_errors = 0;
    int open_errors = 0;
    int grammar_exact = 0;
    int open_exact = 0;
    int from_grammar = 0;           // lines the grammar heard, not the open-model fallback
    int same_meaning = 0;           // lines the agent reads as it would read what was said
    int streamed_errors = 0;        // as grammar_errors, recognized while spoken
    int streamed_same_meaning = 0;  // as same_meaning, recognized while spoken

    double GrammarAccuracy() const { return words ? 1.0 - static_cast<double>(grammar_errors) / words : 0; }
    double OpenAccuracy() const { return words ? 1.0 - static_cast<double>(open_errors) / words : 0; }
    double StreamedAccuracy() const { return words ? 1.0 - static_cast<double>(streamed_errors) / words : 0; }
    Tally& operator+=(const Tally& o) {
        lines += o.lines;
        words += o.words;
        grammar_errors += o.grammar_errors;
        open_errors += o.open_errors;
        grammar_exact += o.grammar_exact;
        open_exact += o.open_exact;
        from_grammar += o.from_grammar;
        same_meaning += o.same_meaning;
        streamed_errors += o.streamed_errors;
        streamed_same_meaning += o.streamed_same_meaning;
        return *this;
    }
    std::string Row(const std::string& name) const {
        char buf[200];
        const std::string exact = std::to_string(grammar_exact) + "/" + std::to_string(open_exact);
        std::snprintf(buf, sizeof buf, "%-12s %5d %5d %9.3f %9.3f %11s %10d %10d %9.3f %10d", name.c_str(), lines,
                      words, GrammarAccuracy(), OpenAccuracy(), exact.c_str(), from_grammar, same_meaning,
                      StreamedAccuracy(), streamed_same_meaning);
        return buf;
    }
    std::string Property() const {
        return "lines=" + std::to_string(lines) + " words=" + std::to_string(words) +
               " grammar_accuracy=" + Fixed(GrammarAccuracy()) + " open_accuracy=" + Fixed(OpenAccuracy()) +
               " exact_grammar=" + std::to_string(grammar_exact) + " exact_open=" + std::to_string(open_exact) +
               " by_grammar=" + std::to_string(from_grammar) + " understood=" + std::to_string(same_meaning) +
               " streamed_accuracy=" + Fixed(StreamedAccuracy()) +
               " understood_streamed=" + std::to_string(streamed_same_meaning);
    }
};

// Lines the agent misunderstands today (in the take the sandbox says, SandboxCarrier), measured
// and reported rather than hidden: the test fails when any other line is misunderstood, and when
// one of these starts to be understood.
//   persona 0, slot_retry: "friday at ten am then" -> "friday and and and and" (the grammar is
//     rejected and the open model loses the time, so no meeting is booked on a retry); not reached
//     in its call, where persona 0 books at the first slot;
//   persona 2, greeting: "... take me off your list" -> "please stop calling me i can't talk right
//     now who are you ...": the opt-out is heard, and also a decline, which changes nothing once
//     the callee has opted out;
//   persona 3, meeting: "no thanks not right now" -> "no attempts not right now": the meeting is
//     declined as said, without the "not interested" the words also carry, which the disposition
//     of a callee who answered every question does not take anyway.
constexpr std::pair<int, std::string_view> kKnownMishearings[] = {{0, "slot_retry"}, {2, "greeting"}, {3, "meeting"}};

bool IsKnownMishearing(int persona, std::string_view topic) {
    return std::ranges::any_of(kKnownMishearings,
                               [&](const auto& k) { return k.first == persona && k.second == topic; });
}

TEST(SandboxRecognition, EveryStepHearsThePersonasWellEnoughAndUnderstandsThemAsSaid) {
    voice::TtsRegistry tts;
    tts.Add(voice::MakeEspeakTts());
    tts.Add(voice::MakeFliteTts());
    auto lexicon = ServerLexicon();
    ASSERT_TRUE(lexicon) << "the pocketsphinx dictionary: " << lexicon.error().message;
    auto stt = voice::MakeSphinxStt(ServerSphinxConfig());
    stt->Prepare();  // every decoder, the stream decoders too, as a call's claim does

    std::vector<Heard> heard;
    for (int persona = 0; persona < kSandboxPersonas; ++persona) {
        if (SandboxCarrier::VoiceOf(persona).empty()) continue;
        for (const auto& [topic, words] : SandboxCarrier::Lines(persona)) {
            const Step* step = StepOf(topic);
            ASSERT_NE(step, nullptr) << "persona " << persona << " has a line for topic \"" << topic
                                     << "\", which no step of this test covers";
            auto pcm = SandboxCarrier::LineAudio(tts, persona, words);
            ASSERT_TRUE(pcm) << pcm.error().message;
            auto utterances = Utterances(*pcm);
            ASSERT_FALSE(utterances.empty()) << "no speech detected in \"" << words << "\"";
            heard.push_back({persona, step, words, std::move(utterances), {}, {}, {}});
        }
    }
    ASSERT_FALSE(heard.empty());

    // Two lines at a time on the engine's two decoders.
    auto recognize = [&](size_t first) {
        for (size_t i = first; i < heard.size(); i += 2) {
            Heard& h = heard[i];
            voice::RecognizeOptions with_grammar;
            with_grammar.jsgf = voice::BuildJsgf(h.step->expect, *lexicon);
            for (const auto& utterance : h.utterances) {
                auto g = stt->Recognize(utterance, with_grammar);
                auto o = stt->Recognize(utterance, {});
                if (!g || !o) {
                    h.error = !g ? g.error().message : o.error().message;
                    break;
                }
                Add(h.grammar, *g);
                Add(h.open, *o);
            }
        }
    };
    auto second = std::async(std::launch::async, recognize, size_t{1});
    recognize(0);
    second.get();
    // The same lines as a call hears them, each person's in the order of their call. One at a
    // time: a stream takes the three stream decoders.
    std::vector<float> channel;
    for (size_t i = 0; i < heard.size(); ++i) {
        Heard& h = heard[i];
        if (i == 0 || heard[i - 1].persona != h.persona) channel.clear();
        voice::RecognizeOptions with_grammar;
        with_grammar.jsgf = voice::BuildJsgf(h.step->expect, *lexicon);
        for (const auto& utterance : h.utterances) {
            auto s = Streamed(*stt, utterance, with_grammar, channel);
            if (!s) {
                h.error = s.error().message;
                break;
            }
            if (!s->channel.empty()) channel = s->channel;
            Add(h.streamed, *s);
        }
    }

    std::map<std::string, Tally> tallies;
    std::printf("%-7s %-12s %-58s %-46s %s\n", "persona", "step", "said", "heard (step grammar)", "heard (open model)");
    for (const auto& h : heard) {
        ASSERT_TRUE(h.error.empty()) << h.reference << ": " << h.error;
        Tally& t = tallies[h.step->topic];
        const int words = static_cast<int>(voice::TranscriptWords(h.reference).size());
        ++t.lines;
        t.words += words;
        const std::string grammar_words = CountableWords(h.grammar.text);
        const std::string open_words = CountableWords(h.open.text);
        t.grammar_errors += voice::WordErrors(h.reference, grammar_words);
        t.open_errors += voice::WordErrors(h.reference, open_words);
        t.grammar_exact += grammar_words == h.reference;
        t.open_exact += open_words == h.reference;
        t.from_grammar += h.grammar.all_from_grammar;
        const std::string expected = Meaning(*h.step, h.reference);
        const std::string got = Meaning(*h.step, h.grammar.text);
        t.same_meaning += got == expected;
        const std::string streamed_words = CountableWords(h.streamed.text);
        t.streamed_errors += voice::WordErrors(h.reference, streamed_words);
        t.streamed_same_meaning += Meaning(*h.step, h.streamed.text) == expected;
        const bool known = IsKnownMishearing(h.persona, h.step->topic);
        if (known) {
            // Listed below: when one of them starts to be understood, the list must shrink.
            EXPECT_NE(got, expected) << "persona " << h.persona << ", step " << h.step->topic
                                     << " is understood now: remove it from kKnownMishearings";
        } else {
            EXPECT_EQ(got, expected) << "persona " << h.persona << ", step " << h.step->topic << ": said \""
                                     << h.reference << "\", heard \"" << h.grammar.text << "\"";
        }
        std::string marks = h.grammar.all_from_grammar ? "" : " [open]";
        if (h.utterances.size() > 1) marks += " [" + std::to_string(h.utterances.size()) + " utterances]";
        std::printf("%-7d %-12s %-58s %-46s %s\n", h.persona, h.step->topic.c_str(), h.reference.c_str(),
                    (h.grammar.text + marks).c_str(), h.open.text.c_str());
    }

    std::printf("\n%-12s %5s %5s %9s %9s %11s %10s %10s %9s %10s\n", "step", "lines", "words", "grammar", "open",
                "exact g/o", "by grammar", "understood", "streamed", "understood");
    Tally all;
    for (const auto& step : Steps()) {
        const auto it = tallies.find(step.topic);
        if (it == tallies.end()) continue;
        const Tally& t = it->second;
        std::printf("%s\n", t.Row(step.topic).c_str());
        ::testing::Test::RecordProperty("step_" + step.topic, t.Property());
        EXPECT_GE(t.GrammarAccuracy(), step.min_grammar_accuracy) << step.topic << " with its grammar";
        EXPECT_GE(t.OpenAccuracy(), step.min_open_accuracy) << step.topic << " with the open model";
        all += t;
    }
    std::printf("%s\n", all.Row("all").c_str());
    std::printf(
        "(grammar, open: word accuracy, 1 - word errors / words said, with the step's grammar as the agent "
        "recognizes and with the open model alone; exact g/o: lines heard word for word; by grammar: lines "
        "the grammar heard rather than the open-model fallback; understood: lines the agent reads as it "
        "would read what was said; streamed, understood: the same, as a call recognizes each person's lines: "
        "the first whole at the callee's pause, the later ones while spoken)\n");
    ::testing::Test::RecordProperty("all_steps", all.Property());
    // Recognizing while the callee speaks may cost the agent at most one line it understood.
    EXPECT_GE(all.streamed_same_meaning, all.same_meaning - 1);
}

}  // namespace
}  // namespace parley::sandbox
