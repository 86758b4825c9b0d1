#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

namespace parley::http {

// Request counts by route, method and status, and a latency histogram by route and method,
// rendered in the Prometheus text format. Series are registered at start-up; recording is
// lock-free, so it costs the request path no contention.
class Metrics {
public:
    static constexpr size_t kUnmatched = 0;

    Metrics() { Register("", "unmatched"); }

    // Not thread-safe: call before serving.
    size_t Register(std::string method, std::string route);
    void Record(size_t series, int status, double seconds);
    std::string Render() const;

private:
    static constexpr std::array<double, 12> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                     0.05,   0.1,   0.25,   0.5,   1.0,  5.0};
    static constexpr int kMinStatus = 100;
    static constexpr int kMaxStatus = 599;

    struct Series {
        std::string method;
        std::string route;
        std::array<std::atomic<uint64_t>, kMaxStatus - kMinStatus + 1> by_status{};
        std::array<std::atomic<uint64_t>, kBuckets.size()> buckets{};
        std::atomic<uint64_t> count{0};
        std::atomic<uint64_t> sum_nanoseconds{0};
    };
    std::deque<Series> series_;  // a deque: registering never moves the series already there
};

}  // namespace parley::http
