// A list request's limit and cursor: the input's first line is the limit, the rest the cursor.

#include <cstdint>
#include <string_view>

#include "domain/validation.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto newline = text.find('\n');
    const std::string_view limit = text.substr(0, newline);
    const std::string_view cursor = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    auto page = parley::domain::ParsePage(limit, cursor, "ct_");
    if (page && page->after_id) (void)parley::domain::MakeCursor(*page->after_id);
    return 0;
}
