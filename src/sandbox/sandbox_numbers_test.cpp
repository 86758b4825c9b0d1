// Which numbers the sandbox answers, and which of its people each reaches.

#include <gtest/gtest.h>

#include "sandbox/sandbox.hpp"

namespace parley::sandbox {
namespace {

constexpr auto kFictional = SandboxNumbers::kFictional;
constexpr auto kAnyNanp = SandboxNumbers::kAnyNanp;

TEST(SandboxNumbers, FictionalNumbersReachThePersonOfTheirLastTwoDigits) {
    EXPECT_EQ(SandboxCarrier::PersonaOf("+12025550100", kFictional), 0);
    EXPECT_EQ(SandboxCarrier::PersonaOf("+12025550104", kFictional), 4);
    EXPECT_EQ(SandboxCarrier::PersonaOf("+19175550116", kFictional), 4);  // 16 % 12
    EXPECT_EQ(SandboxCarrier::PersonaOf("+12025550199", kFictional), 3);  // 99 % 12
    // The same numbers in the wider plan reach the same people.
    EXPECT_EQ(SandboxCarrier::PersonaOf("+12025550116", kAnyNanp), 4);
}

TEST(SandboxNumbers, OnlyTheFictionalNumbersByDefault) {
    EXPECT_EQ(SandboxCarrier::PersonaOf("+12125551234"), -1);
    EXPECT_EQ(SandboxCarrier::PersonaOf("+12025550200"), -1);  // 555-0200 is past 555-0199
    EXPECT_EQ(SandboxCarrier::PersonaOf("+12125551234", kFictional), -1);
}

TEST(SandboxNumbers, AnyNanpAnswersEveryNorthAmericanNumber) {
    EXPECT_EQ(SandboxCarrier::PersonaOf("+12125551234", kAnyNanp), 34 % kSandboxPersonas);
    EXPECT_EQ(SandboxCarrier::PersonaOf("+16462004404", kAnyNanp), 4);
    EXPECT_EQ(SandboxCarrier::PersonaOf("+19999999900", kAnyNanp), 0);
}

TEST(SandboxNumbers, NumbersOutsideTheNorthAmericanPlanReachNobody) {
    for (auto numbers : {kFictional, kAnyNanp}) {
        EXPECT_EQ(SandboxCarrier::PersonaOf("+442079460958", numbers), -1);  // United Kingdom
        EXPECT_EQ(SandboxCarrier::PersonaOf("+919812345678", numbers), -1);  // India, also 12 characters
        EXPECT_EQ(SandboxCarrier::PersonaOf("+11025550104", numbers), -1);   // area code starting 1
        EXPECT_EQ(SandboxCarrier::PersonaOf("+1202555010", numbers), -1);    // one digit short
        EXPECT_EQ(SandboxCarrier::PersonaOf("+120255501044", numbers), -1);  // one digit long
        EXPECT_EQ(SandboxCarrier::PersonaOf("+1202555O104", numbers), -1);   // a letter
        EXPECT_EQ(SandboxCarrier::PersonaOf("12025550104", numbers), -1);    // no plus
    }
    EXPECT_EQ(SandboxCarrier::PersonaOf("+12021550104", kAnyNanp), -1);  // exchange starting 1
    EXPECT_EQ(SandboxCarrier::PersonaOf("+12020550104", kAnyNanp), -1);  // exchange starting 0
}

}  // namespace
}  // namespace parley::sandbox
