#pragma once

// For tests: a new, empty database of either dialect, removed (SQLite) or left to the test
// server (PostgreSQL) afterwards. PostgreSQL is there only when the test command started one
// (PARLEY_TEST_PG_HOST); without it `db()` is null and `skip_reason()` says why.

#include <libpq-fe.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "store/db.hpp"

namespace parley::store {

class TestDatabase {
public:
    explicit TestDatabase(Dialect dialect, int connections = 2) {
        static std::mt19937_64 rng{std::random_device{}()};
        const std::string suffix = std::to_string(rng() % 1'000'000'000);
        if (dialect == Dialect::kSqlite) {
            path_ = (std::filesystem::temp_directory_path() / ("parley-db-test-" + suffix + ".db")).string();
            auto db = OpenSqlite(path_, connections);
            if (!db) throw std::runtime_error(db.error().message);
            db_ = std::move(*db);
            return;
        }
        const char* host = std::getenv("PARLEY_TEST_PG_HOST");
        if (host == nullptr) {
            skip_reason_ = "no test PostgreSQL server (run the suite with scripts/test.sh)";
            return;
        }
        const char* user_env = std::getenv("PARLEY_TEST_PG_USER");
        const std::string user = user_env != nullptr ? user_env : "postgres";
        const std::string port =
            std::getenv("PARLEY_TEST_PG_PORT") ? std::string(" port=") + std::getenv("PARLEY_TEST_PG_PORT") : "";
        const std::string server = std::string("host=") + host + port + " user=" + user;
        PGconn* admin = PQconnectdb((server + " dbname=postgres").c_str());
        if (PQstatus(admin) != CONNECTION_OK) {
            const std::string why = PQerrorMessage(admin);
            PQfinish(admin);
            throw std::runtime_error(why);
        }
        PQclear(PQexec(admin, ("CREATE DATABASE db_test_" + suffix).c_str()));
        PQfinish(admin);
        auto db = OpenPostgres(server + " dbname=db_test_" + suffix, connections);
        if (!db) throw std::runtime_error(db.error().message);
        db_ = std::move(*db);
    }
    ~TestDatabase() {
        db_.reset();
        if (path_.empty()) return;
        std::error_code ignored;
        for (const char* tail : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + tail, ignored);
    }
    TestDatabase(const TestDatabase&) = delete;
    TestDatabase& operator=(const TestDatabase&) = delete;

    Database* db() { return db_.get(); }
    const std::string& skip_reason() const { return skip_reason_; }

private:
    std::unique_ptr<Database> db_;
    std::string path_;
    std::string skip_reason_;
};

}  // namespace parley::store
