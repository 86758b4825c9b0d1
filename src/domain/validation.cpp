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

std::string MakeCursor(std::string_view last_id) {
    return Base64UrlEncode(last_id);
}

Result<Json> ParseBoundedJson(std::string_view text, const JsonLimits& limits) {
    // Members of each open object (-1 for an array), innermost last.
    std::vector<long> open;
    bool in_string = false;
    size_t string_start = 0;
    size_t last_string_bytes = 0;
    auto too_large = [](std::string message) { return Fail(ErrorCode::kValidation, std::move(message)); };
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') {
                ++i;
            } else if (c == '"') {
                in_string = false;
                last_string_bytes = i - string_start;
                if (last_string_bytes > limits.max_string_bytes) {
                    return too_large("a JSON string is longer than " + std::to_string(limits.max_string_bytes) +
                                     " bytes");
                }
            }
            continue;
        }
        switch (c) {
            case '"':
                in_string = true;
                string_start = i + 1;
                break;
            case '{':
            case '[':
                if (open.size() >= static_cast<size_t>(limits.max_depth)) {
                    return Fail(ErrorCode::kInvalidJson,
                                "JSON is nested more than " + std::to_string(limits.max_depth) + " levels deep");
                }
                open.push_back(c == '{' ? 0 : -1);
                break;
            case '}':
            case ']':
                if (!open.empty()) open.pop_back();
                break;
            case ':':
                // A colon outside a string follows a key: one per member of the innermost object.
                if (!open.empty() && open.back() >= 0) {
                    if (static_cast<size_t>(++open.back()) > limits.max_members) {
                        return too_large("a JSON object has more than " + std::to_string(limits.max_members) + " keys");
                    }
                    if (last_string_bytes > limits.max_key_bytes) {
                        return too_large("a JSON key is longer than " + std::to_string(limits.max_key_bytes) +
                                         " bytes");
                    }
                }
                break;
            default: break;
        }
    }
    Json parsed = Json::parse(text, nullptr, false);
    if (parsed.is_discarded()) return Fail(ErrorCode::kInvalidJson, "request body is not valid JSON (UTF-8)");
    return parsed;
}

}  // namespace parley::domain
