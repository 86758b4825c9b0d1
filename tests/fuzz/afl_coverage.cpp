// GCC's -fsanitize-coverage=trace-pc calls this at every edge of the instrumented code; it
// records the edge in afl++'s coverage map the way afl's own instrumentation does. Debian's
// afl++ GCC plugin is built for another GCC release than bookworm's and refuses to load, and
// clang 14 cannot compile std::expected, so this is how Parley's C++23 gets afl++ coverage.
// Compiled without the coverage flag itself.

#include <cstdint>

extern "C" unsigned char* __afl_area_ptr;

namespace {
thread_local std::uintptr_t previous_location;
}  // namespace

extern "C" void __sanitizer_cov_trace_pc() {
    auto location = reinterpret_cast<std::uintptr_t>(__builtin_return_address(0));
    location = ((location >> 4) ^ (location << 8)) & 0xFFFF;
    __afl_area_ptr[location ^ previous_location]++;
    previous_location = location >> 1;
}
