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
    if (!util.IsValidNumber(number)) {
        return Fail(ErrorCode::kValidation, "phone is not a valid number for its country");
    }
    PhoneNumber out;
    util.Format(number, PhoneNumberUtil::E164, &out.e164);
    util.GetRegionCodeForNumber(number, &out.region);
    return out;
}

bool IsSupportedRegion(std::string_view region) {
    std::set<std::string> regions;
    PhoneNumberUtil::GetInstance()->GetSupportedRegions(&regions);
    return regions.contains(std::string(region));
}

}  // namespace parley
