#include "store/db.hpp"

#include <fmt/format.h>

#include <charconv>

namespace parley::store {

int64_t Value::AsInt() const {
    if (const auto* i = std::get_if<int64_t>(&v_)) return *i;
    if (const auto* d = std::get_if<double>(&v_)) return static_cast<int64_t>(*d);
    if (const auto* s = std::get_if<std::string>(&v_)) {
        if (*s == "t") return 1;  // PostgreSQL boolean text
        if (*s == "f") return 0;
        int64_t out = 0;
        std::from_chars(s->data(), s->data() + s->size(), out);
        return out;
    }
    return 0;
}

double Value::AsDouble() const {
    if (const auto* d = std::get_if<double>(&v_)) return *d;
    if (const auto* i = std::get_if<int64_t>(&v_)) return static_cast<double>(*i);
    if (const auto* s = std::get_if<std::string>(&v_)) {
        double out = 0;
        std::from_chars(s->data(), s->data() + s->size(), out);
        return out;
    }
    return 0;
}

std::string Value::AsText() const {
    if (const auto* s = std::get_if<std::string>(&v_)) return *s;
    if (const auto* i = std::get_if<int64_t>(&v_)) return std::to_string(*i);
    if (const auto* d = std::get_if<double>(&v_)) return fmt::format("{}", *d);
    return {};
}

Result<std::optional<Row>> Connection::QueryOne(std::string_view sql, Params params) {
    auto rows = Query(sql, params);
    if (!rows) return Fail(std::move(rows.error()));
    if (rows->empty()) return std::optional<Row>();
    return std::optional<Row>(std::move(rows->front()));
}

Result<Rows> Database::Query(std::string_view sql, Params params) {
    Rows out;
    auto done = WithConnection([&](Connection& c) -> Result<void> {
        auto rows = c.Query(sql, std::span<const Value>(params.begin(), params.size()));
        if (!rows) return Fail(std::move(rows.error()));
        out = std::move(*rows);
        return {};
    });
    if (!done) return Fail(std::move(done.error()));
    return out;
}

Result<std::optional<Row>> Database::QueryOne(std::string_view sql, Params params) {
    std::optional<Row> out;
    auto done = WithConnection([&](Connection& c) -> Result<void> {
        auto rows = c.Query(sql, std::span<const Value>(params.begin(), params.size()));
        if (!rows) return Fail(std::move(rows.error()));
        if (!rows->empty()) out = std::move(rows->front());
        return {};
    });
    if (!done) return Fail(std::move(done.error()));
    return out;
}

Result<int64_t> Database::Exec(std::string_view sql, Params params) {
    int64_t out = 0;
    auto done = WithConnection([&](Connection& c) -> Result<void> {
        auto n = c.Exec(sql, std::span<const Value>(params.begin(), params.size()));
        if (!n) return Fail(std::move(n.error()));
        out = *n;
        return {};
    });
    if (!done) return Fail(std::move(done.error()));
    return out;
}

Result<std::unique_ptr<Database>> OpenDatabase(const std::string& location, int pool_size) {
    if (location.starts_with("postgres://") || location.starts_with("postgresql://")) {
        return OpenPostgres(location, pool_size);
    }
    return OpenSqlite(location, pool_size);
}

}  // namespace parley::store
