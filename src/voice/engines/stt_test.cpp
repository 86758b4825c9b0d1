#include "voice/engines/stt.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
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
    EXPECT_GT(accuracy, 0.3);
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
