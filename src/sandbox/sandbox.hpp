#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "telephony/carrier.hpp"
#include "voice/engines/tts.hpp"

namespace parley::sandbox {

// One of the sandbox's simulated people. The last two digits of a sandbox number choose one:
// persona = (digits) % kSandboxPersonas (see docs/sandbox.md for the table).
struct PersonaInfo {
    int index = 0;
    std::string key;
    std::string description;
    std::string expected_disposition;
};

inline constexpr int kSandboxPersonas = 12;

// Which numbers the sandbox answers.
enum class SandboxNumbers {
    kFictional,  // +1 NPA 555-0100 … 555-0199 only
    kAnyNanp,    // every +1 NPA NXX XXXX, for load tests of more contacts than the fictional
                 // numbers allow; still nobody real is called (the sandbox reaches no network)
};

// The sandbox carrier: reaches the fictional numbers +1 NPA 555-0100 … 555-0199 (any area code),
// or every North American number with SandboxNumbers::kAnyNanp. It simulates the phone network
// (ringing, busy, no answer) and the person who answers: their lines are synthesized with real
// TTS and sent as audio into the agent's pipeline. The person follows what the agent asks
// through the agent's captions (the words of each utterance) rather than by recognizing the
// agent's audio.
class SandboxCarrier final : public telephony::Carrier {
public:
    // `tts` must outlive the carrier. The people's lines are synthesized on a background thread
    // at construction; calls ring until they are ready.
    explicit SandboxCarrier(const voice::TtsRegistry& tts, SandboxNumbers numbers = SandboxNumbers::kFictional);
    ~SandboxCarrier() override;

    std::string_view Name() const override { return "sandbox"; }
    Result<void> CheckReachable(std::string_view e164) const override;
    std::unique_ptr<telephony::Dialing> Dial(std::string_view from, std::string_view to) override;

    // Blocks until the people's lines are synthesized; false when synthesis failed.
    bool WaitReady() const;

    static std::vector<PersonaInfo> Personas();
    // The persona a sandbox number reaches; -1 for other numbers.
    static int PersonaOf(std::string_view e164, SandboxNumbers numbers = SandboxNumbers::kFictional);
    // Every line a persona can say, for recognition-accuracy tests: {topic, words}.
    static std::vector<std::pair<std::string, std::string>> Lines(int persona);
    // The voice id a persona speaks with.
    static std::string VoiceOf(int persona);
    // One of a persona's lines exactly as calls hear it (synthesized with its voice at 8 kHz; the
    // voicemail greeting ends with the beep). `tts` needs the persona's engine.
    static Result<audio::Pcm> LineAudio(const voice::TtsRegistry& tts, int persona, const std::string& words);

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
    SandboxNumbers numbers_;
};

}  // namespace parley::sandbox
