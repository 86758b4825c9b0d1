// The embedded brain: runs a compiled Plan step by step — disclosure and opener, one question
// per extract field, a meeting offer, the closing — and handles what callees say instead of an
// answer (opt-out, not interested, call me later, wrong number, repeat, who is this).

#include <date/date.h>

#include "common/text.hpp"
#include "voice/agent_lines.hpp"
#include "voice/brain.hpp"
#include "voice/calendar.hpp"
#include "voice/understanding/intents.hpp"

namespace parley::voice {
namespace {

constexpr std::string_view kVoicemailPhrases[] = {
    "leave a message", "leave your message", "after the tone",       "after the beep",        "not available",
    "voicemail",       "voice mail",         "can't take your call", "cannot take your call", "reached the"};

AnswerKind KindOf(domain::FieldType t) {
    switch (t) {
        case domain::FieldType::kNumber: return AnswerKind::kNumber;
        case domain::FieldType::kBoolean: return AnswerKind::kYesNo;
        case domain::FieldType::kDate: return AnswerKind::kDate;
        case domain::FieldType::kEnum: return AnswerKind::kEnum;
        case domain::FieldType::kString: break;
    }
    return AnswerKind::kText;
}

class ScriptedBrain final : public Brain {
public:
    ScriptedBrain(const Plan& plan, const CallFacts& facts)
        : plan_(plan), values_(TemplateValues(plan, facts)), today_(DayOf(facts.started_at_ms)) {}

    Turn Start() override {
        stage_ = Stage::kGreeting;
        return Ask(OpeningWords(plan_, values_), Expectation{AnswerKind::kYesNo, {}});
    }

    Turn Hear(const std::string& words, double confidence, double seconds) override {
        now_seconds_ = seconds;
        silences_ = 0;
        conv_.callee_lines.push_back(words);
        conv_.confidences.push_back(confidence);
        const std::string lower = ToLower(words);
        if (stage_ == Stage::kDone) return {};
        if (stage_ == Stage::kGreeting && LooksLikeVoicemail(lower)) return Voicemail();

        switch (DetectIntent(lower)) {
            case Intent::kOptOut: conv_.opted_out = true; return End(std::string(kOptOutGoodbye), "opt_out");
            case Intent::kWrongNumber:
                conv_.wrong_number = true;
                return End(std::string(kWrongNumberGoodbye), "wrong_number");
            case Intent::kNotInterested:
                // "No thanks" to the meeting offer declines the meeting, not the conversation.
                if (stage_ == Stage::kOfferMeeting)
                    return End(std::string(kNoProblem) + " " + Fill(plan_.closing), "completed");
                conv_.not_interested = true;
                return End(std::string(kNotInterestedGoodbye), "not_interested");
            case Intent::kCallLater:
            case Intent::kBusy: {
                conv_.callback_requested = true;
                conv_.callback_date = CallbackWhen(lower, date::year_month_day(today_));
                const std::string when = conv_.callback_date ? "on " + SpokenDate(*conv_.callback_date) : "later";
                return End("Of course. I will call you back " + when + ". Goodbye.", "callback_requested");
            }
            case Intent::kRepeat: return Repeat("");
            case Intent::kWhoIsThis:
                return Repeat(plan_.disclosure.empty()
                                  ? "I am " + plan_.agent_name + " from " + plan_.organization + "."
                                  : Fill(plan_.disclosure));
            case Intent::kHumanRequest:
                if (plan_.HasTool("transfer") && plan_.transfer_number) return Transfer();
                return Repeat(std::string(kCannotTransfer));
            case Intent::kNone: break;
        }
        for (const auto& topic : plan_.refuse_topics) {
            if (!topic.empty() && lower.find(ToLower(topic)) != std::string::npos) {
                return Repeat("I am sorry, I am not able to discuss " + topic + ".");
            }
        }

        switch (stage_) {
            case Stage::kGreeting: {
                if (ParseYesNo(lower) == false) {
                    conv_.not_interested = true;
                    return End(std::string(kNotInterestedGoodbye), "not_interested");
                }
                conv_.agreed_to_talk = true;
                return Next(std::string(kAgreedAck));
            }
            case Stage::kQuestion: return Answer(lower);
            case Stage::kOfferMeeting: return MeetingAnswer(lower);
            case Stage::kChooseSlot: return SlotAnswer(lower);
            case Stage::kDone: break;
        }
        return {};
    }

    Turn Silence(double seconds) override {
        now_seconds_ = seconds;
        if (stage_ == Stage::kDone) return {};
        if (++silences_ >= 2) return End(std::string(kLostCalleeGoodbye), "silence");
        return Repeat(std::string(kStillTherePrompt));
    }

    Turn NotHeard(std::string_view recognizer, std::string_view error, double seconds) override {
        now_seconds_ = seconds;
        if (stage_ == Stage::kDone) return {};
        Record("speech_recognition", "failed", {{"recognizer", recognizer}}, {{"error", error}});
        return Repeat(std::string(kNotHeardPrompt));
    }

    std::unique_ptr<Brain> Clone() const override { return std::make_unique<ScriptedBrain>(*this); }
    const Conversation& conversation() const override { return conv_; }
    Conversation& conversation() override { return conv_; }

private:
    enum class Stage { kGreeting, kQuestion, kOfferMeeting, kChooseSlot, kDone };

    std::string Fill(std::string_view text) const { return FillTemplate(text, values_); }

    static bool LooksLikeVoicemail(const std::string& lower) {
        for (auto phrase : kVoicemailPhrases) {
            if (lower.find(phrase) != std::string::npos) return true;
        }
        return false;
    }

    Turn Ask(std::string say, std::optional<Expectation> expect) {
        last_question_ = say;
        last_expect_ = expect;
        return Turn{std::move(say), std::move(expect)};
    }

    // Says `prefix`, then asks the last question again.
    Turn Repeat(const std::string& prefix) {
        Turn t{prefix.empty() || last_question_.empty() ? prefix + last_question_ : prefix + " " + last_question_,
               last_expect_};
        return t;
    }

    void Record(std::string tool, std::string status, Json input, Json output) {
        conv_.tools.push_back({std::move(tool), std::move(status), std::move(input), std::move(output), now_seconds_});
    }

    Turn End(std::string say, std::string reason) {
        stage_ = Stage::kDone;
        Record("end_call", "success", {{"reason", reason}}, Json::object());
        Turn t{std::move(say), std::nullopt};
        t.hang_up = true;
        return t;
    }

    Turn Voicemail() {
        conv_.voicemail = true;
        stage_ = Stage::kDone;
        Turn t;
        if (plan_.voicemail_message) {
            t.say = Fill(*plan_.voicemail_message);
            t.leave_voicemail = true;
        }
        Record("end_call", "success", {{"reason", "voicemail"}}, Json::object());
        t.hang_up = true;
        return t;
    }

    Turn Transfer() {
        stage_ = Stage::kDone;
        conv_.transferred_to = *plan_.transfer_number;
        Record("transfer", "success", {{"number", *plan_.transfer_number}}, Json::object());
        Turn t{std::string(kTransferWords), std::nullopt};
        t.transfer = plan_.transfer_number;
        return t;
    }

    Expectation StepExpectation(const PlanStep& s) const { return Expectation{KindOf(s.type), s.options}; }

    // Acknowledges, then asks the next question, offers a meeting or closes.
    Turn Next(const std::string& ack) {
        if (step_ < plan_.steps.size()) {
            stage_ = Stage::kQuestion;
            reasked_ = false;
            ++conv_.questions_asked;
            const auto& s = plan_.steps[step_];
            return Ask(ack + " " + s.question, StepExpectation(s));
        }
        if (plan_.HasTool("request_meeting") && !conv_.meeting_booked) {
            stage_ = Stage::kOfferMeeting;
            reasked_ = false;
            return Ask(ack + " " + std::string(kMeetingOffer), Expectation{AnswerKind::kYesNo, {}});
        }
        std::string closing = Fill(plan_.closing);
        return End(ack + " " + closing, "completed");
    }

    Turn Answer(const std::string& lower) {
        const auto& s = plan_.steps[step_];
        auto parsed = ParseAnswer(lower, StepExpectation(s), date::year_month_day(today_));
        if (parsed.ok) {
            conv_.values[s.field] = parsed.value;
            ++conv_.questions_answered;
            ++step_;
            return Next(std::string(kAnsweredAck));
        }
        if (!reasked_) {
            reasked_ = true;
            return Repeat(std::string(kNotHeardPrompt));
        }
        ++step_;
        return Next(std::string(kMoveOnAck));
    }

    // The open weekday slots the calendar offers: the next two working days at 10 AM and 2 PM.
    Json Availability() {
        Json slots = OpenSlots(today_);
        Record("check_availability", "success", {{"from", IsoDate(today_)}}, {{"slots", slots}});
        return slots;
    }

    Turn MeetingAnswer(const std::string& lower) {
        // "Yes, Tuesday at two works" names the slot at once.
        if (ParseDate(lower, date::year_month_day(today_)) && ParseTimeOfDay(lower)) return SlotAnswer(lower);
        const auto yes = ParseYesNo(lower);
        if (yes == true) {
            if (!plan_.HasTool("check_availability")) {
                stage_ = Stage::kChooseSlot;
                reasked_ = false;
                return Ask(std::string(kAskDayAndTime), Expectation{AnswerKind::kDate, {}});
            }
            const Json slots = Availability();
            stage_ = Stage::kChooseSlot;
            reasked_ = false;
            return Ask("Great. I have " + slots[0]["spoken"].get<std::string>() + " or " +
                           slots[1]["spoken"].get<std::string>() + ". " + std::string(kChooseSlot),
                       Expectation{AnswerKind::kDate, {}});
        }
        if (yes == false) return End(std::string(kNoProblem) + " " + Fill(plan_.closing), "completed");
        if (!reasked_) {
            reasked_ = true;
            return Repeat(std::string(kNotHeardPrompt));
        }
        return End(Fill(plan_.closing), "completed");
    }

    Turn SlotAnswer(const std::string& lower) {
        auto day = ParseDate(lower, date::year_month_day(today_));
        auto time = ParseTimeOfDay(lower);
        if (!day || !time) {
            if (!reasked_) {
                reasked_ = true;
                return Repeat(std::string(kWhichSlot));
            }
            return End(std::string(kTeamWillReachOut) + " " + Fill(plan_.closing), "completed");
        }
        Json input = {{"date", *day}, {"time", *time}, {"duration_minutes", kMeetingMinutes}};
        const auto slot = CheckMeeting(today_, *day, *time);
        if (!slot) {
            Record("request_meeting", "failed", input, {{"error", "outside the calendar's open hours"}});
            if (!reasked_) {
                reasked_ = true;
                return Ask(std::string(kOpenHoursRetry), Expectation{AnswerKind::kDate, {}});
            }
            return End(std::string(kTeamWillReachOut) + " " + Fill(plan_.closing), "completed");
        }
        conv_.meeting_booked = true;
        conv_.meeting_at = *day + "T" + *time;
        Record("request_meeting", "success", input, {{"meeting_at", *conv_.meeting_at}, {"status", "booked"}});
        return End("You are booked for " + SpokenSlot(slot->day, slot->hour, slot->minute) + ". " + Fill(plan_.closing),
                   "meeting_booked");
    }

    Plan plan_;
    Json values_;
    date::sys_days today_;
    Conversation conv_;
    Stage stage_ = Stage::kGreeting;
    size_t step_ = 0;
    bool reasked_ = false;
    int silences_ = 0;
    double now_seconds_ = 0;
    std::string last_question_;
    std::optional<Expectation> last_expect_;
};

}  // namespace

std::unique_ptr<Brain> MakeScriptedBrain(const Plan& plan, const CallFacts& facts) {
    return std::make_unique<ScriptedBrain>(plan, facts);
}

}  // namespace parley::voice
