#pragma once

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

namespace parley {

// Lets a repeated log line through once per interval and counts the ones it holds back, so a
// failure that repeats thousands of times a second (a flood of connections, a database that
// is down) writes a line a second instead of filling the disk.
//
//   static LogThrottle throttle;
//   LogLimited(throttle, spdlog::level::warn, "accept failed: {}", ec.message());
class LogThrottle {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr Clock::duration kDefaultInterval = std::chrono::seconds(1);

    explicit LogThrottle(Clock::duration interval = kDefaultInterval) : interval_(interval) {}

    // The number of lines held back since the last one let through when this one may be
    // written now; nullopt when it is to be dropped (and counted).
    std::optional<uint64_t> Allow(Clock::time_point now = Clock::now()) {
        std::lock_guard lock(mutex_);
        if (written_ && now - last_ < interval_) {
            ++held_;
            return std::nullopt;
        }
        written_ = true;
        last_ = now;
        const uint64_t held = held_;
        held_ = 0;
        return held;
    }

private:
    const Clock::duration interval_;
    std::mutex mutex_;
    bool written_ = false;
    Clock::time_point last_{};
    uint64_t held_ = 0;
};

// " (N more like it since the last)" when lines were held back, else empty: the suffix of a
// throttled line.
inline std::string HeldBack(uint64_t held) {
    return held == 0 ? std::string() : " (" + std::to_string(held) + " more like it since the last)";
}

// Logs through `throttle`: the line, with the count of those held back since the last.
template <class... Args>
void LogLimited(LogThrottle& throttle, spdlog::level::level_enum level, fmt::format_string<Args...> format,
                Args&&... args) {
    if (auto held = throttle.Allow()) {
        spdlog::log(level, "{}{}", fmt::format(format, std::forward<Args>(args)...), HeldBack(*held));
    }
}

}  // namespace parley
