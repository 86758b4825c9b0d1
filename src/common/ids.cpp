#include "common/ids.hpp"

#include <array>
#include <mutex>

#include "common/crypto.hpp"

namespace parley {
namespace {

constexpr std::string_view kAlphabet = "0123456789abcdefghjkmnpqrstvwxyz";
constexpr size_t kBodyLength = 26;

struct Monotonic {
    std::mutex mutex;
    int64_t last_ms = -1;
    std::array<uint8_t, 10> last_random{};
};

Monotonic& State() {
    static Monotonic state;
    return state;
}

}  // namespace

std::string NewId(std::string_view prefix, int64_t now_ms) {
    std::array<uint8_t, 16> bytes{};
    {
        auto& state = State();
        std::lock_guard lock(state.mutex);
        if (now_ms <= state.last_ms) {
            // Same (or an earlier) millisecond: keep the previous time and count up the random
            // part, so ids from this process never sort before ones it made earlier.
            now_ms = state.last_ms;
            for (int i = 9; i >= 0; --i) {
                if (++state.last_random[static_cast<size_t>(i)] != 0) break;
            }
        } else {
            state.last_ms = now_ms;
            RandomBytes(state.last_random.data(), state.last_random.size());
            state.last_random[0] &= 0x7f;  // leave room to count up without overflow
        }
        for (int i = 0; i < 6; ++i) bytes[static_cast<size_t>(i)] = static_cast<uint8_t>(now_ms >> (8 * (5 - i)));
        std::copy(state.last_random.begin(), state.last_random.end(), bytes.begin() + 6);
    }
    // 128 bits as 26 base32 digits, most significant first (the first digit carries 3 bits).
    std::string out(prefix);
    out.reserve(prefix.size() + kBodyLength);
    unsigned __int128 value = 0;
    for (uint8_t b : bytes) value = (value << 8) | b;
    char body[kBodyLength];
    for (int i = static_cast<int>(kBodyLength) - 1; i >= 0; --i) {
        body[i] = kAlphabet[static_cast<size_t>(value & 31)];
        value >>= 5;
    }
    out.append(body, kBodyLength);
    return out;
}

bool IsWellFormedId(std::string_view id, std::string_view prefix) {
    if (id.size() != prefix.size() + kBodyLength || !id.starts_with(prefix)) return false;
    for (char c : id.substr(prefix.size())) {
        if (kAlphabet.find(c) == std::string_view::npos) return false;
    }
    return id[prefix.size()] <= '7';
}

}  // namespace parley
