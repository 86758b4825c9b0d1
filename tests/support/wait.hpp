#pragma once

// Waiting on a condition, for tests that watch a real server do something in its own time.

#include <chrono>
#include <thread>

namespace parley::testing {

// Runs `done` every `poll` until it returns true, for at most `timeout`; whether it did. The
// first run is at once and the last starts at or after the deadline, so a condition met by then
// counts.
template <class Done>
bool WaitUntil(Done done, std::chrono::milliseconds timeout,
               std::chrono::milliseconds poll = std::chrono::milliseconds(50)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        const bool last = std::chrono::steady_clock::now() >= deadline;
        if (done()) return true;
        if (last) return false;
        std::this_thread::sleep_for(poll);
    }
}

}  // namespace parley::testing
