#pragma once

// For tests and benchmarks: a migrated SQLite database in a temporary file with the domain's
// Store over it, removed with its WAL when it goes out of scope.

#include <filesystem>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>

#include "common/secret_box.hpp"
#include "store/db.hpp"
#include "store/sql_repos.hpp"

namespace parley::store {

class TempSqliteStore {
public:
    // `name` goes into the file's name, to tell whose file is left after a crash.
    explicit TempSqliteStore(std::string_view name = "test", int connections = 1) {
        static std::mt19937_64 rng{std::random_device{}()};
        path_ = (std::filesystem::temp_directory_path() /
                 ("parley-" + std::string(name) + "-" + std::to_string(rng() % 1'000'000'000) + ".db"))
                    .string();
        auto db = OpenSqlite(path_, connections);
        if (!db) throw std::runtime_error(db.error().message);
        db_ = std::move(*db);
        if (auto migrated = Migrate(*db_); !migrated) throw std::runtime_error(migrated.error().message);
        store_ = MakeSqlStore(*db_, SecretBox::Ephemeral());
    }
    ~TempSqliteStore() {
        store_.reset();
        db_.reset();
        std::error_code ignored;
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix, ignored);
    }
    TempSqliteStore(const TempSqliteStore&) = delete;
    TempSqliteStore& operator=(const TempSqliteStore&) = delete;

    Database& db() { return *db_; }
    domain::Store& store() { return *store_; }
    const std::string& path() const { return path_; }

private:
    std::string path_;
    std::unique_ptr<Database> db_;
    std::unique_ptr<domain::Store> store_;
};

}  // namespace parley::store
