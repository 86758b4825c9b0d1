#include "store/sql_repos.hpp"

namespace parley::store {

using domain::Carrier;
using domain::Json;

namespace {

constexpr std::string_view kCarrierSelect =
    "SELECT id, org_id, name, sip_host, sip_port, transport, auth_username, auth_password, from_domain, "
    "outbound_proxy, caller_id_format, max_channels, codecs, media_encryption, inbound_sources, created_at, "
    "updated_at FROM carriers ";

Result<std::vector<std::string>> Strings(const std::string& stored, std::string_view what) {
    const Json j = Json::parse(stored, nullptr, false);
    if (!j.is_array() || !std::all_of(j.begin(), j.end(), [](const Json& v) { return v.is_string(); })) {
        return Fail(ErrorCode::kInternal, "its stored " + std::string(what) + " are not a JSON array of strings");
    }
    return j.get<std::vector<std::string>>();
}

// A carrier whose row does not read back (edited by hand, or sealed under a key this node does
// not have) is an error value naming it.
Result<Carrier> CarrierFromRow(const Row& r, const SecretBox& box) {
    Carrier c;
    c.id = r[0].AsText();
    auto wrong = [&](const std::string& why) { return Fail(ErrorCode::kInternal, "carrier " + c.id + ": " + why); };
    c.org_id = r[1].AsText();
    c.name = r[2].AsText();
    c.sip_host = r[3].AsText();
    c.sip_port = static_cast<int>(r[4].AsInt());
    auto transport = domain::ParseSipTransport(r[5].AsText());
    auto format = domain::ParseCallerIdFormat(r[10].AsText());
    auto encryption = domain::ParseMediaEncryption(r[13].AsText());
    if (!transport || !format || !encryption) return wrong("its stored transport or formats are not known");
    c.transport = *transport;
    c.caller_id_format = *format;
    c.media_encryption = *encryption;
    c.auth_username = r[6].AsOptionalText();
    if (auto sealed = r[7].AsOptionalText()) {
        auto opened = box.Open(*sealed);
        if (!opened) return wrong("its password does not open: " + opened.error().message);
        c.auth_password = std::move(*opened);
    }
    c.from_domain = r[8].AsOptionalText();
    c.outbound_proxy = r[9].AsOptionalText();
    c.max_channels = static_cast<int>(r[11].AsInt());
    auto codecs = Strings(r[12].AsText(), "codecs");
    auto sources = Strings(r[14].AsText(), "inbound sources");
    if (!codecs) return wrong(codecs.error().message);
    if (!sources) return wrong(sources.error().message);
    c.codecs = std::move(*codecs);
    c.inbound_sources = std::move(*sources);
    c.created_at = r[15].AsInt();
    c.updated_at = r[16].AsInt();
    return c;
}

}  // namespace

Result<void> SqlCarrierRepo::Insert(const Carrier& c) {
    auto n = c_.Exec(
        "INSERT INTO carriers (id, org_id, name, sip_host, sip_port, transport, auth_username, auth_password, "
        "from_domain, outbound_proxy, caller_id_format, max_channels, codecs, media_encryption, inbound_sources, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {c.id, c.org_id, c.name, c.sip_host, c.sip_port, domain::ToString(c.transport), c.auth_username,
         SealIfSet(box_, c.auth_password), c.from_domain, c.outbound_proxy, domain::ToString(c.caller_id_format),
         c.max_channels, Json(c.codecs).dump(), domain::ToString(c.media_encryption), Json(c.inbound_sources).dump(),
         c.created_at, c.updated_at});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<std::optional<Carrier>> SqlCarrierRepo::Get(std::string_view org_id, std::string_view id) {
    static const std::string sql = std::string(kCarrierSelect) + "WHERE org_id = ? AND id = ?";
    auto row = c_.QueryOne(sql, {org_id, id});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<Carrier>();
    auto carrier = CarrierFromRow(**row, box_);
    if (!carrier) return Fail(std::move(carrier.error()));
    return std::optional(std::move(*carrier));
}

Result<domain::Page<Carrier>> SqlCarrierRepo::List(std::string_view org_id, const domain::PageRequest& page) {
    static const std::string sql = std::string(kCarrierSelect) + "WHERE org_id = ? AND id < ? ORDER BY id DESC LIMIT ?";
    auto rows = c_.Query(sql, {org_id, page.after_id.value_or("~"), page.limit + 1});
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<Carrier> carriers;
    for (const auto& r : *rows) {
        auto carrier = CarrierFromRow(r, box_);
        if (!carrier) return Fail(std::move(carrier.error()));
        carriers.push_back(std::move(*carrier));
    }
    return ToPage(std::move(carriers), page.limit);
}

Result<void> SqlCarrierRepo::Update(const Carrier& c) {
    auto n = c_.Exec(
        "UPDATE carriers SET name = ?, sip_host = ?, sip_port = ?, transport = ?, auth_username = ?, "
        "auth_password = ?, from_domain = ?, outbound_proxy = ?, caller_id_format = ?, max_channels = ?, codecs = ?, "
        "media_encryption = ?, inbound_sources = ?, updated_at = ? WHERE org_id = ? AND id = ?",
        {c.name, c.sip_host, c.sip_port, domain::ToString(c.transport), c.auth_username,
         SealIfSet(box_, c.auth_password), c.from_domain, c.outbound_proxy, domain::ToString(c.caller_id_format),
         c.max_channels, Json(c.codecs).dump(), domain::ToString(c.media_encryption), Json(c.inbound_sources).dump(),
         c.updated_at, c.org_id, c.id});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<bool> SqlCarrierRepo::Delete(std::string_view org_id, std::string_view id) {
    auto n = c_.Exec("DELETE FROM carriers WHERE org_id = ? AND id = ?", {org_id, id});
    if (!n) return Fail(std::move(n.error()));
    return *n > 0;
}

}  // namespace parley::store
