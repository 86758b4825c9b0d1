// Measures the speech engines on this machine and prints a report: synthesis speed per engine,
// recognition speed and word accuracy per pocketsphinx configuration, decoder creation time and
// memory. Not a test: nothing is asserted. Usage: parley_voice_engines_probe [--quick]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "audio/audio.hpp"
#include "voice/engines/stt.hpp"
#include "voice/engines/tts.hpp"
#include "voice/engines/word_errors.hpp"

namespace {

using parley::audio::Pcm;
using parley::voice::TranscriptWords;
using parley::voice::WordErrors;
using Clock = std::chrono::steady_clock;

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

// Answers a grammar also allows, so the recognizer has to choose.
const std::vector<std::string> kDistractors = {
    "no",
    "yes please",
    "maybe",
    "fifteen thousand dollars",
    "next thursday at two",
    "call me later",
    "i am interested",
    "we want to start next month",
};

// Phrases that are in no grammar, to see how the grammar's confidence behaves on them.
const std::vector<std::string> kOutOfGrammar = {
    "what company is this",
    "my wife handles that",
    "send me an email",
    "how did you get my number",
};

double Seconds(Clock::duration d) {
    return std::chrono::duration<double>(d).count();
}

long RssKb() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return -1;
}

std::string Grammar(const std::vector<std::string>& alternatives) {
    std::string g = "#JSGF V1.0;\ngrammar answer;\npublic <answer> = ";
    for (size_t i = 0; i < alternatives.size(); ++i) g += (i ? " | " : "") + alternatives[i];
    return g + ";\n";
}

struct Sample {
    std::string voice;
    std::string text;
    parley::audio::Pcm audio;
};

struct Option {
    std::string name;
    parley::voice::SphinxConfig config;
};

}  // namespace

int main(int argc, char** argv) {
    const bool quick = argc > 1 && std::string(argv[1]) == "--quick";
    parley::voice::TtsRegistry tts;
    tts.Add(parley::voice::MakeEspeakTts());
    tts.Add(parley::voice::MakeFliteTts());

    std::printf("== synthesis speed (x real time = audio seconds per CPU second, one thread)\n");
    const std::vector<std::string> voice_ids = {"espeak-ng:en-us", "flite:slt", "flite:kal",
                                                "flite:kal16",     "flite:rms", "flite:awb"};
    std::vector<Sample> samples;
    std::vector<Sample> out_of_grammar;
    for (const auto& id : voice_ids) {
        long audio_ms = 0;
        const auto start = Clock::now();
        for (const auto& phrase : kPhrases) {
            auto pcm = tts.SynthesizeWithVoiceId(id, {}, phrase);
            if (!pcm) {
                std::printf("%s: %s\n", id.c_str(), pcm.error().message.c_str());
                return 1;
            }
            audio_ms += parley::audio::DurationMs(pcm->size());
            samples.push_back({id, phrase, std::move(*pcm)});
        }
        const double wall = Seconds(Clock::now() - start);
        std::printf("%-16s %6.0fx real time (%ld ms of audio in %.1f ms)\n", id.c_str(),
                    static_cast<double>(audio_ms) / 1000.0 / wall, audio_ms, wall * 1000);
        for (const auto& phrase : kOutOfGrammar) {
            auto pcm = tts.SynthesizeWithVoiceId(id, {}, phrase);
            if (pcm) out_of_grammar.push_back({id, phrase, std::move(*pcm)});
        }
    }

    std::vector<std::string> all_answers = kPhrases;
    all_answers.insert(all_answers.end(), kDistractors.begin(), kDistractors.end());
    const parley::voice::RecognizeOptions with_grammar{Grammar(all_answers)};

    auto make_option = [](std::string name, int rate, std::vector<std::string> extra) {
        Option o{std::move(name), {}};
        o.config.decode_rate = rate;
        o.config.extra_args = std::move(extra);
        return o;
    };
    std::vector<Option> options = {
        make_option("8k nfft256 upperf3500", 8000, {}),
        make_option("8k nfft256 upperf3800", 8000, {"-upperf", "3800"}),
        make_option("8k nfft256 upperf3500 lowerf200 nfilt20", 8000, {"-lowerf", "200", "-nfilt", "20"}),
        make_option("upsampled 16k, model defaults", 16000, {}),
        make_option("upsampled 16k, remove_noise no", 16000, {"-remove_noise", "no"}),
        make_option("upsampled 16k, fwdflat no", 16000, {"-fwdflat", "no"}),
        make_option("upsampled 16k, beams 1e-30/1e-25, maxhmmpf 3000", 16000,
                    {"-beam", "1e-30", "-pbeam", "1e-30", "-wbeam", "1e-25", "-maxhmmpf", "3000"}),
    };
    const bool grammar_only = argc > 1 && std::string(argv[1]) == "--grammar";
    if (grammar_only) {
        options.clear();
        for (const bool reject : {false, true}) {
            Option o =
                make_option(std::string("upsampled 16k, reject_out_of_grammar ") + (reject ? "on" : "off"), 16000, {});
            o.config.reject_out_of_grammar = reject;
            options.push_back(o);
        }
    }
    if (argc > 2 && std::string(argv[1]) == "--only") {
        options = {options.at(static_cast<size_t>(std::stoi(argv[2])))};
    } else if (quick) {
        options.resize(1);
    }

    for (auto& option : options) {
        option.config.pool_size = 1;
        option.config.min_grammar_confidence = 0;  // measure the grammar on its own
        std::printf("\n== pocketsphinx: %s\n", option.name.c_str());
        const long rss_before = RssKb();
        const auto create_start = Clock::now();
        auto stt = parley::voice::MakeSphinxStt(option.config);
        auto warm = stt->Recognize(samples[0].audio, {});  // creates the decoder
        if (!warm) {
            std::printf("failed: %s\n", warm.error().message.c_str());
            continue;
        }
        std::printf("decoder creation + first decode: %.0f ms, RSS +%ld MB\n",
                    Seconds(Clock::now() - create_start) * 1000, (RssKb() - rss_before) / 1024);

        int words = 0;
        int errors = 0;
        int grammar_exact = 0;
        double lm_time = 0;
        double grammar_time = 0;
        double audio_s = 0;
        std::map<std::string, std::pair<int, int>> per_voice;  // voice -> (errors, words)
        for (const auto& s : samples) {
            audio_s += static_cast<double>(parley::audio::DurationMs(s.audio.size())) / 1000.0;
            auto t0 = Clock::now();
            auto lm = grammar_only ? parley::Result<parley::voice::Recognition>() : stt->Recognize(s.audio, {});
            lm_time += Seconds(Clock::now() - t0);
            t0 = Clock::now();
            auto g = stt->Recognize(s.audio, with_grammar);
            grammar_time += Seconds(Clock::now() - t0);
            if (!lm || !g) {
                std::printf("failed\n");
                return 1;
            }
            const int e = std::min<int>(WordErrors(s.text, lm->text), static_cast<int>(TranscriptWords(s.text).size()));
            errors += e;
            words += static_cast<int>(TranscriptWords(s.text).size());
            per_voice[s.voice].first += e;
            per_voice[s.voice].second += static_cast<int>(TranscriptWords(s.text).size());
            grammar_exact += g->text == s.text ? 1 : 0;
            std::printf("  %-16s %-34s LM: %-36s (%.2f) | G: %s (%.2f)\n", s.voice.c_str(), s.text.c_str(),
                        lm->text.c_str(), lm->confidence, g->text.c_str(), g->confidence);
        }
        double oog_conf = 0;
        for (const auto& s : out_of_grammar) {
            auto g = stt->Recognize(s.audio, with_grammar);
            if (g) oog_conf += g->confidence;
            if (g)
                std::printf("  OOG %-16s %-28s G: %s (%.2f)\n", s.voice.c_str(), s.text.c_str(), g->text.c_str(),
                            g->confidence);
        }
        std::printf("open LM word accuracy: %.3f (%d words)\n", 1.0 - static_cast<double>(errors) / words, words);
        for (const auto& [voice, ew] : per_voice) {
            std::printf("   %-16s %.3f\n", voice.c_str(), 1.0 - static_cast<double>(ew.first) / ew.second);
        }
        std::printf("grammar (%zu answers) exact: %d/%zu\n", all_answers.size(), grammar_exact, samples.size());
        std::printf("mean grammar confidence on out-of-grammar speech: %.2f\n",
                    oog_conf / static_cast<double>(out_of_grammar.size()));
        std::printf("speed: open LM %.1fx real time, grammar %.1fx real time\n", audio_s / lm_time,
                    audio_s / grammar_time);
    }
    if (!grammar_only) {
        // Memory: two decoders alive at once (pool of 2, two concurrent calls).
        std::printf("\n== decoder memory (default configuration, two decoders alive at once)\n");
        const long before = RssKb();
        auto stt = parley::voice::MakeSphinxStt({});
        auto t0 = Clock::now();
        std::thread first([&] { (void)stt->Recognize(samples[1].audio, {}); });
        std::thread second([&] { (void)stt->Recognize(samples[2].audio, {}); });
        first.join();
        second.join();
        std::printf("two decoders created and used in %.0f ms (in parallel); RSS +%ld MB, %ld MB per decoder\n",
                    Seconds(Clock::now() - t0) * 1000, (RssKb() - before) / 1024, (RssKb() - before) / 2048);
    }
    return 0;
}
