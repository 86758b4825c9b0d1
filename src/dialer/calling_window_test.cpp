#include "dialer/calling_window.hpp"

#include <gtest/gtest.h>
#include <phonenumbers/phonenumberutil.h>

#include <set>

#include "dialer/callee_zone.hpp"

namespace parley::dialer {
namespace {

using date::sys_seconds;
using domain::Json;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

sys_seconds Utc(int y, unsigned m, unsigned d, int h, int min = 0) {
    return date::sys_days{date::year{y} / date::month{m} / date::day{d}} + hours{h} + minutes{min};
}

const date::time_zone& Zone(std::string_view name) {
    return *date::locate_zone(name);
}

constexpr std::array<bool, 7> kEveryDay{true, true, true, true, true, true, true};
constexpr std::array<bool, 7> kWeekdays{false, true, true, true, true, true, false};

Schedule Hours(int start_h, int start_m, int end_h, int end_m, std::array<bool, 7> days = kEveryDay,
               std::string timezone = "UTC") {
    Schedule s;
    s.hours = {hours{start_h} + minutes{start_m}, hours{end_h} + minutes{end_m}};
    s.days = days;
    s.timezone = std::move(timezone);
    return s;
}

const LegalHoursGuard kGuard{};
const LegalHoursGuard kNoGuard{false};

std::vector<ReasonCode> Codes(const WindowVerdict& v) {
    std::vector<ReasonCode> codes;
    for (const auto& r : v.reasons) codes.push_back(r.code);
    return codes;
}

// ----- the zone of a phone number -----

TEST(ZoneForNumber, UsNumbersMapToTheirAreaCodesZone) {
    EXPECT_EQ(ZoneForNumber("+12125550123"), "America/New_York");  // New York City
    EXPECT_EQ(ZoneForNumber("+12025550123"), "America/New_York");  // Washington DC, a 555 number
    EXPECT_EQ(ZoneForNumber("+13055550123"), "America/New_York");  // Miami
    EXPECT_EQ(ZoneForNumber("+13125550123"), "America/Chicago");
    EXPECT_EQ(ZoneForNumber("+12145550123"), "America/Chicago");  // Dallas
    EXPECT_EQ(ZoneForNumber("+13035550123"), "America/Denver");
    EXPECT_EQ(ZoneForNumber("+19155550123"), "America/Denver");  // El Paso, Texas
    EXPECT_EQ(ZoneForNumber("+14155550123"), "America/Los_Angeles");
    EXPECT_EQ(ZoneForNumber("+12065550123"), "America/Los_Angeles");  // Seattle
    EXPECT_EQ(ZoneForNumber("+16025550123"), "America/Phoenix");
    EXPECT_EQ(ZoneForNumber("+15205550123"), "America/Phoenix");  // Tucson
    EXPECT_EQ(ZoneForNumber("+18085550123"), "Pacific/Honolulu");
    EXPECT_EQ(ZoneForNumber("+19075550123"), "America/Anchorage");
    EXPECT_EQ(ZoneForNumber("+13175550123"), "America/Indiana/Indianapolis");
    EXPECT_EQ(ZoneForNumber("+13135550123"), "America/Detroit");
    EXPECT_EQ(ZoneForNumber("+12085550123"), "America/Boise");
}

TEST(ZoneForNumber, CanadianNumbersMapToTheirProvincesZone) {
    EXPECT_EQ(ZoneForNumber("+14165550123"), "America/Toronto");
    EXPECT_EQ(ZoneForNumber("+15145550123"), "America/Toronto");  // Montreal
    EXPECT_EQ(ZoneForNumber("+16045550123"), "America/Vancouver");
    EXPECT_EQ(ZoneForNumber("+14035550123"), "America/Edmonton");  // Calgary
    EXPECT_EQ(ZoneForNumber("+13065550123"), "America/Regina");
    EXPECT_EQ(ZoneForNumber("+12045550123"), "America/Winnipeg");
    EXPECT_EQ(ZoneForNumber("+15065550123"), "America/Moncton");
    EXPECT_EQ(ZoneForNumber("+19025550123"), "America/Halifax");
    EXPECT_EQ(ZoneForNumber("+17095550123"), "America/St_Johns");
}

TEST(ZoneForNumber, SingleZoneCountriesMapByCountry) {
    EXPECT_EQ(ZoneForNumber("+912223456789"), "Asia/Kolkata");  // Mumbai
    EXPECT_EQ(ZoneForNumber("+919812345678"), "Asia/Kolkata");  // a mobile
    EXPECT_EQ(ZoneForNumber("+97714412345"), "Asia/Kathmandu");
    EXPECT_EQ(ZoneForNumber("+9779841234567"), "Asia/Kathmandu");
    EXPECT_EQ(ZoneForNumber("+442079460958"), "Europe/London");
    EXPECT_EQ(ZoneForNumber("+447400123456"), "Europe/London");  // a mobile
    EXPECT_EQ(ZoneForNumber("+33142685300"), "Europe/Paris");
    EXPECT_EQ(ZoneForNumber("+81312345678"), "Asia/Tokyo");
    EXPECT_EQ(ZoneForNumber("+17875550123"), "America/Puerto_Rico");  // NANP, its own region
}

TEST(ZoneForNumber, AustraliaMapsByAreaCode) {
    EXPECT_EQ(ZoneForNumber("+61293744000"), "Australia/Sydney");
    EXPECT_EQ(ZoneForNumber("+61396543210"), "Australia/Melbourne");
    EXPECT_EQ(ZoneForNumber("+61731234567"), "Australia/Brisbane");
    EXPECT_EQ(ZoneForNumber("+61892222222"), "Australia/Perth");
    EXPECT_EQ(ZoneForNumber("+61882123456"), "Australia/Adelaide");
    EXPECT_EQ(ZoneForNumber("+61889812345"), "Australia/Darwin");
    EXPECT_EQ(ZoneForNumber("+61412345678"), std::nullopt);  // mobiles are national
}

TEST(ZoneForNumber, MultiZoneCountriesUseAreaCodesThenTheirMainZone) {
    EXPECT_EQ(ZoneForNumber("+525512345678"), "America/Mexico_City");
    EXPECT_EQ(ZoneForNumber("+526641234567"), "America/Tijuana");
    EXPECT_EQ(ZoneForNumber("+5511912345678"), "America/Sao_Paulo");
    EXPECT_EQ(ZoneForNumber("+559232345678"), "America/Manaus");
    EXPECT_EQ(ZoneForNumber("+5592991234567"), "America/Manaus");  // Brazilian mobiles keep their DDD
    EXPECT_EQ(ZoneForNumber("+74951234567"), "Europe/Moscow");
    EXPECT_EQ(ZoneForNumber("+73832123456"), "Asia/Novosibirsk");
    EXPECT_EQ(ZoneForNumber("+62215551234"), "Asia/Jakarta");
    EXPECT_EQ(ZoneForNumber("+34928123456"), "Atlantic/Canary");
    EXPECT_EQ(ZoneForNumber("+34912345678"), "Europe/Madrid");
    EXPECT_EQ(ZoneForNumber("+6493456789"), "Pacific/Auckland");
}

TEST(ZoneForNumber, UnknownPlacesAndInvalidNumbersHaveNoZone) {
    EXPECT_EQ(ZoneForNumber("+18005550123"), std::nullopt);   // toll-free
    EXPECT_EQ(ZoneForNumber("+18675550123"), std::nullopt);   // Canada's territories: three zones
    EXPECT_EQ(ZoneForNumber("+243812345678"), std::nullopt);  // DR Congo: two zones, no area codes
    for (const char* bad :
         {"", "12025550123", "+1202555", "+15555550123", "not a number", "+999123456", "+1 202 555 0123 ext"}) {
        EXPECT_EQ(ZoneForNumber(bad), std::nullopt) << bad;
    }
}

TEST(ZoneForNumber, EveryGeographicUsAndCanadianAreaCodeHasAZone) {
    using i18n::phonenumbers::PhoneNumberUtil;
    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    int checked = 0;
    for (int npa = 200; npa <= 999; ++npa) {
        if (npa == 867) continue;  // left out on purpose
        for (const char* rest : {"2345678", "5550123", "3456789"}) {
            const std::string e164 = "+1" + std::to_string(npa) + rest;
            i18n::phonenumbers::PhoneNumber number;
            ASSERT_EQ(util.Parse(e164, "ZZ", &number), PhoneNumberUtil::NO_PARSING_ERROR);
            std::string region;
            util.GetRegionCodeForNumber(number, &region);
            if ((region != "US" && region != "CA") || !util.IsValidNumberForRegion(number, region) ||
                util.GetNumberType(number) != PhoneNumberUtil::FIXED_LINE_OR_MOBILE) {
                continue;
            }
            EXPECT_NE(ZoneForNumber(e164), std::nullopt) << e164 << " " << region;
            ++checked;
            break;
        }
    }
    EXPECT_GT(checked, 380);
}

TEST(ZoneForNumber, EveryRegionsExampleLandlineHasAZoneSaveTheKnownGaps) {
    using i18n::phonenumbers::PhoneNumberUtil;
    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    const std::set<std::string> no_zone = {"CD", "FM"};
    std::set<std::string> regions;
    util.GetSupportedRegions(&regions);
    for (const auto& region : regions) {
        i18n::phonenumbers::PhoneNumber example;
        if (!util.GetExampleNumberForType(region, PhoneNumberUtil::FIXED_LINE, &example)) continue;
        std::string e164;
        util.Format(example, PhoneNumberUtil::E164, &e164);
        EXPECT_EQ(ZoneForNumber(e164).has_value(), !no_zone.contains(region)) << region << " " << e164;
    }
}

TEST(ZoneForNumber, EveryZoneItCanAnswerIsInTheDatabase) {
    const auto names = NumberZoneNames();
    EXPECT_GT(names.size(), 200u);
    for (auto name : names) EXPECT_NE(FindZone(name), nullptr) << name;
    EXPECT_EQ(FindZone("Mars/Base"), nullptr);
    EXPECT_EQ(FindZone(""), nullptr);
}

// ----- which zone a callee is in -----

TEST(ResolveZone, TheContactsStatedZoneWinsOverTheNumbersZone) {
    // A New York number whose owner told us they live in London.
    const auto zone = ResolveZone(std::string("Europe/London"), "+12125550123", "America/Chicago");
    ASSERT_TRUE(zone);
    EXPECT_EQ(zone->name, "Europe/London");
    EXPECT_EQ(zone->source, ZoneSource::kContact);
    EXPECT_EQ(zone->zone, date::locate_zone("Europe/London"));
    EXPECT_EQ(ZoneSourceName(zone->source), "contact");
}

TEST(ResolveZone, TheNumbersZoneComesNextThenTheCampaigns) {
    const auto by_number = ResolveZone(std::nullopt, "+12125550123", "America/Chicago");
    ASSERT_TRUE(by_number);
    EXPECT_EQ(by_number->name, "America/New_York");
    EXPECT_EQ(by_number->source, ZoneSource::kPhoneNumber);
    EXPECT_EQ(ZoneSourceName(by_number->source), "phone_number");

    // An Australian mobile has no area; nothing else is known.
    const auto by_campaign = ResolveZone(std::nullopt, "+61412345678", "Australia/Sydney");
    ASSERT_TRUE(by_campaign);
    EXPECT_EQ(by_campaign->name, "Australia/Sydney");
    EXPECT_EQ(by_campaign->source, ZoneSource::kCampaign);
    EXPECT_EQ(ZoneSourceName(by_campaign->source), "campaign");

    // An empty or unknown stated zone is passed over.
    EXPECT_EQ(ResolveZone(std::string(""), "+12125550123", "UTC")->source, ZoneSource::kPhoneNumber);
    EXPECT_EQ(ResolveZone(std::string("Mars/Base"), "+12125550123", "UTC")->source, ZoneSource::kPhoneNumber);

    const auto none = ResolveZone(std::nullopt, "+61412345678", "Mars/Base");
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, ErrorCode::kValidation);
}

// ----- the window across clock changes -----

TEST(CallingWindow, UsSpringForwardMovesTheNextMorningOneHourEarlierInUtc) {
    const auto& ny = Zone("America/New_York");
    const auto s = Hours(9, 0, 17, 0);
    // Saturday 2026-03-07 17:00 EST; the clocks go forward on Sunday 03-08 at 02:00.
    const auto v = Evaluate(s, ny, kGuard, Utc(2026, 3, 7, 22));
    EXPECT_FALSE(v.allowed);
    EXPECT_EQ(Codes(v), std::vector{ReasonCode::kOutsideCallingHours});
    EXPECT_EQ(v.next_allowed, Utc(2026, 3, 8, 13));  // 09:00 EDT, not 14:00 UTC as the day before
    EXPECT_EQ(Evaluate(s, ny, kGuard, Utc(2026, 3, 7, 14)).next_allowed, Utc(2026, 3, 7, 14));  // 09:00 EST
    EXPECT_FALSE(Evaluate(s, ny, kGuard, Utc(2026, 3, 8, 12, 59)).allowed);
    EXPECT_TRUE(Evaluate(s, ny, kGuard, Utc(2026, 3, 8, 13)).allowed);
}

TEST(CallingWindow, AStartInsideTheSkippedHourOpensWhenTheClocksJump) {
    const auto& ny = Zone("America/New_York");
    const auto s = Hours(2, 30, 5, 0);                             // 02:30 does not exist on 2026-03-08
    const auto v = Evaluate(s, ny, kNoGuard, Utc(2026, 3, 8, 6));  // 01:00 EST
    EXPECT_FALSE(v.allowed);
    EXPECT_EQ(v.next_allowed, Utc(2026, 3, 8, 7));  // 01:59:59 EST is followed by 03:00 EDT
    EXPECT_FALSE(Evaluate(s, ny, kNoGuard, Utc(2026, 3, 8, 7) - seconds{1}).allowed);
    EXPECT_TRUE(Evaluate(s, ny, kNoGuard, Utc(2026, 3, 8, 7)).allowed);
    // The window closes at 05:00 EDT, 09:00 UTC.
    EXPECT_TRUE(Evaluate(s, ny, kNoGuard, Utc(2026, 3, 8, 9) - seconds{1}).allowed);
    EXPECT_FALSE(Evaluate(s, ny, kNoGuard, Utc(2026, 3, 8, 9)).allowed);
}

TEST(CallingWindow, UsFallBackMovesTheNextMorningOneHourLaterInUtc) {
    const auto& ny = Zone("America/New_York");
    const auto s = Hours(9, 0, 17, 0);
    // Saturday 2026-10-31 17:00 EDT; the clocks go back on Sunday 11-01 at 02:00.
    const auto v = Evaluate(s, ny, kGuard, Utc(2026, 10, 31, 21));
    EXPECT_EQ(v.next_allowed, Utc(2026, 11, 1, 14));  // 09:00 EST
}

TEST(CallingWindow, TheRepeatedHourIsInsideTheWindowEachTimeTheClockShowsIt) {
    const auto& ny = Zone("America/New_York");
    const auto s = Hours(1, 30, 4, 0);
    // 01:00 EDT: the window opens at the first 01:30 (EDT).
    EXPECT_EQ(Evaluate(s, ny, kNoGuard, Utc(2026, 11, 1, 5)).next_allowed, Utc(2026, 11, 1, 5, 30));
    EXPECT_TRUE(Evaluate(s, ny, kNoGuard, Utc(2026, 11, 1, 5, 59)).allowed);  // 01:59 EDT
    // At 06:00 UTC the clock shows 01:00 EST again: before 01:30, so not allowed until 01:30 EST.
    const auto v = Evaluate(s, ny, kNoGuard, Utc(2026, 11, 1, 6, 10));
    EXPECT_FALSE(v.allowed);
    EXPECT_EQ(v.next_allowed, Utc(2026, 11, 1, 6, 30));
    EXPECT_NE(v.reasons.at(0).message.find("01:10 EST"), std::string::npos) << v.reasons.at(0).message;
}

TEST(CallingWindow, TheGuardFollowsTheCalleesClockAcrossTheChange) {
    const auto& ny = Zone("America/New_York");
    const auto s = Hours(6, 0, 23, 0);
    // Friday 03-06 (EST): 21:00 is 02:00 UTC. Sunday 03-08 (EDT): 21:00 is 01:00 UTC.
    EXPECT_TRUE(Evaluate(s, ny, kGuard, Utc(2026, 3, 7, 1, 59)).allowed);
    EXPECT_FALSE(Evaluate(s, ny, kGuard, Utc(2026, 3, 7, 2)).allowed);
    EXPECT_TRUE(Evaluate(s, ny, kGuard, Utc(2026, 3, 9, 0, 59)).allowed);
    const auto v = Evaluate(s, ny, kGuard, Utc(2026, 3, 9, 1));
    EXPECT_EQ(Codes(v), std::vector{ReasonCode::kOutsideLegalHours});
    EXPECT_EQ(v.next_allowed, Utc(2026, 3, 9, 12));  // Monday 08:00 EDT
}

TEST(CallingWindow, SydneyAutumnChangeMovesTheMorningLaterInUtc) {
    const auto& sydney = Zone("Australia/Sydney");
    const auto s = Hours(9, 0, 17, 0);
    // Saturday 2026-04-04 09:00 AEDT (+11) is 04-03 22:00 UTC; Sunday 04-05 09:00 AEST (+10) is 04-04 23:00.
    EXPECT_EQ(Evaluate(s, sydney, kGuard, Utc(2026, 4, 3, 21)).next_allowed, Utc(2026, 4, 3, 22));
    EXPECT_EQ(Evaluate(s, sydney, kGuard, Utc(2026, 4, 4, 6)).next_allowed, Utc(2026, 4, 4, 23));
}

TEST(CallingWindow, SydneySpringChangeMovesTheMorningEarlierInUtc) {
    const auto& sydney = Zone("Australia/Sydney");
    // Saturday 2026-10-03 09:00 AEST (+10) is 10-02 23:00 UTC; Sunday 10-04 09:00 AEDT (+11) is 10-03 22:00.
    const auto s = Hours(9, 0, 17, 0);
    EXPECT_EQ(Evaluate(s, sydney, kGuard, Utc(2026, 10, 2, 22)).next_allowed, Utc(2026, 10, 2, 23));
    EXPECT_EQ(Evaluate(s, sydney, kGuard, Utc(2026, 10, 3, 7)).next_allowed, Utc(2026, 10, 3, 22));
    // 02:30 does not exist on 10-04: the clocks jump from 02:00 AEST to 03:00 AEDT at 16:00 UTC.
    EXPECT_EQ(Evaluate(Hours(2, 30, 6, 0), sydney, kNoGuard, Utc(2026, 10, 3, 12)).next_allowed, Utc(2026, 10, 3, 16));
}

TEST(CallingWindow, HalfAndQuarterHourZonesWithoutDaylightSaving) {
    const auto s = Hours(9, 0, 17, 0);
    // Monday 2026-01-05. India is UTC+05:30: 09:00 IST is 03:30 UTC.
    const auto india = Evaluate(s, Zone("Asia/Kolkata"), kGuard, Utc(2026, 1, 5, 3));
    EXPECT_EQ(Codes(india), std::vector{ReasonCode::kOutsideCallingHours});
    EXPECT_EQ(india.next_allowed, Utc(2026, 1, 5, 3, 30));
    // Nepal is UTC+05:45: 09:00 NPT is 03:15 UTC, 17:00 is 11:15.
    const auto& kathmandu = Zone("Asia/Kathmandu");
    const auto nepal = Evaluate(s, kathmandu, kGuard, Utc(2026, 1, 5, 3));
    EXPECT_EQ(nepal.next_allowed, Utc(2026, 1, 5, 3, 15));
    EXPECT_NE(nepal.reasons.at(0).message.find("Mon 2026-01-05 08:45 +0545 (Asia/Kathmandu)"), std::string::npos)
        << nepal.reasons.at(0).message;
    EXPECT_TRUE(Evaluate(s, kathmandu, kGuard, Utc(2026, 1, 5, 11, 14)).allowed);
    EXPECT_FALSE(Evaluate(s, kathmandu, kGuard, Utc(2026, 1, 5, 11, 15)).allowed);
    // Six months on, no change.
    EXPECT_EQ(Evaluate(s, kathmandu, kGuard, Utc(2026, 7, 6, 3)).next_allowed, Utc(2026, 7, 6, 3, 15));
}

// ----- the legal-hours guard -----

TEST(LegalHoursGuard, RefusesEarlyAndLateCallsTheCampaignWouldAllow) {
    const auto& ny = Zone("America/New_York");
    const auto s = Hours(6, 0, 23, 0);
    // Tuesday 2026-01-06 07:30 EST.
    const auto early = Evaluate(s, ny, kGuard, Utc(2026, 1, 6, 12, 30));
    EXPECT_FALSE(early.allowed);
    EXPECT_EQ(Codes(early), std::vector{ReasonCode::kOutsideLegalHours});
    EXPECT_EQ(early.next_allowed, Utc(2026, 1, 6, 13));  // 08:00 EST
    const auto& message = early.reasons.at(0).message;
    EXPECT_NE(message.find("08:00-21:00"), std::string::npos) << message;
    EXPECT_NE(message.find("Tue 2026-01-06 07:30 EST (America/New_York)"), std::string::npos) << message;
    EXPECT_EQ(ReasonCodeName(early.reasons.at(0).code), "outside_legal_hours");

    // 21:30 EST: next is 08:00 the next morning.
    const auto late = Evaluate(s, ny, kGuard, Utc(2026, 1, 7, 2, 30));
    EXPECT_EQ(Codes(late), std::vector{ReasonCode::kOutsideLegalHours});
    EXPECT_EQ(late.next_allowed, Utc(2026, 1, 7, 13));
    EXPECT_FALSE(Evaluate(s, ny, kGuard, Utc(2026, 1, 7, 2)).allowed);  // 21:00 itself is out
    EXPECT_TRUE(Evaluate(s, ny, kGuard, Utc(2026, 1, 7, 2) - seconds{1}).allowed);
}

TEST(LegalHoursGuard, WhenDisabledTheCampaignsHoursAlone) {
    const auto& ny = Zone("America/New_York");
    const auto v = Evaluate(Hours(6, 0, 23, 0), ny, kNoGuard, Utc(2026, 1, 6, 12, 30));
    EXPECT_TRUE(v.allowed);
    EXPECT_TRUE(v.reasons.empty());
    EXPECT_EQ(v.next_allowed, Utc(2026, 1, 6, 12, 30));
}

TEST(LegalHoursGuard, CallingHoursOutsideTheGuardAreNeverAllowed) {
    const auto v = Evaluate(Hours(21, 30, 23, 0), Zone("America/New_York"), kGuard, Utc(2026, 1, 7, 2, 45));
    EXPECT_EQ(Codes(v), std::vector{ReasonCode::kOutsideLegalHours});
    EXPECT_EQ(v.next_allowed, std::nullopt);
}

TEST(LegalHoursGuard, OrganizationHoursReplaceTheDefault) {
    const LegalHoursGuard strict{true, {hours{9}, hours{20}}};
    const auto v = Evaluate(Hours(8, 0, 21, 0), Zone("Europe/Paris"), strict, Utc(2026, 1, 6, 7, 30));  // 08:30 CET
    EXPECT_EQ(Codes(v), std::vector{ReasonCode::kOutsideLegalHours});
    EXPECT_EQ(v.next_allowed, Utc(2026, 1, 6, 8));
}

// ----- days and dates -----

TEST(CallingWindow, ADayNotAllowedWaitsForTheNextAllowedDaysStart) {
    const auto& ny = Zone("America/New_York");
    const auto s = Hours(9, 0, 17, 0, kWeekdays);
    // Saturday 2026-01-10 10:00 EST.
    const auto v = Evaluate(s, ny, kGuard, Utc(2026, 1, 10, 15));
    EXPECT_EQ(Codes(v), std::vector{ReasonCode::kDayNotAllowed});
    EXPECT_NE(v.reasons.at(0).message.find("Saturday"), std::string::npos) << v.reasons.at(0).message;
    EXPECT_EQ(v.next_allowed, Utc(2026, 1, 12, 14));  // Monday 09:00 EST
}

TEST(CallingWindow, DaysAreTheCalleesLocalWeekdays) {
    // Sunday 2026-01-11 23:00 UTC is Monday 08:00 in Tokyo: a weekday there.
    const auto v = Evaluate(Hours(9, 0, 17, 0, kWeekdays), Zone("Asia/Tokyo"), kGuard, Utc(2026, 1, 11, 23));
    EXPECT_EQ(Codes(v), std::vector{ReasonCode::kOutsideCallingHours});
    EXPECT_EQ(v.next_allowed, Utc(2026, 1, 12, 0));
}

TEST(CallingWindow, NoDayAllowedMeansNever) {
    const auto v = Evaluate(Hours(9, 0, 17, 0, {}), Zone("UTC"), kGuard, Utc(2026, 1, 6, 10));
    EXPECT_EQ(Codes(v), std::vector{ReasonCode::kDayNotAllowed});
    EXPECT_EQ(v.next_allowed, std::nullopt);
}

TEST(CallingWindow, BeforeTheStartDateWaitsForTheFirstDay) {
    auto s = Hours(9, 0, 17, 0, kWeekdays, "America/Chicago");
    s.start_date = std::chrono::year{2026} / 2 / 2;  // a Monday
    // Friday 2026-01-30 10:00 EST.
    const auto v = Evaluate(s, Zone("America/New_York"), kGuard, Utc(2026, 1, 30, 15));
    EXPECT_EQ(Codes(v), std::vector{ReasonCode::kBeforeStartDate});
    EXPECT_NE(v.reasons.at(0).message.find("2026-02-02 (America/Chicago)"), std::string::npos);
    EXPECT_EQ(v.next_allowed, Utc(2026, 2, 2, 14));  // 09:00 EST on the start date
}

TEST(CallingWindow, StartAndEndDatesAreDaysOfTheCampaignsZone) {
    auto s = Hours(9, 0, 17, 0, kWeekdays, "Asia/Tokyo");
    s.start_date = std::chrono::year{2026} / 2 / 3;  // begins 2026-02-02 15:00 UTC, Monday 10:00 in New York
    const auto& ny = Zone("America/New_York");
    const auto v = Evaluate(s, ny, kGuard, Utc(2026, 2, 2, 14, 59));
    EXPECT_EQ(Codes(v), std::vector{ReasonCode::kBeforeStartDate});
    EXPECT_EQ(v.next_allowed, Utc(2026, 2, 2, 15));
    EXPECT_TRUE(Evaluate(s, ny, kGuard, Utc(2026, 2, 2, 15)).allowed);

    s.end_date = std::chrono::year{2026} / 2 / 3;  // ends 2026-02-03 15:00 UTC, Tuesday 10:00 in New York
    EXPECT_TRUE(Evaluate(s, ny, kGuard, Utc(2026, 2, 3, 14, 59)).allowed);
    const auto over = Evaluate(s, ny, kGuard, Utc(2026, 2, 3, 15));
    EXPECT_EQ(Codes(over), std::vector{ReasonCode::kAfterEndDate});
    EXPECT_EQ(over.next_allowed, std::nullopt);
}

TEST(CallingWindow, AfterTheEndDateNeverAgain) {
    auto s = Hours(9, 0, 17, 0, kWeekdays, "America/New_York");
    s.start_date = std::chrono::year{2026} / 1 / 5;
    s.end_date = std::chrono::year{2026} / 1 / 30;
    const auto& ny = Zone("America/New_York");
    const auto v = Evaluate(s, ny, kGuard, Utc(2026, 2, 3, 15));
    EXPECT_EQ(Codes(v), std::vector{ReasonCode::kAfterEndDate});
    EXPECT_NE(v.reasons.at(0).message.find("ended on 2026-01-30"), std::string::npos);
    EXPECT_EQ(v.next_allowed, std::nullopt);
    // Friday 01-30 after hours: the next weekday is past the end.
    EXPECT_EQ(Evaluate(s, ny, kGuard, Utc(2026, 1, 30, 22, 30)).next_allowed, std::nullopt);
    // Thursday 01-29 after hours: Friday morning is still in.
    EXPECT_EQ(Evaluate(s, ny, kGuard, Utc(2026, 1, 29, 22, 30)).next_allowed, Utc(2026, 1, 30, 14));
}

TEST(CallingWindow, EveryReasonIsReportedAtOnce) {
    auto s = Hours(9, 0, 17, 0, kWeekdays, "America/New_York");
    s.start_date = std::chrono::year{2026} / 2 / 2;
    // Saturday 2026-01-10 22:00 EST: before the start, a weekend, after hours, after the guard.
    const auto v = Evaluate(s, Zone("America/New_York"), kGuard, Utc(2026, 1, 11, 3));
    EXPECT_FALSE(v.allowed);
    EXPECT_EQ(Codes(v), (std::vector{ReasonCode::kBeforeStartDate, ReasonCode::kDayNotAllowed,
                                     ReasonCode::kOutsideCallingHours, ReasonCode::kOutsideLegalHours}));
    for (const auto& r : v.reasons) {
        EXPECT_NE(r.message.find("Sat 2026-01-10 22:00 EST (America/New_York)"), std::string::npos) << r.message;
    }
    EXPECT_EQ(v.next_allowed, Utc(2026, 2, 2, 14));
    std::vector<std::string_view> names;
    for (const auto& r : v.reasons) names.push_back(ReasonCodeName(r.code));
    EXPECT_EQ(names, (std::vector<std::string_view>{"before_start_date", "day_not_allowed", "outside_calling_hours",
                                                    "outside_legal_hours"}));
}

}  // namespace
}  // namespace parley::dialer
