#include "domain/phone_number_service.hpp"

#include "common/ids.hpp"
#include "domain/carrier_body.hpp"
#include "domain/validation.hpp"

namespace parley::domain {
namespace {

Result<void> SaveCarrier(Store& store, const Carrier& carrier, bool creating) {
    auto saved =
        store.Write([&](Repos& r) { return creating ? r.carriers().Insert(carrier) : r.carriers().Update(carrier); });
    if (!saved && saved.error().code == ErrorCode::kDuplicate) {
        return Fail(ErrorCode::kDuplicate, "a carrier named \"" + carrier.name + "\" exists",
                    {{"name", "is taken by another carrier of this organization"}});
    }
    return saved;
}

}  // namespace

Result<Carrier> PhoneNumberService::CreateCarrier(const Principal& who, const Json& body) {
    if (!body.is_object()) return Fail(ErrorCode::kValidation, "request body must be a JSON object");
    Carrier carrier;
    Checker checker;
    ReadCarrierFields(body, carrier, checker, true);
    if (!checker.ok()) return Fail(checker.ToError("carrier is not valid"));
    const int64_t now = clock_.NowMs();
    carrier.id = NewId("car_", now);
    carrier.org_id = who.org_id;
    carrier.created_at = now;
    carrier.updated_at = now;
    if (auto saved = SaveCarrier(store_, carrier, true); !saved) return Fail(std::move(saved.error()));
    return carrier;
}

Result<Carrier> PhoneNumberService::GetCarrier(const Principal& who, std::string_view id) {
    auto found = ReadTx(store_, [&](Repos& r) { return r.carriers().Get(who.org_id, id); });
    if (!found) return Fail(std::move(found.error()));
    if (!*found) return Fail(ErrorCode::kNotFound, "carrier not found");
    return std::move(**found);
}

Result<Page<Carrier>> PhoneNumberService::ListCarriers(const Principal& who, const PageRequest& page) {
    return ReadTx(store_, [&](Repos& r) { return r.carriers().List(who.org_id, page); });
}

Result<Carrier> PhoneNumberService::UpdateCarrier(const Principal& who, std::string_view id, const Json& patch) {
    if (!patch.is_object()) return Fail(ErrorCode::kValidation, "request body must be a JSON object");
    auto carrier = GetCarrier(who, id);
    if (!carrier) return Fail(std::move(carrier.error()));
    Checker checker;
    ReadCarrierFields(patch, *carrier, checker, false);
    if (!checker.ok()) return Fail(checker.ToError("carrier is not valid"));
    carrier->updated_at = clock_.NowMs();
    if (auto saved = SaveCarrier(store_, *carrier, false); !saved) return Fail(std::move(saved.error()));
    return carrier;
}

Result<CarrierCheck> PhoneNumberService::TestCarrier(const Principal& who, std::string_view id) {
    auto carrier = GetCarrier(who, id);
    if (!carrier) return Fail(std::move(carrier.error()));
    // Outside any transaction: the probe waits on the network.
    return launcher_.ProbeCarrier(*carrier);
}

Result<void> PhoneNumberService::DeleteCarrier(const Principal& who, std::string_view id) {
    return store_.Write([&](Repos& r) -> Result<void> {
        auto found = r.carriers().Get(who.org_id, id);
        if (!found) return Fail(std::move(found.error()));
        if (!*found) return Fail(ErrorCode::kNotFound, "carrier not found");
        auto numbers = r.phone_numbers().CountOnCarrier(who.org_id, id);
        if (!numbers) return Fail(std::move(numbers.error()));
        if (*numbers > 0) {
            return Fail(ErrorCode::kConflict,
                        "carrier has " + std::to_string(*numbers) +
                            " phone numbers; delete them or add them again on another carrier first");
        }
        auto deleted = r.carriers().Delete(who.org_id, id);
        if (!deleted) return Fail(std::move(deleted.error()));
        return {};
    });
}

Result<void> PhoneNumberService::CheckReferences(Repos& r, const OwnedNumber& number) {
    auto carrier = r.carriers().Get(number.org_id, number.carrier_id);
    if (!carrier) return Fail(std::move(carrier.error()));
    if (!*carrier) {
        return Fail(ErrorCode::kUnprocessable, "no carrier " + number.carrier_id,
                    {{"carrier_id", "is not a carrier of this organization"}});
    }
    if (!number.profile_id) return {};
    auto profile = r.profiles().Get(number.org_id, *number.profile_id);
    if (!profile) return Fail(std::move(profile.error()));
    if (!*profile) {
        return Fail(ErrorCode::kUnprocessable, "no profile " + *number.profile_id,
                    {{"profile_id", "is not a profile of this organization"}});
    }
    if ((*profile)->status == ProfileStatus::kArchived) {
        return Fail(ErrorCode::kUnprocessable, "profile " + *number.profile_id + " is archived",
                    {{"profile_id", "is archived; archived profiles answer no calls"}});
    }
    return {};
}

Result<OwnedNumber> PhoneNumberService::CreateNumber(const Principal& who, const Json& body) {
    if (!body.is_object()) return Fail(ErrorCode::kValidation, "request body must be a JSON object");
    OwnedNumber number;
    Checker checker;
    ReadPhoneNumberFields(body, number, checker, true, default_region_);
    if (!checker.ok()) return Fail(checker.ToError("phone number is not valid"));
    const int64_t now = clock_.NowMs();
    number.id = NewId("pn_", now);
    number.org_id = who.org_id;
    number.created_at = now;
    number.updated_at = now;
    auto saved = store_.Write([&](Repos& r) -> Result<void> {
        if (auto ok = CheckReferences(r, number); !ok) return ok;
        return r.phone_numbers().Insert(number);
    });
    if (!saved) {
        if (saved.error().code == ErrorCode::kDuplicate) {
            return Fail(ErrorCode::kDuplicate, number.number + " is already registered in this installation",
                        {{"phone_number", "is already registered"}});
        }
        return Fail(std::move(saved.error()));
    }
    return number;
}

Result<OwnedNumber> PhoneNumberService::GetNumber(const Principal& who, std::string_view id) {
    auto found = ReadTx(store_, [&](Repos& r) { return r.phone_numbers().Get(who.org_id, id); });
    if (!found) return Fail(std::move(found.error()));
    if (!*found) return Fail(ErrorCode::kNotFound, "phone number not found");
    return std::move(**found);
}

Result<Page<OwnedNumber>> PhoneNumberService::ListNumbers(const Principal& who,
                                                          std::optional<std::string_view> carrier_id,
                                                          const PageRequest& page) {
    return ReadTx(store_, [&](Repos& r) { return r.phone_numbers().List(who.org_id, carrier_id, page); });
}

Result<OwnedNumber> PhoneNumberService::UpdateNumber(const Principal& who, std::string_view id, const Json& patch) {
    if (!patch.is_object()) return Fail(ErrorCode::kValidation, "request body must be a JSON object");
    auto number = GetNumber(who, id);
    if (!number) return Fail(std::move(number.error()));
    Checker checker;
    ReadPhoneNumberFields(patch, *number, checker, false, default_region_);
    if (!checker.ok()) return Fail(checker.ToError("phone number is not valid"));
    number->updated_at = clock_.NowMs();
    auto saved = store_.Write([&](Repos& r) -> Result<void> {
        if (auto ok = CheckReferences(r, *number); !ok) return ok;
        return r.phone_numbers().Update(*number);
    });
    if (!saved) return Fail(std::move(saved.error()));
    return number;
}

Result<void> PhoneNumberService::DeleteNumber(const Principal& who, std::string_view id) {
    auto deleted = WriteTx(store_, [&](Repos& r) { return r.phone_numbers().Delete(who.org_id, id); });
    if (!deleted) return Fail(std::move(deleted.error()));
    if (!*deleted) return Fail(ErrorCode::kNotFound, "phone number not found");
    return {};
}

}  // namespace parley::domain
