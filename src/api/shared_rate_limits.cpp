#include "api/shared_rate_limits.hpp"

#include <spdlog/spdlog.h>

#include "common/log_throttle.hpp"

namespace parley::api {
namespace {

class DatabaseRateLimits final : public http::RateLimits {
public:
    explicit DatabaseRateLimits(domain::Store& store) : store_(store) {}

    http::RateDecision Take(std::string_view bucket, const http::RateLimit& limit, int64_t now_ms) override {
        http::RateDecision d;
        d.limit = limit.per_minute;
        const int64_t minute_start = now_ms / 60'000 * 60'000;
        d.reset_epoch_seconds = minute_start / 1000 + 60;
        if (limit.per_minute <= 0) return d;
        int64_t minute_count = 0;
        int64_t second_count = 0;
        const std::string key(bucket);
        auto counted = store_.Write([&](domain::Repos& r) -> Result<void> {
            auto m = r.rate_limits().Increment(key + ":m", minute_start);
            if (!m) return Fail(std::move(m.error()));
            minute_count = *m;
            if (limit.per_second > 0) {
                auto s = r.rate_limits().Increment(key + ":s", now_ms / 1000 * 1000);
                if (!s) return Fail(std::move(s.error()));
                second_count = *s;
            }
            return {};
        });
        if (!counted) {
            static LogThrottle throttle;
            LogLimited(throttle, spdlog::level::warn, "rate limit not counted: {}", counted.error().message);
            d.remaining = limit.per_minute;
            return d;
        }
        d.remaining = static_cast<int>(std::max<int64_t>(0, limit.per_minute - minute_count));
        if (minute_count > limit.per_minute) {
            d.allowed = false;
            d.retry_after_seconds = static_cast<int>(std::max<int64_t>(1, d.reset_epoch_seconds - now_ms / 1000));
        } else if (limit.per_second > 0 && second_count > limit.per_second) {
            d.allowed = false;
            d.retry_after_seconds = 1;
        }
        return d;
    }

private:
    domain::Store& store_;
};

}  // namespace

std::unique_ptr<http::RateLimits> SharedRateLimits(domain::Store& store) {
    return std::make_unique<DatabaseRateLimits>(store);
}

}  // namespace parley::api
