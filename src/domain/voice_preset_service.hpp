#pragma once

#include <string_view>

#include "common/clock.hpp"
#include "common/error.hpp"
#include "domain/engine_catalog.hpp"
#include "domain/entities.hpp"
#include "domain/repos.hpp"

namespace parley::domain {

// An organization's voices (seed 003 "GET /v1/voices"): a built-in voice with its own rate
// and pitch, under a name profiles can use ("voice": "<preset id>").
class VoicePresetService {
public:
    VoicePresetService(Store& store, const Clock& clock, const EngineCatalog& catalog)
        : store_(store), clock_(clock), catalog_(catalog) {}

    Result<VoicePreset> Create(const Principal& who, const Json& body);
    Result<VoicePreset> Get(const Principal& who, std::string_view id);
    Result<Page<VoicePreset>> List(const Principal& who, const PageRequest& page);
    Result<VoicePreset> Update(const Principal& who, std::string_view id, const Json& patch);
    // Profiles that name a deleted preset fail to compile until they name another voice; the
    // plans already compiled keep the engine and voice they resolved to.
    Result<void> Delete(const Principal& who, std::string_view id);

    // Built-in voices matching every filter that is set.
    std::vector<BuiltinVoice> Builtin(std::optional<std::string_view> language, std::optional<std::string_view> gender,
                                      std::optional<std::string_view> engine) const;

private:
    Result<void> Apply(const Json& body, VoicePreset& preset);

    Store& store_;
    const Clock& clock_;
    const EngineCatalog& catalog_;
};

}  // namespace parley::domain
