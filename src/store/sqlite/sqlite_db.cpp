#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "common/log_throttle.hpp"
#include "store/db.hpp"
#include "store/pool.hpp"

namespace parley::store {
namespace {

constexpr int kBusyTimeoutMs = 10'000;
constexpr int kMaxCachedStatements = 256;
// 32,768 pages of 4 KB: a WAL past 128 MB is emptied (see Checkpoints).
constexpr int64_t kWalLimitFrames = 32'768;

class SqliteConnection final : public Connection {
public:
    Dialect dialect() const override { return Dialect::kSqlite; }
    explicit SqliteConnection(sqlite3* db) : db_(db) {}
    ~SqliteConnection() override {
        for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
        sqlite3_close_v2(db_);
    }

    Result<Rows> Query(std::string_view sql, std::span<const Value> params) override {
        auto stmt = Prepare(sql, params);
        if (!stmt) return Fail(std::move(stmt.error()));
        Rows rows;
        const int columns = sqlite3_column_count(*stmt);
        for (;;) {
            const int rc = sqlite3_step(*stmt);
            if (rc == SQLITE_DONE) break;
            if (rc != SQLITE_ROW) {
                auto err = StepError(rc);
                sqlite3_reset(*stmt);
                return Fail(std::move(err));
            }
            Row row;
            row.reserve(static_cast<size_t>(columns));
            for (int i = 0; i < columns; ++i) row.push_back(ColumnValue(*stmt, i));
            rows.push_back(std::move(row));
        }
        sqlite3_reset(*stmt);
        return rows;
    }

    Result<int64_t> Exec(std::string_view sql, std::span<const Value> params) override {
        auto stmt = Prepare(sql, params);
        if (!stmt) return Fail(std::move(stmt.error()));
        int rc;
        while ((rc = sqlite3_step(*stmt)) == SQLITE_ROW) {
        }
        if (rc != SQLITE_DONE) {
            auto err = StepError(rc);
            sqlite3_reset(*stmt);
            return Fail(std::move(err));
        }
        sqlite3_reset(*stmt);
        return static_cast<int64_t>(sqlite3_changes(db_));
    }

    Result<void> ExecScript(std::string_view sql) override {
        char* message = nullptr;
        const std::string text(sql);
        const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
        if (rc != SQLITE_OK) {
            std::string m = message ? message : "sqlite error";
            sqlite3_free(message);
            const bool busy = rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
            return Fail(busy ? ErrorCode::kUnavailable : ErrorCode::kInternal, "sqlite: " + m);
        }
        return {};
    }

    bool InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

private:
    Result<sqlite3_stmt*> Prepare(std::string_view sql, std::span<const Value> params) {
        sqlite3_stmt* stmt = nullptr;
        const std::string key(sql);
        if (auto it = cache_.find(key); it != cache_.end()) {
            stmt = it->second;
        } else {
            if (sqlite3_prepare_v3(db_, key.data(), static_cast<int>(key.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                                   nullptr) != SQLITE_OK) {
                return Fail(ErrorCode::kInternal, std::string("sqlite prepare: ") + sqlite3_errmsg(db_));
            }
            if (cache_.size() >= kMaxCachedStatements) {
                for (auto& [s, old] : cache_) sqlite3_finalize(old);
                cache_.clear();
            }
            cache_.emplace(key, stmt);
        }
        sqlite3_clear_bindings(stmt);
        if (static_cast<size_t>(sqlite3_bind_parameter_count(stmt)) != params.size()) {
            return Fail(ErrorCode::kInternal, "sqlite: parameter count mismatch for: " + key);
        }
        for (size_t i = 0; i < params.size(); ++i) {
            const int index = static_cast<int>(i) + 1;
            const auto& raw = params[i].raw();
            if (const auto* v = std::get_if<int64_t>(&raw)) {
                sqlite3_bind_int64(stmt, index, *v);
            } else if (const auto* d = std::get_if<double>(&raw)) {
                sqlite3_bind_double(stmt, index, *d);
            } else if (const auto* s = std::get_if<std::string>(&raw)) {
                sqlite3_bind_text(stmt, index, s->data(), static_cast<int>(s->size()), SQLITE_STATIC);
            } else {
                sqlite3_bind_null(stmt, index);
            }
        }
        return stmt;
    }

    Error StepError(int rc) const {
        const int extended = sqlite3_extended_errcode(db_);
        if (extended == SQLITE_CONSTRAINT_UNIQUE || extended == SQLITE_CONSTRAINT_PRIMARYKEY) {
            return Error{ErrorCode::kDuplicate, std::string("sqlite: ") + sqlite3_errmsg(db_), {}};
        }
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
            return Error{ErrorCode::kUnavailable, std::string("sqlite busy: ") + sqlite3_errmsg(db_), {}};
        }
        return Error{ErrorCode::kInternal, std::string("sqlite: ") + sqlite3_errmsg(db_), {}};
    }

    static Value ColumnValue(sqlite3_stmt* stmt, int i) {
        switch (sqlite3_column_type(stmt, i)) {
            case SQLITE_INTEGER: return Value(static_cast<long long>(sqlite3_column_int64(stmt, i)));
            case SQLITE_FLOAT: return Value(sqlite3_column_double(stmt, i));
            case SQLITE_NULL: return Value();
            default: {
                const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
                return Value(std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt, i))));
            }
        }
    }

    sqlite3* db_;
    std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

Result<std::unique_ptr<SqliteConnection>> Connect(const std::string& path) {
    sqlite3* db = nullptr;
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
        std::string m = db ? sqlite3_errmsg(db) : "out of memory";
        sqlite3_close_v2(db);
        return Fail(ErrorCode::kInternal, "cannot open " + path + ": " + m);
    }
    sqlite3_busy_timeout(db, kBusyTimeoutMs);
    auto conn = std::make_unique<SqliteConnection>(db);
    // WAL with synchronous=NORMAL: a committed transaction survives the process being killed
    // (the WAL is in the OS), and readers never block the writer. Checkpoints are left to
    // the background thread, so no request pays for one.
    auto pragmas = conn->ExecScript(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
        "PRAGMA temp_store=MEMORY; PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=67108864;");
    if (!pragmas) return Fail(std::move(pragmas.error()));
    return conn;
}

class SqliteDatabase final : public Database {
public:
    ~SqliteDatabase() override {
        {
            std::lock_guard lock(checkpoint_mutex_);
            stopping_ = true;
        }
        checkpoint_wake_.notify_all();
        if (checkpointer_.joinable()) checkpointer_.join();
    }

    Dialect dialect() const override { return Dialect::kSqlite; }

    Result<void> Open(const std::string& path, int pool_size) {
        auto checkpoint_conn = Connect(path);
        if (!checkpoint_conn) return Fail(std::move(checkpoint_conn.error()));
        checkpointer_ = std::thread([this, conn = std::move(*checkpoint_conn)]() mutable { Checkpoints(*conn); });
        auto writer = Connect(path);
        if (!writer) return Fail(std::move(writer.error()));
        writer_ = std::move(*writer);
        // The writer keeps its pages between transactions, so it gets a larger cache than
        // SQLite's 2 MB: a million-contact queue's indexes are tens of megabytes.
        if (auto sized = writer_->ExecScript("PRAGMA cache_size=-65536"); !sized) return sized;
        for (int i = 0; i < pool_size; ++i) {
            auto conn = Connect(path);
            if (!conn) return Fail(std::move(conn.error()));
            pool_.Add(std::move(*conn));
        }
        return {};
    }

    Result<void> Transaction(const TxBody& body) override {
        // SQLite has one writer at a time. Queueing this process's writers here keeps them out
        // of SQLite's busy handler, which sleeps the thread (and every connection it serves)
        // for up to 100 ms per try; other processes still meet the busy timeout.
        // They also share one connection: SQLite drops a connection's whole page cache when it
        // begins a transaction after another connection wrote, so writers that took turns on
        // the pool's connections read most pages from the file again (at a million queued
        // contacts, most of the dialer's time).
        std::lock_guard writer(write_mutex_);
        // IMMEDIATE takes the write lock up front, so two writers never deadlock on upgrade.
        return RunTransaction(*writer_, "BEGIN IMMEDIATE", body);
    }

    Result<void> WithConnection(const TxBody& body) override {
        auto lease = pool_.Acquire();
        return body(*lease);
    }

private:
    // Copies the WAL into the database file a few times a second without blocking readers or
    // writers (PASSIVE). A passive checkpoint never starts the WAL over, though, and under
    // constant load some reader or writer always holds it, so the file grew without end (10 GB
    // in two minutes of a million-contact campaign). Past kWalLimitFrames a TRUNCATE checkpoint
    // waits for the transactions under way, copies the rest and empties the file; writers wait
    // meanwhile. At shutdown the last connection to close checkpoints what is left.
    void Checkpoints(SqliteConnection& conn) {
        constexpr auto kEvery = std::chrono::milliseconds(250);
        std::unique_lock lock(checkpoint_mutex_);
        while (!checkpoint_wake_.wait_for(lock, kEvery, [&] { return stopping_; })) {
            lock.unlock();
            auto done = conn.Query("PRAGMA wal_checkpoint(PASSIVE)", {});
            if (done && !done->empty() && (*done)[0].size() == 3 && (*done)[0][1].AsInt() > kWalLimitFrames) {
                done = conn.Query("PRAGMA wal_checkpoint(TRUNCATE)", {});
            }
            if (!done) {
                static LogThrottle throttle;
                LogLimited(throttle, spdlog::level::warn, "checkpoint failed: {}", done.error().message);
            }
            lock.lock();
        }
    }

    Pool<SqliteConnection> pool_;
    std::mutex write_mutex_;
    std::unique_ptr<SqliteConnection> writer_;  // guarded by write_mutex_
    std::mutex checkpoint_mutex_;
    std::condition_variable checkpoint_wake_;
    bool stopping_ = false;
    std::thread checkpointer_;
};

}  // namespace

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path, int pool_size) {
    auto db = std::make_unique<SqliteDatabase>();
    if (auto opened = db->Open(path, pool_size); !opened) return Fail(std::move(opened.error()));
    return std::unique_ptr<Database>(std::move(db));
}

}  // namespace parley::store
