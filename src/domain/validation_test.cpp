#include "domain/validation.hpp"

#include <gtest/gtest.h>

#include "common/ids.hpp"

namespace parley::domain {
namespace {

std::string ObjectOfKeys(size_t n, const std::string& prefix = "k") {
    std::string out = "{";
    for (size_t i = 0; i < n; ++i) out += (i ? ",\"" : "\"") + prefix + std::to_string(i) + "\":0";
    return out + "}";
}

TEST(BoundedJson, RefusesObjectsWithTooManyKeysBeforeParsingThem) {
    EXPECT_TRUE(ParseBoundedJson(ObjectOfKeys(1000)));
    auto many = ParseBoundedJson(ObjectOfKeys(80'000));
    ASSERT_FALSE(many);
    EXPECT_EQ(many.error().code, ErrorCode::kValidation);
    EXPECT_NE(many.error().message.find("more than 1000 keys"), std::string::npos);
    // Keys count per object: two objects of 1000 keys each are fine, and so is a long array.
    EXPECT_TRUE(ParseBoundedJson("[" + ObjectOfKeys(1000) + "," + ObjectOfKeys(1000) + "]"));
    std::string long_array = "[";
    for (int i = 0; i < 50'000; ++i) long_array += i ? ",1" : "1";
    EXPECT_TRUE(ParseBoundedJson(long_array + "]"));
    // Colons and braces inside strings are text.
    EXPECT_TRUE(ParseBoundedJson("{\"a\": \"" + std::string(2000, ':') + "{[\\\"\"}"));
    EXPECT_EQ(ParseBoundedJson(ObjectOfKeys(3), {.max_members = 2}).error().code, ErrorCode::kValidation);
}

TEST(BoundedJson, BoundsDepthKeysAndStrings) {
    EXPECT_TRUE(ParseBoundedJson(std::string(64, '[') + std::string(64, ']')));
    auto deep = ParseBoundedJson(std::string(65, '[') + std::string(65, ']'));
    ASSERT_FALSE(deep);
    EXPECT_EQ(deep.error().code, ErrorCode::kInvalidJson);
    EXPECT_TRUE(ParseBoundedJson("{\"" + std::string(256, 'k') + "\": 1}"));
    auto long_key = ParseBoundedJson("{\"" + std::string(257, 'k') + "\": 1}");
    ASSERT_FALSE(long_key);
    EXPECT_NE(long_key.error().message.find("key is longer than 256"), std::string::npos);
    EXPECT_TRUE(ParseBoundedJson("{\"k\": \"" + std::string(64 * 1024, 'v') + "\"}"));
    auto long_string = ParseBoundedJson("[\"" + std::string(64 * 1024 + 1, 'v') + "\"]");
    ASSERT_FALSE(long_string);
    EXPECT_EQ(long_string.error().code, ErrorCode::kValidation);
    EXPECT_TRUE(ParseBoundedJson("[\"" + std::string(100'000, 'v') + "\"]", {.max_string_bytes = 100'000}));
    EXPECT_EQ(ParseBoundedJson("{\"a\": }").error().code, ErrorCode::kInvalidJson);
    EXPECT_EQ(ParseBoundedJson("\"\xff\"").error().code, ErrorCode::kInvalidJson);
}

TEST(Page, DefaultsToFiftyAndAcceptsOneToOneHundred) {
    EXPECT_EQ(ParsePage(std::nullopt, std::nullopt, "ct_")->limit, 50);
    EXPECT_EQ(ParsePage("1", std::nullopt, "ct_")->limit, 1);
    EXPECT_EQ(ParsePage("100", std::nullopt, "ct_")->limit, 100);
    for (const char* bad : {"0", "101", "-1", "1.5", "", "ten", "99999999999999999999", "5 "}) {
        auto p = ParsePage(bad, std::nullopt, "ct_");
        ASSERT_FALSE(p) << bad;
        EXPECT_EQ(p.error().code, ErrorCode::kValidation);
        EXPECT_EQ(p.error().details[0].field, "limit");
    }
}

TEST(Page, CursorsRoundTripAndOnlyFitTheirOwnList) {
    const auto id = NewId("ct_", 1'800'000'000'000);
    const auto cursor = MakeCursor(id);
    EXPECT_EQ(ParsePage(std::nullopt, cursor, "ct_")->after_id, id);
    EXPECT_FALSE(ParsePage(std::nullopt, cursor, "cf_"));
    EXPECT_FALSE(ParsePage(std::nullopt, "not-a-cursor!", "ct_"));
    EXPECT_FALSE(ParsePage(std::nullopt, MakeCursor("ct_' OR 1=1"), "ct_"));
    EXPECT_FALSE(ParsePage(std::nullopt, std::string_view(), "ct_")->after_id);
}

TEST(Checker, ReportsTypesLengthsControlCharactersAndUnknownKeys) {
    Checker c;
    const Json body = {{"a", 1}, {"b", "xxxx"}, {"c", "x\x01"}, {"d", "ok"}, {"e", nullptr}, {"zz", true}};
    EXPECT_FALSE(c.String(body, "a", 10));
    EXPECT_FALSE(c.String(body, "b", 3));
    EXPECT_FALSE(c.String(body, "c", 10));
    EXPECT_EQ(c.String(body, "d", 10), "ok");
    EXPECT_FALSE(c.String(body, "e", 10));
    EXPECT_EQ(c.String(body, "e", 10, false, true), "");
    EXPECT_FALSE(c.String(body, "missing", 10, true));
    c.RejectUnknownKeys(body, {"a", "b", "c", "d", "e"});
    std::vector<std::string> fields;
    for (const auto& e : c.errors()) fields.push_back(e.field);
    EXPECT_EQ(fields, (std::vector<std::string>{"a", "b", "c", "missing", "zz"}));
}

}  // namespace
}  // namespace parley::domain
