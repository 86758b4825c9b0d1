#include "domain/custom_field_service.hpp"

#include <gtest/gtest.h>

namespace parley::domain {
namespace {

std::vector<CustomField> Definitions() {
    std::vector<CustomField> defs(5);
    defs[0].name = "budget";
    defs[0].type = FieldType::kEnum;
    defs[0].options = {"low", "high"};
    defs[1].name = "seats";
    defs[1].type = FieldType::kNumber;
    defs[1].required = true;
    defs[2].name = "renewal";
    defs[2].type = FieldType::kDate;
    defs[3].name = "vip";
    defs[3].type = FieldType::kBoolean;
    defs[4].name = "outcome";
    defs[4].type = FieldType::kString;
    defs[4].required = true;
    defs[4].category = FieldCategory::kExtraction;
    return defs;
}

std::vector<std::string> Fields(const Json& values, FieldCategory purpose, bool required) {
    Checker checker;
    CheckCustomValues(values, Definitions(), purpose, required, checker);
    std::vector<std::string> out;
    for (const auto& e : checker.errors()) out.push_back(e.field);
    return out;
}

TEST(CustomValues, AcceptsValuesOfTheDefinedTypesAndUnknownNames) {
    EXPECT_TRUE(Fields({{"budget", "low"}, {"seats", 3}, {"renewal", "2026-02-28"}, {"vip", false}, {"x", {1, 2}}},
                       FieldCategory::kContact, true)
                    .empty());
}

TEST(CustomValues, NamesEveryValueOfTheWrongType) {
    auto fields = Fields({{"budget", "medium"}, {"seats", "3"}, {"renewal", "2026-02-30"}, {"vip", 1}},
                         FieldCategory::kContact, false);
    EXPECT_EQ(fields, (std::vector<std::string>{"custom_fields.budget", "custom_fields.seats", "custom_fields.renewal",
                                                "custom_fields.vip"}));
}

TEST(CustomValues, RequiredAppliesOnlyToItsCategory) {
    EXPECT_EQ(Fields(Json::object(), FieldCategory::kContact, true), std::vector<std::string>{"custom_fields.seats"});
    EXPECT_EQ(Fields(Json::object(), FieldCategory::kExtraction, true),
              (std::vector<std::string>{"custom_fields.seats", "custom_fields.outcome"}));
    EXPECT_TRUE(Fields(Json::object(), FieldCategory::kContact, false).empty());
    EXPECT_EQ(Fields({{"seats", nullptr}}, FieldCategory::kContact, true),
              std::vector<std::string>{"custom_fields.seats"});
}

TEST(CustomValues, CsvCellsBecomeTypedValues) {
    const auto defs = Definitions();
    EXPECT_EQ(CoerceCell("42.5", &defs[1]), Json(42.5));
    EXPECT_FALSE(CoerceCell("42 seats", &defs[1]));
    EXPECT_EQ(CoerceCell("Yes", &defs[3]), Json(true));
    EXPECT_EQ(CoerceCell("0", &defs[3]), Json(false));
    EXPECT_FALSE(CoerceCell("maybe", &defs[3]));
    EXPECT_EQ(CoerceCell("high", &defs[0]), Json("high"));
    EXPECT_EQ(CoerceCell("anything", nullptr), Json("anything"));
}

}  // namespace
}  // namespace parley::domain
