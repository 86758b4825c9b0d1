#include "audio/audio.hpp"

#include <algorithm>
#include <cmath>

namespace parley::audio {

long DurationMs(size_t samples, int rate) {
    if (rate <= 0) return 0;
    return static_cast<long>(samples * 1000 / static_cast<size_t>(rate));
}

size_t SamplesForMs(long ms, int rate) {
    if (ms <= 0 || rate <= 0) return 0;
    return static_cast<size_t>(ms) * static_cast<size_t>(rate) / 1000;
}

double RmsDbfs(std::span<const int16_t> samples) {
    if (samples.empty()) return kSilenceDbfs;
    double sum = 0;
    for (const int16_t s : samples) sum += static_cast<double>(s) * s;
    const double mean_square = sum / static_cast<double>(samples.size());
    if (mean_square <= 0) return kSilenceDbfs;
    constexpr double kFullScale = 32768.0;
    return std::max(kSilenceDbfs, 10.0 * std::log10(mean_square / (kFullScale * kFullScale)));
}

Pcm Silence(long ms, int rate) {
    return Pcm(SamplesForMs(ms, rate), 0);
}

}  // namespace parley::audio
