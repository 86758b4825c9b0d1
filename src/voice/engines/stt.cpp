#include "voice/engines/stt.hpp"

#include <cctype>

namespace parley::voice {

SttEngine::~SttEngine() = default;
SttStream::~SttStream() = default;

std::unique_ptr<SttStream> SttEngine::OpenStream(const RecognizeOptions& /*options*/,
                                                 std::span<const float> /*channel*/) {
    return nullptr;
}

std::string NormalizeTranscript(std::string_view text) {
    // Bytes of multi-byte UTF-8 characters count as letters, so other scripts survive intact.
    auto is_word_char = [](unsigned char c) { return std::isalnum(c) != 0 || c >= 0x80; };
    std::string out;
    std::string word;
    auto flush = [&] {
        while (!word.empty() && word.back() == '\'') word.pop_back();
        if (word.empty()) return;
        if (!out.empty()) out += ' ';
        out += word;
        word.clear();
    };
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (is_word_char(c)) {
            word += static_cast<char>(std::tolower(c));
        } else if (c == '\'' && !word.empty()) {
            word += '\'';
        } else {
            flush();
        }
    }
    flush();
    return out;
}

}  // namespace parley::voice
