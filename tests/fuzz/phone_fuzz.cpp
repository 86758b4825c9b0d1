// A phone number as a client writes it, in two default regions.

#include <cstdint>
#include <string_view>

#include "common/phone.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)parley::ParsePhone(text, "US");
    (void)parley::ParsePhone(text, "GB");
    return 0;
}
