#include <spdlog/spdlog.h>

#include "store/db.hpp"
#include "store/migrations.hpp"

namespace parley::store {

int LatestSchemaVersion() {
    return Migrations().empty() ? 0 : Migrations().back().version;
}

Result<int> Migrate(Database& db) {
    auto created = db.WithConnection([](Connection& c) {
        return c.ExecScript(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            "applied_at BIGINT NOT NULL)");
    });
    if (!created) return Fail(std::move(created.error()));
    int applied = 0;
    for (const auto& m : Migrations()) {
        auto done = db.Transaction([&](Connection& c) -> Result<void> {
            if (db.dialect() == Dialect::kPostgres) {
                // Serializes migrations of several nodes starting at once.
                if (auto locked = c.Query("SELECT pg_advisory_xact_lock(7270001)"); !locked) {
                    return Fail(std::move(locked.error()));
                }
            }
            auto have = c.QueryOne("SELECT version FROM schema_migrations WHERE version = ?", {m.version});
            if (!have) return Fail(std::move(have.error()));
            if (*have) return {};
            if (auto ran = c.ExecScript(m.sql); !ran) return ran;
            auto noted = c.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                                {m.version, m.name, static_cast<long long>(std::time(nullptr)) * 1000});
            if (!noted) return Fail(std::move(noted.error()));
            ++applied;
            spdlog::info("applied migration V{:03d} {}", m.version, m.name);
            return {};
        });
        if (!done) return Fail(std::move(done.error()));
    }
    return applied;
}

}  // namespace parley::store
