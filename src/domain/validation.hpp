#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "domain/entities.hpp"

namespace parley::domain {

// Collects every problem with one input object, so a caller learns all of them at once.
class Checker {
public:
    explicit Checker(std::string prefix = {}) : prefix_(std::move(prefix)) {}

    void Add(std::string_view field, std::string message) {
        errors_.push_back(FieldError{prefix_ + std::string(field), std::move(message), index_});
    }
    void SetIndex(long index) { index_ = index; }
    bool ok() const { return errors_.empty(); }
    std::vector<FieldError>& errors() { return errors_; }

    // Reports every key of `object` that is not in `known`.
    void RejectUnknownKeys(const Json& object, std::initializer_list<std::string_view> known);

    // A string member. Absent: nullopt. Present: checked for type, UTF-8 (already done by the
    // JSON parser), control characters and length in bytes; `required` makes absence an error.
    // A JSON null counts as absent unless `null_clears` is set, in which case it yields "".
    std::optional<std::string> String(const Json& object, std::string_view key, size_t max_bytes, bool required = false,
                                      bool null_clears = false);
    std::optional<bool> Bool(const Json& object, std::string_view key);
    // A whole-number member from lo to hi. Absent or null: nullopt.
    std::optional<int> Int(const Json& object, std::string_view key, int lo, int hi);

    Error ToError(std::string message) { return Error{ErrorCode::kValidation, std::move(message), std::move(errors_)}; }

private:
    std::string prefix_;
    long index_ = -1;
    std::vector<FieldError> errors_;
};

// Bounds on a JSON document from a client, checked in one pass before it is parsed: the parsed
// form looks keys up linearly (it keeps their order), so an object of 80,000 keys took seconds
// to parse and every later lookup in it was slow.
struct JsonLimits {
    int max_depth = 64;
    size_t max_members = 1000;            // keys of one object
    size_t max_key_bytes = 256;           // as written, escapes included
    size_t max_string_bytes = 64 * 1024;  // a string value, as written
};

// `text` as JSON within `limits`: kInvalidJson for malformed JSON or invalid UTF-8, kValidation
// naming the bound for JSON past one.
Result<Json> ParseBoundedJson(std::string_view text, const JsonLimits& limits = {});

// Reads limit and cursor of a list request. A cursor is opaque to users: it encodes the last id
// of the previous page; `id_prefix` guards against cursors of other lists.
Result<PageRequest> ParsePage(std::optional<std::string_view> limit, std::optional<std::string_view> cursor,
                              std::string_view id_prefix);
std::string MakeCursor(std::string_view last_id);

inline constexpr int kDefaultPageLimit = 50;
inline constexpr int kMaxPageLimit = 100;

}  // namespace parley::domain
