#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace parley::http {

struct RateLimit {
    int per_minute = 100;  // 0: unlimited
    int per_second = 0;    // burst cap; 0: none
};

struct RateDecision {
    bool allowed = true;
    int limit = 0;
    int remaining = 0;
    int64_t reset_epoch_seconds = 0;  // when the minute window ends
    int retry_after_seconds = 0;      // set when refused
};

// Fixed one-minute windows (and optional one-second burst windows) per bucket, in memory.
// A request refused does not count against the window.
class RateLimiter {
public:
    RateDecision Take(std::string_view bucket, const RateLimit& limit, int64_t now_ms);

private:
    struct Window {
        int64_t minute = -1;
        int minute_count = 0;
        int64_t second = -1;
        int second_count = 0;
    };
    struct Shard {
        std::mutex mutex;
        std::unordered_map<std::string, Window> windows;
    };
    static constexpr size_t kShards = 16;
    std::array<Shard, kShards> shards_;
};

}  // namespace parley::http
