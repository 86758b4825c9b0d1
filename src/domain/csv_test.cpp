#include "domain/csv.hpp"

#include <gtest/gtest.h>

namespace parley::domain {
namespace {

using Records = std::vector<std::vector<std::string>>;

TEST(Csv, ReadsQuotedFieldsWithCommasQuotesAndLineBreaks) {
    auto r = ParseCsv("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n", 10);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(*r, (Records{{"a", "b", "c"}, {"x, y", "say \"hi\"", "two\nlines"}}));
}

TEST(Csv, SkipsBlankLinesAndAByteOrderMarkAndKeepsEmptyFields) {
    auto r = ParseCsv("\xEF\xBB\xBFphone,name\n\n+1,\n,\n", 10);
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, (Records{{"phone", "name"}, {"+1", ""}, {"", ""}}));
}

TEST(Csv, LastRecordNeedsNoLineEnd) {
    auto r = ParseCsv("a\nb", 10);
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, (Records{{"a"}, {"b"}}));
    auto quoted = ParseCsv("a\n\"\"", 10);
    ASSERT_TRUE(quoted);
    EXPECT_EQ(*quoted, (Records{{"a"}, {""}}));
}

TEST(Csv, RefusesAnUnterminatedQuoteNamingItsLine) {
    auto r = ParseCsv("a\nb\n\"open\nstill open", 10);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kValidation);
    EXPECT_NE(r.error().message.find("line 3"), std::string::npos) << r.error().message;
}

TEST(Csv, RefusesInvalidUtf8AndTooManyRecords) {
    EXPECT_FALSE(ParseCsv("a\n\xc3\x28\n", 10));
    auto many = ParseCsv("h\n1\n2\n3\n", 3);
    ASSERT_FALSE(many);
    EXPECT_NE(many.error().message.find("more than 2 data rows"), std::string::npos) << many.error().message;
    EXPECT_TRUE(ParseCsv("h\n1\n2\n", 3));
}

}  // namespace
}  // namespace parley::domain
