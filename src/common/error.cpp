#include "common/error.hpp"

namespace parley {

std::string_view ErrorCodeName(ErrorCode code) {
    switch (code) {
        case ErrorCode::kValidation: return "VALIDATION_ERROR";
        case ErrorCode::kInvalidJson: return "INVALID_JSON";
        case ErrorCode::kUnauthorized: return "UNAUTHORIZED";
        case ErrorCode::kInsufficientCredits: return "INSUFFICIENT_CREDITS";
        case ErrorCode::kReadOnly: return "READ_ONLY";
        case ErrorCode::kWriteOnly: return "WRITE_ONLY";
        case ErrorCode::kTestKey: return "TEST_KEY";
        case ErrorCode::kForbidden: return "FORBIDDEN";
        case ErrorCode::kNotFound: return "NOT_FOUND";
        case ErrorCode::kMethodNotAllowed: return "METHOD_NOT_ALLOWED";
        case ErrorCode::kDuplicate: return "DUPLICATE";
        case ErrorCode::kConflict: return "CONFLICT";
        case ErrorCode::kDncBlocked: return "DNC_BLOCKED";
        case ErrorCode::kPayloadTooLarge: return "PAYLOAD_TOO_LARGE";
        case ErrorCode::kUnsupportedMediaType: return "UNSUPPORTED_MEDIA_TYPE";
        case ErrorCode::kUnprocessable: return "UNPROCESSABLE";
        case ErrorCode::kRateLimited: return "RATE_LIMIT_EXCEEDED";
        case ErrorCode::kUnavailable: return "SERVICE_UNAVAILABLE";
        case ErrorCode::kInternal: return "INTERNAL_ERROR";
    }
    return "INTERNAL_ERROR";
}

}  // namespace parley
