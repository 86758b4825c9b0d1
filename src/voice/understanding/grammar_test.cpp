#include "voice/understanding/grammar.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace parley::voice {
namespace {

constexpr const char* kDictionaryPath = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict";

std::vector<Expectation> RepresentativeExpectations() {
    return {
        {AnswerKind::kYesNo, {}},
        {AnswerKind::kNumber, {}},
        {AnswerKind::kDate, {}},
        {AnswerKind::kTime, {}},
        {AnswerKind::kEnum, {"under_10k", "10k_50k", "50k_100k", "100k_plus"}},
        {AnswerKind::kEnum, {"1_10", "11_50", "51_200", "201_plus"}},
        {AnswerKind::kEnum, {"email", "phone", "text"}},
        {AnswerKind::kEnum, {"Enterprise", "SmallBusiness", "Individual"}},
        {AnswerKind::kEnum, {"q3_2025", "q4_2025", "q1_2026"}},
        {AnswerKind::kEnum, {"very_satisfied", "satisfied", "not_satisfied", "zzyzxq_42"}},
        {AnswerKind::kEnum, {"1.5m_plus", "500k_1.5m", "under_500k"}},
    };
}

// The terminal words of a grammar: everything but the header, rule names and operators.
std::vector<std::string> GrammarWords(const std::string& grammar) {
    std::vector<std::string> words;
    std::istringstream lines(grammar);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.starts_with("#JSGF") || line.starts_with("grammar ")) continue;
        const auto eq = line.find('=');
        if (eq == std::string::npos) continue;
        std::string cur;
        bool in_ref = false;
        for (char c : line.substr(eq + 1)) {
            if (c == '<') {
                in_ref = true;
            } else if (c == '>') {
                in_ref = false;
            } else if (!in_ref && std::string_view(" |()[];*+").find(c) == std::string_view::npos) {
                cur += c;
                continue;
            }
            if (!cur.empty()) words.push_back(std::exchange(cur, {}));
        }
        if (!cur.empty()) words.push_back(cur);
    }
    return words;
}

TEST(BuildJsgf, EveryWordIsInThePocketsphinxDictionary) {
    std::ifstream file(kDictionaryPath);
    if (!file) GTEST_SKIP() << "no pocketsphinx en-us dictionary at " << kDictionaryPath;
    std::stringstream text;
    text << file.rdbuf();
    auto lexicon = Lexicon::FromCmuDict(text.str());
    ASSERT_TRUE(lexicon);
    EXPECT_GT(lexicon->size(), 100000u);
    for (const auto& e : RepresentativeExpectations()) {
        for (const Lexicon* lex : {static_cast<const Lexicon*>(&*lexicon), &Lexicon::Builtin()}) {
            const auto grammar = BuildJsgf(e, *lex);
            ASSERT_FALSE(grammar.empty());
            for (const auto& w : GrammarWords(grammar)) {
                EXPECT_TRUE(lexicon->Contains(w)) << "'" << w << "' in\n" << grammar;
                for (char c : w) EXPECT_FALSE(c >= '0' && c <= '9') << w;
            }
        }
    }
}

TEST(BuildJsgf, BuiltinLexiconIsASubsetOfTheDictionary) {
    std::ifstream file(kDictionaryPath);
    if (!file) GTEST_SKIP() << "no pocketsphinx en-us dictionary at " << kDictionaryPath;
    std::stringstream text;
    text << file.rdbuf();
    auto lexicon = Lexicon::FromCmuDict(text.str());
    ASSERT_TRUE(lexicon);
    // Every intent phrase and every common option word the builtin lexicon vouches for.
    for (const auto& p : GrammarIntentPhrases()) {
        std::istringstream words{std::string(p.words)};
        std::string w;
        while (words >> w) EXPECT_TRUE(lexicon->Contains(w)) << w;
    }
    for (const char* w : {"email", "enterprise", "satisfied", "quarter", "linkedin"}) {
        EXPECT_TRUE(Lexicon::Builtin().Contains(w)) << w;
        EXPECT_TRUE(lexicon->Contains(w)) << w;
    }
}

TEST(BuildJsgf, IsWellFormedJsgf) {
    for (const auto& e : RepresentativeExpectations()) {
        const auto grammar = BuildJsgf(e);
        ASSERT_TRUE(grammar.starts_with("#JSGF V1.0;\ngrammar answer;\npublic <answer> = ")) << grammar;
        std::size_t publics = 0;
        std::set<std::string> defined;
        std::set<std::string> referenced;
        std::istringstream lines(grammar);
        std::string line;
        while (std::getline(lines, line)) {
            ASSERT_FALSE(line.empty());
            EXPECT_EQ(line.back(), ';') << line;
            if (line.starts_with("#JSGF") || line.starts_with("grammar ")) continue;
            if (line.starts_with("public ")) ++publics;
            const auto name_end = line.find("> = ");
            ASSERT_NE(name_end, std::string::npos) << line;
            defined.insert(line.substr(line.find('<') + 1, name_end - line.find('<') - 1));
            int round = 0;
            int square = 0;
            int angle = 0;
            for (std::size_t i = name_end + 4; i < line.size(); ++i) {
                const char c = line[i];
                round += c == '(' ? 1 : c == ')' ? -1 : 0;
                square += c == '[' ? 1 : c == ']' ? -1 : 0;
                angle += c == '<' ? 1 : c == '>' ? -1 : 0;
                ASSERT_GE(round, 0) << line;
                ASSERT_GE(square, 0) << line;
                ASSERT_GE(angle, 0) << line;
                if (c == '<') referenced.insert(line.substr(i + 1, line.find('>', i) - i - 1));
                if (c == ';') {
                    EXPECT_EQ(i, line.size() - 1) << line;
                }
            }
            EXPECT_EQ(round, 0) << line;
            EXPECT_EQ(square, 0) << line;
            EXPECT_EQ(angle, 0) << line;
            EXPECT_EQ(line.find("||"), std::string::npos) << line;
            EXPECT_EQ(line.find("()"), std::string::npos) << line;
            EXPECT_EQ(line.find("| )"), std::string::npos) << line;
        }
        EXPECT_EQ(publics, 1u);
        for (const auto& r : referenced) EXPECT_TRUE(defined.count(r)) << "undefined <" << r << "> in\n" << grammar;
    }
}

TEST(BuildJsgf, TextAnswersUseTheOpenModel) {
    EXPECT_EQ(BuildJsgf({AnswerKind::kText, {}}), "");
}

TEST(BuildJsgf, CoversIntentsFillersAndTheExpectedKind) {
    const auto yes_no = BuildJsgf({AnswerKind::kYesNo, {}});
    for (const char* piece : {"<lead> = uh | um | well | i think | i guess", "take me off your list",
                              "i'm not interested", "this isn't a good time", "wrong number", "i'm driving",
                              "can you repeat that", "who is this", "i don't think so", "that's right"}) {
        EXPECT_NE(yes_no.find(piece), std::string::npos) << piece;
    }
    const auto dates = BuildJsgf({AnswerKind::kDate, {}});
    for (const char* piece : {"tomorrow", "<weekday> = monday", "next", "<month> [the] (<ordinal>", "weeks"}) {
        EXPECT_NE(dates.find(piece), std::string::npos) << piece;
    }
    const auto ranges = BuildJsgf({AnswerKind::kEnum, {"under_10k", "10k_50k", "50k_100k", "100k_plus"}});
    for (const char* piece : {"ten to fifty thousand", "over one hundred thousand", "under ten thousand",
                              "a hundred thousand plus", "<number>", "k"}) {
        EXPECT_NE(ranges.find(piece), std::string::npos) << piece;
    }
}

TEST(BuildJsgf, DropsOptionWordsTheLexiconLacks) {
    auto lexicon = Lexicon::FromCmuDict("email IY M EY L\nphone F OW N\nphone(2) F OW N\nby B AY\n");
    ASSERT_TRUE(lexicon);
    EXPECT_EQ(lexicon->size(), 3u);
    const auto grammar = BuildJsgf({AnswerKind::kEnum, {"email", "phone", "zzyzxq", "email_zzyzxq"}}, *lexicon);
    EXPECT_NE(grammar.find("<option> = [the] (email | phone) [one | option];"), std::string::npos) << grammar;
    EXPECT_EQ(grammar.find("zzyzxq"), std::string::npos);
}

TEST(BuildJsgf, AnEnumWithNoSayableOptionStillAcceptsIntents) {
    auto lexicon = Lexicon::FromCmuDict("hello HH AH L OW\n");
    ASSERT_TRUE(lexicon);
    const auto grammar = BuildJsgf({AnswerKind::kEnum, {"zzyzxq", "qqxv"}}, *lexicon);
    EXPECT_NE(grammar.find("public <answer> = [<lead>] (<intent>) [<intent> [<intent>]] [<tail>];"), std::string::npos)
        << grammar;
    EXPECT_EQ(grammar.find("<option>"), std::string::npos);
}

TEST(Lexicon, RejectsADictionaryWithoutEntries) {
    auto lexicon = Lexicon::FromCmuDict(";;; comment only\n\n");
    ASSERT_FALSE(lexicon);
    EXPECT_EQ(lexicon.error().code, ErrorCode::kValidation);
}

TEST(SpokenForm, SaysOptionIdsTheWayAPersonWould) {
    struct Case {
        const char* id;
        const char* spoken;
    };
    const Case cases[] = {
        {"10k_50k", "ten to fifty thousand"},
        {"100k_plus", "over one hundred thousand"},
        {"under_10k", "under ten thousand"},
        {"50k_100k", "fifty to one hundred thousand"},
        {"500k_1.5m", "five hundred thousand to one point five million"},
        {"1_10", "one to ten"},
        {"201_plus", "over two hundred one"},
        {"1.5m_plus", "over one point five million"},
        {"email", "email"},
        {"Enterprise", "enterprise"},
        {"SmallBusiness", "small business"},
        {"not_sure", "not sure"},
        {"q3_2025", "q three twenty twenty five"},
        {"100k+", "over one hundred thousand"},
    };
    for (const auto& c : cases) EXPECT_EQ(SpokenForm(c.id), c.spoken) << c.id;
}

}  // namespace
}  // namespace parley::voice
