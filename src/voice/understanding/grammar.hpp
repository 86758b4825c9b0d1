#pragma once

// JSGF grammars that steer the speech recognizer toward the answers the current question expects,
// and how the agent says an enum option aloud. Pure text building: the caller reads the
// pronunciation dictionary and hands its text to Lexicon::FromCmuDict.

#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>

#include "common/error.hpp"
#include "voice/understanding/answers.hpp"
#include "voice/understanding/intents.hpp"

namespace parley::voice {

// The words a recognizer can say: the first column of a CMU-format pronunciation dictionary.
class Lexicon {
public:
    // Lines "word PHONES"; alternates "word(2) ..." and ";;;" comments are skipped. Fails
    // (kValidation) when the text holds no entry.
    static Result<Lexicon> FromCmuDict(std::string_view text);
    // The words of this library's own grammars plus common option words, all present in the
    // en-us dictionary that ships with pocketsphinx. Used when no dictionary is at hand.
    static const Lexicon& Builtin();

    bool Contains(std::string_view word) const;
    std::size_t size() const { return words_.size(); }

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_set<std::string, Hash, std::equal_to<>> words_;
};

// One intent phrase every grammar accepts, as the recognizer would return it.
struct IntentPhrase {
    Intent intent;
    std::string_view words;
};
std::span<const IntentPhrase> GrammarIntentPhrases();

// A JSGF grammar ("#JSGF V1.0; grammar answer; public <answer> = ...;") accepting the expected
// answers for the kind, the intent phrases (opt-out, not interested, call later, wrong number,
// busy, repeat, who is this, human) and leading hesitations ("uh", "well", "i think"). kText gets
// "": the recognizer should use its open language model. Option words missing from `lexicon` are
// dropped from that option's spoken forms, and an option with no word left is left out. The fixed
// vocabulary (numbers, dates, times, yes/no, intents) is the same for every lexicon and is all in
// the pocketsphinx en-us dictionary.
std::string BuildJsgf(const Expectation& expectation, const Lexicon& lexicon);
// Same with Lexicon::Builtin(): unusual option words are dropped, so prefer the overload above
// with the recognizer's real dictionary.
std::string BuildJsgf(const Expectation& expectation);

// How the agent says an option in a question: "10k_50k" -> "ten to fifty thousand", "100k_plus"
// -> "over one hundred thousand", "q3_2025" -> "q three twenty twenty five", "email" -> "email".
std::string SpokenForm(std::string_view option_id);

}  // namespace parley::voice
