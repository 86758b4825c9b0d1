#include <libpq-fe.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <string>
#include <thread>
#include <unordered_map>

#include "store/db.hpp"
#include "store/pool.hpp"

namespace parley::store {
namespace {

// Rewrites `?` placeholders as $1, $2 … outside quoted strings and identifiers.
std::string NumberPlaceholders(std::string_view sql) {
    std::string out;
    out.reserve(sql.size() + 16);
    int n = 0;
    char quote = 0;
    for (char c : sql) {
        if (quote) {
            if (c == quote) quote = 0;
            out.push_back(c);
        } else if (c == '\'' || c == '"') {
            quote = c;
            out.push_back(c);
        } else if (c == '?') {
            out += "$" + std::to_string(++n);
        } else {
            out.push_back(c);
        }
    }
    return out;
}

class PgResult {
public:
    explicit PgResult(PGresult* r) : r_(r) {}
    ~PgResult() { PQclear(r_); }
    PgResult(const PgResult&) = delete;
    PgResult& operator=(const PgResult&) = delete;
    PGresult* get() const { return r_; }

private:
    PGresult* r_;
};

class PostgresConnection final : public Connection {
public:
    Dialect dialect() const override { return Dialect::kPostgres; }
    explicit PostgresConnection(PGconn* conn) : conn_(conn) {}
    ~PostgresConnection() override { PQfinish(conn_); }

    Result<Rows> Query(std::string_view sql, std::span<const Value> params) override {
        auto res = Run(sql, params);
        if (!res) return Fail(std::move(res.error()));
        PGresult* r = (*res)->get();
        Rows rows;
        const int n = PQntuples(r);
        const int columns = PQnfields(r);
        rows.reserve(static_cast<size_t>(n));
        for (int i = 0; i < n; ++i) {
            Row row;
            row.reserve(static_cast<size_t>(columns));
            for (int j = 0; j < columns; ++j) {
                if (PQgetisnull(r, i, j)) {
                    row.emplace_back();
                } else {
                    row.emplace_back(std::string(PQgetvalue(r, i, j), static_cast<size_t>(PQgetlength(r, i, j))));
                }
            }
            rows.push_back(std::move(row));
        }
        return rows;
    }

    Result<int64_t> Exec(std::string_view sql, std::span<const Value> params) override {
        auto res = Run(sql, params);
        if (!res) return Fail(std::move(res.error()));
        const char* changed = PQcmdTuples((*res)->get());
        return changed && *changed ? std::stoll(changed) : 0;
    }

    Result<void> ExecScript(std::string_view sql) override {
        PgResult res(PQexec(conn_, std::string(sql).c_str()));
        const auto status = PQresultStatus(res.get());
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return Fail(ErrorOf(res.get()));
        return {};
    }

    bool InTransaction() const { return PQtransactionStatus(conn_) != PQTRANS_IDLE; }

    // A connection the server dropped is reopened before it is used again.
    void EnsureAlive() {
        if (PQstatus(conn_) == CONNECTION_OK) return;
        PQreset(conn_);
        statements_.clear();
    }

private:
    Result<std::unique_ptr<PgResult>> Run(std::string_view sql, std::span<const Value> params) {
        const std::string key(sql);
        auto it = statements_.find(key);
        if (it == statements_.end()) {
            std::string name = "p" + std::to_string(statements_.size());
            PgResult prepared(PQprepare(conn_, name.c_str(), NumberPlaceholders(sql).c_str(), 0, nullptr));
            if (PQresultStatus(prepared.get()) != PGRES_COMMAND_OK) return Fail(ErrorOf(prepared.get()));
            it = statements_.emplace(key, std::move(name)).first;
        }
        std::vector<std::string> texts(params.size());
        std::vector<const char*> values(params.size(), nullptr);
        for (size_t i = 0; i < params.size(); ++i) {
            if (params[i].IsNull()) continue;
            texts[i] = params[i].AsText();
            values[i] = texts[i].c_str();
        }
        auto res = std::make_unique<PgResult>(PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(params.size()),
                                                             values.data(), nullptr, nullptr, 0));
        const auto status = PQresultStatus(res->get());
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return Fail(ErrorOf(res->get()));
        return res;
    }

    Error ErrorOf(PGresult* r) const {
        const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
        std::string message = std::string("postgres: ") + PQerrorMessage(conn_);
        const std::string_view code = state ? state : "";
        if (code == "23505") return Error{ErrorCode::kDuplicate, message, {}};
        if (code == "40001" || code == "40P01" || code == "55P03") return Error{ErrorCode::kUnavailable, message, {}};
        return Error{ErrorCode::kInternal, message, {}};
    }

    PGconn* conn_;
    std::unordered_map<std::string, std::string> statements_;
};

class PostgresDatabase final : public Database {
public:
    Dialect dialect() const override { return Dialect::kPostgres; }

    Result<void> Open(const std::string& url, int pool_size) {
        for (int i = 0; i < pool_size; ++i) {
            PGconn* conn = PQconnectdb(url.c_str());
            if (PQstatus(conn) != CONNECTION_OK) {
                std::string m = PQerrorMessage(conn);
                PQfinish(conn);
                return Fail(ErrorCode::kInternal, "cannot connect to PostgreSQL: " + m);
            }
            auto c = std::make_unique<PostgresConnection>(conn);
            if (auto set = c->ExecScript("SET client_min_messages TO warning; SET TIME ZONE 'UTC'"); !set) return set;
            pool_.Add(std::move(c));
        }
        return {};
    }

    Result<void> Transaction(const TxBody& body) override {
        auto lease = pool_.Acquire();
        lease->EnsureAlive();
        return RunTransaction(*lease, "BEGIN", body);
    }

    Result<void> WithConnection(const TxBody& body) override {
        auto lease = pool_.Acquire();
        lease->EnsureAlive();
        return body(*lease);
    }

private:
    Pool<PostgresConnection> pool_;
};

}  // namespace

Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url, int pool_size) {
    auto db = std::make_unique<PostgresDatabase>();
    if (auto opened = db->Open(url, pool_size); !opened) return Fail(std::move(opened.error()));
    return std::unique_ptr<Database>(std::move(db));
}

}  // namespace parley::store
