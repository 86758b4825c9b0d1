#include "audio/silence_trimmer.hpp"

#include <algorithm>
#include <cstdlib>

namespace parley::audio {

Pcm SilenceTrimmer::Push(std::span<const int16_t> piece) {
    Pcm out;
    for (const int16_t sample : piece) {
        if (std::abs(static_cast<int>(sample)) < kQuietAmplitude) {
            held_.push_back(sample);
            if (!heard_ && held_.size() > 2 * max_lead_ + 1)
                held_.erase(held_.begin(), held_.end() - static_cast<long>(max_lead_));
            continue;
        }
        const size_t keep = heard_ ? held_.size() : std::min(held_.size(), max_lead_);
        heard_ = true;
        out.insert(out.end(), held_.end() - static_cast<long>(keep), held_.end());
        held_.clear();
        out.push_back(sample);
    }
    return out;
}

Pcm SilenceTrimmer::Finish() {
    Pcm out;
    if (heard_) out.assign(held_.begin(), held_.begin() + static_cast<long>(std::min(held_.size(), max_trail_)));
    held_.clear();
    heard_ = false;
    return out;
}

}  // namespace parley::audio
