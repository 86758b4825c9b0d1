// A contacts import's CSV.

#include <cstdint>
#include <string_view>

#include "domain/csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    (void)parley::domain::ParseCsv(std::string_view(reinterpret_cast<const char*>(data), size), 1000);
    return 0;
}
