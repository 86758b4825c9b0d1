#include "voice/understanding/grammar.hpp"

#include <algorithm>
#include <iterator>
#include <utility>
#include <vector>

#include "voice/understanding/lexical.hpp"
#include "voice/understanding/options.hpp"

namespace parley::voice {
namespace {

struct Rule {
    std::string_view name;
    std::string_view body;
};

constexpr Rule kLeadRules[] = {
    {"lead",
     "uh | um | well | i think | i guess | oh | so | hmm | okay so | yeah so | probably | hopefully | "
     "i'd say | let's say | we want to start | we'd like to start | we're looking at | we have | it's | it is"},
    {"tail",
     "please | thanks | thank you | i guess | i think | works for me | that works | is fine | is good | "
     "would be great | sounds good | then"},
};

constexpr Rule kNumberBaseRules[] = {
    {"digit", "one | two | three | four | five | six | seven | eight | nine"},
    {"teen", "ten | eleven | twelve | thirteen | fourteen | fifteen | sixteen | seventeen | eighteen | nineteen"},
    {"tens", "twenty | thirty | forty | fifty | sixty | seventy | eighty | ninety"},
    {"below_hundred", "zero | <digit> | <teen> | <tens> [<digit>]"},
};

constexpr Rule kNumberRules[] = {
    {"group", "(<digit> | a) hundred [[and] <below_hundred>] | <below_hundred>"},
    {"counted",
     "<group> [point <digit> [<digit>]] [(thousand | million | billion | k | grand) [[and] <group> [thousand | k]]]"},
    {"amount", "<counted> | a (thousand | million) | half a million"},
    // The upper end of a range is a counted amount: "twenty to a thousand" is not an answer
    // anyone gives, and allowing it lets "twenty thousand" be heard that way.
    {"number",
     "[about | around | roughly | approximately | maybe | like | just | over | under | more than | less than | "
     "at least | between] <amount> [(to | and) <counted>] "
     "[dollars | bucks | a year | per year | a month | per month | people | employees | or so | plus | or more | "
     "or less]"},
};

constexpr Rule kYesNoRules[] = {
    {"yes_no",
     "yes | yeah | yep | yup | sure | yes please | yeah sure | sure thing | of course | absolutely | definitely | "
     "certainly | correct | right | that's right | that's correct | exactly | okay | alright | i do | we do | i am | "
     "it is | uh huh | mhm | sounds good | go ahead | why not | no problem | you bet | i think so | "
     "no | nope | nah | not really | i don't think so | no way | not at all | absolutely not | definitely not | "
     "of course not | i don't | we don't | not yet | never | i'm not | it's not | that's not right | "
     "maybe | i don't know | not sure | i'm not sure | i'm not really sure | perhaps | possibly | it depends"},
};

constexpr Rule kDateRules[] = {
    {"weekday", "monday | tuesday | wednesday | thursday | friday | saturday | sunday"},
    {"month",
     "january | february | march | april | may | june | july | august | september | october | november | "
     "december"},
    {"ord_unit", "first | second | third | fourth | fifth | sixth | seventh | eighth | ninth"},
    {"ordinal",
     "<ord_unit> | tenth | eleventh | twelfth | thirteenth | fourteenth | fifteenth | sixteenth | seventeenth | "
     "eighteenth | nineteenth | twentieth | twenty <ord_unit> | thirtieth | thirty first"},
    {"year", "twenty (<teen> | <tens> [<digit>]) | two thousand [and] [<digit> | <teen> | <tens> [<digit>]]"},
    {"count", "<digit> | <teen> | <tens> [<digit>] | a | an | a couple of | a few"},
    {"date",
     "today | tonight | tomorrow | [the] day after tomorrow | later today | "
     "this (morning | afternoon | evening | weekend) | [on | this | next | this coming] <weekday> [next week] | "
     "[on] the <ordinal> [of <month> [<year>]] | "
     "[on] <month> [the] (<ordinal> | <digit> | <teen> | twenty [<digit>] | thirty [one]) [<year>] | "
     "[in] <month> [<year>] | (in | within) <count> (day | days | week | weeks | month | months | year | years) | "
     "<count> (days | weeks | months) from (now | today) | next (week | month | year | weekend) | "
     "[at | by] [the] end of (the | this | next) (week | month | year) | [at the] (beginning | start) of next month"},
};

constexpr Rule kTimeRules[] = {
    {"hour", "one | two | three | four | five | six | seven | eight | nine | ten | eleven | twelve"},
    {"minutes", "o'clock | oh <digit> | <teen> | <tens> [<digit>]"},
    {"day_part", "a m | p m | in the morning | in the afternoon | in the evening | at night | tonight"},
    {"time",
     "[today | tomorrow] [at | around | about | by | after | before] (<hour> [<minutes>] [<day_part>] | noon | "
     "midnight | twelve noon | (half | quarter | a quarter | five | ten | twenty | twenty five) (past | after) "
     "<hour> [<day_part>] | (quarter | a quarter | five | ten | twenty | twenty five) (to | till) <hour> "
     "[<day_part>]) [today | tomorrow]"},
};

constexpr IntentPhrase kIntentPhrases[] = {
    {Intent::kOptOut, "stop calling me"},
    {Intent::kOptOut, "please stop calling me"},
    {Intent::kOptOut, "stop calling"},
    {Intent::kOptOut, "take me off your list"},
    {Intent::kOptOut, "take me off your calling list"},
    {Intent::kOptOut, "remove me from your list"},
    {Intent::kOptOut, "remove my number"},
    {Intent::kOptOut, "do not call me again"},
    {Intent::kOptOut, "don't call me again"},
    {Intent::kOptOut, "don't call me"},
    {Intent::kOptOut, "don't call here again"},
    {Intent::kOptOut, "put me on the do not call list"},
    {Intent::kOptOut, "put me on your do not call list"},
    {Intent::kOptOut, "never call me again"},
    {Intent::kOptOut, "unsubscribe"},
    {Intent::kOptOut, "lose my number"},
    {Intent::kNotInterested, "not interested"},
    {Intent::kNotInterested, "i'm not interested"},
    {Intent::kNotInterested, "i am not interested"},
    {Intent::kNotInterested, "we are not interested"},
    {Intent::kNotInterested, "we're not interested"},
    {Intent::kNotInterested, "no thank you"},
    {Intent::kNotInterested, "no thanks"},
    {Intent::kNotInterested, "we're all set"},
    {Intent::kNotInterested, "i'm all set"},
    {Intent::kNotInterested, "we're good thanks"},
    {Intent::kNotInterested, "not for me"},
    {Intent::kNotInterested, "i'll pass"},
    {Intent::kNotInterested, "we already have one"},
    {Intent::kCallLater, "call me later"},
    {Intent::kCallLater, "call me back"},
    {Intent::kCallLater, "call me back later"},
    {Intent::kCallLater, "call me back tomorrow"},
    {Intent::kCallLater, "call me back next week"},
    {Intent::kCallLater, "call me tomorrow"},
    {Intent::kCallLater, "can you call back later"},
    {Intent::kCallLater, "can you call back tomorrow"},
    {Intent::kCallLater, "can you call back next week"},
    {Intent::kCallLater, "can you call me back"},
    {Intent::kCallLater, "can you call me back later"},
    {Intent::kCallLater, "can you call me back tomorrow"},
    {Intent::kCallLater, "can you call me back next week"},
    {Intent::kCallLater, "call back later"},
    {Intent::kCallLater, "this isn't a good time"},
    {Intent::kCallLater, "this is not a good time"},
    {Intent::kCallLater, "it's not a good time"},
    {Intent::kCallLater, "now is not a good time"},
    {Intent::kCallLater, "not a good time"},
    {Intent::kCallLater, "bad time"},
    {Intent::kCallLater, "try me later"},
    {Intent::kCallLater, "another time"},
    {Intent::kWrongNumber, "wrong number"},
    {Intent::kWrongNumber, "you have the wrong number"},
    {Intent::kWrongNumber, "you've got the wrong number"},
    {Intent::kWrongNumber, "there's no one here by that name"},
    {Intent::kWrongNumber, "there is no one here by that name"},
    {Intent::kWrongNumber, "nobody here by that name"},
    {Intent::kWrongNumber, "wrong person"},
    {Intent::kBusy, "i'm busy"},
    {Intent::kBusy, "i'm busy right now"},
    {Intent::kBusy, "i'm kind of busy"},
    {Intent::kBusy, "i'm driving"},
    {Intent::kBusy, "i'm driving right now"},
    {Intent::kBusy, "i am busy"},
    {Intent::kBusy, "i am driving"},
    {Intent::kBusy, "i am driving right now"},
    {Intent::kBusy, "i'm at work"},
    {Intent::kBusy, "i'm in a meeting"},
    {Intent::kBusy, "i can't talk right now"},
    {Intent::kRepeat, "can you repeat that"},
    {Intent::kRepeat, "could you repeat that"},
    {Intent::kRepeat, "repeat that"},
    {Intent::kRepeat, "say that again"},
    {Intent::kRepeat, "can you say that again"},
    {Intent::kRepeat, "what"},
    {Intent::kRepeat, "sorry"},
    {Intent::kRepeat, "pardon"},
    {Intent::kRepeat, "excuse me"},
    {Intent::kRepeat, "come again"},
    {Intent::kRepeat, "what was that"},
    {Intent::kRepeat, "what did you say"},
    {Intent::kRepeat, "i didn't catch that"},
    {Intent::kRepeat, "one more time"},
    {Intent::kWhoIsThis, "who is this"},
    {Intent::kWhoIsThis, "who's this"},
    {Intent::kWhoIsThis, "who is calling"},
    {Intent::kWhoIsThis, "who's calling"},
    {Intent::kWhoIsThis, "who are you"},
    {Intent::kWhoIsThis, "what is this about"},
    {Intent::kWhoIsThis, "what's this about"},
    {Intent::kWhoIsThis, "what is this regarding"},
    {Intent::kWhoIsThis, "where are you calling from"},
    {Intent::kWhoIsThis, "what company is this"},
    {Intent::kWhoIsThis, "how did you get my number"},
    {Intent::kWhoIsThis, "are you a robot"},
    {Intent::kWhoIsThis, "is this a robot"},
    {Intent::kWhoIsThis, "are you a real person"},
    {Intent::kHumanRequest, "can i talk to a person"},
    {Intent::kHumanRequest, "can i speak to a person"},
    {Intent::kHumanRequest, "can i talk to a real person"},
    {Intent::kHumanRequest, "can i speak to a human"},
    {Intent::kHumanRequest, "i want to talk to a person"},
    {Intent::kHumanRequest, "let me talk to a person"},
    {Intent::kHumanRequest, "talk to a human"},
    {Intent::kHumanRequest, "speak to a representative"},
    {Intent::kHumanRequest, "can i speak to a manager"},
    {Intent::kHumanRequest, "operator"},
    {Intent::kHumanRequest, "representative"},
};

struct IntentRule {
    Intent intent;
    std::string_view name;
};

constexpr IntentRule kIntentRules[] = {
    {Intent::kOptOut, "opt_out"},
    {Intent::kNotInterested, "not_interested"},
    {Intent::kCallLater, "call_later"},
    {Intent::kWrongNumber, "wrong_number"},
    {Intent::kBusy, "busy"},
    {Intent::kRepeat, "repeat"},
    {Intent::kWhoIsThis, "who_is_this"},
    {Intent::kHumanRequest, "human"},
};

// Option words common enough to know without a dictionary; each is in the en-us dictionary.
constexpr std::string_view kCommonOptionWords[] = {
    "email",    "mail",       "phone",   "telephone",  "call",       "text",          "message",    "texting",
    "sms",      "video",      "in",      "person",     "website",    "online",        "web",        "chat",
    "morning",  "afternoon",  "evening", "weekday",    "weekdays",   "weekend",       "weekends",   "anytime",
    "small",    "medium",     "large",   "enterprise", "business",   "personal",      "company",    "team",
    "other",    "none",       "not",     "sure",       "unsure",     "yes",           "no",         "maybe",
    "basic",    "standard",   "premium", "pro",        "free",       "starter",       "plus",       "monthly",
    "annual",   "annually",   "yearly",  "quarterly",  "weekly",     "daily",         "high",       "low",
    "urgent",   "soon",       "later",   "now",        "never",      "very",          "satisfied",  "dissatisfied",
    "neutral",  "good",       "bad",     "excellent",  "poor",       "fair",          "owner",      "manager",
    "employee", "director",   "ceo",     "founder",    "q",          "quarter",       "half",       "year",
    "month",    "week",       "cash",    "card",       "credit",     "debit",         "check",      "transfer",
    "linkedin", "facebook",   "google",  "referral",   "friend",     "search",        "ad",         "advertising",
    "retail",   "healthcare", "finance", "education",  "technology", "manufacturing", "government", "nonprofit",
    "new",      "existing",   "current", "former",     "active",     "inactive",      "home",       "office",
    "remote",   "hybrid",     "full",    "time",       "part",       "contract",      "male",       "female",
};

void AppendRule(std::string& out, std::string_view name, std::string_view body) {
    out += '<';
    out += name;
    out += "> = ";
    out += body;
    out += ";\n";
}

template <std::size_t N>
void AppendRules(std::string& out, const Rule (&rules)[N]) {
    for (const auto& r : rules) AppendRule(out, r.name, r.body);
}

std::string IntentRules() {
    std::string out;
    std::string alternatives;
    for (const auto& rule : kIntentRules) {
        std::string body;
        for (const auto& p : kIntentPhrases) {
            if (p.intent != rule.intent) continue;
            if (!body.empty()) body += " | ";
            body += p.words;
        }
        AppendRule(out, rule.name, body);
        if (!alternatives.empty()) alternatives += " | ";
        alternatives += '<';
        alternatives += rule.name;
        alternatives += '>';
    }
    AppendRule(out, "intent", alternatives);
    return out;
}

// JSGF-safe words only: letters and inner apostrophes.
bool IsPlainWord(std::string_view w) {
    if (w.empty()) return false;
    for (char c : w) {
        if (!((c >= 'a' && c <= 'z') || c == '\'')) return false;
    }
    return w.front() != '\'' && w.back() != '\'';
}

// The spoken forms of an option with words the recognizer does not know dropped.
std::vector<std::string> SayableForms(std::string_view id, const Lexicon& lexicon) {
    std::vector<std::string> out;
    for (const auto& form : options::SpokenForms(id)) {
        std::string kept;
        for (const auto& w : lexical::Tokenize(form)) {
            if (!IsPlainWord(w) || !lexicon.Contains(w)) continue;
            if (!kept.empty()) kept += ' ';
            kept += w;
        }
        if (!kept.empty() && std::find(out.begin(), out.end(), kept) == out.end()) out.push_back(std::move(kept));
    }
    return out;
}

void CollectWords(std::string_view body, std::unordered_set<std::string, std::hash<std::string>>& into) {
    std::string cur;
    bool in_ref = false;
    auto flush = [&] {
        if (!cur.empty()) into.insert(std::exchange(cur, {}));
    };
    for (char c : body) {
        if (c == '<') {
            flush();
            in_ref = true;
        } else if (c == '>') {
            in_ref = false;
        } else if (in_ref) {
            continue;
        } else if (c == ' ' || c == '|' || c == '(' || c == ')' || c == '[' || c == ']' || c == ';' || c == '*' ||
                   c == '+' || c == '=') {
            flush();
        } else {
            cur += c;
        }
    }
    flush();
}

}  // namespace

Result<Lexicon> Lexicon::FromCmuDict(std::string_view text) {
    Lexicon lexicon;
    while (!text.empty()) {
        const auto newline = text.find('\n');
        auto line = text.substr(0, newline);
        text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
        if (line.empty() || line.starts_with(";;;")) continue;
        const auto end = line.find_first_of(" \t");
        auto word = line.substr(0, end);
        if (word.empty() || word.back() == ')') continue;  // alternates "word(2)" repeat the word
        lexicon.words_.emplace(word);
    }
    if (lexicon.words_.empty()) return Fail(ErrorCode::kValidation, "the pronunciation dictionary has no entries");
    return lexicon;
}

const Lexicon& Lexicon::Builtin() {
    static const Lexicon builtin = [] {
        std::unordered_set<std::string, std::hash<std::string>> words;
        auto collect = [&](const auto& rules) {
            for (const auto& r : rules) CollectWords(r.body, words);
        };
        collect(kLeadRules);
        collect(kNumberBaseRules);
        collect(kNumberRules);
        collect(kYesNoRules);
        collect(kDateRules);
        collect(kTimeRules);
        for (const auto& p : kIntentPhrases) CollectWords(p.words, words);
        for (auto w : kCommonOptionWords) words.emplace(w);
        for (auto w : {"the", "one", "option", "last", "tenth"}) words.emplace(w);
        Lexicon lexicon;
        for (const auto& w : words) lexicon.words_.emplace(w);
        return lexicon;
    }();
    return builtin;
}

bool Lexicon::Contains(std::string_view word) const {
    return words_.find(word) != words_.end();
}

std::span<const IntentPhrase> GrammarIntentPhrases() {
    return kIntentPhrases;
}

std::string BuildJsgf(const Expectation& expectation, const Lexicon& lexicon) {
    if (expectation.kind == AnswerKind::kText) return {};
    std::string rules;
    std::string expected;
    switch (expectation.kind) {
        case AnswerKind::kYesNo:
            AppendRules(rules, kYesNoRules);
            expected = "<yes_no>";
            break;
        case AnswerKind::kNumber:
            AppendRules(rules, kNumberBaseRules);
            AppendRules(rules, kNumberRules);
            expected = "<number>";
            break;
        case AnswerKind::kDate:
            AppendRules(rules, kNumberBaseRules);
            AppendRules(rules, kDateRules);
            // A day often comes with a time ("thursday at two pm"), as when booking a meeting.
            AppendRules(rules, kTimeRules);
            expected = "<date> [<time>] | <time>";
            break;
        case AnswerKind::kTime:
            AppendRules(rules, kNumberBaseRules);
            AppendRules(rules, kTimeRules);
            expected = "<time>";
            break;
        case AnswerKind::kEnum: {
            std::string alternatives;
            std::size_t ranges = 0;
            std::size_t kept = 0;
            std::vector<std::string> seen;
            for (const auto& id : expectation.options) {
                if (options::AsInterval(id)) ++ranges;
                const auto forms = SayableForms(id, lexicon);
                if (forms.empty()) continue;
                ++kept;
                for (const auto& f : forms) {
                    if (std::find(seen.begin(), seen.end(), f) != seen.end()) continue;
                    seen.push_back(f);
                    if (!alternatives.empty()) alternatives += " | ";
                    alternatives += f;
                }
            }
            if (kept >= 2) {
                static constexpr std::string_view kPositions[] = {"first", "second",  "third",  "fourth", "fifth",
                                                                  "sixth", "seventh", "eighth", "ninth",  "tenth"};
                std::string positions = "last";
                for (std::size_t i = 0; i < std::min<std::size_t>(expectation.options.size(), 10); ++i) {
                    positions += " | ";
                    positions += kPositions[i];
                }
                AppendRule(rules, "position", "[the] (" + positions + ") (one | option)");
            }
            if (!alternatives.empty()) AppendRule(rules, "option", "[the] (" + alternatives + ") [one | option]");
            std::vector<std::string> parts;
            if (!alternatives.empty()) parts.emplace_back("<option>");
            if (kept >= 2) parts.emplace_back("<position>");
            if (ranges >= 2) {
                AppendRules(rules, kNumberBaseRules);
                AppendRules(rules, kNumberRules);
                parts.emplace_back("<number>");
            }
            for (const auto& p : parts) {
                if (!expected.empty()) expected += " | ";
                expected += p;
            }
            break;
        }
        case AnswerKind::kText: break;
    }
    std::string out = "#JSGF V1.0;\ngrammar answer;\n";
    out += "public <answer> = [<lead>] (";
    if (!expected.empty()) {
        out += expected;
        out += " | ";
    }
    // More intents may follow: "no thank you i am not interested", "i am driving right now can
    // you call me back tomorrow".
    out += "<intent>) [<intent> [<intent>]] [<tail>];\n";
    AppendRules(out, kLeadRules);
    out += rules;
    out += IntentRules();
    return out;
}

std::string BuildJsgf(const Expectation& expectation) {
    return BuildJsgf(expectation, Lexicon::Builtin());
}

std::string SpokenForm(std::string_view option_id) {
    auto forms = options::SpokenForms(option_id);
    if (forms.empty()) return {};
    return forms.front();
}

}  // namespace parley::voice
