#include "domain/voice_preset_service.hpp"

#include "common/ids.hpp"
#include "common/text.hpp"
#include "domain/validation.hpp"

namespace parley::domain {
namespace {

constexpr int kMinRate = 80;
constexpr int kMaxRate = 450;
constexpr int kMaxPitch = 100;

}  // namespace

Result<void> VoicePresetService::Apply(const Json& body, VoicePreset& preset) {
    if (!body.is_object()) return Fail(ErrorCode::kValidation, "request body must be a JSON object");
    Checker checker;
    checker.RejectUnknownKeys(body, {"name", "voice", "voice_id", "rate_wpm", "pitch"});
    if (auto name = checker.String(body, "name", 100, preset.name.empty())) preset.name = *name;
    // "voice_id" is the built-in voice's id as GET /voices/builtin lists it.
    const char* voice_key = body.contains("voice_id") ? "voice_id" : "voice";
    std::optional<std::string> voice = checker.String(body, voice_key, 100, preset.voice.empty());
    if (auto rate = checker.Int(body, "rate_wpm", kMinRate, kMaxRate)) preset.rate_wpm = *rate;
    if (auto pitch = checker.Int(body, "pitch", 0, kMaxPitch)) preset.pitch = *pitch;
    if (!checker.ok()) return Fail(checker.ToError("voice is not valid"));
    if (voice) {
        const BuiltinVoice* found = catalog_.FindVoice(*voice);
        if (!found) {
            return Fail(ErrorCode::kUnprocessable,
                        "no built-in voice \"" + *voice + "\"; see GET /api/v1/voices/builtin",
                        {{voice_key, "is not a built-in voice of this installation"}});
        }
        preset.engine = found->engine;
        preset.voice = found->id;
        preset.language = found->language;
        preset.gender = found->gender;
    }
    return {};
}

Result<VoicePreset> VoicePresetService::Create(const Principal& who, const Json& body) {
    VoicePreset preset;
    if (auto ok = Apply(body, preset); !ok) return Fail(std::move(ok.error()));
    const int64_t now = clock_.NowMs();
    preset.id = NewId("voice_", now);
    preset.org_id = who.org_id;
    preset.created_at = now;
    preset.updated_at = now;
    auto saved = store_.Write([&](Repos& r) { return r.voice_presets().Insert(preset); });
    if (!saved) {
        if (saved.error().code == ErrorCode::kDuplicate) {
            return Fail(ErrorCode::kDuplicate, "a voice named \"" + preset.name + "\" exists",
                        {{"name", "is taken by another voice of this organization"}});
        }
        return Fail(std::move(saved.error()));
    }
    return preset;
}

Result<VoicePreset> VoicePresetService::Get(const Principal& who, std::string_view id) {
    auto found = ReadTx(store_, [&](Repos& r) { return r.voice_presets().Get(who.org_id, id); });
    if (!found) return Fail(std::move(found.error()));
    if (!*found) return Fail(ErrorCode::kNotFound, "voice not found");
    return std::move(**found);
}

Result<Page<VoicePreset>> VoicePresetService::List(const Principal& who, const PageRequest& page) {
    return ReadTx(store_, [&](Repos& r) { return r.voice_presets().List(who.org_id, page); });
}

Result<VoicePreset> VoicePresetService::Update(const Principal& who, std::string_view id, const Json& patch) {
    auto preset = Get(who, id);
    if (!preset) return Fail(std::move(preset.error()));
    if (auto ok = Apply(patch, *preset); !ok) return Fail(std::move(ok.error()));
    preset->updated_at = clock_.NowMs();
    auto saved = store_.Write([&](Repos& r) { return r.voice_presets().Update(*preset); });
    if (!saved) {
        if (saved.error().code == ErrorCode::kDuplicate) {
            return Fail(ErrorCode::kDuplicate, "a voice named \"" + preset->name + "\" exists",
                        {{"name", "is taken by another voice of this organization"}});
        }
        return Fail(std::move(saved.error()));
    }
    return preset;
}

Result<void> VoicePresetService::Delete(const Principal& who, std::string_view id) {
    auto deleted = WriteTx(store_, [&](Repos& r) { return r.voice_presets().Delete(who.org_id, id); });
    if (!deleted) return Fail(std::move(deleted.error()));
    if (!*deleted) return Fail(ErrorCode::kNotFound, "voice not found");
    return {};
}

std::vector<BuiltinVoice> VoicePresetService::Builtin(std::optional<std::string_view> language,
                                                      std::optional<std::string_view> gender,
                                                      std::optional<std::string_view> engine) const {
    std::vector<BuiltinVoice> out;
    const std::string lang = language ? ToLower(*language) : std::string();
    for (const auto& v : catalog_.BuiltinVoices()) {
        // "en" matches "en-us" and "en-gb"; "en-us" matches only itself.
        const std::string vl = ToLower(v.language);
        if (language && !(vl == lang || vl.starts_with(lang + "-"))) continue;
        if (gender && v.gender != *gender) continue;
        if (engine && v.engine != *engine) continue;
        out.push_back(v);
    }
    return out;
}

}  // namespace parley::domain
