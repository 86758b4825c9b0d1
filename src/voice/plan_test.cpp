#include "voice/plan.hpp"

#include <gtest/gtest.h>

namespace parley::voice {
namespace {

TEST(Plan, APitchOfZeroIsStoredAndReadBackAsTheLowestPitch) {
    Plan plan;
    plan.pitch = 0;
    const Json stored = ToJson(plan);
    EXPECT_EQ(stored["plan_format"], 2);
    EXPECT_EQ(stored["tts"]["pitch"], 0);
    EXPECT_EQ(PlanFromJson(stored).pitch, 0);
}

TEST(Plan, TheEnginesDefaultPitchIsStoredAsNull) {
    const Json stored = ToJson(Plan{});
    EXPECT_TRUE(stored["tts"]["pitch"].is_null());
    EXPECT_EQ(PlanFromJson(stored).pitch, std::nullopt);
}

// Plans compiled before format 2 wrote the engine's default pitch as 0.
TEST(Plan, AFormatOnePlansPitchOfZeroIsTheEnginesDefault) {
    const Json old = {{"plan_format", 1},
                      {"tts", {{"engine", "flite"}, {"voice", "kal"}, {"rate_wpm", 0}, {"pitch", 0}}}};
    EXPECT_EQ(PlanFromJson(old).pitch, std::nullopt);
    Json raised = old;
    raised["tts"]["pitch"] = 70;
    EXPECT_EQ(PlanFromJson(raised).pitch, 70);
}

}  // namespace
}  // namespace parley::voice
