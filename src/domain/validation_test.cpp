#include "domain/validation.hpp"

#include <gtest/gtest.h>

#include "common/ids.hpp"

namespace parley::domain {
namespace {

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
