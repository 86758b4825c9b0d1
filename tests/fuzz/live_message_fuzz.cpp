// A message of a live (streaming WebSocket) recognizer, as the server sent it.

#include <cstdint>
#include <string_view>

#include "voice/engines/live_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto message = parley::voice::internal::ParseLiveMessage(text);
    if (message && message->kind == parley::voice::internal::LiveMessage::Kind::kResults) {
        (void)message->transcript.size();
    }
    return 0;
}
