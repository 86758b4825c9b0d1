#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/error.hpp"

namespace parley::store {

// A parameter or a column value. Booleans travel as integers 0/1 so the same SQL runs on
// SQLite and PostgreSQL (whose INTEGER columns hold them).
class Value {
public:
    Value() = default;
    Value(std::nullptr_t) {}
    Value(int v) : v_(static_cast<int64_t>(v)) {}
    Value(long v) : v_(static_cast<int64_t>(v)) {}
    Value(long long v) : v_(static_cast<int64_t>(v)) {}
    Value(bool v) : v_(static_cast<int64_t>(v ? 1 : 0)) {}
    Value(double v) : v_(v) {}
    Value(std::string v) : v_(std::move(v)) {}
    Value(std::string_view v) : v_(std::string(v)) {}
    Value(const char* v) : v_(std::string(v)) {}
    template <class T>
    Value(const std::optional<T>& v) {
        if (v) *this = Value(*v);
    }

    bool IsNull() const { return std::holds_alternative<std::monostate>(v_); }
    const std::variant<std::monostate, int64_t, double, std::string>& raw() const { return v_; }

    // Lenient accessors: PostgreSQL returns text for every column, SQLite returns typed values.
    int64_t AsInt() const;
    double AsDouble() const;
    std::string AsText() const;
    std::optional<int64_t> AsOptionalInt() const { return IsNull() ? std::nullopt : std::optional(AsInt()); }
    std::optional<std::string> AsOptionalText() const { return IsNull() ? std::nullopt : std::optional(AsText()); }

private:
    std::variant<std::monostate, int64_t, double, std::string> v_;
};

using Row = std::vector<Value>;
using Rows = std::vector<Row>;
using Params = std::initializer_list<Value>;

enum class Dialect { kSqlite, kPostgres };

// One database connection. SQL uses `?` placeholders on both drivers. Unique-constraint
// violations fail with ErrorCode::kDuplicate; every other database failure with kInternal,
// whose message is for logs only.
class Connection {
public:
    virtual ~Connection() = default;
    virtual Result<Rows> Query(std::string_view sql, std::span<const Value> params) = 0;
    // Returns the number of rows changed.
    virtual Result<int64_t> Exec(std::string_view sql, std::span<const Value> params) = 0;
    // Runs several ;-separated statements without parameters (migrations).
    virtual Result<void> ExecScript(std::string_view sql) = 0;
    virtual Dialect dialect() const = 0;

    Result<Rows> Query(std::string_view sql, Params params = {}) {
        return Query(sql, std::span<const Value>(params.begin(), params.size()));
    }
    Result<int64_t> Exec(std::string_view sql, Params params = {}) {
        return Exec(sql, std::span<const Value>(params.begin(), params.size()));
    }
    Result<std::optional<Row>> QueryOne(std::string_view sql, Params params = {});
};

// A pool of connections to one database.
class Database {
public:
    using TxBody = std::function<Result<void>(Connection&)>;

    virtual ~Database() = default;
    virtual Dialect dialect() const = 0;

    // Runs `body` in one transaction on one connection: committed when it returns a value,
    // rolled back when it returns an error (which is passed on). A serialization failure or a
    // busy database is retried a few times before failing.
    virtual Result<void> Transaction(const TxBody& body) = 0;

    // Runs `body` on a pooled connection in autocommit mode.
    virtual Result<void> WithConnection(const TxBody& body) = 0;

    Result<Rows> Query(std::string_view sql, Params params = {});
    Result<std::optional<Row>> QueryOne(std::string_view sql, Params params = {});
    Result<int64_t> Exec(std::string_view sql, Params params = {});
};

// `path` is a file; it and its WAL are created when missing.
Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path, int pool_size);

// `url` is a libpq connection string or URI (postgres://user:pass@host:port/db).
Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url, int pool_size);

// Chooses the driver from the form of `location`: a postgres:// or postgresql:// URI, or a
// SQLite file path.
Result<std::unique_ptr<Database>> OpenDatabase(const std::string& location, int pool_size);

// Applies every migration the database does not have yet, each in its own transaction.
// Safe to run from several processes at once.
Result<int> Migrate(Database& db);

// The highest migration version this binary knows.
int LatestSchemaVersion();

}  // namespace parley::store
