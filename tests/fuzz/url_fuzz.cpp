// A webhook URL through the guard's parser, and an address through its address checks (no DNS).

#include <cstdint>
#include <string>
#include <string_view>

#include "net/url_guard.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    (void)parley::net::ParseHttpUrl(text);
    (void)parley::net::ForbiddenReason(text);
    return 0;
}
