#include "domain/validation.hpp"

#include <charconv>

#include "common/crypto.hpp"
#include "common/ids.hpp"
#include "common/text.hpp"

namespace parley::domain {

void Checker::RejectUnknownKeys(const Json& object, std::initializer_list<std::string_view> known) {
    for (const auto& [key, value] : object.items()) {
        bool found = false;
        for (auto k : known) found = found || k == key;
        if (!found) Add(key, "is not a known field");
    }
}

std::optional<std::string> Checker::String(const Json& object, std::string_view key, size_t max_bytes, bool required,
                                           bool null_clears) {
    const auto it = object.find(key);
    if (it == object.end() || (it->is_null() && !null_clears)) {
        if (required) Add(key, "is required");
        return std::nullopt;
    }
    if (it->is_null()) return std::string();
    if (!it->is_string()) {
        Add(key, "must be a string");
        return std::nullopt;
    }
    const auto& s = it->get_ref<const std::string&>();
    if (s.size() > max_bytes) {
        Add(key, "must be at most " + std::to_string(max_bytes) + " bytes");
        return std::nullopt;
    }
    if (HasControlCharacters(s)) {
        Add(key, "must not contain control characters");
        return std::nullopt;
    }
    if (required && Trim(s).empty()) {
        Add(key, "must not be empty");
        return std::nullopt;
    }
    return s;
}

std::optional<bool> Checker::Bool(const Json& object, std::string_view key) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) return std::nullopt;
    if (!it->is_boolean()) {
        Add(key, "must be true or false");
        return std::nullopt;
    }
    return it->get<bool>();
}

std::optional<int> Checker::Int(const Json& object, std::string_view key, int lo, int hi) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) return std::nullopt;
    if (!it->is_number_integer() || it->get<int64_t>() < lo || it->get<int64_t>() > hi) {
        Add(key, "must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
        return std::nullopt;
    }
    return it->get<int>();
}

Result<PageRequest> ParsePage(std::optional<std::string_view> limit, std::optional<std::string_view> cursor,
                              std::string_view id_prefix) {
    PageRequest page;
    if (limit) {
        int value = 0;
        const auto* end = limit->data() + limit->size();
        const auto [ptr, ec] = std::from_chars(limit->data(), end, value);
        if (limit->empty() || ec != std::errc() || ptr != end || value < 1 || value > kMaxPageLimit) {
            return Fail(ErrorCode::kValidation, "limit must be a whole number from 1 to 100",
                        {{"limit", "must be a whole number from 1 to 100"}});
        }
        page.limit = value;
    }
    if (cursor && !cursor->empty()) {
        auto decoded = Base64UrlDecode(*cursor);
        if (!decoded || !IsWellFormedId(*decoded, id_prefix)) {
            return Fail(ErrorCode::kValidation, "cursor is not valid for this list",
                        {{"cursor", "must be a next_cursor value returned by this list"}});
        }
        page.after_id = std::move(*decoded);
    }
    return page;
}

std::string MakeCursor(std::string_view last_id) { return Base64UrlEncode(last_id); }

}  // namespace parley::domain
