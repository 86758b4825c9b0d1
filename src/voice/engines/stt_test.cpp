#include "voice/engines/stt.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>
#include <thread>

#include "audio/audio.hpp"
#include "voice/engines/tts.hpp"
#include "voice/engines/word_errors.hpp"

namespace parley::voice {
namespace {

const std::vector<std::string> kPhrases = {
    "yes",
    "no thanks",
    "fifty thousand dollars",
    "next tuesday at two",
    "please stop calling me",
    "i am not interested",
    "call me back tomorrow",
    "we want to start in three months",
};

// Answers a grammar offers beside the right one, so the recognizer has to choose.
const std::map<std::string, std::vector<std::string>> kAlternatives = {
    {"yes", {"no", "maybe", "yes please"}},
    {"no thanks", {"yes please", "no", "maybe later"}},
    {"fifty thousand dollars", {"fifteen thousand dollars", "five thousand dollars", "fifty dollars"}},
    {"next tuesday at two", {"next thursday at two", "next tuesday at ten", "tomorrow at noon"}},
    {"please stop calling me", {"please call me later", "stop", "please hold"}},
    {"i am not interested", {"i am interested", "not now", "i am busy"}},
    {"call me back tomorrow", {"call me back later", "call me tomorrow", "not tomorrow"}},
    {"we want to start in three months", {"we want to start next month", "in three weeks", "we want to wait"}},
};

std::string Grammar(const std::string& answer, const std::vector<std::string>& others) {
    std::string g = "#JSGF V1.0;\ngrammar answer;\npublic <answer> = " + answer;
    for (const auto& o : others) g += " | " + o;
    return g + ";\n";
}

std::vector<std::string> Words(const std::string& text) {
    std::istringstream in(text);
    std::vector<std::string> out;
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

// Synthesized speech for every phrase and voice, made once for the whole suite.
class SphinxRoundTrip : public ::testing::Test {
protected:
    struct Sample {
        std::string voice_id;
        std::string text;
        audio::Pcm audio;
    };

    static void SetUpTestSuite() {
        // flite's clustergen voices excite unvoiced sounds with rand(): the audio, and so the
        // accuracy measured here, depends on what was synthesized before. Start where a fresh
        // process starts (glibc's first seed), whichever suites ran earlier.
        std::srand(1);
        TtsRegistry tts;
        tts.Add(MakeEspeakTts());
        tts.Add(MakeFliteTts());
        samples_ = new std::vector<Sample>;
        for (const std::string voice : {"espeak-ng:en-us", "flite:slt"}) {
            for (const auto& phrase : kPhrases) {
                auto pcm = tts.SynthesizeWithVoiceId(voice, {}, phrase);
                ASSERT_TRUE(pcm) << pcm.error().message;
                audio::Pcm padded = audio::Silence(300);
                padded.insert(padded.end(), pcm->begin(), pcm->end());
                const audio::Pcm tail = audio::Silence(300);
                padded.insert(padded.end(), tail.begin(), tail.end());
                samples_->push_back({voice, phrase, std::move(padded)});
            }
        }
        stt_ = MakeSphinxStt({}).release();
    }

    static void TearDownTestSuite() {
        delete stt_;
        delete samples_;
        stt_ = nullptr;
        samples_ = nullptr;
    }

    // A recognizer that streams, as `parley serve` sets it up (below), its decoders created by
    // recognizing the first four samples.
    static std::unique_ptr<SttEngine> StreamingStt();

    static std::vector<Sample>* samples_;
    static SttEngine* stt_;
};

std::vector<SphinxRoundTrip::Sample>* SphinxRoundTrip::samples_ = nullptr;
SttEngine* SphinxRoundTrip::stt_ = nullptr;

TEST_F(SphinxRoundTrip, WithAGrammarEveryFlitePhraseIsRecognizedExactly) {
    for (const auto& s : *samples_) {
        if (s.voice_id != "flite:slt") continue;
        const RecognizeOptions options{Grammar(s.text, kAlternatives.at(s.text))};
        auto result = stt_->Recognize(s.audio, options);
        ASSERT_TRUE(result) << result.error().message;
        EXPECT_EQ(result->text, s.text);
        EXPECT_TRUE(result->used_grammar) << s.text;
        EXPECT_GE(result->confidence, 0.0);
        EXPECT_LE(result->confidence, 1.0);
    }
}

// espeak-ng's formant voice is far from the speech the en-us model was trained on: at 8 kHz only
// about half of these answers come out right even with a grammar (measured: 4 of 8). The floor
// catches a regression without pretending to more.
TEST_F(SphinxRoundTrip, WithAGrammarMostEspeakPhrasesAreRecognizedExactly) {
    int exact = 0;
    for (const auto& s : *samples_) {
        if (s.voice_id != "espeak-ng:en-us") continue;
        const RecognizeOptions options{Grammar(s.text, kAlternatives.at(s.text))};
        auto result = stt_->Recognize(s.audio, options);
        ASSERT_TRUE(result) << result.error().message;
        if (result->text == s.text) ++exact;
        std::printf("espeak-ng grammar: %-34s -> %s\n", s.text.c_str(), result->text.c_str());
    }
    std::printf("espeak-ng grammar exact: %d of %zu\n", exact, kPhrases.size());
    EXPECT_GE(exact, 3);
}

// A recognition depends only on its audio: not on what the decoder heard before, nor on which
// decoder of the pool takes it. Calls are then reproducible, whatever else runs at the time.
TEST_F(SphinxRoundTrip, TheSameAudioGivesTheSameWordsWhateverCameBefore) {
    auto fresh = MakeSphinxStt({});
    const auto& samples = *samples_;
    for (size_t i = 0; i < samples.size(); i += 5) {
        const auto& s = samples[i];
        auto first = fresh->Recognize(s.audio, {});
        ASSERT_TRUE(first) << first.error().message;
        // Other speech, with grammars, then the same audio again.
        for (size_t j = 1; j <= 4; ++j) {
            const auto& other = samples[(i + j * 3) % samples.size()];
            ASSERT_TRUE(
                fresh->Recognize(other.audio, RecognizeOptions{Grammar(other.text, kAlternatives.at(other.text))}));
        }
        auto again = fresh->Recognize(s.audio, {});
        ASSERT_TRUE(again) << again.error().message;
        EXPECT_EQ(again->text, first->text) << s.text;
        EXPECT_DOUBLE_EQ(again->confidence, first->confidence) << s.text;
    }
}

TEST_F(SphinxRoundTrip, OpenVocabularyWordAccuracyIsAboveAFloor) {
    std::map<std::string, std::pair<int, int>> per_voice;  // errors, words
    for (const auto& s : *samples_) {
        auto result = stt_->Recognize(s.audio, {});
        ASSERT_TRUE(result) << result.error().message;
        EXPECT_FALSE(result->used_grammar);
        const int words = static_cast<int>(Words(s.text).size());
        per_voice[s.voice_id].first += std::min(words, WordErrors(s.text, result->text));
        per_voice[s.voice_id].second += words;
    }
    int errors = 0;
    int words = 0;
    for (const auto& [voice, counts] : per_voice) {
        std::printf("open-vocabulary word accuracy %-16s %.2f\n", voice.c_str(),
                    1.0 - static_cast<double>(counts.first) / counts.second);
        errors += counts.first;
        words += counts.second;
    }
    const double accuracy = 1.0 - static_cast<double>(errors) / words;
    std::printf("open-vocabulary word accuracy overall          %.2f\n", accuracy);
    // Measured 0.26 (flite:slt 0.45, espeak-ng 0.07) since each line is one fixed take of its
    // voice; a regression of the recognizer's open vocabulary falls below.
    EXPECT_GT(accuracy, 0.22);
}

TEST_F(SphinxRoundTrip, AGrammarWithAnUnknownWordFallsBackToTheOpenVocabulary) {
    const auto& s = samples_->at(kPhrases.size() + 4);  // flite "please stop calling me"
    ASSERT_EQ(s.text, "please stop calling me");
    const RecognizeOptions options{Grammar(s.text, {"zzqxv blorptastic"})};
    auto result = stt_->Recognize(s.audio, options);
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_FALSE(result->used_grammar);
    EXPECT_FALSE(result->text.empty());
}

TEST_F(SphinxRoundTrip, AMalformedGrammarFallsBackToTheOpenVocabulary) {
    const RecognizeOptions options{std::string("this is not jsgf <<<")};
    auto result = stt_->Recognize(samples_->back().audio, options);
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_FALSE(result->used_grammar);
}

TEST_F(SphinxRoundTrip, SilenceGivesEmptyTextNotAnError) {
    const audio::Pcm silence = audio::Silence(1000);
    auto result = stt_->Recognize(silence, {});
    ASSERT_TRUE(result) << result.error().message;
    EXPECT_EQ(result->text, "");
    EXPECT_EQ(result->confidence, 0.0);
    auto with_grammar = stt_->Recognize(silence, RecognizeOptions{Grammar("yes", {"no"})});
    ASSERT_TRUE(with_grammar);
    EXPECT_EQ(with_grammar->text, "");
    auto empty = stt_->Recognize({}, {});
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->text, "");
}

TEST_F(SphinxRoundTrip, ConcurrentCallsShareThePoolAndAgree) {
    const auto& s = samples_->at(kPhrases.size() + 1);  // flite "no thanks"
    const RecognizeOptions options{Grammar(s.text, kAlternatives.at(s.text))};
    std::vector<std::string> texts(6);
    std::vector<std::thread> threads;
    for (size_t i = 0; i < texts.size(); ++i) {
        threads.emplace_back([&, i] {
            auto r = stt_->Recognize(s.audio, options);
            texts[i] = r ? r->text : "error: " + r.error().message;
        });
    }
    for (auto& t : threads) t.join();
    for (const auto& t : texts) EXPECT_EQ(t, s.text);
}

// The garbage guard on and three decoders for one stream, all created before the first stream
// needs them.
std::unique_ptr<SttEngine> SphinxRoundTrip::StreamingStt() {
    SphinxConfig config;
    config.pool_size = 1;
    config.stream_decoders = 3;
    config.reject_out_of_grammar = true;
    auto stt = MakeSphinxStt(config);
    std::vector<std::thread> threads;  // four recognitions at once create the four decoders
    for (int i = 0; i < 4; ++i) threads.emplace_back([&, i] { (void)stt->Recognize(samples_->at(i).audio, {}); });
    for (auto& t : threads) t.join();
    return stt;
}

// Pushes `audio` 20 ms at a time, decoding as a worker would whenever Push asks for it.
void PushAll(SttStream& stream, const audio::Pcm& audio) {
    for (size_t at = 0; at < audio.size(); at += audio::kFrameSamples) {
        const size_t n = std::min<size_t>(audio::kFrameSamples, audio.size() - at);
        if (stream.Push(std::span(audio).subspan(at, n))) stream.Decode();
    }
}

TEST_F(SphinxRoundTrip, AStreamNormalizedByItsUtterancesOwnMeanHearsWhatTheWholeUtteranceGives) {
    auto stt = StreamingStt();
    int same = 0;
    int total = 0;
    for (const auto& s : *samples_) {
        // espeak-ng's formant voice is heard differently once its frames are normalized as they
        // arrive (measured: 2 of its 16 alike); flite's voices, recorded from people, are not.
        if (s.voice_id != "flite:slt") continue;
        for (const bool grammar : {true, false}) {
            RecognizeOptions options;
            if (grammar) options.jsgf = Grammar(s.text, kAlternatives.at(s.text));
            auto whole = stt->Recognize(s.audio, options);
            ASSERT_TRUE(whole) << whole.error().message;
            ASSERT_EQ(whole->channel.size(), 13u);
            auto stream = stt->OpenStream(options, whole->channel);
            ASSERT_NE(stream, nullptr);
            PushAll(*stream, s.audio);
            auto streamed = stream->Finish();
            ASSERT_TRUE(streamed) << streamed.error().message;
            EXPECT_EQ(streamed->channel, whole->channel) << "the stream measures the caller as Recognize does";
            ++total;
            if (streamed->text == whole->text && streamed->used_grammar == whole->used_grammar) ++same;
            std::printf("stream (own mean) %-16s %-34s whole: %-34s streamed: %s\n", s.voice_id.c_str(), s.text.c_str(),
                        whole->text.c_str(), streamed->text.c_str());
        }
    }
    // The frames of a stream are normalized as they arrive, not after the whole utterance: the
    // same audio and mean may still take a slightly different path (measured: 16 of 16 alike).
    EXPECT_GE(same, total - 1) << same << " of " << total;
}

TEST_F(SphinxRoundTrip, AStreamWithTheCallersLastMeanTakesTheGrammarsAnswerBeforeTheEnd) {
    auto stt = StreamingStt();
    int as_whole = 0;
    for (size_t i = 0; i < kPhrases.size(); ++i) {
        const auto& s = samples_->at(kPhrases.size() + i);  // flite
        // The caller's previous answer, in the same voice.
        auto before = stt->Recognize(samples_->at(kPhrases.size() + (i + 1) % kPhrases.size()).audio, {});
        ASSERT_TRUE(before) << before.error().message;
        const RecognizeOptions options{Grammar(s.text, kAlternatives.at(s.text))};
        auto whole = stt->Recognize(s.audio, options);
        ASSERT_TRUE(whole) << whole.error().message;
        auto stream = stt->OpenStream(options, before->channel);
        ASSERT_NE(stream, nullptr);
        PushAll(*stream, s.audio);
        auto answer = stream->FinishGrammar();
        ASSERT_TRUE(answer) << answer.error().message;
        // The garbage guard decides as it does for the whole utterance: the same answers are taken
        // from the grammar, the same left to the open model.
        if (whole->used_grammar ? *answer && (*answer)->text == whole->text : !*answer) ++as_whole;
        std::printf("stream (caller's mean) %-34s whole: %-34s streamed grammar: %s\n", s.text.c_str(),
                    whole->used_grammar ? whole->text.c_str() : "-", *answer ? (*answer)->text.c_str() : "-");
        // Finish gives the grammar's answer too, and the caller's mean for the next one.
        auto final = stream->Finish();
        ASSERT_TRUE(final) << final.error().message;
        EXPECT_EQ(final->used_grammar, answer->has_value());
        if (*answer) {
            EXPECT_EQ(final->text, (*answer)->text);
        }
        EXPECT_EQ(final->channel.size(), 13u);
    }
    // Measured: 6 of 8 (with another answer's mean, one more answer is taken from the grammar
    // and one fewer than from the whole utterance).
    EXPECT_GE(as_whole, static_cast<int>(kPhrases.size()) - 2);
}

TEST_F(SphinxRoundTrip, AStreamedAnswerOutsideTheGrammarGoesToTheOpenModel) {
    auto stt = StreamingStt();
    const auto& s = samples_->at(kPhrases.size() + 7);  // flite "we want to start in three months"
    ASSERT_EQ(s.text, "we want to start in three months");
    auto before = stt->Recognize(samples_->at(kPhrases.size() + 2).audio, {});
    ASSERT_TRUE(before);
    auto stream = stt->OpenStream(RecognizeOptions{Grammar("yes", {"no", "maybe"})}, before->channel);
    ASSERT_NE(stream, nullptr);
    PushAll(*stream, s.audio);
    auto answer = stream->FinishGrammar();
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_FALSE(answer->has_value()) << (*answer)->text;
    auto final = stream->Finish();
    ASSERT_TRUE(final) << final.error().message;
    EXPECT_FALSE(final->used_grammar);
    EXPECT_GE(static_cast<int>(Words(final->text).size()), 4) << final->text;
}

TEST_F(SphinxRoundTrip, ACallersFirstAnswerIsDecidedAtThePauseAsTheWholeUtteranceWouldBe) {
    auto stt = StreamingStt();
    int taken = 0;
    for (size_t i = 0; i < kPhrases.size(); ++i) {
        const auto& s = samples_->at(kPhrases.size() + i);  // flite
        const RecognizeOptions options{Grammar(s.text, kAlternatives.at(s.text))};
        auto whole = stt->Recognize(s.audio, options);
        ASSERT_TRUE(whole) << whole.error().message;
        auto stream = stt->OpenStream(options, {});  // nothing heard of this caller yet
        ASSERT_NE(stream, nullptr);
        PushAll(*stream, s.audio);
        // The pause: the utterance so far (here all of it) recognized whole.
        auto answer = stream->FinishGrammar();
        ASSERT_TRUE(answer) << answer.error().message;
        auto final = stream->Finish();
        ASSERT_TRUE(final) << final.error().message;
        std::printf("first answer %-34s whole: %-34s at the pause: %s\n", s.text.c_str(), whole->text.c_str(),
                    *answer ? (*answer)->text.c_str() : "-");
        // A grammar answer is taken at the pause; the open model's words wait for Finish.
        EXPECT_EQ(answer->has_value(), whole->used_grammar) << s.text;
        EXPECT_EQ(final->used_grammar, whole->used_grammar) << s.text;
        EXPECT_EQ(final->text, whole->text);
        EXPECT_EQ(final->channel, whole->channel) << "the caller's mean, for their next utterance";
        taken += answer->has_value();
    }
    EXPECT_GT(taken, 0) << "the grammar took none of the answers";
}

TEST_F(SphinxRoundTrip, AFirstAnswerTheCallerResumesAfterThePauseIsRecognizedWholeAtTheEnd) {
    auto stt = StreamingStt();
    const auto& s = samples_->at(kPhrases.size() + 7);  // flite "we want to start in three months"
    ASSERT_EQ(s.text, "we want to start in three months");
    const RecognizeOptions options{Grammar("yes", {"no", "maybe"})};
    for (const bool resumed : {false, true}) {
        auto stream = stt->OpenStream(options, {});
        ASSERT_NE(stream, nullptr);
        PushAll(*stream, s.audio);
        auto answer = stream->FinishGrammar();
        ASSERT_TRUE(answer) << answer.error().message;
        EXPECT_FALSE(answer->has_value()) << (*answer)->text;
        if (resumed) stream->Resumed();
        auto final = stream->Finish();
        if (resumed) {
            // What was decided at the pause no longer covers the utterance.
            ASSERT_FALSE(final);
            EXPECT_EQ(final.error().code, ErrorCode::kUnavailable);
        } else {
            ASSERT_TRUE(final) << final.error().message;
            EXPECT_FALSE(final->used_grammar);
            EXPECT_GE(static_cast<int>(Words(final->text).size()), 4) << final->text;
        }
    }
}

TEST_F(SphinxRoundTrip, WithoutAGrammarOrTheCallersMeanOrAFreeDecoderThereIsNoStream) {
    auto stt = StreamingStt();
    const RecognizeOptions options{Grammar("yes", {"no"})};
    EXPECT_EQ(stt->OpenStream({}, {}), nullptr) << "a caller's first utterance without a grammar is recognized whole";
    auto before = stt->Recognize(samples_->front().audio, {});
    ASSERT_TRUE(before);
    // The first stream takes the three stream decoders; the second finds none free and says so,
    // so its utterance is recognized whole instead.
    auto first = stt->OpenStream(options, before->channel);
    auto second = stt->OpenStream(options, before->channel);
    ASSERT_NE(first, nullptr);
    ASSERT_NE(second, nullptr);
    PushAll(*first, samples_->front().audio);
    PushAll(*second, samples_->front().audio);
    auto refused = second->Finish();
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::kUnavailable);
    EXPECT_TRUE(first->Finish());
    EXPECT_TRUE(stt->Recognize(samples_->front().audio, options)) << "whole utterances keep their decoder";
    SphinxConfig no_streams;
    no_streams.pool_size = 1;
    EXPECT_EQ(MakeSphinxStt(no_streams)->OpenStream(options, before->channel), nullptr);
}

TEST(SphinxStt, AMissingModelIsUnavailable) {
    SphinxConfig config;
    config.model_dir = "/nonexistent/model";
    auto stt = MakeSphinxStt(config);
    auto result = stt->Recognize(audio::Silence(100), {});
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::kUnavailable);
}

TEST(NormalizeTranscript, LowerCasesAndStripsPunctuation) {
    EXPECT_EQ(NormalizeTranscript("Yes, please!  I'm  here."), "yes please i'm here");
    EXPECT_EQ(NormalizeTranscript("  '"), "");
    EXPECT_EQ(NormalizeTranscript("$50,000"), "50 000");
}

}  // namespace
}  // namespace parley::voice
