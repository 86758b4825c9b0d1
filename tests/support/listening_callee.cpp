#include "support/listening_callee.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>

namespace parley::testing {

namespace {

constexpr size_t kWavHeaderBytes = 44;
constexpr size_t kFrameSamples = 160;     // 20 ms at 8 kHz
constexpr double kSpeechRms = 300;        // well above G.711's idle noise, well below speech
constexpr int kSpeechFramesToCount = 10;  // 200 ms of speech is the far end talking

// The newest recording of what the phone hears (sndfile's dump-<time>-dec.wav).
std::filesystem::path NewestHeard(const std::filesystem::path& dir) {
    std::filesystem::path newest;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.ends_with("-dec.wav") && (newest.empty() || name > newest.filename().string())) newest = entry.path();
    }
    return newest;
}

double Rms(const int16_t* samples, size_t n) {
    double sum = 0;
    for (size_t i = 0; i < n; ++i) sum += static_cast<double>(samples[i]) * samples[i];
    return n == 0 ? 0 : std::sqrt(sum / static_cast<double>(n));
}

}  // namespace

bool WaitUntilHeardSpeech(const Baresip& phone, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(40));
        const auto heard = NewestHeard(phone.recordings_dir());
        std::error_code ec;
        const auto size = heard.empty() ? 0 : std::filesystem::file_size(heard, ec);
        if (ec || size < kWavHeaderBytes + kFrameSamples * 2) continue;
        std::vector<int16_t> samples((size - kWavHeaderBytes) / 2 / kFrameSamples * kFrameSamples);
        std::ifstream in(heard, std::ios::binary);
        in.seekg(static_cast<std::streamoff>(kWavHeaderBytes));
        in.read(reinterpret_cast<char*>(samples.data()), static_cast<std::streamsize>(samples.size() * 2));
        if (!in) continue;
        int speech_frames = 0;
        for (size_t f = 0; f + kFrameSamples <= samples.size(); f += kFrameSamples) {
            if (Rms(samples.data() + f, kFrameSamples) > kSpeechRms) ++speech_frames;
        }
        if (speech_frames >= kSpeechFramesToCount) return true;
    }
    return false;
}

void WriteLineWav(const std::filesystem::path& path, const audio::Pcm& speech, std::chrono::milliseconds silence) {
    audio::Pcm all = speech;
    all.resize(all.size() + static_cast<size_t>(silence.count()) * 8, 0);
    WriteWav(path, all);
}

ListeningCallee::ListeningCallee(Baresip& phone, std::vector<Reply> lines, std::chrono::milliseconds pause)
    : phone_(phone), lines_(std::move(lines)), pause_(pause), thread_([this] { Run(); }) {}

ListeningCallee::~ListeningCallee() {
    stop_ = true;
    thread_.join();
}

void ListeningCallee::Run() {
    std::filesystem::path heard;
    size_t offset = kWavHeaderBytes;
    int speech_frames = 0;
    int quiet_frames = 0;
    const int pause_frames = static_cast<int>(pause_.count() / 20);
    while (!stop_ && said_ < static_cast<int>(lines_.size())) {
        std::this_thread::sleep_for(std::chrono::milliseconds(40));
        const auto newest = NewestHeard(phone_.recordings_dir());
        if (newest.empty()) continue;
        if (newest != heard) {  // a new call
            heard = newest;
            offset = kWavHeaderBytes;
            speech_frames = quiet_frames = 0;
        }
        std::error_code ec;
        const auto size = std::filesystem::file_size(heard, ec);
        if (ec || size < offset + kFrameSamples * 2) continue;
        const size_t frames = (size - offset) / (kFrameSamples * 2);
        std::vector<int16_t> samples(frames * kFrameSamples);
        std::ifstream in(heard, std::ios::binary);
        in.seekg(static_cast<std::streamoff>(offset));
        in.read(reinterpret_cast<char*>(samples.data()), static_cast<std::streamsize>(samples.size() * 2));
        if (!in) continue;
        offset += samples.size() * 2;
        for (size_t f = 0; f < frames; ++f) {
            if (Rms(samples.data() + f * kFrameSamples, kFrameSamples) > kSpeechRms) {
                ++speech_frames;
                quiet_frames = 0;
            } else {
                ++quiet_frames;
            }
        }
        if (speech_frames >= kSpeechFramesToCount && quiet_frames >= pause_frames) {
            const Reply& line = lines_[static_cast<size_t>(said_.load())];
            if (line.keys.empty()) {
                phone_.Command("ausrc", "aufile," + line.wav.string());
            } else {
                phone_.Command("sndcode", line.keys);
            }
            ++said_;
            speech_frames = quiet_frames = 0;
        }
    }
}

}  // namespace parley::testing
