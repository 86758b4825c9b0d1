#pragma once

#include <string_view>
#include <vector>

namespace parley::store {

struct Migration {
    int version;
    std::string_view name;
    std::string_view sql;
};

// Every migration in src/store/migrations, ordered by version.
const std::vector<Migration>& Migrations();

}  // namespace parley::store
