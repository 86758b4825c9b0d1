#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace parley::domain {

// RFC 4180 CSV: comma separated, fields optionally in double quotes ("" inside quotes is one
// quote; quoted fields may hold commas and line breaks), CRLF or LF line ends, an optional UTF-8
// byte-order mark. Blank lines are skipped. Fails with kValidation on an unterminated quote,
// invalid UTF-8, or more than `max_records` records (the header counts as one).
Result<std::vector<std::vector<std::string>>> ParseCsv(std::string_view text, size_t max_records);

}  // namespace parley::domain
