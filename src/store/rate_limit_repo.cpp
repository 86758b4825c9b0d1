#include "store/sql_repos.hpp"

namespace parley::store {

Result<int64_t> SqlRateLimitRepo::Increment(std::string_view bucket, int64_t window_start) {
    auto row = c_.QueryOne(
        "INSERT INTO rate_limit_windows (bucket, window_start, count) VALUES (?, ?, 1) "
        "ON CONFLICT (bucket, window_start) DO UPDATE SET count = rate_limit_windows.count + 1 RETURNING count",
        {bucket, window_start});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return Fail(ErrorCode::kInternal, "rate limit upsert returned no row");
    return (**row)[0].AsInt();
}

Result<int64_t> SqlRateLimitRepo::PurgeOlderThan(int64_t cutoff) {
    return c_.Exec("DELETE FROM rate_limit_windows WHERE window_start < ?", {cutoff});
}

}  // namespace parley::store
