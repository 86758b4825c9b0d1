#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley {

// Protocol-neutral failure kinds. The HTTP status and the wire code of each are fixed by
// api::HttpStatusOf / ErrorCodeName; the JSON-RPC mapping lives with the MCP server.
enum class ErrorCode {
    kValidation,
    kInvalidJson,
    kUnauthorized,
    kInsufficientCredits,
    kReadOnly,
    kWriteOnly,
    kTestKey,
    kForbidden,
    kNotFound,
    kMethodNotAllowed,
    kDuplicate,
    kConflict,
    kDncBlocked,
    kPayloadTooLarge,
    kUnsupportedMediaType,
    kUnprocessable,
    kRateLimited,
    kUnavailable,
    kInternal,
};

inline constexpr ErrorCode kAllErrorCodes[] = {
    ErrorCode::kValidation,
    ErrorCode::kInvalidJson,
    ErrorCode::kUnauthorized,
    ErrorCode::kInsufficientCredits,
    ErrorCode::kReadOnly,
    ErrorCode::kWriteOnly,
    ErrorCode::kTestKey,
    ErrorCode::kForbidden,
    ErrorCode::kNotFound,
    ErrorCode::kMethodNotAllowed,
    ErrorCode::kDuplicate,
    ErrorCode::kConflict,
    ErrorCode::kDncBlocked,
    ErrorCode::kPayloadTooLarge,
    ErrorCode::kUnsupportedMediaType,
    ErrorCode::kUnprocessable,
    ErrorCode::kRateLimited,
    ErrorCode::kUnavailable,
    ErrorCode::kInternal,
};

// The wire name of a code, e.g. "VALIDATION_ERROR".
std::string_view ErrorCodeName(ErrorCode code);

// One problem with one input field. `index` is the row of a bulk request or import (-1: none).
struct FieldError {
    std::string field;
    std::string message;
    long index = -1;
};

struct Error {
    ErrorCode code = ErrorCode::kInternal;
    std::string message;
    std::vector<FieldError> details;
};

template <class T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> Fail(ErrorCode code, std::string message, std::vector<FieldError> details = {}) {
    return std::unexpected(Error{code, std::move(message), std::move(details)});
}

inline std::unexpected<Error> Fail(Error error) {
    return std::unexpected(std::move(error));
}

}  // namespace parley
