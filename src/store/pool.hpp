#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "store/db.hpp"

namespace parley::store {

// Runs `body` on `conn` between `begin` and COMMIT; rolls back when it fails. A busy database
// or a serialization failure (kUnavailable) is tried again a few times. `Conn` has
// ExecScript and InTransaction.
template <class Conn>
Result<void> RunTransaction(Conn& conn, std::string_view begin, const Database::TxBody& body) {
    constexpr int kAttempts = 5;
    for (int attempt = 1;; ++attempt) {
        auto result = conn.ExecScript(begin);
        if (result) {
            result = body(conn);
            if (result) {
                result = conn.ExecScript("COMMIT");
                if (result) return {};
            }
        }
        if (conn.InTransaction()) (void)conn.ExecScript("ROLLBACK");
        if (result.error().code != ErrorCode::kUnavailable || attempt == kAttempts) return result;
        std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt));
    }
}

// A fixed set of connections handed out one caller at a time. Acquire blocks while all are busy.
template <class Conn>
class Pool {
public:
    class Lease {
    public:
        Lease(Pool* pool, std::unique_ptr<Conn> conn) : pool_(pool), conn_(std::move(conn)) {}
        Lease(Lease&&) noexcept = default;
        ~Lease() {
            if (conn_) pool_->Release(std::move(conn_));
        }
        Conn& operator*() const { return *conn_; }
        Conn* operator->() const { return conn_.get(); }

    private:
        Pool* pool_;
        std::unique_ptr<Conn> conn_;
    };

    void Add(std::unique_ptr<Conn> conn) {
        std::lock_guard lock(mutex_);
        idle_.push_back(std::move(conn));
    }

    Lease Acquire() {
        std::unique_lock lock(mutex_);
        available_.wait(lock, [&] { return !idle_.empty(); });
        auto conn = std::move(idle_.back());
        idle_.pop_back();
        return Lease(this, std::move(conn));
    }

private:
    void Release(std::unique_ptr<Conn> conn) {
        {
            std::lock_guard lock(mutex_);
            idle_.push_back(std::move(conn));
        }
        available_.notify_one();
    }

    std::mutex mutex_;
    std::condition_variable available_;
    std::vector<std::unique_ptr<Conn>> idle_;
};

}  // namespace parley::store
