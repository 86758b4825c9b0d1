#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "audio/audio.hpp"

namespace parley::audio {

// Cuts the quiet at the two ends of a synthesized sentence down to a natural length, for audio
// that arrives in pieces. Speech engines pad each sentence (flite with about 210 ms before and
// 160-240 ms after): the callee would wait for the padding, and two sentences said one after
// the other would leave a pause long enough to sound like the end of the turn. Quiet inside the
// sentence is kept whole.
class SilenceTrimmer {
public:
    // At most `max_lead` samples of quiet before the first sound and `max_trail` after the last.
    SilenceTrimmer(size_t max_lead, size_t max_trail) : max_lead_(max_lead), max_trail_(max_trail) {}

    // The audio that can be played now: quiet that may turn out to be the end is held back.
    Pcm Push(std::span<const int16_t> piece);
    // The end: what was held back, cut to `max_trail`.
    Pcm Finish();

    // Samples quieter than this (about -42 dBFS) are quiet.
    static constexpr int kQuietAmplitude = 256;

private:
    size_t max_lead_;
    size_t max_trail_;
    bool heard_ = false;  // a sound has passed
    Pcm held_;            // before the first sound: the last max_lead_ quiet samples; after: quiet since the last sound
};

}  // namespace parley::audio
