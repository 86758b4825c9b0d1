#include "store/sql_repos.hpp"

namespace parley::store {

using domain::VoicePreset;

namespace {

// The stored pitch of a preset that keeps the engine's default (migration V008).
constexpr int kStoredDefaultPitch = -1;

constexpr std::string_view kPresetSelect =
    "SELECT id, org_id, name, engine, voice, rate_wpm, pitch, language, gender, created_at, updated_at "
    "FROM voice_presets ";

VoicePreset PresetFromRow(const Row& r) {
    VoicePreset v;
    v.id = r[0].AsText();
    v.org_id = r[1].AsText();
    v.name = r[2].AsText();
    v.engine = r[3].AsText();
    v.voice = r[4].AsText();
    v.rate_wpm = static_cast<int>(r[5].AsInt());
    if (const int pitch = static_cast<int>(r[6].AsInt()); pitch != kStoredDefaultPitch) v.pitch = pitch;
    v.language = r[7].AsText();
    v.gender = r[8].AsText();
    v.created_at = r[9].AsInt();
    v.updated_at = r[10].AsInt();
    return v;
}

}  // namespace

Result<void> SqlVoicePresetRepo::Insert(const VoicePreset& v) {
    auto n = c_.Exec(
        "INSERT INTO voice_presets (id, org_id, name, engine, voice, rate_wpm, pitch, language, gender, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {v.id, v.org_id, v.name, v.engine, v.voice, v.rate_wpm, v.pitch.value_or(kStoredDefaultPitch), v.language,
         v.gender, v.created_at, v.updated_at});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<std::optional<VoicePreset>> SqlVoicePresetRepo::Get(std::string_view org_id, std::string_view id) {
    static const std::string sql = std::string(kPresetSelect) + "WHERE org_id = ? AND id = ?";
    auto row = c_.QueryOne(sql, {org_id, id});
    if (!row) return Fail(std::move(row.error()));
    if (!*row) return std::optional<VoicePreset>();
    return PresetFromRow(**row);
}

Result<domain::Page<VoicePreset>> SqlVoicePresetRepo::List(std::string_view org_id, const domain::PageRequest& page) {
    static const std::string sql = std::string(kPresetSelect) + "WHERE org_id = ? AND id < ? ORDER BY id DESC LIMIT ?";
    auto rows = c_.Query(sql, {org_id, page.after_id.value_or("~"), page.limit + 1});
    if (!rows) return Fail(std::move(rows.error()));
    std::vector<VoicePreset> presets;
    for (const auto& r : *rows) presets.push_back(PresetFromRow(r));
    return ToPage(std::move(presets), page.limit);
}

Result<void> SqlVoicePresetRepo::Update(const VoicePreset& v) {
    auto n = c_.Exec(
        "UPDATE voice_presets SET name = ?, engine = ?, voice = ?, rate_wpm = ?, pitch = ?, language = ?, gender = ?, "
        "updated_at = ? WHERE org_id = ? AND id = ?",
        {v.name, v.engine, v.voice, v.rate_wpm, v.pitch.value_or(kStoredDefaultPitch), v.language, v.gender,
         v.updated_at, v.org_id, v.id});
    if (!n) return Fail(std::move(n.error()));
    return {};
}

Result<bool> SqlVoicePresetRepo::Delete(std::string_view org_id, std::string_view id) {
    auto n = c_.Exec("DELETE FROM voice_presets WHERE org_id = ? AND id = ?", {org_id, id});
    if (!n) return Fail(std::move(n.error()));
    return *n > 0;
}

}  // namespace parley::store
