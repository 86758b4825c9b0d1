#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "audio/vad.hpp"

namespace parley::calls {

struct RuntimeOptions {
    std::string node_id = "node";
    // Calls this node runs at once, and of those, calls whose recognizer runs on this node (an
    // embedded engine, which the speech workers serve); more wait queued (--max-calls).
    int max_concurrent_calls = 100;
    int max_local_calls = 100;
    // Call time per wall time: 1 is real time; N runs calls N times faster, and a call's clock
    // waits while its engines work, so results do not depend on the machine's load.
    double speed = 1;
    int worker_threads = 2;
    // Threads that wait on hosted engines (chat models, hosted recognizers, speech models), apart
    // from the speech workers (CallLimits::model_threads).
    int model_threads = 8;
    std::string recordings_dir;
    std::string caller_id = "+12025550100";
    audio::VadConfig vad = {.start_ms = 60, .end_silence_ms = 300};
    // An answer the step's grammar accepts is taken after this much quiet, before the VAD's
    // endpoint (when the utterance was recognized while spoken); 0 turns it off.
    int grammar_end_silence_ms = 180;
    int silence_timeout_ms = 7000;
};

// Media-clock statistics of real-time calls, for the benchmark and /metrics.
struct MediaStats {
    uint64_t ticks = 0;
    double lateness_p50_ms = 0;
    double lateness_p99_ms = 0;
    double lateness_max_ms = 0;
    int active_calls = 0;
    int call_slots = 0;        // calls this node takes at once (--max-calls)
    int local_call_slots = 0;  // of those, calls recognized on this node
    int active_local_calls = 0;
    size_t recognizer_backlog = 0;  // recognitions and answers waiting for a speech worker
    // Calls of every node waiting queued, counted at most once a second (when the store answered).
    std::optional<int64_t> queued_calls;
};

}  // namespace parley::calls
