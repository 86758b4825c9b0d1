#include "app/config.hpp"

#include <charconv>
#include <filesystem>
#include <optional>

namespace parley::app {

Result<std::string> StorageConfig::Location() const {
    if (!db_url.empty()) {
        if (!db_url.starts_with("postgres://") && !db_url.starts_with("postgresql://")) {
            return Fail(ErrorCode::kValidation, "--db must be a postgres:// or postgresql:// URL");
        }
        return db_url;
    }
    std::error_code ec;
    std::filesystem::create_directories(data_dir, ec);
    if (ec) return Fail(ErrorCode::kValidation, "cannot create data folder " + data_dir + ": " + ec.message());
    return (std::filesystem::path(data_dir) / "parley.db").string();
}

Result<std::pair<std::string, uint16_t>> ParseListen(const std::string& text, std::string_view option) {
    const std::string name(option);
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0) return Fail(ErrorCode::kValidation, name + " must be HOST:PORT");
    std::string host = text.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    const std::string port_text = text.substr(colon + 1);
    unsigned port = 0;
    const auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || ec != std::errc() || ptr != port_text.data() + port_text.size() || port > 65535) {
        return Fail(ErrorCode::kValidation, name + " port must be a number from 0 to 65535");
    }
    return std::pair{host, static_cast<uint16_t>(port)};
}

Result<std::pair<int, int>> ParsePortRange(const std::string& text) {
    const auto dash = text.find('-');
    auto number = [](std::string_view s) -> std::optional<int> {
        int n = 0;
        const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
        if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
        return n;
    };
    const auto first = dash == std::string::npos ? std::nullopt : number(std::string_view(text).substr(0, dash));
    const auto last = dash == std::string::npos ? std::nullopt : number(std::string_view(text).substr(dash + 1));
    if (!first || !last || *first < 1024 || *last > 65535 || *last - *first < 1) {
        return Fail(ErrorCode::kValidation, "--rtp-ports must be FIRST-LAST, two ports or more from 1024 to 65535");
    }
    return std::pair{*first, *last};
}

}  // namespace parley::app
