#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "support/sip_peers.hpp"

namespace parley::testing {

// A person on a baresip phone who waits for their turn: they listen to the far end on the
// current call (the recording baresip writes as the call goes) and, each time the far end has
// spoken and then been quiet for `pause`, say their next line (baresip's ausrc command switches
// the microphone to that line's WAV). The phone must have been started with a silent WAV long
// enough for the call. Runs on a thread of its own until destroyed.
class ListeningCallee {
public:
    // `lines`: 8 kHz mono WAVs of speech, each followed by enough silence for the rest of the call.
    ListeningCallee(Baresip& phone, std::vector<std::filesystem::path> lines,
                    std::chrono::milliseconds pause = std::chrono::milliseconds(900));
    ~ListeningCallee();
    ListeningCallee(const ListeningCallee&) = delete;
    ListeningCallee& operator=(const ListeningCallee&) = delete;

    // Lines said so far.
    int said() const { return said_.load(); }

private:
    void Run();

    Baresip& phone_;
    std::vector<std::filesystem::path> lines_;
    std::chrono::milliseconds pause_;
    std::atomic<bool> stop_{false};
    std::atomic<int> said_{0};
    std::thread thread_;
};

// `speech` followed by `silence`, written as an 8 kHz mono WAV at `path`.
void WriteLineWav(const std::filesystem::path& path, const audio::Pcm& speech,
                  std::chrono::milliseconds silence = std::chrono::seconds(60));

}  // namespace parley::testing
