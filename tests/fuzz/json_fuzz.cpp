// A request body through the bounded JSON parser and the checks every validator uses.

#include <cstdint>
#include <string_view>

#include "domain/validation.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace parley::domain;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto parsed = ParseBoundedJson(text);
    if (!parsed || !parsed->is_object()) return 0;
    Checker checker;
    checker.RejectUnknownKeys(*parsed, {"name", "phone", "tags", "custom_fields"});
    checker.String(*parsed, "name", 200, false, true);
    checker.String(*parsed, "phone", 64, true);
    checker.Int(*parsed, "limit", 1, 100);
    checker.Bool(*parsed, "dnc");
    (void)parsed->dump();
    return 0;
}
