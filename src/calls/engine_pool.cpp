#include "calls/engine_pool.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>

#include "common/log_throttle.hpp"
#include "voice/sentences.hpp"
#include "voice/understanding/grammar.hpp"

namespace parley::calls {
namespace {

double MsSince(std::chrono::steady_clock::time_point start) {
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return std::round(ms * 10) / 10;
}

}  // namespace

EnginePool::EnginePool(voice::SpeechEngines& engines, std::function<void()> on_done)
    : engines_(engines), on_done_(std::move(on_done)) {}

EnginePool::~EnginePool() {
    Stop();
}

void EnginePool::Start(int speech_threads, int model_threads) {
    {
        std::lock_guard lock(mutex_);
        running_ = true;
    }
    for (int i = 0; i < std::max(1, speech_threads); ++i) {
        speech_workers_.emplace_back([this] {
            Serve(speech_jobs_, speech_cv_, [this](std::shared_ptr<Session> session, std::shared_ptr<Job> job) {
                if (session->ended || Run(*session, *job)) {
                    Done(*job);
                    return;
                }
                {
                    std::lock_guard lock(mutex_);
                    model_jobs_.emplace_back(std::move(session), std::move(job));
                }
                model_cv_.notify_one();
            });
        });
    }
    for (int i = 0; i < std::max(1, model_threads); ++i) {
        model_workers_.emplace_back([this] {
            Serve(model_jobs_, model_cv_,
                  [this](const std::shared_ptr<Session>& session, const std::shared_ptr<Job>& job) {
                      if (session->ended) {
                          Done(*job);
                          return;
                      }
                      if (job->wait_remotely) {
                          job->wait_remotely = false;
                          if (Run(*session, *job)) {
                              Done(*job);
                              return;
                          }
                      }
                      Respond(*session, *job);
                      Done(*job);
                  });
        });
    }
}

void EnginePool::Stop() {
    {
        std::lock_guard lock(mutex_);
        running_ = false;
    }
    speech_cv_.notify_all();
    for (auto& w : speech_workers_) w.join();
    speech_workers_.clear();
    model_cv_.notify_all();  // after the speech workers, which may still hand answers over
    for (auto& w : model_workers_) w.join();
    model_workers_.clear();
}

void EnginePool::Submit(const std::shared_ptr<Session>& session, std::shared_ptr<Job> job) {
    session->job = job;
    // Waiting on a hosted recognizer or speech model would hold a speech worker every call needs.
    job->wait_remotely = job->kind == Job::Kind::kHear ? !session->local_recognizer && job->digits.empty()
                                                       : engines_.tts().Streams(session->plan.tts_engine);
    const bool remote = job->wait_remotely;
    {
        std::lock_guard lock(mutex_);
        (remote ? model_jobs_ : speech_jobs_).emplace_back(session, std::move(job));
    }
    (remote ? model_cv_ : speech_cv_).notify_one();
}

size_t EnginePool::Backlog() const {
    std::lock_guard lock(mutex_);
    return speech_jobs_.size();
}

std::shared_ptr<voice::SttStream> EnginePool::OpenStream(const Session& s,
                                                         const std::optional<voice::Expectation>& expect) {
    voice::SttEngine* stt = engines_.Stt(s.plan.stt);
    if (!stt) return nullptr;
    return stt->OpenStream(Options(expect), s.channel);
}

// The step's grammar for the recognizer.
voice::RecognizeOptions EnginePool::Options(const std::optional<voice::Expectation>& expect) const {
    voice::RecognizeOptions ro;
    if (expect && expect->kind != voice::AnswerKind::kText) ro.jsgf = voice::BuildJsgf(*expect, engines_.lexicon());
    if (ro.jsgf && ro.jsgf->empty()) ro.jsgf.reset();
    return ro;
}

void EnginePool::Feed(std::shared_ptr<voice::SttStream> stream) {
    {
        std::lock_guard lock(mutex_);
        feeds_.push_back(std::move(stream));
    }
    speech_cv_.notify_one();
}

// Serves `queue` until the pool stops and the queue is empty; `handle` runs unlocked. Speech
// workers decode streams first: a callee is speaking into them now.
template <typename Handle>
void EnginePool::Serve(Queue& queue, std::condition_variable& cv, Handle handle) {
    const bool speech = &queue == &speech_jobs_;
    std::unique_lock lock(mutex_);
    while (true) {
        cv.wait(lock, [&] { return !queue.empty() || (speech && !feeds_.empty()) || !running_; });
        if (speech && !feeds_.empty()) {
            auto stream = std::move(feeds_.front());
            feeds_.pop_front();
            lock.unlock();
            stream->Decode();
            stream.reset();
            lock.lock();
            continue;
        }
        if (queue.empty()) return;
        auto [session, job] = std::move(queue.front());
        queue.pop_front();
        lock.unlock();
        handle(std::move(session), std::move(job));
        lock.lock();
    }
}

void EnginePool::Done(Job& job) {
    job.done = true;
    on_done_();
}

// Recognize, think, synthesize: everything that may take long. False when the words are
// recognized and the rest must wait on a chat model (see Respond).
bool EnginePool::Run(const Session& s, Job& job) {
    switch (job.kind) {
        case Job::Kind::kStart: job.turn = job.brain->Start(); break;
        case Job::Kind::kSilence: job.turn = job.brain->Silence(job.at_seconds); break;
        case Job::Kind::kSay:
            job.turn.say = job.fixed_say;
            job.turn.hang_up = true;
            break;
        case Job::Kind::kHear: {
            if (!job.digits.empty()) {  // keys pressed: what they mean needs no recognizer
                job.words = job.digits;
                job.confidence = 1;
                if (AnswersRemotely(s, job)) return false;
                Respond(s, job);
                return true;
            }
            voice::SttEngine* stt = engines_.Stt(s.plan.stt);
            if (!stt) {
                job.error = "speech recognizer " + s.plan.stt + " is not available";
                return true;
            }
            const voice::RecognizeOptions ro = Options(job.expect);
            const auto stt_start = std::chrono::steady_clock::now();
            Result<voice::Recognition> heard = Fail(ErrorCode::kUnavailable, "no stream");
            if (job.heard) {
                heard = std::move(*job.heard);
            } else if (job.stream && job.grammar_only) {
                auto answer = job.stream->FinishGrammar();
                if (!answer || !*answer) {
                    job.undecided = true;  // the open model decides once the utterance has ended
                    return true;
                }
                heard = std::move(**answer);
            } else if (job.stream) {
                heard = job.stream->Finish();
            }
            job.stream.reset();
            if (!heard && heard.error().code == ErrorCode::kUnavailable) heard = stt->Recognize(job.audio, ro);
            job.stt_ms = MsSince(stt_start);
            job.stt_audio_seconds = static_cast<double>(job.audio.size()) / audio::kSampleRate;
            if (!heard) {  // the callee is asked again; the call goes on
                static LogThrottle throttle;
                LogLimited(throttle, spdlog::level::warn, "call {}: speech recognition failed: {}", s.call.id,
                           heard.error().message);
                job.turn = job.brain->NotHeard(s.plan.stt, heard.error().message, job.at_seconds);
                break;
            }
            job.words = heard->text;
            job.confidence = heard->confidence;
            if (!heard->channel.empty()) job.channel = std::move(heard->channel);
            if (job.words.empty()) return true;  // noise: nothing to answer
            if (AnswersRemotely(s, job)) return false;
            Respond(s, job);
            return true;
        }
    }
    Speak(s, job);
    return true;
}

// Whether the answer to recognized words waits on another machine (a chat model, a speech
// model): then a model thread makes it.
bool EnginePool::AnswersRemotely(const Session& s, const Job& job) const {
    return job.brain->Remote() || engines_.tts().Streams(s.plan.tts_engine);
}

// The brain's answer to recognized words, and its speech. A brain that decides its words as a
// stream (a chat model) has each sentence spoken as soon as it is complete; brain_ms is the
// time to its first sentence.
void EnginePool::Respond(const Session& s, Job& job) {
    const auto brain_start = std::chrono::steady_clock::now();
    job.brain->StreamSentences([&](const std::string& sentence) {
        if (job.said.empty()) job.brain_ms = MsSince(brain_start);
        SpeakSentence(s, job, sentence, nullptr);
    });
    job.turn = job.brain->Hear(job.words, job.confidence, job.at_seconds);
    job.brain->StreamSentences(nullptr);
    if (job.said.empty()) job.brain_ms = MsSince(brain_start);
    Speak(s, job);
}

namespace {

// Text with every run of white space made one space, trimmed.
std::string OneSpaced(std::string_view text) {
    std::string out;
    for (const char c : text) {
        const bool space = c == ' ' || c == '\n' || c == '\r' || c == '\t';
        if (space && (out.empty() || out.back() == ' ')) continue;
        out += space ? ' ' : c;
    }
    if (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

}  // namespace

// Speaks the turn's words a sentence at a time; what a chat model's stream had spoken already
// is not spoken again.
void EnginePool::Speak(const Session& s, Job& job) {
    if (job.turn.say.empty() || !job.error.empty()) return;
    if (job.turn.leave_voicemail) {
        const auto tts_start = std::chrono::steady_clock::now();
        auto speech =
            engines_.Speak(s.plan.tts_engine, {s.plan.tts_voice, s.plan.rate_wpm, s.plan.pitch}, job.turn.say);
        job.tts_ms = MsSince(tts_start);
        if (!speech) {
            job.error = "speech synthesis failed: " + speech.error().message;
            return;
        }
        job.speech = *speech;
        job.tts_chars = job.turn.say.size();
        return;
    }
    std::string rest = OneSpaced(job.turn.say);
    if (!job.said.empty() && rest.starts_with(job.said) &&
        (rest.size() == job.said.size() || rest[job.said.size()] == ' ')) {
        rest.erase(0, job.said.size());
    }
    // An engine on this node's cores synthesizes the whole answer before it plays: under load a
    // sentence could take longer to make than the one before it takes to say, and the pause
    // would sound like the end of the turn. Its sentences are cached one by one, and the fixed
    // ones were made ahead (SpeechEngines::PrepareLines). A remote engine's audio plays as it
    // comes.
    const bool hold = !engines_.tts().Streams(s.plan.tts_engine);
    std::vector<AgentSpeech::Piece> held;
    const auto tts_start = std::chrono::steady_clock::now();
    for (const auto& sentence : voice::SplitSentences(rest)) {
        if (!SpeakSentence(s, job, sentence, hold ? &held : nullptr)) return;
    }
    if (hold && !held.empty()) {
        if (!job.first_audio) job.tts_ms = MsSince(tts_start);
        job.first_audio = true;
        for (auto& piece : held) job.spoken.Add(std::move(piece));
    }
}

bool EnginePool::SpeakSentence(const Session& s, Job& job, const std::string& sentence,
                               std::vector<AgentSpeech::Piece>* held) {
    if (!job.error.empty()) return false;
    const auto tts_start = std::chrono::steady_clock::now();
    const std::string said = OneSpaced(sentence);
    std::string words = said;  // goes with the sentence's first piece
    auto spoken = engines_.Speak(s.plan.tts_engine, {s.plan.tts_voice, s.plan.rate_wpm, s.plan.pitch}, words,
                                 [&](audio::Pcm piece) {
                                     AgentSpeech::Piece p{std::move(piece), std::exchange(words, {})};
                                     if (held) {
                                         held->push_back(std::move(p));
                                         return;
                                     }
                                     if (!job.first_audio) job.tts_ms = MsSince(tts_start);
                                     job.first_audio = true;
                                     job.spoken.Add(std::move(p));
                                 });
    if (!spoken) {
        job.error = "speech synthesis failed: " + spoken.error().message;
        return false;
    }
    job.said += (job.said.empty() ? "" : " ") + said;
    job.tts_chars += said.size();
    return true;
}

}  // namespace parley::calls
