#include "dialer/callee_zone.hpp"

#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <exception>

namespace parley::dialer {
namespace {

using i18n::phonenumbers::PhoneNumberUtil;

constexpr size_t kMaxNumberLength = 64;
constexpr size_t kMaxZoneNameLength = 64;

// ---------------------------------------------------------------------------------------------
// United States and Canada: NANP area code -> zone.
// An area code split between zones takes the zone most of its people live in (noted where so).
// Canada's 867 (Yukon, Northwest Territories, Nunavut) spans three zones and is left out.

constexpr std::string_view kEastern = "America/New_York";
constexpr std::string_view kDetroit = "America/Detroit";
constexpr std::string_view kIndiana = "America/Indiana/Indianapolis";
constexpr std::string_view kCentral = "America/Chicago";
constexpr std::string_view kMountain = "America/Denver";
constexpr std::string_view kBoise = "America/Boise";
constexpr std::string_view kArizona = "America/Phoenix";  // no daylight saving time
constexpr std::string_view kPacific = "America/Los_Angeles";
constexpr std::string_view kAlaska = "America/Anchorage";
constexpr std::string_view kHawaii = "Pacific/Honolulu";
constexpr std::string_view kToronto = "America/Toronto";
constexpr std::string_view kWinnipeg = "America/Winnipeg";
constexpr std::string_view kRegina = "America/Regina";  // no daylight saving time
constexpr std::string_view kEdmonton = "America/Edmonton";
constexpr std::string_view kVancouver = "America/Vancouver";
constexpr std::string_view kHalifax = "America/Halifax";
constexpr std::string_view kMoncton = "America/Moncton";
constexpr std::string_view kStJohns = "America/St_Johns";

struct NanpArea {
    uint16_t npa = 0;
    std::string_view zone;
};

// clang-format off
constexpr NanpArea kNanpAreas[] = {
    // Alabama
    {205, kCentral}, {251, kCentral}, {256, kCentral}, {334, kCentral}, {659, kCentral}, {938, kCentral},
    // Alaska
    {907, kAlaska},
    // Arizona
    {480, kArizona}, {520, kArizona}, {602, kArizona}, {623, kArizona}, {928, kArizona},
    // Arkansas
    {327, kCentral}, {479, kCentral}, {501, kCentral}, {870, kCentral},
    // California
    {209, kPacific}, {213, kPacific}, {279, kPacific}, {310, kPacific}, {323, kPacific}, {341, kPacific},
    {350, kPacific}, {408, kPacific}, {415, kPacific}, {424, kPacific}, {442, kPacific}, {510, kPacific},
    {530, kPacific}, {559, kPacific}, {562, kPacific}, {619, kPacific}, {626, kPacific}, {628, kPacific},
    {650, kPacific}, {657, kPacific}, {661, kPacific}, {669, kPacific}, {707, kPacific}, {714, kPacific},
    {747, kPacific}, {760, kPacific}, {805, kPacific}, {818, kPacific}, {820, kPacific}, {831, kPacific},
    {840, kPacific}, {858, kPacific}, {909, kPacific}, {916, kPacific}, {925, kPacific}, {949, kPacific},
    {951, kPacific},
    // Colorado
    {303, kMountain}, {719, kMountain}, {720, kMountain}, {970, kMountain}, {983, kMountain},
    // Connecticut
    {203, kEastern}, {475, kEastern}, {860, kEastern}, {959, kEastern},
    // Delaware
    {302, kEastern},
    // District of Columbia
    {202, kEastern}, {771, kEastern},
    // Florida. 850 and its overlay 448 (the Panhandle): Pensacola to Panama City keep Central
    // time, more people than Tallahassee's Eastern.
    {239, kEastern}, {305, kEastern}, {321, kEastern}, {324, kEastern}, {352, kEastern}, {386, kEastern},
    {407, kEastern}, {448, kCentral}, {561, kEastern}, {645, kEastern}, {656, kEastern}, {689, kEastern},
    {727, kEastern}, {754, kEastern}, {772, kEastern}, {786, kEastern}, {813, kEastern}, {850, kCentral},
    {863, kEastern}, {904, kEastern}, {941, kEastern}, {954, kEastern},
    // Georgia
    {229, kEastern}, {404, kEastern}, {470, kEastern}, {478, kEastern}, {678, kEastern}, {706, kEastern},
    {762, kEastern}, {770, kEastern}, {912, kEastern}, {943, kEastern},
    // Hawaii
    {808, kHawaii},
    // Idaho: the south (Boise) is Mountain, the panhandle Pacific.
    {208, kBoise}, {986, kBoise},
    // Illinois
    {217, kCentral}, {224, kCentral}, {309, kCentral}, {312, kCentral}, {331, kCentral}, {447, kCentral},
    {464, kCentral}, {618, kCentral}, {630, kCentral}, {708, kCentral}, {730, kCentral}, {773, kCentral},
    {779, kCentral}, {815, kCentral}, {847, kCentral}, {872, kCentral},
    // Indiana: the northwest (219, Gary) is Central; 812 is mostly Eastern (Evansville is Central).
    {219, kCentral}, {260, kIndiana}, {317, kIndiana}, {463, kIndiana}, {574, kIndiana}, {765, kIndiana},
    {812, kIndiana}, {930, kIndiana},
    // Iowa
    {319, kCentral}, {515, kCentral}, {563, kCentral}, {641, kCentral}, {712, kCentral},
    // Kansas (four western counties keep Mountain time)
    {316, kCentral}, {620, kCentral}, {785, kCentral}, {913, kCentral},
    // Kentucky: the west (270, 364) is Central.
    {270, kCentral}, {364, kCentral}, {502, kEastern}, {606, kEastern}, {859, kEastern},
    // Louisiana
    {225, kCentral}, {318, kCentral}, {337, kCentral}, {504, kCentral}, {985, kCentral},
    // Maine
    {207, kEastern},
    // Maryland
    {227, kEastern}, {240, kEastern}, {301, kEastern}, {410, kEastern}, {443, kEastern}, {667, kEastern},
    // Massachusetts
    {339, kEastern}, {351, kEastern}, {413, kEastern}, {508, kEastern}, {617, kEastern}, {774, kEastern},
    {781, kEastern}, {857, kEastern}, {978, kEastern},
    // Michigan (906: four Upper Peninsula counties keep Central time)
    {231, kDetroit}, {248, kDetroit}, {269, kDetroit}, {313, kDetroit}, {517, kDetroit}, {586, kDetroit},
    {616, kDetroit}, {679, kDetroit}, {734, kDetroit}, {810, kDetroit}, {906, kDetroit}, {947, kDetroit},
    {989, kDetroit},
    // Minnesota
    {218, kCentral}, {320, kCentral}, {507, kCentral}, {612, kCentral}, {651, kCentral}, {763, kCentral},
    {952, kCentral},
    // Mississippi
    {228, kCentral}, {471, kCentral}, {601, kCentral}, {662, kCentral}, {769, kCentral},
    // Missouri
    {235, kCentral}, {314, kCentral}, {417, kCentral}, {557, kCentral}, {573, kCentral}, {636, kCentral},
    {660, kCentral}, {816, kCentral},
    // Montana
    {406, kMountain},
    // Nebraska (308: the Panhandle is Mountain, most of the area Central)
    {308, kCentral}, {402, kCentral}, {531, kCentral},
    // Nevada
    {702, kPacific}, {725, kPacific}, {775, kPacific},
    // New Hampshire
    {603, kEastern},
    // New Jersey
    {201, kEastern}, {551, kEastern}, {609, kEastern}, {640, kEastern}, {732, kEastern}, {848, kEastern},
    {856, kEastern}, {862, kEastern}, {908, kEastern}, {973, kEastern},
    // New Mexico
    {505, kMountain}, {575, kMountain},
    // New York
    {212, kEastern}, {315, kEastern}, {329, kEastern}, {332, kEastern}, {347, kEastern}, {363, kEastern},
    {516, kEastern}, {518, kEastern}, {585, kEastern}, {607, kEastern}, {631, kEastern}, {646, kEastern},
    {680, kEastern}, {716, kEastern}, {718, kEastern}, {838, kEastern}, {845, kEastern}, {914, kEastern},
    {917, kEastern}, {929, kEastern}, {934, kEastern},
    // North Carolina
    {252, kEastern}, {336, kEastern}, {472, kEastern}, {704, kEastern}, {743, kEastern}, {828, kEastern},
    {910, kEastern}, {919, kEastern}, {980, kEastern}, {984, kEastern},
    // North Dakota (the southwest is Mountain)
    {701, kCentral},
    // Ohio
    {216, kEastern}, {220, kEastern}, {234, kEastern}, {283, kEastern}, {326, kEastern}, {330, kEastern},
    {380, kEastern}, {419, kEastern}, {436, kEastern}, {440, kEastern}, {513, kEastern}, {567, kEastern},
    {614, kEastern}, {740, kEastern}, {937, kEastern},
    // Oklahoma
    {405, kCentral}, {539, kCentral}, {572, kCentral}, {580, kCentral}, {918, kCentral},
    // Oregon (Malheur County is Mountain)
    {458, kPacific}, {503, kPacific}, {541, kPacific}, {971, kPacific},
    // Pennsylvania
    {215, kEastern}, {223, kEastern}, {267, kEastern}, {272, kEastern}, {412, kEastern}, {445, kEastern},
    {484, kEastern}, {570, kEastern}, {582, kEastern}, {610, kEastern}, {717, kEastern}, {724, kEastern},
    {814, kEastern}, {835, kEastern}, {878, kEastern},
    // Rhode Island
    {401, kEastern},
    // South Carolina
    {803, kEastern}, {821, kEastern}, {839, kEastern}, {843, kEastern}, {854, kEastern}, {864, kEastern},
    // South Dakota (the west is Mountain; most people live in the Central east)
    {605, kCentral},
    // Tennessee: East Tennessee (423, 865) is Eastern.
    {423, kEastern}, {615, kCentral}, {629, kCentral}, {731, kCentral}, {865, kEastern}, {901, kCentral},
    {931, kCentral},
    // Texas: El Paso (915) is Mountain.
    {210, kCentral}, {214, kCentral}, {254, kCentral}, {281, kCentral}, {325, kCentral}, {346, kCentral},
    {361, kCentral}, {409, kCentral}, {430, kCentral}, {432, kCentral}, {469, kCentral}, {512, kCentral},
    {682, kCentral}, {713, kCentral}, {726, kCentral}, {737, kCentral}, {806, kCentral}, {817, kCentral},
    {830, kCentral}, {832, kCentral}, {903, kCentral}, {915, kMountain}, {936, kCentral}, {940, kCentral},
    {945, kCentral}, {956, kCentral}, {972, kCentral}, {979, kCentral},
    // Utah
    {385, kMountain}, {435, kMountain}, {801, kMountain},
    // Vermont
    {802, kEastern},
    // Virginia
    {276, kEastern}, {434, kEastern}, {540, kEastern}, {571, kEastern}, {686, kEastern}, {703, kEastern},
    {757, kEastern}, {804, kEastern}, {826, kEastern}, {948, kEastern},
    // Washington
    {206, kPacific}, {253, kPacific}, {360, kPacific}, {425, kPacific}, {509, kPacific}, {564, kPacific},
    // West Virginia
    {304, kEastern}, {681, kEastern},
    // Wisconsin
    {262, kCentral}, {274, kCentral}, {353, kCentral}, {414, kCentral}, {534, kCentral}, {608, kCentral},
    {715, kCentral}, {920, kCentral},
    // Wyoming
    {307, kMountain},

    // Alberta
    {368, kEdmonton}, {403, kEdmonton}, {587, kEdmonton}, {780, kEdmonton}, {825, kEdmonton},
    // British Columbia (the Kootenays and the Peace region differ; most people are Pacific)
    {236, kVancouver}, {250, kVancouver}, {257, kVancouver}, {604, kVancouver}, {672, kVancouver},
    {778, kVancouver},
    // Manitoba
    {204, kWinnipeg}, {431, kWinnipeg}, {584, kWinnipeg},
    // New Brunswick
    {428, kMoncton}, {506, kMoncton},
    // Newfoundland and Labrador (most of Labrador keeps Atlantic time)
    {709, kStJohns}, {879, kStJohns},
    // Nova Scotia and Prince Edward Island
    {782, kHalifax}, {902, kHalifax},
    // Ontario (807: Thunder Bay is Eastern, Kenora Central)
    {226, kToronto}, {249, kToronto}, {289, kToronto}, {343, kToronto}, {365, kToronto}, {382, kToronto},
    {416, kToronto}, {437, kToronto}, {519, kToronto}, {548, kToronto}, {613, kToronto}, {647, kToronto},
    {683, kToronto}, {705, kToronto}, {742, kToronto}, {753, kToronto}, {807, kToronto}, {905, kToronto},
    {942, kToronto},
    // Quebec
    {263, kToronto}, {354, kToronto}, {367, kToronto}, {418, kToronto}, {438, kToronto}, {450, kToronto},
    {468, kToronto}, {514, kToronto}, {579, kToronto}, {581, kToronto}, {819, kToronto}, {873, kToronto},
    // Saskatchewan
    {306, kRegina}, {474, kRegina}, {639, kRegina},
};
// clang-format on

template <size_t N>
constexpr std::array<NanpArea, N> SortedByNpa(const NanpArea (&areas)[N]) {
    std::array<NanpArea, N> out{};
    std::copy(std::begin(areas), std::end(areas), out.begin());
    std::sort(out.begin(), out.end(), [](const NanpArea& a, const NanpArea& b) { return a.npa < b.npa; });
    return out;
}

constexpr auto kNanpByNpa = SortedByNpa(kNanpAreas);
static_assert(std::adjacent_find(kNanpByNpa.begin(), kNanpByNpa.end(),
                                 [](const NanpArea& a, const NanpArea& b) { return a.npa == b.npa; }) ==
                  kNanpByNpa.end(),
              "an area code is listed twice");

std::optional<std::string_view> NanpZone(std::string_view nsn) {
    if (nsn.size() != 10) return std::nullopt;
    const auto npa = static_cast<uint16_t>((nsn[0] - '0') * 100 + (nsn[1] - '0') * 10 + (nsn[2] - '0'));
    const auto it = std::lower_bound(kNanpByNpa.begin(), kNanpByNpa.end(), npa,
                                     [](const NanpArea& a, uint16_t n) { return a.npa < n; });
    if (it == kNanpByNpa.end() || it->npa != npa) return std::nullopt;
    return it->zone;
}

// ---------------------------------------------------------------------------------------------
// Other countries with zones of their own: a national significant number that starts with
// `prefix` is in `zone`. The first matching row of a region wins, so longer prefixes come first.
// A region listed here and not in kMainZones has no zone for numbers no row matches.

struct PrefixZone {
    std::string_view region;
    std::string_view prefix;
    std::string_view zone;
};

constexpr PrefixZone kPrefixZones[] = {
    // Australia by area code. 08 covers SA and NT (88, 87; Darwin and Alice Springs are 889) and
    // WA (89, 86). Mobiles (4) and national numbers have no area.
    {"AU", "2", "Australia/Sydney"},
    {"AU", "3", "Australia/Melbourne"},
    {"AU", "7", "Australia/Brisbane"},  // Queensland: no daylight saving time
    {"AU", "889", "Australia/Darwin"},  // no daylight saving time
    {"AU", "88", "Australia/Adelaide"},
    {"AU", "87", "Australia/Adelaide"},
    {"AU", "89", "Australia/Perth"},
    {"AU", "86", "Australia/Perth"},
    // Brazil by DDD: the states west of Brasília time.
    {"BR", "92", "America/Manaus"},  // Amazonas
    {"BR", "97", "America/Manaus"},
    {"BR", "65", "America/Cuiaba"},  // Mato Grosso
    {"BR", "66", "America/Cuiaba"},
    {"BR", "67", "America/Campo_Grande"},  // Mato Grosso do Sul
    {"BR", "68", "America/Rio_Branco"},    // Acre
    {"BR", "69", "America/Porto_Velho"},   // Rondônia
    {"BR", "95", "America/Boa_Vista"},     // Roraima
    // Chile: Magallanes keeps summer time all year.
    {"CL", "61", "America/Punta_Arenas"},
    // Spain: the Canary Islands.
    {"ES", "822", "Atlantic/Canary"},
    {"ES", "828", "Atlantic/Canary"},
    {"ES", "922", "Atlantic/Canary"},
    {"ES", "928", "Atlantic/Canary"},
    // Indonesia: Central (WITA) and Eastern (WIT) Indonesia by area code; mobiles (8) stay Jakarta.
    {"ID", "36", "Asia/Makassar"},  // Bali, West Nusa Tenggara
    {"ID", "37", "Asia/Makassar"},
    {"ID", "38", "Asia/Makassar"},  // East Nusa Tenggara
    {"ID", "4", "Asia/Makassar"},   // Sulawesi
    {"ID", "51", "Asia/Makassar"},  // South Kalimantan
    {"ID", "54", "Asia/Makassar"},  // East Kalimantan
    {"ID", "55", "Asia/Makassar"},  // North Kalimantan
    {"ID", "9", "Asia/Jayapura"},   // Maluku, Papua
    // Mexico: the states off central time, by area code.
    {"MX", "646", "America/Tijuana"},  // Baja California
    {"MX", "661", "America/Tijuana"},
    {"MX", "664", "America/Tijuana"},
    {"MX", "665", "America/Tijuana"},
    {"MX", "686", "America/Tijuana"},
    {"MX", "622", "America/Hermosillo"},  // Sonora: no daylight saving time
    {"MX", "631", "America/Hermosillo"},
    {"MX", "642", "America/Hermosillo"},
    {"MX", "644", "America/Hermosillo"},
    {"MX", "653", "America/Hermosillo"},
    {"MX", "662", "America/Hermosillo"},
    {"MX", "612", "America/Mazatlan"},  // Baja California Sur
    {"MX", "624", "America/Mazatlan"},
    {"MX", "667", "America/Mazatlan"},  // Sinaloa
    {"MX", "668", "America/Mazatlan"},
    {"MX", "669", "America/Mazatlan"},
    {"MX", "311", "America/Mazatlan"},       // Nayarit
    {"MX", "656", "America/Ciudad_Juarez"},  // follows US daylight saving time
    {"MX", "867", "America/Matamoros"},      // the US border, US daylight saving time
    {"MX", "868", "America/Matamoros"},
    {"MX", "877", "America/Matamoros"},
    {"MX", "878", "America/Matamoros"},
    {"MX", "899", "America/Matamoros"},
    {"MX", "983", "America/Cancun"},  // Quintana Roo
    {"MX", "984", "America/Cancun"},
    {"MX", "987", "America/Cancun"},
    {"MX", "998", "America/Cancun"},
    // Portugal: the Azores and Madeira.
    {"PT", "291", "Atlantic/Madeira"},
    {"PT", "292", "Atlantic/Azores"},
    {"PT", "295", "Atlantic/Azores"},
    {"PT", "296", "Atlantic/Azores"},
    // Russia: the largest cities east and west of Moscow time; mobiles stay Moscow.
    {"RU", "401", "Europe/Kaliningrad"},
    {"RU", "846", "Europe/Samara"},
    {"RU", "342", "Asia/Yekaterinburg"},  // Perm
    {"RU", "343", "Asia/Yekaterinburg"},
    {"RU", "347", "Asia/Yekaterinburg"},  // Ufa
    {"RU", "351", "Asia/Yekaterinburg"},  // Chelyabinsk
    {"RU", "381", "Asia/Omsk"},
    {"RU", "383", "Asia/Novosibirsk"},
    {"RU", "391", "Asia/Krasnoyarsk"},
    {"RU", "395", "Asia/Irkutsk"},
    {"RU", "421", "Asia/Vladivostok"},  // Khabarovsk
    {"RU", "423", "Asia/Vladivostok"},
};

// Countries with several zones: the zone most of the country keeps, used when no row of
// kPrefixZones matched. Countries whose zones differ a lot and have no usable area codes (the
// DR Congo, Micronesia) are not here.
struct RegionZone {
    std::string_view region;
    std::string_view zone;
};

constexpr RegionZone kMainZones[] = {
    {"AR", "America/Argentina/Buenos_Aires"},  // every Argentine zone is UTC-3
    {"BR", "America/Sao_Paulo"},
    {"CL", "America/Santiago"},
    {"CN", "Asia/Shanghai"},
    {"CY", "Asia/Nicosia"},
    {"DE", "Europe/Berlin"},
    {"EC", "America/Guayaquil"},
    {"ES", "Europe/Madrid"},
    {"GL", "America/Nuuk"},
    {"ID", "Asia/Jakarta"},
    {"KI", "Pacific/Tarawa"},
    {"KZ", "Asia/Almaty"},  // one offset for the whole country since 2024
    {"MH", "Pacific/Majuro"},
    {"MN", "Asia/Ulaanbaatar"},
    {"MX", "America/Mexico_City"},
    {"MY", "Asia/Kuala_Lumpur"},
    {"NZ", "Pacific/Auckland"},
    {"PF", "Pacific/Tahiti"},
    {"PG", "Pacific/Port_Moresby"},
    {"PS", "Asia/Hebron"},
    {"PT", "Europe/Lisbon"},
    {"RU", "Europe/Moscow"},
    {"UA", "Europe/Kyiv"},
    {"UZ", "Asia/Tashkent"},
};

// Every libphonenumber region whose territory has one zone (zone.tab of the IANA database), plus
// Ascension, Tristan da Cunha and Kosovo, which zone.tab folds into others.
// clang-format off
constexpr RegionZone kSingleZones[] = {
    {"AC", "Atlantic/St_Helena"},     {"AD", "Europe/Andorra"},         {"AE", "Asia/Dubai"},
    {"AF", "Asia/Kabul"},             {"AG", "America/Antigua"},        {"AI", "America/Anguilla"},
    {"AL", "Europe/Tirane"},          {"AM", "Asia/Yerevan"},           {"AO", "Africa/Luanda"},
    {"AS", "Pacific/Pago_Pago"},      {"AT", "Europe/Vienna"},          {"AW", "America/Aruba"},
    {"AX", "Europe/Mariehamn"},       {"AZ", "Asia/Baku"},              {"BA", "Europe/Sarajevo"},
    {"BB", "America/Barbados"},       {"BD", "Asia/Dhaka"},             {"BE", "Europe/Brussels"},
    {"BF", "Africa/Ouagadougou"},     {"BG", "Europe/Sofia"},           {"BH", "Asia/Bahrain"},
    {"BI", "Africa/Bujumbura"},       {"BJ", "Africa/Porto-Novo"},      {"BL", "America/St_Barthelemy"},
    {"BM", "Atlantic/Bermuda"},       {"BN", "Asia/Brunei"},            {"BO", "America/La_Paz"},
    {"BQ", "America/Kralendijk"},     {"BS", "America/Nassau"},         {"BT", "Asia/Thimphu"},
    {"BW", "Africa/Gaborone"},        {"BY", "Europe/Minsk"},           {"BZ", "America/Belize"},
    {"CC", "Indian/Cocos"},           {"CF", "Africa/Bangui"},          {"CG", "Africa/Brazzaville"},
    {"CH", "Europe/Zurich"},          {"CI", "Africa/Abidjan"},         {"CK", "Pacific/Rarotonga"},
    {"CM", "Africa/Douala"},          {"CO", "America/Bogota"},         {"CR", "America/Costa_Rica"},
    {"CU", "America/Havana"},         {"CV", "Atlantic/Cape_Verde"},    {"CW", "America/Curacao"},
    {"CX", "Indian/Christmas"},       {"CZ", "Europe/Prague"},          {"DJ", "Africa/Djibouti"},
    {"DK", "Europe/Copenhagen"},      {"DM", "America/Dominica"},       {"DO", "America/Santo_Domingo"},
    {"DZ", "Africa/Algiers"},         {"EE", "Europe/Tallinn"},         {"EG", "Africa/Cairo"},
    {"EH", "Africa/El_Aaiun"},        {"ER", "Africa/Asmara"},          {"ET", "Africa/Addis_Ababa"},
    {"FI", "Europe/Helsinki"},        {"FJ", "Pacific/Fiji"},           {"FK", "Atlantic/Stanley"},
    {"FO", "Atlantic/Faroe"},         {"FR", "Europe/Paris"},           {"GA", "Africa/Libreville"},
    {"GB", "Europe/London"},          {"GD", "America/Grenada"},        {"GE", "Asia/Tbilisi"},
    {"GF", "America/Cayenne"},        {"GG", "Europe/Guernsey"},        {"GH", "Africa/Accra"},
    {"GI", "Europe/Gibraltar"},       {"GM", "Africa/Banjul"},          {"GN", "Africa/Conakry"},
    {"GP", "America/Guadeloupe"},     {"GQ", "Africa/Malabo"},          {"GR", "Europe/Athens"},
    {"GT", "America/Guatemala"},      {"GU", "Pacific/Guam"},           {"GW", "Africa/Bissau"},
    {"GY", "America/Guyana"},         {"HK", "Asia/Hong_Kong"},         {"HN", "America/Tegucigalpa"},
    {"HR", "Europe/Zagreb"},          {"HT", "America/Port-au-Prince"}, {"HU", "Europe/Budapest"},
    {"IE", "Europe/Dublin"},          {"IL", "Asia/Jerusalem"},         {"IM", "Europe/Isle_of_Man"},
    {"IN", "Asia/Kolkata"},           {"IO", "Indian/Chagos"},          {"IQ", "Asia/Baghdad"},
    {"IR", "Asia/Tehran"},            {"IS", "Atlantic/Reykjavik"},     {"IT", "Europe/Rome"},
    {"JE", "Europe/Jersey"},          {"JM", "America/Jamaica"},        {"JO", "Asia/Amman"},
    {"JP", "Asia/Tokyo"},             {"KE", "Africa/Nairobi"},         {"KG", "Asia/Bishkek"},
    {"KH", "Asia/Phnom_Penh"},        {"KM", "Indian/Comoro"},          {"KN", "America/St_Kitts"},
    {"KP", "Asia/Pyongyang"},         {"KR", "Asia/Seoul"},             {"KW", "Asia/Kuwait"},
    {"KY", "America/Cayman"},         {"LA", "Asia/Vientiane"},         {"LB", "Asia/Beirut"},
    {"LC", "America/St_Lucia"},       {"LI", "Europe/Vaduz"},           {"LK", "Asia/Colombo"},
    {"LR", "Africa/Monrovia"},        {"LS", "Africa/Maseru"},          {"LT", "Europe/Vilnius"},
    {"LU", "Europe/Luxembourg"},      {"LV", "Europe/Riga"},            {"LY", "Africa/Tripoli"},
    {"MA", "Africa/Casablanca"},      {"MC", "Europe/Monaco"},          {"MD", "Europe/Chisinau"},
    {"ME", "Europe/Podgorica"},       {"MF", "America/Marigot"},        {"MG", "Indian/Antananarivo"},
    {"MK", "Europe/Skopje"},          {"ML", "Africa/Bamako"},          {"MM", "Asia/Yangon"},
    {"MO", "Asia/Macau"},             {"MP", "Pacific/Saipan"},         {"MQ", "America/Martinique"},
    {"MR", "Africa/Nouakchott"},      {"MS", "America/Montserrat"},     {"MT", "Europe/Malta"},
    {"MU", "Indian/Mauritius"},       {"MV", "Indian/Maldives"},        {"MW", "Africa/Blantyre"},
    {"MZ", "Africa/Maputo"},          {"NA", "Africa/Windhoek"},        {"NC", "Pacific/Noumea"},
    {"NE", "Africa/Niamey"},          {"NF", "Pacific/Norfolk"},        {"NG", "Africa/Lagos"},
    {"NI", "America/Managua"},        {"NL", "Europe/Amsterdam"},       {"NO", "Europe/Oslo"},
    {"NP", "Asia/Kathmandu"},         {"NR", "Pacific/Nauru"},          {"NU", "Pacific/Niue"},
    {"OM", "Asia/Muscat"},            {"PA", "America/Panama"},         {"PE", "America/Lima"},
    {"PH", "Asia/Manila"},            {"PK", "Asia/Karachi"},           {"PL", "Europe/Warsaw"},
    {"PM", "America/Miquelon"},       {"PR", "America/Puerto_Rico"},    {"PW", "Pacific/Palau"},
    {"PY", "America/Asuncion"},       {"QA", "Asia/Qatar"},             {"RE", "Indian/Reunion"},
    {"RO", "Europe/Bucharest"},       {"RS", "Europe/Belgrade"},        {"RW", "Africa/Kigali"},
    {"SA", "Asia/Riyadh"},            {"SB", "Pacific/Guadalcanal"},    {"SC", "Indian/Mahe"},
    {"SD", "Africa/Khartoum"},        {"SE", "Europe/Stockholm"},       {"SG", "Asia/Singapore"},
    {"SH", "Atlantic/St_Helena"},     {"SI", "Europe/Ljubljana"},       {"SJ", "Arctic/Longyearbyen"},
    {"SK", "Europe/Bratislava"},      {"SL", "Africa/Freetown"},        {"SM", "Europe/San_Marino"},
    {"SN", "Africa/Dakar"},           {"SO", "Africa/Mogadishu"},       {"SR", "America/Paramaribo"},
    {"SS", "Africa/Juba"},            {"ST", "Africa/Sao_Tome"},        {"SV", "America/El_Salvador"},
    {"SX", "America/Lower_Princes"},  {"SY", "Asia/Damascus"},          {"SZ", "Africa/Mbabane"},
    {"TA", "Atlantic/St_Helena"},     {"TC", "America/Grand_Turk"},     {"TD", "Africa/Ndjamena"},
    {"TG", "Africa/Lome"},            {"TH", "Asia/Bangkok"},           {"TJ", "Asia/Dushanbe"},
    {"TK", "Pacific/Fakaofo"},        {"TL", "Asia/Dili"},              {"TM", "Asia/Ashgabat"},
    {"TN", "Africa/Tunis"},           {"TO", "Pacific/Tongatapu"},      {"TR", "Europe/Istanbul"},
    {"TT", "America/Port_of_Spain"},  {"TV", "Pacific/Funafuti"},       {"TW", "Asia/Taipei"},
    {"TZ", "Africa/Dar_es_Salaam"},   {"UG", "Africa/Kampala"},         {"UY", "America/Montevideo"},
    {"VA", "Europe/Vatican"},         {"VC", "America/St_Vincent"},     {"VE", "America/Caracas"},
    {"VG", "America/Tortola"},        {"VI", "America/St_Thomas"},      {"VN", "Asia/Ho_Chi_Minh"},
    {"VU", "Pacific/Efate"},          {"WF", "Pacific/Wallis"},         {"WS", "Pacific/Apia"},
    {"XK", "Europe/Belgrade"},        {"YE", "Asia/Aden"},              {"YT", "Indian/Mayotte"},
    {"ZA", "Africa/Johannesburg"},    {"ZM", "Africa/Lusaka"},          {"ZW", "Africa/Harare"},
};
// clang-format on

constexpr bool ByRegion(const RegionZone& a, const RegionZone& b) {
    return a.region < b.region;
}
static_assert(std::is_sorted(std::begin(kSingleZones), std::end(kSingleZones), ByRegion));
static_assert(std::is_sorted(std::begin(kMainZones), std::end(kMainZones), ByRegion));

template <size_t N>
std::optional<std::string_view> FindRegion(const RegionZone (&table)[N], std::string_view region) {
    const auto it = std::lower_bound(std::begin(table), std::end(table), RegionZone{region, {}}, ByRegion);
    if (it == std::end(table) || it->region != region) return std::nullopt;
    return it->zone;
}

std::optional<std::string_view> ZoneFor(std::string_view region, std::string_view nsn) {
    if (region == "US" || region == "CA") return NanpZone(nsn);
    if (auto zone = FindRegion(kSingleZones, region)) return zone;
    for (const auto& row : kPrefixZones) {
        if (row.region == region && nsn.starts_with(row.prefix)) return row.zone;
    }
    return FindRegion(kMainZones, region);
}

}  // namespace

std::optional<std::string> ZoneForNumber(const std::string& e164) {
    if (e164.empty() || e164.size() > kMaxNumberLength || e164.front() != '+') return std::nullopt;
    // Numbers of the US and Canada, most of what a dialer sees, come from the area-code table at
    // once: libphonenumber's regular expressions cost about 15 µs a number. The shape is the
    // NANP's (ten digits; area code and exchange start with 2-9); an area code the table lacks
    // (the Caribbean's, 867) goes the long way.
    if (e164.size() == 12 && e164[1] == '1' &&
        std::all_of(e164.begin() + 2, e164.end(), [](char c) { return c >= '0' && c <= '9'; }) && e164[2] >= '2' &&
        e164[5] >= '2') {
        if (auto zone = NanpZone(std::string_view(e164).substr(2))) return std::string(*zone);
    }
    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    i18n::phonenumbers::PhoneNumber number;
    if (util.Parse(e164, "ZZ", &number) != PhoneNumberUtil::NO_PARSING_ERROR) return std::nullopt;
    std::string region;
    util.GetRegionCodeForNumber(number, &region);
    if (region.empty() || region == "ZZ" || !util.IsValidNumberForRegion(number, region)) return std::nullopt;
    std::string nsn;
    util.GetNationalSignificantNumber(number, &nsn);
    if (auto zone = ZoneFor(region, nsn)) return std::string(*zone);
    return std::nullopt;
}

std::vector<std::string_view> NumberZoneNames() {
    std::vector<std::string_view> names;
    for (const auto& a : kNanpAreas) names.push_back(a.zone);
    for (const auto& p : kPrefixZones) names.push_back(p.zone);
    for (const auto& r : kMainZones) names.push_back(r.zone);
    for (const auto& r : kSingleZones) names.push_back(r.zone);
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
}

const date::time_zone* FindZone(std::string_view name) {
    if (name.empty() || name.size() > kMaxZoneNameLength) return nullptr;
    try {
        return date::locate_zone(name);
    } catch (const std::exception&) {
        // date/tz reports an unknown name by throwing; for us it is an expected answer.
        return nullptr;
    }
}

std::string_view ZoneSourceName(ZoneSource source) {
    switch (source) {
        case ZoneSource::kContact: return "contact";
        case ZoneSource::kPhoneNumber: return "phone_number";
        case ZoneSource::kCampaign: return "campaign";
    }
    return "campaign";
}

Result<CalleeZone> ResolveZone(const std::optional<std::string>& contact_timezone, const std::string& e164,
                               std::string_view campaign_timezone) {
    if (contact_timezone && !contact_timezone->empty()) {
        if (const auto* zone = FindZone(*contact_timezone)) {
            return CalleeZone{*contact_timezone, ZoneSource::kContact, zone};
        }
    }
    if (auto name = ZoneForNumber(e164)) {
        if (const auto* zone = FindZone(*name)) return CalleeZone{std::move(*name), ZoneSource::kPhoneNumber, zone};
    }
    if (const auto* zone = FindZone(campaign_timezone)) {
        return CalleeZone{std::string(campaign_timezone), ZoneSource::kCampaign, zone};
    }
    return Fail(ErrorCode::kValidation,
                "campaign timezone \"" + std::string(campaign_timezone) + "\" is not a known time zone",
                {{"timezone", "must be an IANA time zone such as Europe/London"}});
}

}  // namespace parley::dialer
