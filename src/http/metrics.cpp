#include "http/metrics.hpp"

#include <fmt/format.h>

namespace parley::http {

void Metrics::Record(std::string_view method, std::string_view route, int status, double seconds) {
    std::lock_guard lock(mutex_);
    ++requests_[{std::string(method), std::string(route), status}];
    auto& h = latency_[std::string(route)];
    for (size_t i = 0; i < kBuckets.size(); ++i) {
        if (seconds <= kBuckets[i]) ++h.counts[i];
    }
    ++h.count;
    h.sum += seconds;
}

std::string Metrics::Render() const {
    std::lock_guard lock(mutex_);
    std::string out;
    out += "# HELP parley_http_requests_total HTTP requests answered, by route, method and status.\n";
    out += "# TYPE parley_http_requests_total counter\n";
    for (const auto& [key, n] : requests_) {
        const auto& [method, route, status] = key;
        out += fmt::format("parley_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}\n", method,
                           route, status, n);
    }
    out += "# HELP parley_http_request_duration_seconds Time from a request's last byte to its answer.\n";
    out += "# TYPE parley_http_request_duration_seconds histogram\n";
    for (const auto& [route, h] : latency_) {
        for (size_t i = 0; i < kBuckets.size(); ++i) {
            out += fmt::format("parley_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n", route,
                               kBuckets[i], h.counts[i]);
        }
        out += fmt::format("parley_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n", route,
                           h.count);
        out += fmt::format("parley_http_request_duration_seconds_sum{{route=\"{}\"}} {}\n", route, h.sum);
        out += fmt::format("parley_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", route, h.count);
    }
    return out;
}

}  // namespace parley::http
