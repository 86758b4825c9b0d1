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

// Counts requests in fixed one-minute windows (and optional one-second burst windows) per
// bucket, and says whether one more is allowed.
class RateLimits {
public:
    virtual ~RateLimits() = default;
    virtual RateDecision Take(std::string_view bucket, const RateLimit& limit, int64_t now_ms) = 0;
};

// The counts in this process's memory: right for one node. A request refused does not count
// against the window.
class RateLimiter final : public RateLimits {
public:
    RateDecision Take(std::string_view bucket, const RateLimit& limit, int64_t now_ms) override;

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
