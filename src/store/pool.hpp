#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

namespace parley::store {

// A fixed set of connections handed out one caller at a time. Acquire blocks while all are busy.
template <class Conn>
class Pool {
public:
    class Lease {
    public:
        Lease(Pool* pool, std::unique_ptr<Conn> conn) : pool_(pool), conn_(std::move(conn)) {}
        Lease(Lease&&) = default;
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
