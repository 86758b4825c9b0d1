#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace parley::testing {

// A plain TCP connection to a server on this machine, for tests that hold connections open,
// send partial requests or bytes at their own pace: what a hostile client does.
class RawConnection {
public:
    // Connects from `source` (an address of the loopback range: each counts as another client)
    // to 127.0.0.1:`port`; throws when the connection cannot be made.
    RawConnection(const std::string& source, uint16_t port);
    ~RawConnection();
    RawConnection(RawConnection&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    RawConnection& operator=(RawConnection&&) = delete;
    RawConnection(const RawConnection&) = delete;

    // False when the peer has closed or reset the connection.
    bool Send(const std::string& bytes);
    // What arrives until `until` is in it, the peer closes, or `timeout` passes without data.
    std::string ReadUntil(const std::string& until, std::chrono::milliseconds timeout = std::chrono::seconds(30));
    // Everything until the peer closes (or `timeout` passes without data).
    std::string ReadUntilClosed(std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
        return ReadUntil("", timeout);
    }

private:
    int fd_ = -1;
};

// GET /healthz on a new connection from `source`; the time to a whole answer, or nothing when
// none came within `timeout` or it was not a 200.
std::optional<std::chrono::microseconds> TimedHealthCheck(const std::string& source, uint16_t port,
                                                          std::chrono::milliseconds timeout);

}  // namespace parley::testing
