#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace parley {

// Wall time in milliseconds since the Unix epoch, behind an interface so that schedules,
// expiries and rate-limit windows can be tested without waiting.
class Clock {
public:
    virtual ~Clock() = default;
    virtual int64_t NowMs() const = 0;
};

class SystemClock final : public Clock {
public:
    static const SystemClock& Shared() {
        static const SystemClock clock;
        return clock;
    }
    int64_t NowMs() const override {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }
};

class ManualClock final : public Clock {
public:
    explicit ManualClock(int64_t start_ms) : now_ms_(start_ms) {}
    int64_t NowMs() const override { return now_ms_.load(); }
    void Advance(int64_t ms) { now_ms_ += ms; }
    void Set(int64_t ms) { now_ms_ = ms; }

private:
    std::atomic<int64_t> now_ms_;
};

}  // namespace parley
