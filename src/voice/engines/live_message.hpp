#pragma once

// Internal to the live recognizer (live_stt.cpp), apart for its fuzz target: one text message
// of a streaming recognizer in Deepgram's live shape.

#include <string>
#include <string_view>

#include "common/error.hpp"

namespace parley::voice::internal {

struct LiveMessage {
    enum class Kind {
        kResults,   // a transcript of part of the audio
        kMetadata,  // the server's summary, its last message after CloseStream
        kOther,     // anything else with a "type" (SpeechStarted, UtteranceEnd, ...): ignored
    };
    Kind kind = Kind::kOther;
    std::string transcript;     // Results: the first alternative, as NormalizeTranscript leaves it
    double confidence = 0;      // Results: 0..1
    bool is_final = false;      // Results: this part of the audio will not be recognized again
    bool speech_final = false;  // Results: the server's endpointing ended the utterance here
};

// kUnavailable, saying why, for text that is not a JSON object with a string "type", for an
// Error message (with its description), and for Results without channel.alternatives[0] holding
// a string "transcript".
Result<LiveMessage> ParseLiveMessage(std::string_view text);

}  // namespace parley::voice::internal
