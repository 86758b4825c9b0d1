// Request bodies through their readers: the first byte picks the kind of body (contact,
// custom field, profile, campaign, call, one call of a batch, DNC note, carrier, phone number),
// the rest is the body, read by the bounded JSON parser as the API reads it. Every reader must
// report problems in its Checker, never crash or hang, whatever the body holds.

#include <cstdint>
#include <string_view>

#include "domain/call_body.hpp"
#include "domain/campaign_body.hpp"
#include "domain/campaign_spec.hpp"
#include "domain/carrier_body.hpp"
#include "domain/contact_body.hpp"
#include "domain/custom_field_body.hpp"
#include "domain/profile_body.hpp"

namespace {

using namespace parley::domain;

// An organization's definitions of every type, so values meet each check.
const std::vector<CustomField>& Definitions() {
    static const std::vector<CustomField> defs = [] {
        std::vector<CustomField> out(5);
        const FieldType types[] = {FieldType::kString, FieldType::kNumber, FieldType::kBoolean, FieldType::kDate,
                                   FieldType::kEnum};
        const char* names[] = {"notes", "budget", "decided", "follow_up", "timeline"};
        for (size_t i = 0; i < out.size(); ++i) {
            out[i].name = names[i];
            out[i].type = types[i];
            out[i].required = i % 2 == 0;
            out[i].category = i < 3 ? FieldCategory::kContact : FieldCategory::kBoth;
        }
        out[4].options = {"now", "this_quarter", "later"};
        return out;
    }();
    return defs;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const uint8_t kind = data[0];
    auto parsed = ParseBoundedJson(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
    if (!parsed) return 0;
    const Json& body = *parsed;
    Checker checker;
    switch (kind % 16) {
        case 0:
        case 1: {
            if (!body.is_object()) break;
            Contact contact;
            std::optional<bool> dnc;
            ReadContactFields(body, contact, kind % 16 == 0, Definitions(), "US", checker, &dnc);
            (void)ReadRowDefaults(body, checker);
            break;
        }
        case 2: {
            if (!body.is_object()) break;
            CustomField field;
            ReadFieldDefinition(body, field, checker);
            CheckCustomValues(body, Definitions(), FieldCategory::kExtraction, true, checker);
            break;
        }
        case 3: {
            if (!body.is_object()) break;
            ProfileSpec spec;
            ReadProfileFields(body, spec, checker, "GB");
            // What a request may store reads back as it was.
            if (checker.ok() && !ParseProfileSpec(ToJson(spec))) __builtin_trap();
            break;
        }
        case 4:
        case 5: {
            if (!body.is_object()) break;
            Campaign campaign;
            (void)ReadCampaignFields(body, campaign, kind % 16 == 4, "US", checker);
            (void)ToJson(campaign.spec).dump();
            break;
        }
        case 6: {
            if (!body.is_object()) break;
            (void)ReadCallRequest(body, "US", checker);
            auto calls = body.find("calls");
            if (calls != body.end() && calls->is_array()) {
                for (const auto& item : *calls) {
                    if (item.is_object()) (void)ReadCallItem(item, Definitions(), "US", checker);
                }
            }
            break;
        }
        case 8: {
            if (!body.is_object()) break;
            Carrier carrier;
            ReadCarrierFields(body, carrier, checker, (kind & 16) != 0);
            break;
        }
        case 9: {
            if (!body.is_object()) break;
            OwnedNumber number;
            ReadPhoneNumberFields(body, number, checker, (kind & 16) != 0, "GB");
            break;
        }
        default: (void)ReadNote(body, kind & 1); break;
    }
    (void)checker.ToError("body is not valid");
    return 0;
}
