// pocketsphinx (0.8 / 5prealpha API) behind SttEngine.
//
// Front end. The en-us model is trained on 16 kHz audio (mel filters 130-6800 Hz). Measured on
// 48 synthesized phone answers (8 phrases x espeak-ng en-us and flite slt/kal/kal16/rms/awb,
// all at 8 kHz), open-LM word accuracy / exact answers with a 16-answer grammar:
//   8 kHz, -nfft 256 -upperf 3500 ............................ 0.12 / 30 of 48
//   8 kHz, -nfft 256 -upperf 3800 ............................ 0.22 / 34 of 48
//   8 kHz, -upperf 3500 -lowerf 200 -nfilt 20 (no dither) .... 0.14 / 33 of 48
//   upsampled to 16 kHz, the model's own front end ........... 0.67 / 45 of 48
// so the default upsamples (SphinxConfig::decode_rate = 16000): a narrow filter bank moves every
// mel band away from what the model was trained on, while upsampling only leaves the top bands
// empty. Dither is on because synthesized audio and digital silence contain runs of exact zeros.
// It is added here, from a fixed seed per utterance, so a recognition is a function of its audio.
//
// Confidence: the mean lattice posterior of the hypothesis' words (fillers excluded), from
// ps_seg_prob after ps_get_prob has run the forward-backward pass over the lattice (-bestpath
// yes), converted from the log domain to 0..1. With the open language model it separates right
// from wrong well (measured: about 0.4-0.95 for correct phrases, 0.05-0.3 for garbage). With a
// small grammar the lattice has few competitors, so a grammar answer is usually near 1 even
// when the callee said something else (measured: 17 of 24 out-of-grammar sentences were forced
// onto an answer). SphinxConfig::reject_out_of_grammar adds a garbage-word guard for callers
// that need rejection (measured: 0 of 24 forced, but exact answers fall from 45 to 31 of 48,
// so it is off by default).

#include <pocketsphinx.h>
#include <sphinxbase/ckd_alloc.h>
#include <sphinxbase/cmn.h>
#include <sphinxbase/err.h>
#include <sphinxbase/fe.h>
#include <sphinxbase/feat.h>
#include <sphinxbase/fsg_model.h>
#include <sphinxbase/jsgf.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <fstream>
#include <future>
#include <list>
#include <map>
#include <mutex>
#include <regex>
#include <span>
#include <thread>

#include "audio/audio.hpp"
#include "audio/resampler.hpp"
#include "voice/engines/stt.hpp"

namespace parley::voice {
namespace {

constexpr std::string_view kEngine = "pocketsphinx";
// Compiled grammars kept per decoder; a dialogue has a few questions, each with its grammar.
constexpr size_t kMaxCachedGrammars = 32;
constexpr const char* kLanguageModelSearch = "lm";

// sphinxbase keeps its log stream per thread (stderr until set), so every thread is silenced
// before its first call into the library. No log file is opened: `-logfn` opened one per thread
// that created a decoder, and each was left open when its thread ended.
void SilenceSphinxLogging() {
    thread_local bool silenced = false;
    if (!silenced) {
        err_set_logfp(nullptr);
        silenced = true;
    }
}

// Decoder arguments in order, each name once (pocketsphinx rejects or mis-reads duplicates).
class Arguments {
public:
    void Set(const std::string& name, const std::string& value) {
        for (auto& [n, v] : pairs_) {
            if (n == name) {
                v = value;
                return;
            }
        }
        pairs_.emplace_back(name, value);
    }

    // Pointers into this object, valid while it lives unchanged. argv[0] is the program name,
    // which cmd_ln_parse_r skips.
    std::vector<char*> Argv() {
        std::vector<char*> argv = {program_.data()};
        for (auto& [n, v] : pairs_) {
            argv.push_back(n.data());
            argv.push_back(v.data());
        }
        return argv;
    }

private:
    std::string program_ = "parley";
    std::vector<std::pair<std::string, std::string>> pairs_;
};

// "-name value" pairs, one per line, as acoustic models ship them.
Result<std::vector<std::pair<std::string, std::string>>> ReadFeatParams(const std::string& path) {
    std::ifstream in(path);
    if (!in) return Fail(ErrorCode::kUnavailable, "pocketsphinx: cannot read " + path);
    std::vector<std::pair<std::string, std::string>> out;
    for (std::string name, value; in >> name >> value;) {
        if (!name.starts_with('-')) return Fail(ErrorCode::kUnavailable, "pocketsphinx: malformed " + path);
        out.emplace_back(std::move(name), std::move(value));
    }
    return out;
}

bool IsDecoderArgument(std::string_view name) {
    for (const arg_t* arg = ps_args(); arg->name != nullptr; ++arg) {
        if (name == arg->name) return true;
    }
    return false;
}

// Short, frequent English words (all in cmudict) that together cover most phones. A path
// through them competes with the grammar: speech the grammar does not describe comes out as
// garbage words instead of being forced onto the nearest answer.
constexpr std::string_view kGarbageWords =
    "a | the | of | to | and | in | is | it | that | he | was | for | on | are | with | they | at | be | "
    "this | from | or | had | by | but | what | all | were | when | your | can | said | there | use | "
    "an | each | which | she | do | how | if | will | up | out | many | then | them | so | some | her | "
    "would | make | like | him | into | time | has | look | more | go | see | way | could | people | "
    "than | been | who | its | now | find | long | down | day | did | get | come | made | may | part | "
    "oh | well | uh | um | hmm | okay | right | sure | just | know | think | really | good | thing";

// The grammar with its public rules made private and a new public rule that accepts either the
// first of them or a sequence of garbage words; nullopt when no public rule is found.
std::optional<std::string> GuardWithGarbage(const std::string& jsgf) {
    static const std::regex public_rule(R"(\bpublic\s+<([^>\s]+)>)");
    std::smatch first;
    if (!std::regex_search(jsgf, first, public_rule)) return std::nullopt;
    const std::string top = first[1].str();
    std::string out = std::regex_replace(jsgf, public_rule, "<$1>");
    out += "\n<parley_garbage> = (" + std::string(kGarbageWords) + ")+;\n";
    out += "public <parley_guarded> = <" + top + "> | <parley_garbage>;\n";
    return out;
}

// True when `words` occurs in `text` as a run of whole words.
bool ContainsWords(const std::string& text, const std::string& words) {
    return (" " + text + " ").find(" " + words + " ") != std::string::npos;
}

struct Hypothesis {
    std::string text;
    double word_posterior = 0;  // mean lattice posterior of the words (fillers excluded)
    long acoustic_score = 0;    // of the whole path, fillers and silence included (log domain)
    int frames = 0;
};

// One decoder with its compiled grammars. Used by one thread at a time.
class Decoder {
public:
    static Result<std::unique_ptr<Decoder>> Create(const SphinxConfig& config) {
        SilenceSphinxLogging();
        const std::string& dir = config.model_dir;
        Arguments args;
        args.Set("-hmm", dir + "/en-us");
        args.Set("-dict", dir + "/cmudict-en-us.dict");
        // Dither is added by Recognize (AddDither): sphinxbase's own draws from one random
        // generator shared by every decoder of the process, so the same audio would not always
        // give the same words when two calls are recognized at once.
        args.Set("-dither", "no");
        if (config.decode_rate == audio::kSampleRate) {
            // ps_init lets the model's feat.params override the command line, and its -upperf
            // (6800 Hz) is impossible at 8 kHz. So pass feat.params' settings ourselves and point
            // -featparams at an empty file.
            auto feat = ReadFeatParams(dir + "/en-us/feat.params");
            if (!feat) return Fail(std::move(feat.error()));
            for (const auto& [name, value] : *feat) {
                if (IsDecoderArgument(name)) args.Set(name, value);  // e.g. "-model" is for training tools
            }
            args.Set("-featparams", "/dev/null");
            // Telephone audio has nothing above ~3.4 kHz: a 256-point FFT suits 8 kHz, and the
            // filter bank stops below the Nyquist frequency.
            args.Set("-samprate", "8000");
            args.Set("-nfft", "256");
            args.Set("-upperf", "3500");
        }
        for (size_t i = 0; i + 1 < config.extra_args.size(); i += 2) {
            args.Set(config.extra_args[i], config.extra_args[i + 1]);
        }
        std::vector<char*> argv = args.Argv();

        cmd_ln_t* cmdln = cmd_ln_parse_r(nullptr, ps_args(), static_cast<int32>(argv.size()), argv.data(), TRUE);
        if (cmdln == nullptr) return Fail(ErrorCode::kInternal, "pocketsphinx: invalid decoder arguments");
        ps_decoder_t* ps = ps_init(cmdln);
        cmd_ln_free_r(cmdln);
        if (ps == nullptr) {
            return Fail(ErrorCode::kUnavailable, "pocketsphinx: cannot load the model in " + dir);
        }
        // The language model is added as a named search rather than with -lm, whose search name
        // is internal (and ps_get_search leaks an iterator in this version).
        if (ps_set_lm_file(ps, kLanguageModelSearch, (dir + "/en-us.lm.bin").c_str()) != 0) {
            ps_free(ps);
            return Fail(ErrorCode::kUnavailable, "pocketsphinx: cannot load the language model in " + dir);
        }
        return std::unique_ptr<Decoder>(new Decoder(ps));
    }

    Decoder(const Decoder&) = delete;
    Decoder& operator=(const Decoder&) = delete;
    ~Decoder() {
        SilenceSphinxLogging();
        ps_free(ps_);
    }

    // The compiled searches of a grammar; `plain` is empty when pocketsphinx rejects the grammar
    // (syntax, a word missing from the dictionary), `guarded` when the garbage-guarded variant
    // does not compile. Both outcomes are cached.
    struct GrammarSearches {
        std::optional<std::string> plain;
        std::optional<std::string> guarded;
    };

    GrammarSearches CompileGrammar(const std::string& jsgf, bool guard) {
        SilenceSphinxLogging();
        if (auto it = grammars_.find(jsgf); it != grammars_.end()) {
            lru_.splice(lru_.begin(), lru_, it->second.lru);
            return it->second.searches;
        }
        if (grammars_.size() >= kMaxCachedGrammars) Evict();
        GrammarSearches searches;
        // pocketsphinx's JSGF scanner echoes text it cannot read to stdout; do not hand it text
        // that is plainly not a grammar.
        const bool looks_like_jsgf =
            jsgf.find("#JSGF") != std::string::npos && jsgf.find("public") != std::string::npos;
        const std::string id = std::to_string(next_grammar_++);
        if (looks_like_jsgf && AddGrammarSearch("g" + id, jsgf)) {
            searches.plain = "g" + id;
            if (const auto guarded = guard ? GuardWithGarbage(jsgf) : std::nullopt;
                guarded && AddGrammarSearch("h" + id, *guarded)) {
                searches.guarded = "h" + id;
            }
        }
        lru_.push_front(jsgf);
        grammars_.emplace(jsgf, CachedGrammar{searches, lru_.begin()});
        return searches;
    }

    const std::string& LanguageModelSearch() const { return lm_search_; }

    // Starts an utterance on `search`. With an empty `channel` the utterance is normalized by its
    // own cepstral mean once it is whole (Feed with whole = true); otherwise each frame is
    // normalized by `channel` as it arrives, so the search can run while the callee speaks.
    Result<void> Start(const std::string& search, std::span<const float> channel) {
        SilenceSphinxLogging();
        EndOpenUtterance();
        if (ps_set_search(ps_, search.c_str()) != 0) {
            return Fail(ErrorCode::kInternal, "pocketsphinx: cannot select search " + search);
        }
        // A new stream for every utterance: the front end's noise estimate would otherwise carry
        // over from whatever this pooled decoder heard last (another call, perhaps), and the same
        // audio would not always give the same words.
        if (ps_start_stream(ps_) != 0) return Fail(ErrorCode::kInternal, "pocketsphinx: cannot start a stream");
        feat_t* feat = ps_get_feat(ps_);
        if (channel.size() == static_cast<size_t>(feat_cepsize(feat))) {
            // Within an utterance shorter than CMN_WIN_HWM frames (8 s) the live mean stays what
            // it is set to here.
            const std::vector<mfcc_t> mean(channel.begin(), channel.end());
            feat->cmn = CMN_LIVE;
            cmn_live_set(feat->cmn_struct, mean.data());
        } else {
            // Also undoes a stream's live normalization: pocketsphinx keeps it once set.
            feat->cmn = CMN_BATCH;
        }
        if (ps_start_utt(ps_) != 0) return Fail(ErrorCode::kInternal, "pocketsphinx: cannot start an utterance");
        open_ = true;
        return {};
    }

    Result<void> Feed(std::span<const int16_t> audio, bool whole) {
        SilenceSphinxLogging();
        if (ps_process_raw(ps_, audio.data(), audio.size(), FALSE, whole ? TRUE : FALSE) < 0) {
            return Fail(ErrorCode::kInternal, "pocketsphinx: decoding failed");
        }
        return {};
    }

    Result<Hypothesis> End() {
        SilenceSphinxLogging();
        open_ = false;
        if (ps_end_utt(ps_) != 0) return Fail(ErrorCode::kInternal, "pocketsphinx: decoding failed");
        Hypothesis out;
        out.frames = ps_get_n_frames(ps_);
        int32 score = 0;
        const char* hyp = ps_get_hyp(ps_, &score);
        if (hyp != nullptr) out.text = NormalizeTranscript(hyp);
        ps_get_prob(ps_);  // runs the lattice posterior computation the segments report
        logmath_t* lmath = ps_get_logmath(ps_);
        double posterior_sum = 0;
        int words = 0;
        for (ps_seg_t* seg = ps_seg_iter(ps_); seg != nullptr; seg = ps_seg_next(seg)) {
            int32 ascr = 0;
            int32 lscr = 0;
            int32 lback = 0;
            const int32 log_posterior = ps_seg_prob(seg, &ascr, &lscr, &lback);
            out.acoustic_score += ascr;
            const char* word = ps_seg_word(seg);
            if (word == nullptr || word[0] == '<' || word[0] == '[') continue;  // silence and fillers
            posterior_sum += std::clamp(logmath_exp(lmath, log_posterior), 0.0, 1.0);
            ++words;
        }
        out.word_posterior = words > 0 ? posterior_sum / words : 0;
        return out;
    }

    // The whole utterance at once, normalized by its own cepstral mean.
    Result<Hypothesis> Decode(std::span<const int16_t> audio, const std::string& search) {
        if (auto started = Start(search, {}); !started) return Fail(std::move(started.error()));
        if (auto fed = Feed(audio, true); !fed) {
            (void)End();
            return Fail(std::move(fed.error()));
        }
        return End();
    }

    cmd_ln_t* Config() const { return ps_get_config(ps_); }

private:
    struct CachedGrammar {
        GrammarSearches searches;
        std::list<std::string>::iterator lru;
    };

    explicit Decoder(ps_decoder_t* ps) : ps_(ps) {}

    // A stream given up before its end (the callee went on speaking, the call ended) leaves its
    // utterance open; its next user closes it, on an engine worker.
    void EndOpenUtterance() {
        if (open_) ps_end_utt(ps_);
        open_ = false;
    }

    // What ps_set_jsgf_string does, without its leak: pocketsphinx 5prealpha never frees the
    // parsed grammar there (found by LeakSanitizer: ~6 KB per compiled grammar).
    bool AddGrammarSearch(const std::string& name, const std::string& text) {
        jsgf_t* grammar = jsgf_parse_string(text.c_str(), nullptr);
        if (grammar == nullptr) return false;
        bool added = false;
        if (jsgf_rule_t* rule = jsgf_get_public_rule(grammar); rule != nullptr) {
            const auto language_weight = cmd_ln_float32_r(ps_get_config(ps_), "-lw");
            if (fsg_model_t* fsg = jsgf_build_fsg(grammar, rule, ps_get_logmath(ps_), language_weight)) {
                added = ps_set_fsg(ps_, name.c_str(), fsg) == 0;
                fsg_model_free(fsg);  // the search keeps its own reference
            }
        }
        jsgf_grammar_free(grammar);
        return added;
    }

    void Evict() {
        const std::string oldest = lru_.back();
        lru_.pop_back();
        auto it = grammars_.find(oldest);
        for (const auto& search : {it->second.searches.plain, it->second.searches.guarded}) {
            if (search) ps_unset_search(ps_, search->c_str());
        }
        grammars_.erase(it);
    }

    ps_decoder_t* ps_;
    bool open_ = false;  // an utterance is started and not ended
    const std::string lm_search_ = kLanguageModelSearch;
    std::map<std::string, CachedGrammar, std::less<>> grammars_;
    std::list<std::string> lru_;  // grammar texts, most recently used first
    long next_grammar_ = 0;
};

// Synthesized audio and digital silence hold runs of exact zeros, whose log spectrum derails the
// front end's noise removal and normalization. A quarter of the samples get one bit more, as
// sphinxbase's own dither does, but from a fixed seed (measured on the 48 answers: open-LM word
// accuracy 0.655 against 0.667 with sphinxbase's dither, grammar 45 of 48 with both).
class Ditherer {
public:
    void Apply(std::span<int16_t> pcm) {
        for (auto& sample : pcm) {
            state_ = state_ * 1664525u + 1013904223u;
            if ((state_ >> 30) == 0 && sample < INT16_MAX) ++sample;
        }
    }

private:
    uint32_t state_ = 0x2545F491u;
};

void AddDither(audio::Pcm& pcm) {
    Ditherer().Apply(pcm);
}

// The mean cepstrum of an utterance as the decoder's front end computes it: what batch
// normalization subtracts. It describes the caller's voice and line, so it normalizes the
// caller's next utterance while it is spoken (SttStream).
class ChannelMeter {
public:
    explicit ChannelMeter(cmd_ln_t* config) : fe_(fe_init_auto_r(config)) {
        if (fe_ == nullptr) return;
        size_ = fe_get_output_size(fe_);
        sum_.assign(static_cast<size_t>(size_), 0.0);
        cep_ = static_cast<mfcc_t**>(ckd_calloc_2d(kChunkFrames + 1, static_cast<size_t>(size_), sizeof(mfcc_t)));
        fe_start_utt(fe_);
    }
    ~ChannelMeter() {
        if (cep_ != nullptr) ckd_free_2d(cep_);
        if (fe_ != nullptr) fe_free(fe_);
    }
    ChannelMeter(const ChannelMeter&) = delete;
    ChannelMeter& operator=(const ChannelMeter&) = delete;

    void Add(std::span<const int16_t> audio) {
        if (fe_ == nullptr) return;
        const int16* data = audio.data();
        size_t left = audio.size();
        while (left > 0) {
            int32 frames = kChunkFrames;
            if (fe_process_frames(fe_, &data, &left, cep_, &frames, nullptr) < 0) return;
            Accumulate(frames);
            if (frames == 0) break;
        }
    }

    std::vector<float> Finish() {
        if (fe_ == nullptr) return {};
        int32 frames = 0;
        fe_end_utt(fe_, cep_[0], &frames);
        Accumulate(frames);
        if (frames_ == 0) return {};
        std::vector<float> mean(sum_.size());
        for (size_t i = 0; i < sum_.size(); ++i) mean[i] = static_cast<float>(sum_[i] / static_cast<double>(frames_));
        return mean;
    }

private:
    static constexpr int32 kChunkFrames = 32;

    void Accumulate(int32 frames) {
        for (int32 f = 0; f < frames; ++f) {
            if (cep_[f][0] < 0) continue;  // no energy: batch normalization leaves it out too
            for (size_t i = 0; i < sum_.size(); ++i) sum_[i] += cep_[f][i];
            ++frames_;
        }
    }

    fe_t* fe_ = nullptr;
    int size_ = 0;
    mfcc_t** cep_ = nullptr;
    std::vector<double> sum_;
    long frames_ = 0;
};

// The grammar's answer from its decode and, when the garbage guard ran, the guarded decode;
// nullopt when the open language model should decide instead.
std::optional<Recognition> GrammarAnswer(Hypothesis plain, const std::optional<Hypothesis>& guarded,
                                         double min_confidence) {
    if (plain.text.empty()) return std::nullopt;
    double confidence = plain.word_posterior;
    if (guarded) {
        // Garbage words beat the grammar: the callee said something else. Garbage around the
        // answer ("uh yes", a breath read as "a") still counts as the answer.
        if (!ContainsWords(guarded->text, plain.text)) return std::nullopt;
        confidence = guarded->word_posterior;
    }
    if (confidence < min_confidence) return std::nullopt;
    return Recognition{std::move(plain.text), confidence, true, {}};
}

class SphinxStt final : public SttEngine {
public:
    explicit SphinxStt(SphinxConfig config) : config_(std::move(config)) {
        config_.pool_size = std::max(1, config_.pool_size) + std::max(0, config_.stream_decoders);
    }

    ~SphinxStt() override {
        if (preparer_.joinable()) preparer_.join();
        std::unique_lock lock(mutex_);
        idle_changed_.wait(lock, [&] { return aside_ == 0; });
    }

    std::string_view Name() const override { return kEngine; }

    // Creates the whole pool on one background thread (about 1.5 s and 95 MB per decoder), so
    // no callee waits for a decoder to load.
    void Prepare() override {
        std::lock_guard lock(mutex_);
        if (prepared_) return;
        prepared_ = true;
        preparer_ = std::thread([this] {
            while (true) {
                {
                    std::lock_guard inner(mutex_);
                    if (created_ >= config_.pool_size) return;
                    ++created_;  // reserve the slot, as Acquire does
                }
                auto decoder = Decoder::Create(config_);
                if (!decoder) {
                    std::lock_guard inner(mutex_);
                    --created_;
                    idle_changed_.notify_one();
                    return;  // the next Acquire reports why
                }
                Release(std::move(*decoder));
            }
        });
    }

    Result<Recognition> Recognize(std::span<const int16_t> pcm_8k, const RecognizeOptions& options) override {
        audio::Pcm prepared = config_.decode_rate != audio::kSampleRate
                                  ? audio::Resample(pcm_8k, audio::kSampleRate, config_.decode_rate)
                                  : audio::Pcm(pcm_8k.begin(), pcm_8k.end());
        AddDither(prepared);
        const std::span<const int16_t> audio = prepared;
        auto lease = Acquire();
        if (!lease) return Fail(std::move(lease.error()));
        Decoder& decoder = *lease->decoder;

        // The caller's voice, for streaming their next utterance; not measured when nothing streams.
        auto channel = [&] {
            if (config_.stream_decoders <= 0) return std::vector<float>();
            ChannelMeter meter(decoder.Config());
            meter.Add(audio);
            return meter.Finish();
        };
        std::optional<std::shared_future<Result<Hypothesis>>> open;
        if (options.jsgf) {
            // The open model is needed when the grammar declines: a spare decoder starts on it at
            // once, so a whole utterance (a caller's first) takes two decodes' time, not three.
            open = DecodeOpenAside(audio);
            auto from_grammar = RecognizeWithGrammar(decoder, audio, *options.jsgf);
            if (!from_grammar) return Fail(std::move(from_grammar.error()));
            if (*from_grammar) {
                (*from_grammar)->channel = channel();
                return std::move(**from_grammar);
            }
        }
        auto hyp = open ? open->get() : decoder.Decode(audio, decoder.LanguageModelSearch());
        if (!hyp) return Fail(std::move(hyp.error()));
        return Recognition{std::move(hyp->text), hyp->word_posterior, false, channel()};
    }

    std::unique_ptr<SttStream> OpenStream(const RecognizeOptions& options, std::span<const float> channel) override;

    const SphinxConfig& config() const { return config_; }

private:
    // The grammar's answer, or nullopt when the open language model should decide instead.
    Result<std::optional<Recognition>> RecognizeWithGrammar(Decoder& decoder, std::span<const int16_t> audio,
                                                            const std::string& jsgf) {
        const auto searches = decoder.CompileGrammar(jsgf, config_.reject_out_of_grammar);
        if (!searches.plain) return std::nullopt;
        auto plain = decoder.Decode(audio, *searches.plain);
        if (!plain) return Fail(std::move(plain.error()));
        if (plain->text.empty()) return std::nullopt;
        std::optional<Hypothesis> guarded;
        if (searches.guarded) {
            auto decoded = decoder.Decode(audio, *searches.guarded);
            if (!decoded) return Fail(std::move(decoded.error()));
            guarded = std::move(*decoded);
        }
        return GrammarAnswer(std::move(*plain), guarded, config_.min_grammar_confidence);
    }

public:
    // A decoder borrowed from the pool; returns it on destruction.
    struct Lease {
        SphinxStt* owner;
        std::unique_ptr<Decoder> decoder;
        bool for_stream = false;
        Lease(SphinxStt* o, std::unique_ptr<Decoder> d, bool stream = false)
            : owner(o), decoder(std::move(d)), for_stream(stream) {}
        Lease(Lease&& other) noexcept = default;
        Lease& operator=(Lease&&) = delete;
        ~Lease() {
            if (decoder) owner->Release(std::move(decoder), for_stream);
        }
    };

    // `count` idle decoders for a stream, or none: a stream never waits for a decoder (its
    // utterance is then recognized whole, as without streaming) and never takes more than
    // SphinxConfig::stream_decoders, so recognitions of whole utterances always have theirs.
    std::vector<Lease> AcquireForStream(int count) {
        std::vector<Lease> out;
        std::lock_guard lock(mutex_);
        if (stream_held_ + count > config_.stream_decoders || static_cast<int>(idle_.size()) < count) return out;
        for (int i = 0; i < count; ++i) {
            out.emplace_back(this, std::move(idle_.back()), true);
            idle_.pop_back();
        }
        stream_held_ += count;
        return out;
    }

private:
    // Decodes `audio` with the open model on an idle decoder, on a thread of its own, when no
    // other recognition or stream is decoding: a core is then free, while on a busy node the
    // decode would be wasted work whenever the grammar accepts. nullopt otherwise. The decoder
    // goes back to the pool when its decode ends, whether or not the result is wanted.
    std::optional<std::shared_future<Result<Hypothesis>>> DecodeOpenAside(std::span<const int16_t> audio) {
        std::unique_ptr<Decoder> spare;
        {
            std::lock_guard lock(mutex_);
            if (idle_.empty() || static_cast<int>(idle_.size()) != created_ - 1) return std::nullopt;
            spare = std::move(idle_.back());
            idle_.pop_back();
            ++aside_;
        }
        auto result = std::make_shared<std::promise<Result<Hypothesis>>>();
        auto future = result->get_future().share();
        std::thread([this, decoder = std::move(spare), copy = audio::Pcm(audio.begin(), audio.end()),
                     result]() mutable {
            result->set_value(decoder->Decode(copy, decoder->LanguageModelSearch()));
            std::lock_guard lock(mutex_);
            idle_.push_back(std::move(decoder));
            --aside_;
            idle_changed_.notify_all();
        }).detach();
        return future;
    }

    Result<Lease> Acquire() {
        {
            std::unique_lock lock(mutex_);
            idle_changed_.wait(lock, [&] { return !idle_.empty() || created_ < config_.pool_size; });
            if (!idle_.empty()) {
                auto decoder = std::move(idle_.back());
                idle_.pop_back();
                return Lease(this, std::move(decoder));
            }
            ++created_;  // reserve the slot; create outside the lock, it takes a while
        }
        auto decoder = Decoder::Create(config_);
        if (!decoder) {
            std::lock_guard lock(mutex_);
            --created_;
            idle_changed_.notify_one();
            return Fail(std::move(decoder.error()));
        }
        return Lease(this, std::move(*decoder));
    }

    void Release(std::unique_ptr<Decoder> decoder, bool from_stream = false) {
        std::lock_guard lock(mutex_);
        if (from_stream) --stream_held_;
        idle_.push_back(std::move(decoder));
        idle_changed_.notify_one();
    }

    SphinxConfig config_;
    std::mutex mutex_;
    std::condition_variable idle_changed_;
    std::vector<std::unique_ptr<Decoder>> idle_;
    int created_ = 0;
    int stream_held_ = 0;  // decoders streams hold
    int aside_ = 0;        // open-model decodes running on a spare decoder (DecodeOpenAside)
    bool prepared_ = false;
    std::thread preparer_;
};

// One utterance decoded as it arrives, on up to three decoders of the pool: the step's grammar,
// the grammar guarded by garbage words, and the open language model, each normalized by the
// caller's cepstral mean from the last utterance. The decisions are Recognize's.
//
// The grammar's two searches and the open model's search are two lanes, each with its own queue
// of audio and its own lock. The grammar's answer, taken as soon as the callee pauses, does not
// wait for the open model to catch up (its search is the slower one), and two workers decoding
// the same stream at once each take a lane.
class SphinxStream final : public SttStream {
public:
    SphinxStream(SphinxStt& owner, RecognizeOptions options, std::vector<float> channel)
        : owner_(owner),
          options_(std::move(options)),
          channel_(std::move(channel)),
          resampler_(audio::kSampleRate, owner.config().decode_rate) {}

    bool Push(std::span<const int16_t> pcm_8k) override {
        std::lock_guard lock(pending_mutex_);
        pending_.insert(pending_.end(), pcm_8k.begin(), pcm_8k.end());
        if (due_) return false;
        due_ = true;
        return true;
    }

    // Decodes what was pushed, in each lane no other worker is decoding now.
    void Decode() override {
        Prepare(false);
        for (Lane* lane : {&grammar_, &open_}) {
            std::unique_lock lock(lane->decoding, std::try_to_lock);
            if (lock.owns_lock()) Drain(*lane);
        }
    }

    Result<std::optional<Recognition>> FinishGrammar() override {
        Prepare(false);
        std::lock_guard lock(grammar_.decoding);
        Drain(grammar_);
        return EndGrammar();
    }

    Result<Recognition> Finish() override {
        Prepare(true);
        {
            std::lock_guard lock(grammar_.decoding);
            Drain(grammar_);
            auto from_grammar = EndGrammar();
            if (!from_grammar) return Fail(std::move(from_grammar.error()));
            if (*from_grammar) {
                (*from_grammar)->channel = measured_channel_;
                return std::move(**from_grammar);
            }
        }
        std::lock_guard lock(open_.decoding);
        Drain(open_);
        if (failed_) return Unavailable();
        Decoder* open = open_.searches[0].decoder;
        if (open == nullptr) return Fail(ErrorCode::kInternal, "pocketsphinx: the stream was finished twice");
        auto hyp = open->End();
        open_.searches[0].decoder = nullptr;
        {
            std::lock_guard queue_lock(queue_mutex_);
            open_.ended = true;
            open_.queue.clear();
        }
        if (!hyp) return Fail(std::move(hyp.error()));
        return Recognition{std::move(hyp->text), hyp->word_posterior, false, measured_channel_};
    }

private:
    struct Search {
        Decoder* decoder = nullptr;  // null: not running
        std::string name;
    };
    // Searches fed the same audio, one worker at a time.
    struct Lane {
        std::mutex decoding;             // held while its searches decode
        std::array<Search, 2> searches;  // guarded by `decoding`
        std::deque<audio::Pcm> queue;    // whole 10 ms frames not decoded yet; guarded by queue_mutex_
        bool ended = false;              // no more audio is queued; guarded by queue_mutex_
    };

    static std::unexpected<Error> Unavailable() {
        return Fail(ErrorCode::kUnavailable, "pocketsphinx: no decoder was free to stream");
    }

    // Takes the decoders and starts every search; on failure the stream stays unusable.
    void StartSearches() {
        started_ = true;
        failed_ = true;
        const bool guard = owner_.config().reject_out_of_grammar;
        leases_ = owner_.AcquireForStream(options_.jsgf ? (guard ? 3 : 2) : 1);
        if (leases_.empty()) return;
        Decoder& first = *leases_.front().decoder;
        if (options_.jsgf) {
            const auto searches = first.CompileGrammar(*options_.jsgf, guard);
            if (searches.plain) {
                grammar_.searches[0] = {&first, *searches.plain};
                if (guard && searches.guarded) {
                    Decoder& second = *leases_[1].decoder;
                    if (const auto again = second.CompileGrammar(*options_.jsgf, guard); again.guarded) {
                        grammar_.searches[1] = {&second, *again.guarded};
                    }
                }
            }
        }
        open_.searches[0] = {leases_.back().decoder.get(), leases_.back().decoder->LanguageModelSearch()};
        for (Lane* lane : {&grammar_, &open_}) {
            for (Search& search : lane->searches) {
                if (search.decoder != nullptr && !search.decoder->Start(search.name, channel_)) return;
            }
        }
        meter_ = std::make_unique<ChannelMeter>(first.Config());
        failed_ = false;
    }

    // Resamples what was pushed and queues it for both lanes in whole 10 ms frames (all of it
    // when `last`): the front end's silence detection then sees the audio as it sees it whole.
    void Prepare(bool last) {
        std::lock_guard lock(prepare_mutex_);
        audio::Pcm audio;
        {
            std::lock_guard pending_lock(pending_mutex_);
            audio.swap(pending_);
            due_ = false;
        }
        if (!started_) StartSearches();
        if (failed_) return;
        audio::Pcm prepared = resampler_.Process(audio);
        if (last) {
            audio::Pcm tail = resampler_.Finish();
            prepared.insert(prepared.end(), tail.begin(), tail.end());
        }
        ditherer_.Apply(prepared);
        meter_->Add(prepared);
        unfed_.insert(unfed_.end(), prepared.begin(), prepared.end());
        const size_t frame = static_cast<size_t>(owner_.config().decode_rate) / 100;
        const size_t n = last ? unfed_.size() : unfed_.size() / frame * frame;
        if (last) measured_channel_ = meter_->Finish();
        if (n == 0) return;
        audio::Pcm chunk(unfed_.begin(), unfed_.begin() + static_cast<long>(n));
        unfed_.erase(unfed_.begin(), unfed_.begin() + static_cast<long>(n));
        std::lock_guard queue_lock(queue_mutex_);
        if (!grammar_.ended) grammar_.queue.push_back(chunk);
        if (!open_.ended) open_.queue.push_back(std::move(chunk));
    }

    // Decodes the lane's queued audio; the caller holds lane.decoding.
    void Drain(Lane& lane) {
        while (true) {
            audio::Pcm chunk;
            {
                std::lock_guard lock(queue_mutex_);
                if (lane.queue.empty()) return;
                chunk = std::move(lane.queue.front());
                lane.queue.pop_front();
            }
            for (Search& search : lane.searches) {
                if (search.decoder != nullptr && !search.decoder->Feed(chunk, false)) failed_ = true;
            }
        }
    }

    // Ends the grammar's searches (once) and keeps their verdict; the caller holds
    // grammar_.decoding.
    Result<std::optional<Recognition>> EndGrammar() {
        if (failed_) return Unavailable();
        {
            std::lock_guard lock(queue_mutex_);
            grammar_.ended = true;
            grammar_.queue.clear();
        }
        auto& [plain_search, guarded_search] = grammar_.searches;
        if (plain_search.decoder == nullptr) return grammar_answer_;
        auto plain = plain_search.decoder->End();
        plain_search.decoder = nullptr;
        std::optional<Hypothesis> guarded;
        if (guarded_search.decoder != nullptr) {
            auto decoded = guarded_search.decoder->End();
            guarded_search.decoder = nullptr;
            if (!decoded) return Fail(std::move(decoded.error()));
            guarded = std::move(*decoded);
        }
        if (!plain) return Fail(std::move(plain.error()));
        grammar_answer_ = GrammarAnswer(std::move(*plain), guarded, owner_.config().min_grammar_confidence);
        return grammar_answer_;
    }

    SphinxStt& owner_;
    const RecognizeOptions options_;
    const std::vector<float> channel_;

    std::mutex pending_mutex_;
    audio::Pcm pending_;  // guarded by pending_mutex_
    bool due_ = false;    // a Decode is due; guarded by pending_mutex_

    std::mutex prepare_mutex_;  // guards what Prepare uses, and the leases and meter it sets up
    bool started_ = false;
    std::atomic<bool> failed_ = false;
    std::vector<SphinxStt::Lease> leases_;
    audio::StreamResampler resampler_;
    Ditherer ditherer_;
    audio::Pcm unfed_;  // resampled audio short of a whole frame
    std::unique_ptr<ChannelMeter> meter_;
    std::vector<float> measured_channel_;  // set by the last Prepare

    std::mutex queue_mutex_;
    Lane grammar_;                               // the step's grammar and the guarded grammar
    Lane open_;                                  // the open language model, in searches[0]
    std::optional<Recognition> grammar_answer_;  // guarded by grammar_.decoding
};

// A caller's first utterance. No mean of their voice is known yet, and the open model needs the
// utterance's own (a fixed mean, or the mean of its first second, cost accuracy: see
// docs/benchmarks.md), so nothing is decoded while it is spoken. At the pause (FinishGrammar) the
// utterance as it stands is recognized whole, as Recognize does at the endpoint: a grammar answer
// is taken at once, and the open model's words are Finish's unless the callee resumes (Resumed):
// they are ready as much sooner as the endpoint waits beyond the pause (120 ms in a call). After
// a resumption Finish leaves the utterance to Recognize (kUnavailable).
class SphinxFirstStream final : public SttStream {
public:
    SphinxFirstStream(SphinxStt& owner, RecognizeOptions options) : owner_(owner), options_(std::move(options)) {}

    bool Push(std::span<const int16_t> pcm_8k) override {
        std::lock_guard lock(heard_mutex_);
        heard_.insert(heard_.end(), pcm_8k.begin(), pcm_8k.end());
        return false;  // nothing to decode while it is spoken
    }

    void Decode() override {}

    Result<std::optional<Recognition>> FinishGrammar() override {
        std::lock_guard lock(decision_mutex_);
        // Once: after a resumption the whole utterance is recognized at its end instead.
        if (decided_ || resumed_) return answer_;
        decided_ = true;
        audio::Pcm so_far;
        {
            std::lock_guard heard_lock(heard_mutex_);
            so_far = heard_;
        }
        auto whole = owner_.Recognize(so_far, options_);
        if (!whole) return Fail(std::move(whole.error()));
        if (whole->used_grammar) {
            answer_ = std::move(*whole);
            return answer_;
        }
        words_at_pause_ = std::move(*whole);
        return std::nullopt;
    }

    void Resumed() override { resumed_ = true; }

    Result<Recognition> Finish() override {
        std::lock_guard lock(decision_mutex_);
        if (answer_) return *answer_;
        if (words_at_pause_ && !resumed_) return *words_at_pause_;
        return Fail(ErrorCode::kUnavailable,
                    "pocketsphinx: a first utterance not decided at a pause is recognized whole");
    }

private:
    SphinxStt& owner_;
    const RecognizeOptions options_;
    std::mutex heard_mutex_;
    audio::Pcm heard_;  // everything pushed; guarded by heard_mutex_
    std::atomic<bool> resumed_ = false;
    std::mutex decision_mutex_;                  // held while FinishGrammar recognizes
    bool decided_ = false;                       // guarded by decision_mutex_, as are the two below
    std::optional<Recognition> answer_;          // the grammar's, taken at the pause
    std::optional<Recognition> words_at_pause_;  // the open model's at the pause
};

std::unique_ptr<SttStream> SphinxStt::OpenStream(const RecognizeOptions& options, std::span<const float> channel) {
    if (config_.stream_decoders <= 0) return nullptr;
    if (channel.empty()) return options.jsgf ? std::make_unique<SphinxFirstStream>(*this, options) : nullptr;
    return std::make_unique<SphinxStream>(*this, options, std::vector<float>(channel.begin(), channel.end()));
}

}  // namespace

std::unique_ptr<SttEngine> MakeSphinxStt(SphinxConfig config) {
    return std::make_unique<SphinxStt>(std::move(config));
}

}  // namespace parley::voice
