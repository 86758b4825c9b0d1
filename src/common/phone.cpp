#include "common/phone.hpp"

#include <phonenumbers/phonenumberutil.h>

#include <set>

namespace parley {

using i18n::phonenumbers::PhoneNumberUtil;

Result<PhoneNumber> ParsePhone(std::string_view text, std::string_view default_region) {
    static constexpr size_t kMaxLength = 64;
    if (text.empty()) return Fail(ErrorCode::kValidation, "phone is required");
    if (text.size() > kMaxLength) return Fail(ErrorCode::kValidation, "phone is too long");
    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    i18n::phonenumbers::PhoneNumber number;
    const auto status = util.Parse(std::string(text), std::string(default_region), &number);
    if (status != PhoneNumberUtil::NO_PARSING_ERROR) {
        return Fail(ErrorCode::kValidation, "phone is not a phone number");
    }
    // IsValidNumber would look the region up itself; for +1 that tries the number against two
    // dozen regions, so it is done once here.
    PhoneNumber out;
    util.GetRegionCodeForNumber(number, &out.region);
    if (out.region.empty() || out.region == "ZZ" || !util.IsValidNumberForRegion(number, out.region)) {
        return Fail(ErrorCode::kValidation, "phone is not a valid number for its country");
    }
    util.Format(number, PhoneNumberUtil::E164, &out.e164);
    return out;
}

std::string NationalDigits(std::string_view e164) {
    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    i18n::phonenumbers::PhoneNumber number;
    if (util.Parse(std::string(e164), "ZZ", &number) != PhoneNumberUtil::NO_PARSING_ERROR) return std::string(e164);
    std::string national;
    util.Format(number, PhoneNumberUtil::NATIONAL, &national);
    std::erase_if(national, [](char c) { return c < '0' || c > '9'; });
    return national;
}

bool IsSupportedRegion(std::string_view region) {
    std::set<std::string> regions;
    PhoneNumberUtil::GetInstance()->GetSupportedRegions(&regions);
    return regions.contains(std::string(region));
}

}  // namespace parley
