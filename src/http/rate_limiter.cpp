#include "http/rate_limiter.hpp"

#include <functional>

namespace parley::http {

RateDecision RateLimiter::Take(std::string_view bucket, const RateLimit& limit, int64_t now_ms) {
    const int64_t minute = now_ms / 60'000;
    const int64_t second = now_ms / 1'000;
    RateDecision d;
    d.limit = limit.per_minute;
    d.reset_epoch_seconds = (minute + 1) * 60;
    if (limit.per_minute <= 0) {
        d.remaining = 0;
        return d;
    }
    auto& shard = shards_[std::hash<std::string_view>{}(bucket) % kShards];
    std::lock_guard lock(shard.mutex);
    if (shard.windows.size() > 100'000) {
        std::erase_if(shard.windows, [&](const auto& w) { return w.second.minute < minute; });
    }
    auto& w = shard.windows[std::string(bucket)];
    if (w.minute != minute) {
        w.minute = minute;
        w.minute_count = 0;
    }
    if (w.second != second) {
        w.second = second;
        w.second_count = 0;
    }
    if (w.minute_count >= limit.per_minute) {
        d.allowed = false;
        d.remaining = 0;
        d.retry_after_seconds = static_cast<int>(std::max<int64_t>(1, d.reset_epoch_seconds - now_ms / 1000));
        return d;
    }
    if (limit.per_second > 0 && w.second_count >= limit.per_second) {
        d.allowed = false;
        d.remaining = limit.per_minute - w.minute_count;
        d.retry_after_seconds = 1;
        return d;
    }
    ++w.minute_count;
    ++w.second_count;
    d.remaining = limit.per_minute - w.minute_count;
    return d;
}

}  // namespace parley::http
