#include "domain/profile_body.hpp"

#include <gtest/gtest.h>

namespace parley::domain {
namespace {

ProfileSpec Read(const Json& body, Checker& checker) {
    ProfileSpec spec;
    ReadProfileFields(body, spec, checker, "US");
    return spec;
}

TEST(ProfileSpecTest, WhatARequestSetsIsStoredAndReadsBackAsItWas) {
    Checker checker;
    const ProfileSpec spec = Read({{"name", "Sales"},
                                   {"instructions", "Be brief."},
                                   {"closing", "Bye."},
                                   {"goals", {"book a demo"}},
                                   {"guardrails", {{"refuse_topics", {"pricing"}}, {"max_call_duration_seconds", 120}}},
                                   {"disclosure", {{"enabled", false}}},
                                   {"extract_fields", {"budget"}},
                                   {"tools", {"transfer", "end_call"}},
                                   {"transfer_number", "(202) 555-0100"},
                                   {"variables", {{"product", "Parley"}, {"city", nullptr}}}},
                                  checker);
    ASSERT_TRUE(checker.ok()) << checker.errors().front().field;
    EXPECT_EQ(spec.persona, "Be brief.");
    EXPECT_EQ(spec.transfer_number, "+12025550100");
    EXPECT_EQ(spec.guardrails.max_call_duration_seconds, 120);
    EXPECT_FALSE(spec.disclosure.enabled);
    ASSERT_EQ(spec.variables.size(), 2u);
    EXPECT_EQ(spec.variables[0].name, "product");
    EXPECT_EQ(spec.variables[0].fallback, "Parley");
    EXPECT_EQ(spec.variables[1].fallback, std::nullopt);

    const Json stored = ToJson(spec);
    auto back = ParseProfileSpec(stored);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(ToJson(*back), stored);
}

TEST(ProfileSpecTest, AStoredDocumentWithoutNewerSettingsKeepsTheirDefaults) {
    auto spec = ParseProfileSpec({{"name", "Old"}, {"opener", "Hello."}});
    ASSERT_TRUE(spec) << spec.error().message;
    EXPECT_EQ(spec->name, "Old");
    EXPECT_EQ(spec->agent_name, "Alex");
    EXPECT_EQ(spec->tools, std::vector<std::string>{"end_call"});
    EXPECT_EQ(spec->guardrails.max_call_duration_seconds, 600);
    EXPECT_TRUE(spec->disclosure.enabled);
}

TEST(ProfileSpecTest, AStoredDocumentThatDoesNotReadBackIsAnErrorNamingTheMember) {
    auto mistyped = ParseProfileSpec({{"name", "Broken"}, {"extract_fields", "budget"}});
    ASSERT_FALSE(mistyped);
    EXPECT_EQ(mistyped.error().code, ErrorCode::kInternal);
    EXPECT_NE(mistyped.error().message.find("extract_fields"), std::string::npos) << mistyped.error().message;

    auto not_object = ParseProfileSpec(Json::array({1, 2}));
    ASSERT_FALSE(not_object);
    EXPECT_EQ(not_object.error().code, ErrorCode::kInternal);

    auto unknown = ParseProfileSpec({{"name", "Broken"}, {"mood", "grumpy"}});
    ASSERT_FALSE(unknown);
    EXPECT_NE(unknown.error().message.find("mood"), std::string::npos) << unknown.error().message;
}

TEST(ProfileSpecTest, AnUpdateChangesOnlyTheMembersItNames) {
    Checker checker;
    ProfileSpec spec = Read({{"name", "Sales"}, {"opener", "Hi."}, {"variables", {"city"}}}, checker);
    ReadProfileFields({{"opener", "Hello."}, {"closing", nullptr}}, spec, checker, "US");
    ASSERT_TRUE(checker.ok());
    EXPECT_EQ(spec.name, "Sales");
    EXPECT_EQ(spec.opener, "Hello.");
    ASSERT_EQ(spec.variables.size(), 1u);

    // Null unsets what may be unset and is refused where a member has no "unset".
    ReadProfileFields({{"opener", nullptr}, {"variables", {"a", "a"}}}, spec, checker, "US");
    ASSERT_EQ(checker.errors().size(), 2u);
    EXPECT_EQ(checker.errors()[0].field, "opener");
    EXPECT_EQ(checker.errors()[1].field, "variables");
}

}  // namespace
}  // namespace parley::domain
