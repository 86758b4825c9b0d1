#include "support/raw_connection.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace parley::testing {
namespace {

sockaddr_in Address(const std::string& ip, uint16_t port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    if (::inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1) throw std::runtime_error("not an IPv4 address: " + ip);
    return addr;
}

}  // namespace

RawConnection::RawConnection(const std::string& source, uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    const auto from = Address(source, 0);
    const auto to = Address("127.0.0.1", port);
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&from), sizeof from) != 0 ||
        ::connect(fd_, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0) {
        const std::string why = std::strerror(errno);
        ::close(fd_);
        fd_ = -1;
        throw std::runtime_error("connecting from " + source + ": " + why);
    }
}

RawConnection::~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
}

bool RawConnection::Send(const std::string& bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
        const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return false;
        sent += static_cast<size_t>(n);
    }
    return true;
}

std::string RawConnection::ReadUntil(const std::string& until, std::chrono::milliseconds timeout) {
    timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string out;
    char buf[4096];
    while (until.empty() || out.find(until) == std::string::npos) {
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) break;
        out.append(buf, static_cast<size_t>(n));
    }
    return out;
}

std::optional<std::chrono::microseconds> TimedHealthCheck(const std::string& source, uint16_t port,
                                                          std::chrono::milliseconds timeout) {
    const auto start = std::chrono::steady_clock::now();
    try {
        RawConnection c(source, port);
        if (!c.Send("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) return std::nullopt;
        const std::string answer = c.ReadUntil("}}", timeout);
        if (!answer.starts_with("HTTP/1.1 200") || answer.find("}}") == std::string::npos) return std::nullopt;
    } catch (const std::exception&) {
        return std::nullopt;
    }
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
}

}  // namespace parley::testing
