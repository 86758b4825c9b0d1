#include "voice/openai_brain.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "common/text.hpp"
#include "common/time_format.hpp"
#include "voice/agent_lines.hpp"
#include "voice/calendar.hpp"
#include "voice/chat_stream.hpp"
#include "voice/engines/http_client.hpp"
#include "voice/sentences.hpp"
#include "voice/understanding/intents.hpp"

namespace parley::voice {
namespace {

constexpr int kMaxModelRounds = 4;
constexpr std::string_view kPath = "chat/completions";
constexpr std::string_view kWhat = "openai brain";
constexpr size_t kMaxTextAnswer = 500;

// end_call's reasons and what the agent says when the model gave no goodbye of its own
// ("completed" says the plan's closing).
struct EndReason {
    std::string_view name;
    std::string_view goodbye;
};
constexpr EndReason kEndReasons[] = {
    {"completed", ""},
    {"not_interested", "No problem at all. Thank you for your time. Goodbye."},
    {"opt_out", "I understand. I have removed your number from our list, and we will not call you again. Goodbye."},
    {"wrong_number", "I am sorry for the trouble. Goodbye."},
    {"callback_requested", "Of course. We will call you back. Goodbye."},
    {"voicemail", ""},
};

// Contact fields a model may address the callee by; the plan's own variables are added.
constexpr std::string_view kCalleeFacts[] = {"first_name", "last_name", "company"};

std::string Join(const std::vector<std::string>& items, std::string_view separator) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : std::string(separator)) + item;
    return out;
}

std::string FieldKind(const PlanStep& step) {
    switch (step.type) {
        case domain::FieldType::kNumber: return "a number";
        case domain::FieldType::kBoolean: return "yes or no, recorded as true or false";
        case domain::FieldType::kDate: return "a date, recorded as yyyy-mm-dd";
        case domain::FieldType::kEnum: return "exactly one of these options: " + Join(step.options, ", ");
        case domain::FieldType::kString: break;
    }
    return "free text";
}

// The value a field's definition accepts, or why `value` is not one.
Result<Json> TypedAnswer(const PlanStep& step, const Json& value) {
    switch (step.type) {
        case domain::FieldType::kNumber:
            if (value.is_number()) return value;
            return Fail(ErrorCode::kValidation, step.field + " must be a JSON number");
        case domain::FieldType::kBoolean:
            if (value.is_boolean()) return value;
            return Fail(ErrorCode::kValidation, step.field + " must be true or false");
        case domain::FieldType::kDate:
            if (value.is_string() && IsIsoDate(value.get<std::string>())) return value;
            return Fail(ErrorCode::kValidation, step.field + " must be a date written yyyy-mm-dd");
        case domain::FieldType::kEnum:
            if (value.is_string() &&
                std::find(step.options.begin(), step.options.end(), value.get<std::string>()) != step.options.end()) {
                return value;
            }
            return Fail(ErrorCode::kValidation, step.field + " must be one of: " + Join(step.options, ", "));
        case domain::FieldType::kString: break;
    }
    if (!value.is_string() || Trim(value.get<std::string>()).empty()) {
        return Fail(ErrorCode::kValidation, step.field + " must be non-empty text");
    }
    const std::string_view text = Trim(value.get<std::string>());
    if (text.size() > kMaxTextAnswer) {
        return Fail(ErrorCode::kValidation,
                    step.field + " must be at most " + std::to_string(kMaxTextAnswer) + " characters");
    }
    return Json(std::string(text));
}

Json Function(std::string_view name, std::string_view description, Json parameters) {
    return {{"type", "function"},
            {"function", {{"name", name}, {"description", description}, {"parameters", std::move(parameters)}}}};
}

Json NoParameters() {
    return {{"type", "object"}, {"properties", Json::object()}};
}

class OpenAiBrain final : public Brain {
public:
    OpenAiBrain(const Plan& plan, const CallFacts& facts, ChatEndpoint endpoint)
        : plan_(plan),
          endpoint_(std::move(endpoint)),
          values_(TemplateValues(plan, facts)),
          today_(DayOf(facts.started_at_ms)) {
        tools_ = ToolDefinitions();
        messages_.push_back({{"role", "system"}, {"content", SystemPrompt()}});
    }

    Turn Start() override {
        std::string say = OpeningWords(plan_, values_);
        Said(say);
        return Turn{std::move(say), Expectation{AnswerKind::kYesNo, {}}};
    }

    Turn Hear(const std::string& words, double confidence, double seconds) override {
        now_seconds_ = seconds;
        silences_ = 0;
        conv_.callee_lines.push_back(words);
        conv_.confidences.push_back(confidence);
        if (done_) return {};
        if (DetectIntent(ToLower(words)) == Intent::kOptOut) {
            // Calling law, not the model's judgement: a request to stop calling always ends the
            // call the same way, and the number goes on the Do Not Call list.
            Record("end_call", "success", {{"reason", "opt_out"}}, Json::object());
            conv_.opted_out = true;
            end_reason_ = "opt_out";
            ending_ = Ending::kHangUp;
            return Answer("");
        }
        messages_.push_back({{"role", "user"}, {"content", words}});
        // The JSON library throws on values of unexpected types; a call ends politely instead.
        try {
            return Think();
        } catch (const std::exception& e) {
            return Trouble(std::string("unexpected failure: ") + e.what());
        }
    }

    Turn Silence(double seconds) override {
        now_seconds_ = seconds;
        if (done_) return {};
        if (++silences_ >= 2) {
            done_ = true;
            Record("end_call", "success", {{"reason", "silence"}}, Json::object());
            Turn t{std::string(kLostCalleeGoodbye), std::nullopt};
            t.hang_up = true;
            return t;
        }
        Said(std::string(kStillTherePrompt));
        return Turn{std::string(kStillTherePrompt), std::nullopt};
    }

    Turn NotHeard(std::string_view recognizer, std::string_view error, double seconds) override {
        now_seconds_ = seconds;
        if (done_) return {};
        Record("speech_recognition", "failed", {{"recognizer", recognizer}}, {{"error", error}});
        const std::string say = std::string(kNotHeardPrompt) + " Could you say that again?";
        Said(say);
        return Turn{say, std::nullopt};
    }

    void StreamSentences(const SentenceSink& sink) override { sink_ = sink; }
    std::unique_ptr<Brain> Clone() const override { return std::make_unique<OpenAiBrain>(*this); }
    bool Remote() const override { return true; }
    const Conversation& conversation() const override { return conv_; }
    Conversation& conversation() override { return conv_; }

private:
    enum class Ending { kNone, kHangUp, kTransfer };

    std::string Fill(std::string_view text) const { return FillTemplate(text, values_); }

    bool Offers(std::string_view tool) const {
        if (tool == "end_call") return true;
        if (tool == "record_answer") return !plan_.steps.empty();
        if (tool == "transfer") return plan_.HasTool("transfer") && plan_.transfer_number.has_value();
        if (tool == "check_availability" || tool == "request_meeting") return plan_.HasTool(tool);
        return false;
    }

    Json ToolDefinitions() const {
        Json tools = Json::array();
        if (Offers("record_answer")) {
            std::vector<std::string> fields;
            fields.reserve(plan_.steps.size());
            for (const auto& s : plan_.steps) fields.push_back(s.field);
            tools.push_back(Function(
                "record_answer",
                "Record the callee's answer for one of the fields to collect, as soon as they give it. Numbers as "
                "JSON numbers, options exactly as listed, dates as yyyy-mm-dd, yes/no as true or false.",
                {{"type", "object"},
                 {"properties",
                  {{"field", {{"type", "string"}, {"enum", fields}}},
                   {"value", {{"type", Json::array({"string", "number", "boolean"})}}}}},
                 {"required", {"field", "value"}}}));
        }
        if (Offers("check_availability")) {
            tools.push_back(
                Function("check_availability", "List open meeting slots in the team's calendar.", NoParameters()));
        }
        if (Offers("request_meeting")) {
            tools.push_back(Function("request_meeting",
                                     "Book a 30-minute meeting with the team at a time the callee agreed to.",
                                     {{"type", "object"},
                                      {"properties",
                                       {{"date", {{"type", "string"}, {"description", "yyyy-mm-dd"}}},
                                        {"time", {{"type", "string"}, {"description", "HH:MM, 24-hour clock"}}}}},
                                      {"required", {"date", "time"}}}));
        }
        std::vector<std::string> reasons;
        for (const auto& r : kEndReasons) reasons.emplace_back(r.name);
        tools.push_back(
            Function("end_call", "End the call after your next words, giving why it ends.",
                     {{"type", "object"},
                      {"properties",
                       {{"reason", {{"type", "string"}, {"enum", reasons}}},
                        {"callback_date",
                         {{"type", "string"},
                          {"description", "yyyy-mm-dd, when the callee asked to be called back that day"}}}}},
                      {"required", {"reason"}}}));
        if (Offers("transfer")) {
            tools.push_back(Function("transfer", "Connect the callee to a person on the team.", NoParameters()));
        }
        return tools;
    }

    std::string SystemPrompt() const {
        std::string p = "You are " + plan_.agent_name + ", an AI assistant on a phone call on behalf of " +
                        plan_.organization + ".\n";
        if (!plan_.persona.empty()) p += Fill(plan_.persona) + "\n";
        if (!plan_.goals.empty()) {
            p += "Your goals:\n";
            for (const auto& g : plan_.goals) p += "- " + Fill(g) + "\n";
        }
        if (!plan_.steps.empty()) {
            p += "Collect these fields, one question at a time, and call record_answer as soon as the callee "
                 "answers one:\n";
            for (const auto& s : plan_.steps) {
                p += "- " + s.field + ": " + FieldKind(s) + ". You may ask: \"" + s.question + "\"\n";
            }
        }
        if (!plan_.refuse_topics.empty()) {
            p += "Never discuss these topics; politely decline and go on: " + Join(plan_.refuse_topics, ", ") + ".\n";
        }
        std::vector<std::string> tools;
        for (const auto& t : tools_) tools.push_back(t["function"]["name"].get<std::string>());
        p += "Tools you can use: " + Join(tools, ", ") + ".\n";
        if (Offers("request_meeting")) {
            p += "When the fields are collected, offer a short meeting with the team";
            p += Offers("check_availability") ? ": call check_availability, then request_meeting with the time the "
                                                "callee chooses. "
                                              : " and call request_meeting with the time the callee chooses. ";
            p += "The calendar is open only so: " + std::string(kOpenHoursRule) + ".\n";
        }
        if (Offers("transfer")) p += "When the callee asks for a person, call transfer.\n";
        const std::string closing = Fill(plan_.closing);
        p += "When the conversation is done, say" + (closing.empty() ? std::string() : " \"" + closing + "\"") +
             " and call end_call with reason completed. Call end_call with reason opt_out when the callee asks not "
             "to be called again, not_interested when they are not interested, wrong_number for a wrong number, "
             "callback_requested when they ask to be called back later (with callback_date when they name a day), "
             "and voicemail when an answering machine or voicemail picked up.\n";
        std::vector<std::string> facts;
        auto add_fact = [&](const std::string& name) {
            if (!values_.contains(name) || values_[name].is_null()) return;
            const Json& v = values_[name];
            const std::string text = v.is_string() ? v.get<std::string>() : v.dump();
            if (!text.empty()) facts.push_back(name + ": " + text);
        };
        for (auto name : kCalleeFacts) add_fact(std::string(name));
        for (const auto& [name, unused] : plan_.variables.items()) add_fact(name);
        if (!facts.empty()) p += "What you know about the callee: " + Join(facts, "; ") + ".\n";
        p += "Today is " + SpokenDate(IsoDate(today_)) + " (" + IsoDate(today_) + ").\n";
        p += "This is a phone call: keep answers short, one or two spoken sentences and one question at a time, "
             "with no lists, markdown, emoji or links.\n";
        p += "You are an AI. Never deny being an AI or claim to be a person; when asked, say you are an AI "
             "assistant.\n";
        p += "Your first words on this call, the first assistant message, have been said already; do not "
             "introduce yourself again.";
        return p;
    }

    void Said(const std::string& say) { messages_.push_back({{"role", "assistant"}, {"content", say}}); }

    void Record(std::string tool, std::string status, Json input, Json output) {
        conv_.tools.push_back({std::move(tool), std::move(status), std::move(input), std::move(output), now_seconds_});
    }

    // Asks the model, runs the tools it calls and asks again, until it answers in words.
    Turn Think() {
        std::string say;
        for (int round = 0; round < kMaxModelRounds; ++round) {
            auto reply = Complete();
            if (!reply) return Trouble(reply.error().message);
            // Tool results name their call; some local servers send calls without ids.
            for (auto& call : reply->tool_calls) {
                if (call.id.empty()) call.id = "call_" + std::to_string(++unnamed_calls_);
            }
            if (!Trim(reply->content).empty()) say += (say.empty() ? "" : " ") + std::string(Trim(reply->content));
            AddAssistantMessage(*reply);
            if (reply->tool_calls.empty()) break;
            for (const auto& call : reply->tool_calls) {
                Json result = RunTool(call);
                messages_.push_back({{"role", "tool"},
                                     {"tool_call_id", call.id},
                                     {"content", result.dump(-1, ' ', false, Json::error_handler_t::replace)}});
            }
            if (conv_.voicemail) return VoicemailTurn();
            // Words said beside end_call or transfer are the goodbye; without them, one more
            // request asks the model for it.
            if (ending_ != Ending::kNone && !say.empty()) break;
        }
        return Answer(std::move(say));
    }

    Result<ChatReply> Complete() {
        const Json request = {{"model", endpoint_.model}, {"stream", true}, {"messages", messages_}, {"tools", tools_}};
        const HttpSpeechConfig http{endpoint_.base_url, endpoint_.api_key, endpoint_.model, "", endpoint_.timeout_ms};
        ChatStreamParser parser;
        bool malformed = false;
        SentenceSplitter sentences;
        size_t heard = 0;  // of the content, what went to `sentences`
        auto response =
            internal::PostJsonStream(http, kPath, request.dump(-1, ' ', false, Json::error_handler_t::replace), kWhat,
                                     [&](std::string_view piece, std::string_view /*content_type*/) {
                                         malformed = !parser.Feed(piece);
                                         const std::string_view content = parser.Content();
                                         if (!malformed && sink_ && content.size() > heard) {
                                             for (const auto& s : sentences.Add(content.substr(heard))) sink_(s);
                                             heard = content.size();
                                         }
                                         return !malformed;
                                     });
        if (!response) {
            // A malformed stream stops the transfer; the parser says what was wrong with it.
            if (malformed) return Fail(parser.Finish().error());
            return Fail(std::move(response.error()));
        }
        if (response->status < 200 || response->status >= 300) {
            return Fail(internal::HttpStatusError(*response, kWhat, internal::JoinUrl(endpoint_.base_url, kPath)));
        }
        auto reply = parser.Finish();
        if (reply && sink_) {
            if (const auto rest = sentences.Finish(); !rest.empty()) sink_(rest);
        }
        return reply;
    }

    void AddAssistantMessage(const ChatReply& reply) {
        Json message = {{"role", "assistant"}};
        if (!reply.content.empty()) message["content"] = reply.content;
        if (!reply.tool_calls.empty()) {
            Json calls = Json::array();
            for (const auto& call : reply.tool_calls) {
                calls.push_back(
                    {{"id", call.id},
                     {"type", "function"},
                     {"function",
                      {{"name", call.name}, {"arguments", Trim(call.arguments).empty() ? "{}" : call.arguments}}}});
            }
            message["tool_calls"] = std::move(calls);
        }
        if (message.size() > 1) messages_.push_back(std::move(message));
    }

    // Runs one tool call and records it; returns what the model is told.
    Json RunTool(const ChatToolCall& call) {
        Json args = Json::object();
        if (!Trim(call.arguments).empty()) {
            args = Json::parse(call.arguments, nullptr, false);
            if (args.is_discarded() || !args.is_object()) {
                return Failed(call.name, {{"arguments", call.arguments}}, "the arguments are not a JSON object");
            }
        }
        if (!Offers(call.name)) return Failed(call.name, args, "there is no tool \"" + call.name + "\" on this call");
        const bool ends_call = call.name == "end_call" || call.name == "transfer";
        if (ends_call && ending_ != Ending::kNone) return Failed(call.name, args, "the call is already ending");
        if (call.name == "record_answer") return RecordAnswer(args);
        if (call.name == "check_availability") {
            return Succeeded("check_availability", {{"from", IsoDate(today_)}}, {{"slots", OpenSlots(today_)}});
        }
        if (call.name == "request_meeting") return RequestMeeting(args);
        if (call.name == "transfer") return Transfer();
        return EndCall(args);
    }

    Json Succeeded(std::string tool, Json input, Json output) {
        Record(std::move(tool), "success", std::move(input), output);
        return output;
    }

    Json Failed(std::string tool, Json input, const std::string& reason) {
        Json output = {{"error", reason}};
        Record(std::move(tool), "failed", std::move(input), output);
        return output;
    }

    Json RecordAnswer(const Json& args) {
        const std::string field =
            args.contains("field") && args["field"].is_string() ? args["field"].get<std::string>() : std::string();
        auto step =
            std::find_if(plan_.steps.begin(), plan_.steps.end(), [&](const PlanStep& s) { return s.field == field; });
        if (step == plan_.steps.end()) {
            std::vector<std::string> fields;
            fields.reserve(plan_.steps.size());
            for (const auto& s : plan_.steps) fields.push_back(s.field);
            return Failed("record_answer", args, "field must be one of: " + Join(fields, ", "));
        }
        asked_.insert(field);
        conv_.questions_asked = static_cast<int>(asked_.size());
        if (!args.contains("value")) return Failed("record_answer", args, "value is missing");
        auto typed = TypedAnswer(*step, args["value"]);
        if (!typed) return Failed("record_answer", args, typed.error().message);
        conv_.values[field] = *typed;
        conv_.questions_answered = static_cast<int>(conv_.values.size());
        return Succeeded("record_answer", args, {{"recorded", field}, {"value", *typed}});
    }

    Json RequestMeeting(const Json& args) {
        const Json day = args.contains("date") ? args["date"] : Json();
        const Json clock = args.contains("time") ? args["time"] : Json();
        Json input = {{"date", day}, {"time", clock}, {"duration_minutes", kMeetingMinutes}};
        if (!day.is_string() || !clock.is_string()) {
            return Failed("request_meeting", input, "date (yyyy-mm-dd) and time (HH:MM) are required");
        }
        const auto slot = CheckMeeting(today_, day.get<std::string>(), clock.get<std::string>());
        if (!slot) {
            return Failed("request_meeting", input,
                          "outside the calendar's open hours: " + std::string(kOpenHoursRule));
        }
        conv_.meeting_booked = true;
        conv_.meeting_at = slot->date + "T" + slot->time;
        return Succeeded("request_meeting", input,
                         {{"meeting_at", *conv_.meeting_at},
                          {"status", "booked"},
                          {"spoken", SpokenSlot(slot->day, slot->hour, slot->minute)}});
    }

    Json EndCall(const Json& args) {
        const std::string reason =
            args.contains("reason") && args["reason"].is_string() ? args["reason"].get<std::string>() : std::string();
        const auto known = std::find_if(std::begin(kEndReasons), std::end(kEndReasons),
                                        [&](const EndReason& r) { return r.name == reason; });
        if (known == std::end(kEndReasons)) {
            std::vector<std::string> reasons;
            for (const auto& r : kEndReasons) reasons.emplace_back(r.name);
            return Failed("end_call", args, "reason must be one of: " + Join(reasons, ", "));
        }
        Json input = {{"reason", reason}};
        if (reason == "opt_out") conv_.opted_out = true;
        if (reason == "not_interested") conv_.not_interested = true;
        if (reason == "wrong_number") conv_.wrong_number = true;
        if (reason == "voicemail") conv_.voicemail = true;
        if (reason == "completed") conv_.agreed_to_talk = true;
        if (reason == "callback_requested") {
            conv_.callback_requested = true;
            const Json day = args.contains("callback_date") ? args["callback_date"] : Json();
            if (day.is_string() && IsIsoDate(day.get<std::string>())) {
                conv_.callback_date = day.get<std::string>();
            } else if (!conv_.callee_lines.empty()) {
                conv_.callback_date = CallbackWhen(ToLower(conv_.callee_lines.back()), date::year_month_day(today_));
            }
            if (conv_.callback_date) input["callback_date"] = *conv_.callback_date;
        }
        ending_ = Ending::kHangUp;
        end_reason_ = reason;
        return Succeeded("end_call", std::move(input),
                         {{"status", "ending"}, {"next", "say a short goodbye; the call ends after it"}});
    }

    Json Transfer() {
        conv_.transferred_to = *plan_.transfer_number;
        ending_ = Ending::kTransfer;
        return Succeeded("transfer", {{"number", *plan_.transfer_number}},
                         {{"status", "transferring"}, {"next", "tell the callee you are connecting them"}});
    }

    // The turn after the model's last answer in this utterance.
    Turn Answer(std::string say) {
        Turn t;
        switch (ending_) {
            case Ending::kHangUp:
                done_ = true;
                t.say = say.empty() ? Goodbye() : std::move(say);
                t.hang_up = true;
                break;
            case Ending::kTransfer:
                done_ = true;
                t.say = say.empty() ? std::string(kTransferWords) : std::move(say);
                t.transfer = plan_.transfer_number;
                break;
            case Ending::kNone:
                conv_.agreed_to_talk = true;
                if (say.empty()) {
                    say = std::string(kSayAgain);
                    Said(say);
                }
                t.say = std::move(say);
                break;
        }
        return t;
    }

    std::string Goodbye() const {
        if (end_reason_ == "completed") {
            const std::string closing = Fill(plan_.closing);
            return closing.empty() ? "Goodbye." : closing;
        }
        for (const auto& r : kEndReasons) {
            if (r.name == end_reason_ && !r.goodbye.empty()) return std::string(r.goodbye);
        }
        return "Goodbye.";
    }

    Turn VoicemailTurn() {
        done_ = true;
        Turn t;
        if (plan_.voicemail_message) {
            t.say = Fill(*plan_.voicemail_message);
            t.leave_voicemail = true;
        }
        t.hang_up = true;
        return t;
    }

    Turn Trouble(const std::string& message) {
        spdlog::warn("openai brain ({}): {}", endpoint_.model, message);
        done_ = true;
        Record("llm", "failed", {{"model", endpoint_.model}}, {{"error", message}});
        Turn t{std::string(kTroubleGoodbye), std::nullopt};
        t.hang_up = true;
        return t;
    }

    Plan plan_;
    ChatEndpoint endpoint_;
    Json values_;
    date::sys_days today_;
    Json tools_;
    Json messages_ = Json::array();
    Conversation conv_;
    std::set<std::string> asked_;  // fields the model tried to record
    Ending ending_ = Ending::kNone;
    std::string end_reason_;
    bool done_ = false;
    int silences_ = 0;
    double now_seconds_ = 0;
    int unnamed_calls_ = 0;
    SentenceSink sink_;
};

}  // namespace

std::unique_ptr<Brain> MakeOpenAiBrain(const Plan& plan, const CallFacts& facts, ChatEndpoint endpoint) {
    return std::make_unique<OpenAiBrain>(plan, facts, std::move(endpoint));
}

}  // namespace parley::voice
