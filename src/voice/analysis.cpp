#include "voice/analysis.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "common/time_format.hpp"
#include "voice/understanding/sentiment.hpp"

namespace parley::voice {
namespace {

std::string Disposition(const Conversation& c, domain::CallStatus status) {
    switch (status) {
        case domain::CallStatus::kBusy: return "busy";
        case domain::CallStatus::kNoAnswer: return "no_answer";
        case domain::CallStatus::kFailed: return "failed";
        case domain::CallStatus::kVoicemail: return "voicemail";
        default: break;
    }
    if (c.voicemail) return "voicemail";
    if (c.opted_out) return "dnc_request";
    if (c.wrong_number) return "wrong_number";
    if (c.callback_requested) return "callback_requested";
    if (c.meeting_booked) return "hot_lead";
    if (c.not_interested) return "not_interested";
    if (c.agreed_to_talk && c.questions_answered > 0) return "interested";
    if (c.transferred_to) return "interested";
    if (c.callee_hung_up) return "not_interested";  // hung up on the agent without a word
    if (c.callee_lines.empty()) return "no_answer";
    return "not_interested";
}

// A value the field's definition accepts, or null.
Json Typed(const Json& value, const domain::CustomField& f) {
    switch (f.type) {
        case domain::FieldType::kString: return value.is_string() ? value : Json(nullptr);
        case domain::FieldType::kNumber: return value.is_number() ? value : Json(nullptr);
        case domain::FieldType::kBoolean: return value.is_boolean() ? value : Json(nullptr);
        case domain::FieldType::kDate:
            return value.is_string() && IsIsoDate(value.get<std::string>()) ? value : Json(nullptr);
        case domain::FieldType::kEnum:
            return value.is_string() &&
                           std::find(f.options.begin(), f.options.end(), value.get<std::string>()) != f.options.end()
                       ? value
                       : Json(nullptr);
    }
    return nullptr;
}

std::string ValueText(const Json& v) {
    return v.is_string() ? v.get<std::string>() : v.dump();
}

}  // namespace

Json Analyze(const Conversation& c, domain::CallStatus status, const std::vector<domain::CustomField>& fields) {
    const std::string disposition = Disposition(c, status);
    Json extracted = Json::object();
    for (const auto& f : fields) {
        extracted[f.name] = c.values.contains(f.name) ? Typed(c.values[f.name], f) : Json(nullptr);
    }

    std::string sentiment = "neutral";
    if (!c.callee_lines.empty()) {
        switch (ScoreSentiment(c.callee_lines).label) {
            case Sentiment::kPositive: sentiment = "positive"; break;
            case Sentiment::kNegative: sentiment = "negative"; break;
            case Sentiment::kNeutral: break;
        }
    }
    if (c.meeting_booked && sentiment == "neutral") sentiment = "positive";
    if (c.opted_out && sentiment == "neutral") sentiment = "negative";

    std::string summary;
    if (status == domain::CallStatus::kBusy) {
        summary = "The line was busy.";
    } else if (status == domain::CallStatus::kNoAnswer) {
        summary = "Nobody answered.";
    } else if (status == domain::CallStatus::kFailed) {
        summary = "The call could not be completed.";
    } else if (c.voicemail) {
        summary = "Reached voicemail.";
    } else if (c.opted_out) {
        summary = "The callee asked not to be called again; the number was added to the Do Not Call list.";
    } else if (c.wrong_number) {
        summary = "Wrong number.";
    } else if (c.callback_requested) {
        summary = "The callee asked to be called back" + (c.callback_date ? " on " + *c.callback_date : "") + ".";
    } else if (c.not_interested) {
        summary = "The callee was not interested.";
    } else if (c.callee_hung_up && !c.agreed_to_talk) {
        summary = "The callee hung up during the introduction.";
    } else if (c.agreed_to_talk) {
        summary = "The callee agreed to talk";
        std::string facts;
        for (const auto& [name, value] : extracted.items()) {
            if (value.is_null()) continue;
            std::string label = name;
            std::replace(label.begin(), label.end(), '_', ' ');
            facts += (facts.empty() ? "" : "; ") + label + ": " + ValueText(value);
        }
        summary += facts.empty() ? "." : " (" + facts + ").";
        if (c.meeting_booked && c.meeting_at) summary += " Booked a meeting for " + *c.meeting_at + ".";
        if (c.transferred_to) summary += " Transferred to " + *c.transferred_to + ".";
    } else if (c.transferred_to) {
        summary = "The callee asked for a person and was transferred to " + *c.transferred_to + ".";
    } else {
        summary = "The callee did not respond.";
    }

    // Network outcomes are facts; conversations are as sure as the recognizer and the answers.
    int confidence = 100;
    if (status == domain::CallStatus::kCompleted && !c.callee_lines.empty()) {
        const double heard = std::accumulate(c.confidences.begin(), c.confidences.end(), 0.0) /
                             static_cast<double>(std::max<size_t>(1, c.confidences.size()));
        const double answered =
            c.questions_asked == 0 ? 1.0 : static_cast<double>(c.questions_answered) / c.questions_asked;
        confidence = static_cast<int>(std::lround(100.0 * (0.6 * std::clamp(heard, 0.0, 1.0) + 0.4 * answered)));
    }
    Json analysis = {{"disposition", disposition},
                     {"sentiment", sentiment},
                     {"summary", summary},
                     {"meeting_booked", c.meeting_booked},
                     {"ai_confidence_score", confidence},
                     {"extracted_data", std::move(extracted)}};
    if (c.meeting_at) analysis["meeting_at"] = *c.meeting_at;
    if (c.callback_requested) analysis["callback_date"] = c.callback_date ? Json(*c.callback_date) : Json(nullptr);
    return analysis;
}

}  // namespace parley::voice
