#pragma once

#include <string>

#include "common/error.hpp"

namespace parley::app {

// Where the data lives: a PostgreSQL URL, or a SQLite file in the data folder.
struct StorageConfig {
    std::string data_dir = "./data";
    std::string db_url;  // empty: SQLite at data_dir/parley.db

    // Creates the data folder when SQLite is used; returns what OpenDatabase takes.
    Result<std::string> Location() const;
};

// "host:port" with a port from 0 to 65535; IPv6 hosts in brackets ("[::1]:8080"). Errors name
// `option`.
Result<std::pair<std::string, uint16_t>> ParseListen(const std::string& text, std::string_view option = "--listen");

// "FIRST-LAST": the UDP ports RTP may use, from 1024 to 65535, at least two (one RTP and RTCP pair).
Result<std::pair<int, int>> ParsePortRange(const std::string& text);

}  // namespace parley::app
