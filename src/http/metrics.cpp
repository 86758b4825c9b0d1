#include "http/metrics.hpp"

#include <fmt/format.h>

namespace parley::http {

size_t Metrics::Register(std::string method, std::string route) {
    auto& s = series_.emplace_back();
    s.method = std::move(method);
    s.route = std::move(route);
    return series_.size() - 1;
}

void Metrics::Record(size_t series, int status, double seconds) {
    auto& s = series_[series < series_.size() ? series : kUnmatched];
    if (status >= kMinStatus && status <= kMaxStatus) {
        s.by_status[static_cast<size_t>(status - kMinStatus)].fetch_add(1, std::memory_order_relaxed);
    }
    for (size_t i = 0; i < kBuckets.size(); ++i) {
        if (seconds <= kBuckets[i]) s.buckets[i].fetch_add(1, std::memory_order_relaxed);
    }
    s.count.fetch_add(1, std::memory_order_relaxed);
    s.sum_nanoseconds.fetch_add(static_cast<uint64_t>(seconds * 1e9), std::memory_order_relaxed);
}

std::string Metrics::Render() const {
    std::string out;
    out += "# HELP parley_http_requests_total HTTP requests answered, by route, method and status.\n";
    out += "# TYPE parley_http_requests_total counter\n";
    for (const auto& s : series_) {
        for (size_t i = 0; i < s.by_status.size(); ++i) {
            const auto n = s.by_status[i].load(std::memory_order_relaxed);
            if (n == 0) continue;
            out += fmt::format("parley_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{}\"}} {}\n", s.method,
                               s.route, static_cast<int>(i) + kMinStatus, n);
        }
    }
    out += "# HELP parley_http_request_duration_seconds Time from a request's last byte to its answer.\n";
    out += "# TYPE parley_http_request_duration_seconds histogram\n";
    for (const auto& s : series_) {
        const auto count = s.count.load(std::memory_order_relaxed);
        if (count == 0) continue;
        const auto labels = fmt::format(R"(method="{}",route="{}")", s.method, s.route);
        for (size_t i = 0; i < kBuckets.size(); ++i) {
            out += fmt::format("parley_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n", labels, kBuckets[i],
                               s.buckets[i].load(std::memory_order_relaxed));
        }
        out += fmt::format("parley_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n", labels, count);
        out += fmt::format("parley_http_request_duration_seconds_sum{{{}}} {}\n", labels,
                           static_cast<double>(s.sum_nanoseconds.load(std::memory_order_relaxed)) / 1e9);
        out += fmt::format("parley_http_request_duration_seconds_count{{{}}} {}\n", labels, count);
    }
    return out;
}

}  // namespace parley::http
