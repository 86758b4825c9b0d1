#include <gtest/gtest.h>

#include <map>

#include "api/context.hpp"

namespace parley::api {
namespace {

// The one table from error codes to HTTP statuses (DESIGN.md §4), pinned.
TEST(ErrorStatus, EveryCodeMapsToItsDocumentedStatus) {
    const std::map<ErrorCode, int> expected = {
        {ErrorCode::kValidation, 400},
        {ErrorCode::kInvalidJson, 400},
        {ErrorCode::kUnauthorized, 401},
        {ErrorCode::kInsufficientCredits, 402},
        {ErrorCode::kReadOnly, 403},
        {ErrorCode::kWriteOnly, 403},
        {ErrorCode::kTestKey, 403},
        {ErrorCode::kForbidden, 403},
        {ErrorCode::kNotFound, 404},
        {ErrorCode::kMethodNotAllowed, 405},
        {ErrorCode::kDuplicate, 409},
        {ErrorCode::kConflict, 409},
        {ErrorCode::kDncBlocked, 409},
        {ErrorCode::kPayloadTooLarge, 413},
        {ErrorCode::kUnsupportedMediaType, 415},
        {ErrorCode::kUnprocessable, 422},
        {ErrorCode::kRateLimited, 429},
        {ErrorCode::kUnavailable, 503},
        {ErrorCode::kInternal, 500},
    };
    for (ErrorCode code : kAllErrorCodes) {
        ASSERT_TRUE(expected.contains(code)) << ErrorCodeName(code);
        EXPECT_EQ(HttpStatusOf(code), expected.at(code)) << ErrorCodeName(code);
    }
}

TEST(ErrorResponse, UsesTheSeedEnvelopeWithDetails) {
    auto res = ErrorResponse(Error{ErrorCode::kValidation, "Phone number is required", {{"phone", "is required", 3}}},
                             "req_1");
    EXPECT_EQ(res.status, 400);
    auto j = Json::parse(res.body);
    EXPECT_EQ(j["success"], false);
    EXPECT_EQ(j["error"]["code"], "VALIDATION_ERROR");
    EXPECT_EQ(j["error"]["message"], "Phone number is required");
    EXPECT_EQ(j["error"]["details"][0], (Json{{"field", "phone"}, {"message", "is required"}, {"index", 3}}));
    EXPECT_EQ(j["error"]["request_id"], "req_1");
}

TEST(ErrorResponse, NeverShowsInternalMessages) {
    auto res =
        ErrorResponse(Error{ErrorCode::kInternal, "sqlite: no such table: contacts (SELECT * FROM x)", {}}, "req_2");
    EXPECT_EQ(res.status, 500);
    EXPECT_EQ(res.body.find("sqlite"), std::string::npos) << res.body;
    EXPECT_EQ(res.body.find("SELECT"), std::string::npos) << res.body;
    EXPECT_NE(res.body.find("req_2"), std::string::npos);
}

TEST(Ok, WrapsDataAndMeta) {
    auto res = PageResponse(Json::array({1, 2}), true, std::string("ct_x"), 2);
    auto j = Json::parse(res.body);
    EXPECT_EQ(j["success"], true);
    EXPECT_EQ(j["data"], Json::array({1, 2}));
    EXPECT_EQ(j["meta"]["limit"], 2);
    EXPECT_EQ(j["meta"]["has_more"], true);
    EXPECT_TRUE(j["meta"]["next_cursor"].is_string());
}

}  // namespace
}  // namespace parley::api
