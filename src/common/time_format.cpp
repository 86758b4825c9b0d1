#include "common/time_format.hpp"

#include <fmt/format.h>

#include <charconv>
#include <chrono>

namespace parley {
namespace {

bool ParseDigits(std::string_view text, size_t pos, size_t count, int& out) {
    if (pos + count > text.size()) return false;
    int value = 0;
    for (size_t i = pos; i < pos + count; ++i) {
        if (text[i] < '0' || text[i] > '9') return false;
        value = value * 10 + (text[i] - '0');
    }
    out = value;
    return true;
}

std::optional<std::chrono::sys_days> ParseDate(std::string_view text) {
    int y = 0, m = 0, d = 0;
    if (text.size() < 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    if (!ParseDigits(text, 0, 4, y) || !ParseDigits(text, 5, 2, m) || !ParseDigits(text, 8, 2, d)) return std::nullopt;
    std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                                    std::chrono::day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) return std::nullopt;
    return std::chrono::sys_days{ymd};
}

}  // namespace

std::string FormatIsoTime(int64_t epoch_ms) {
    using namespace std::chrono;
    const sys_time<milliseconds> tp{milliseconds{epoch_ms}};
    const auto days = floor<std::chrono::days>(tp);
    const year_month_day ymd{days};
    const hh_mm_ss hms{tp - days};
    return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}Z", static_cast<int>(ymd.year()),
                       static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), hms.hours().count(),
                       hms.minutes().count(), hms.seconds().count(), hms.subseconds().count());
}

bool IsIsoDate(std::string_view text) {
    return text.size() == 10 && ParseDate(text).has_value();
}

std::optional<int64_t> ParseIsoTime(std::string_view text) {
    using namespace std::chrono;
    const auto date = ParseDate(text);
    if (!date) return std::nullopt;
    int64_t ms = duration_cast<milliseconds>(date->time_since_epoch()).count();
    if (text.size() == 10) return ms;
    if (text[10] != 'T' && text[10] != ' ') return std::nullopt;
    int hh = 0, mm = 0, ss = 0;
    if (!ParseDigits(text, 11, 2, hh) || text.size() < 16 || text[13] != ':' || !ParseDigits(text, 14, 2, mm)) {
        return std::nullopt;
    }
    size_t pos = 16;
    int frac_ms = 0;
    if (pos < text.size() && text[pos] == ':') {
        if (!ParseDigits(text, pos + 1, 2, ss)) return std::nullopt;
        pos += 3;
        if (pos < text.size() && text[pos] == '.') {
            ++pos;
            int digits = 0;
            while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
                if (digits < 3) frac_ms = frac_ms * 10 + (text[pos] - '0');
                ++digits;
                ++pos;
            }
            if (digits == 0) return std::nullopt;
            for (int i = digits; i < 3; ++i) frac_ms *= 10;
        }
    }
    if (hh > 23 || mm > 59 || ss > 60) return std::nullopt;
    int offset_minutes = 0;
    if (pos < text.size() && text[pos] == 'Z' && pos + 1 == text.size()) {
        offset_minutes = 0;
    } else if (pos + 6 == text.size() && (text[pos] == '+' || text[pos] == '-') && text[pos + 3] == ':') {
        int oh = 0, om = 0;
        if (!ParseDigits(text, pos + 1, 2, oh) || !ParseDigits(text, pos + 4, 2, om) || oh > 23 || om > 59) {
            return std::nullopt;
        }
        offset_minutes = (oh * 60 + om) * (text[pos] == '+' ? 1 : -1);
    } else {
        return std::nullopt;
    }
    ms += ((hh * 60 + mm - offset_minutes) * 60 + ss) * 1000LL + frac_ms;
    return ms;
}

}  // namespace parley
