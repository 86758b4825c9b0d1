#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>
#include <vector>

#include "support/sip_peers.hpp"

namespace parley::testing {

// One turn of the person: a line to say (a WAV), or keys to press (RFC 4733 events).
struct Reply {
    Reply(std::filesystem::path line) : wav(std::move(line)) {}  // NOLINT(google-explicit-constructor)
    static Reply Keys(std::string keys) {
        Reply r({});
        r.keys = std::move(keys);
        return r;
    }
    std::filesystem::path wav;
    std::string keys;
};

// A person on a baresip phone who waits for their turn: they listen to the far end on the
// current call (the recording baresip writes as the call goes) and, each time the far end has
// spoken and then been quiet for `pause`, say their next line (baresip's ausrc command switches
// the microphone to that line's WAV). The phone must have been started with a silent WAV long
// enough for the call. Runs on a thread of its own until destroyed.
class ListeningCallee {
public:
    // `lines`: 8 kHz mono WAVs of speech, each followed by enough silence for the rest of the call.
    ListeningCallee(Baresip& phone, std::vector<Reply> lines,
                    std::chrono::milliseconds pause = std::chrono::milliseconds(900));
    ~ListeningCallee();
    ListeningCallee(const ListeningCallee&) = delete;
    ListeningCallee& operator=(const ListeningCallee&) = delete;

    // Lines said so far.
    int said() const { return said_.load(); }

private:
    void Run();

    Baresip& phone_;
    std::vector<Reply> lines_;
    std::chrono::milliseconds pause_;
    std::atomic<bool> stop_{false};
    std::atomic<int> said_{0};
    std::thread thread_;
};

// Waits until the phone has heard the far end speak on its current call (200 ms of speech in the
// recording baresip writes as the call goes); false after `timeout`.
bool WaitUntilHeardSpeech(const Baresip& phone, std::chrono::milliseconds timeout);

// `speech` followed by `silence`, written as an 8 kHz mono WAV at `path`.
void WriteLineWav(const std::filesystem::path& path, const audio::Pcm& speech,
                  std::chrono::milliseconds silence = std::chrono::seconds(60));

}  // namespace parley::testing
