#include "mcp/discovery.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>

namespace parley::mcp {
namespace {

constexpr size_t kMaxQueryBytes = 500;
constexpr int kListLimit = 100;

// Lower case, letters and digits only, words joined by one space, with a space at each end so a
// phrase matches whole words; words of four letters or more lose a plural "s".
std::string Normalize(std::string_view text) {
    std::string out = " ";
    std::string word;
    auto flush = [&] {
        if (word.empty()) return;
        if (word.size() > 3 && word.back() == 's' && !word.ends_with("ss")) word.pop_back();
        out += word + " ";
        word.clear();
    };
    for (unsigned char c : text) {
        if (std::isalnum(c)) {
            word += static_cast<char>(std::tolower(c));
        } else {
            flush();
        }
    }
    flush();
    return out;
}

const std::vector<Intent> kIntents = {
    // Profiles: the agent
    {"greeting|opener|opening line|first thing the agent say|intro|introduction|hello message", "update_profile",
     "opener", "The agent's first words on every call; {{first_name}} and other contact fields may be used."},
    {"closing|goodbye|sign off|last thing the agent say|farewell", "update_profile", "closing",
     "What the agent says before it hangs up."},
    {"agent name|call herself|call himself|name of the agent", "update_profile", "agent_name",
     "The name the agent gives for itself."},
    {"persona|personality|tone|how the agent sound|style", "update_profile", "persona",
     "Who the agent is and how it talks."},
    {"instruction|script|what the agent should do|prompt|system prompt", "update_profile", "instructions",
     "Free instructions the agent follows."},
    {"goal|objective|what the call should achieve|question to ask|ask about", "update_profile", "goals",
     "What the call should achieve, in order."},
    {"extraction field|extract|capture|collect|data to gather|qualify|qualification", "update_profile",
     "extract_fields", "Custom fields the agent asks for and fills from the answers; send the whole list."},
    {"topic to avoid|forbidden topic|don t talk about|refuse topic", "update_profile", "guardrails.refuse_topics",
     "Topics the agent declines to discuss."},
    {"max call length|call duration|maximum duration|time limit|call too long", "update_profile",
     "guardrails.max_call_duration_seconds", "The agent ends the call after this many seconds."},
    {"recording notice|call is recorded|legal notice|required disclosure", "update_profile",
     "guardrails.required_disclosure", "A sentence said on every call after the AI disclosure."},
    {"ai disclosure|disclose ai|say it is an ai|bot disclosure", "update_profile", "disclosure",
     "How the agent says it is an AI."},
    {"voice|accent|sound like|male voice|female voice", "update_profile", "voice",
     "The voice the agent speaks with; list_builtin_voices and list_voices show the choices."},
    {"language|speak spanish|speak french", "update_profile", "language", "The language of the conversation."},
    {"model|llm|brain|gpt|chat model", "update_profile", "model",
     "The engine that decides what the agent says; list_models shows the choices."},
    {"speech recognition|stt|transcription engine", "update_profile", "stt", "The speech-to-text engine."},
    {"transfer|hand off|human agent|live agent|warm transfer", "update_profile", "transfer_number",
     "Where the agent transfers a caller who asks for a person (with transfer_mode)."},
    {"voicemail message|leave a message|answering machine", "update_profile", "voicemail_message",
     "What the agent leaves on an answering machine."},
    {"new agent|create agent|new profile|create profile|new assistant", "create_profile", "",
     "Defines a new agent profile."},
    {"archive agent|delete agent|remove profile|archive profile|delete profile", "archive_profile", "",
     "Archives a profile; its calls stay."},
    {"list agent|my agent|all profile|which profile", "list_profiles", "", "Lists the profiles."},
    // Contacts and the Do-Not-Call list
    {"add lead|new contact|add contact|create contact|new lead", "create_contact", "",
     "Adds one contact; the phone may be national or E.164."},
    {"import|upload|bulk|many contact|spreadsheet|csv", "bulk_create_contacts", "",
     "Adds up to 1000 contacts at once, reporting each failure."},
    {"tag|label|segment contact", "update_contact", "tags", "A contact's tags; campaigns can select by tag."},
    {"contact time zone|timezone|local time of the contact", "update_contact", "timezone",
     "The contact's time zone, which calling hours follow."},
    {"contact custom field|contact data|extra contact info", "update_contact", "custom_fields",
     "Values of the organization's custom fields on one contact."},
    {"delete contact|remove contact|delete lead|remove lead", "delete_contact", "", "Deletes a contact."},
    {"find contact|search contact|look up contact|contact by phone|lead list", "list_contacts", "",
     "Lists contacts, filtered by tag, phone, campaign, list or DNC status."},
    {"do not call|dnc|opt out|stop calling|unsubscribe|never call", "add_to_dnc", "",
     "Puts a number on the organization's Do-Not-Call list; no call reaches it after that."},
    {"remove from dnc|allow calling again|take off do not call|opt back in", "remove_from_dnc", "",
     "Takes a number off the Do-Not-Call list."},
    {"is number on dnc|check dnc|dnc status", "check_dnc", "", "Whether a number is on the Do-Not-Call list."},
    {"contact list|list of contact|audience|group of contact", "create_contact_list", "",
     "A named list of contacts a campaign can dial."},
    // Calls
    {"call|dial|phone someone|ring|place a call", "trigger_call", "", "Places one call now."},
    {"call many|batch|call all|call these number", "trigger_batch", "", "Places up to 1000 calls as a batch."},
    {"call history|recent call|past call|calls from last week|call log", "list_calls", "",
     "Lists calls, filtered by date (since, until), status, disposition, campaign or contact."},
    {"meeting booked|appointment booked|booked a meeting|demo scheduled", "list_calls", "has_meeting",
     "has_meeting=true lists the calls where a meeting was booked."},
    {"hot lead|interested lead|outcome|disposition", "list_calls", "disposition",
     "Filters calls by the analysis' disposition."},
    {"recording|listen to the call|audio of the call", "get_recording", "", "A signed link to the recording."},
    {"transcript|what was said|conversation text", "get_transcript", "", "The call's transcript."},
    {"call summary|call result|call detail|sentiment", "get_call", "",
     "One call with its analysis: disposition, summary, sentiment, extracted values."},
    {"hang up|end the call|stop the call", "stop_call", "", "Ends a call in progress."},
    {"batch progress|batch status", "get_batch_status", "", "How far a batch has come."},
    {"batch result", "get_batch_results", "", "The calls of a batch with their outcomes."},
    // Campaigns
    {"pause campaign|pause the campaign|hold the campaign", "pause_campaign", "", "Pauses a running campaign."},
    {"resume campaign|continue the campaign|unpause", "resume_campaign", "", "Resumes a paused campaign."},
    {"start campaign|launch campaign|begin calling", "start_campaign", "", "Starts a campaign."},
    {"stop campaign|end campaign|cancel campaign", "stop_campaign", "", "Stops a campaign for good."},
    {"campaign progress|campaign stat|how is the campaign", "get_campaign", "",
     "A campaign with its counts by outcome."},
    {"new campaign|create campaign|outbound campaign", "create_campaign", "", "Defines a campaign."},
    {"calling hour|schedule|business hour|when to call|calling window", "update_campaign", "schedule",
     "The days and hours a campaign calls, in the callee's local time."},
    {"retry|retries|call again|redial|attempt", "update_campaign", "retry_rules",
     "How often and when a campaign calls a contact again."},
    {"concurrent call|call at once|simultaneous call|parallel call", "update_campaign", "concurrent_calls",
     "How many calls a campaign places at once."},
    {"can i call|legal hour|allowed to call|calling law|tcpa", "check_number", "",
     "Whether the dialer may call a number now, and when it may."},
    // Webhooks
    {"webhook|notify|notification|callback url|send events", "subscribe_webhook", "", "Sends signed events to a URL."},
    {"stop notification|remove webhook|delete webhook|unsubscribe webhook", "unsubscribe_webhook", "",
     "Deletes a webhook endpoint."},
    {"webhook payload|sample event|example payload|event format", "get_webhook_sample", "",
     "A sample delivery body of an event type."},
    {"event type|which event|available event", "list_webhook_events", "", "The event types."},
    {"failed delivery|delivery log|resend|redeliver", "list_webhook_deliveries", "",
     "The delivery log; redeliver_webhook sends one again."},
    // Custom fields
    {"custom field|new field|dropdown|picklist|enum field", "create_custom_field", "",
     "Defines a typed field (string, number, boolean, date, enum with options)."},
    {"rename field|add option|change field|field option", "update_custom_field", "options",
     "Changes a custom field; an enum's options are replaced as a whole."},
    {"delete field|remove field", "delete_custom_field", "", "Deletes a custom field."},
    // Telephony, voices, reports
    {"caller id|phone number|my number|from number", "list_phone_numbers", "",
     "The organization's numbers, which calls can come from."},
    {"carrier|sip trunk|byoc|provider", "list_carriers", "", "The organization's SIP carriers."},
    {"available voice|voice option|tts voice", "list_builtin_voices", "", "The voices Parley can speak with."},
    {"dashboard|stats|statistics|how many calls|answer rate", "get_dashboard_stats", "",
     "Totals of a period: calls, answered, missed, voicemail, qualified, unique callers, minutes."},
    {"analytics|calls per day|per campaign|conversion rate|cost per|breakdown", "query_analytics", "group_by",
     "Sums calls, minutes, cost, meetings and conversion grouped by day, week, campaign, profile, disposition, "
     "number, direction or status."},
    {"report|export|saved report", "list_reports", "",
     "Saved reports are not available yet; query_analytics answers most questions about calls."},
};

std::vector<std::string> Words(const std::string& normalized) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start < normalized.size()) {
        const size_t end = std::min(normalized.find(' ', start), normalized.size());
        if (end > start) out.push_back(normalized.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

// Whether `phrase`'s words appear in `query` in order with at most kMaxGap other words between
// two of them, and how many other words there are in all.
constexpr size_t kMaxGap = 3;
std::optional<size_t> Gaps(const std::vector<std::string>& query, const std::vector<std::string>& phrase) {
    if (phrase.empty()) return std::nullopt;
    std::optional<size_t> best;
    for (size_t first = 0; first < query.size(); ++first) {
        if (query[first] != phrase[0]) continue;
        size_t at = first;
        size_t gaps = 0;
        size_t matched = 1;
        for (size_t k = first + 1; k < query.size() && matched < phrase.size() && k - at - 1 <= kMaxGap; ++k) {
            if (query[k] == phrase[matched]) {
                gaps += k - at - 1;
                at = k;
                ++matched;
            }
        }
        if (matched == phrase.size() && (!best || gaps < *best)) best = gaps;
    }
    return best;
}

std::vector<std::string> Split(std::string_view phrases) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= phrases.size()) {
        const size_t end = std::min(phrases.find('|', start), phrases.size());
        out.emplace_back(phrases.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

Json IntentJson(const Intent& intent) {
    Json out = {{"tool", intent.tool}, {"how", intent.how}};
    if (!intent.field.empty()) out["field"] = intent.field;
    return out;
}

Json HelpResult(const Json& arguments) {
    const std::string query = arguments.value("query", "");
    Json structured;
    const auto matches = MatchIntents(query);
    Json found = Json::array();
    std::string text;
    for (const Intent* intent : matches) {
        found.push_back(IntentJson(*intent));
        text += "- " + std::string(intent->tool) + (intent->field.empty() ? "" : "." + std::string(intent->field)) +
                ": " + std::string(intent->how) + "\n";
    }
    structured = {{"query", query}, {"matches", found}};
    if (matches.empty()) {
        text = "No tool matches those words. ";
        structured["hint"] = R"(Try a shorter phrase, e.g. "greeting", "do not call" or "pause campaign".)";
        text += structured["hint"].get<std::string>();
    }
    return {{"content", {{{"type", "text"}, {"text", text}}}}, {"structuredContent", structured}, {"isError", false}};
}

// Every string in `value`, lower-cased and joined, for a keyword search.
void Strings(const Json& value, std::string& out, int depth = 0) {
    if (depth > 8 || out.size() > 64 * 1024) return;
    if (value.is_string()) {
        for (unsigned char c : value.get_ref<const std::string&>()) out += static_cast<char>(std::tolower(c));
        out += '\n';
    } else if (value.is_structured()) {
        for (const auto& item : value) Strings(item, out, depth + 1);
    }
}

// What suggest_options shows of an item: the keys that name and tell it apart.
Json Summary(const Json& item) {
    static constexpr std::string_view kKeys[] = {"id",       "name",     "agent_name", "event",    "description",
                                                 "type",     "category", "options",    "status",   "engine",
                                                 "language", "gender",   "voice",      "voice_id", "archived_at"};
    if (!item.is_object()) return item;
    Json out = Json::object();
    for (auto key : kKeys) {
        if (item.contains(key) && !item[key].is_null()) out[std::string(key)] = item[key];
    }
    return out;
}

struct Source {
    std::string_view kind;
    std::string_view path;
    bool paged;
};

constexpr Source kSources[] = {
    {"profiles", "/api/v1/profiles", true},
    {"custom_fields", "/api/v1/custom-fields", true},
    {"voices", "/api/v1/voices/builtin", false},
    {"voices", "/api/v1/voices", true},
    {"webhook_events", "/api/v1/webhooks/events", false},
    {"campaigns", "/api/v1/campaigns", true},
    {"contact_lists", "/api/v1/contact-lists", true},
};

Json SuggestResult(const Json& arguments, const Caller& caller) {
    const std::string kind = arguments.value("kind", "all");
    std::string keyword = arguments.value("keyword", "");
    for (auto& c : keyword) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    Json structured = Json::object();
    std::string text;
    for (const auto& source : kSources) {
        if (kind != "all" && kind != source.kind) continue;
        http::Request req;
        req.method = "GET";
        req.path = source.path;
        req.target = source.path;
        if (source.paged) {
            req.query.emplace_back("limit", std::to_string(kListLimit));
            req.target += "?limit=" + std::to_string(kListLimit);
        }
        const http::Response res = caller.run_route(req);
        const std::string name(source.kind);
        if (!structured.contains(name)) structured[name] = {{"items", Json::array()}, {"more_exist", false}};
        Json& bucket = structured[name];
        const Json body = Json::parse(res.body, nullptr, false);
        if (res.status >= 300 || body.is_discarded() || !body.value("success", false)) {
            bucket["error"] = body.is_discarded() ? Json(res.body) : body.value("error", Json());
            continue;
        }
        for (const auto& item : body.value("data", Json::array())) {
            std::string haystack;
            Strings(item, haystack);
            if (!keyword.empty() && haystack.find(keyword) == std::string::npos) continue;
            bucket["items"].push_back(Summary(item));
        }
        if (body.contains("/meta/has_more"_json_pointer) && body["meta"]["has_more"] == true)
            bucket["more_exist"] = true;
    }
    for (const auto& [name, bucket] : structured.items()) {
        text += name + ": " + std::to_string(bucket["items"].size()) + (keyword.empty() ? "" : " matching") + "\n";
        for (const auto& item : bucket["items"]) {
            text += "  - " + item.value("id", item.value("event", "")) + " " +
                    item.value("name", item.value("description", "")) + "\n";
        }
        if (bucket.contains("error"))
            text += "  (" + bucket["error"].value("message", std::string("not readable")) + ")\n";
    }
    return {{"content", {{{"type", "text"}, {"text", text}}}}, {"structuredContent", structured}, {"isError", false}};
}

}  // namespace

const std::vector<Intent>& Intents() {
    return kIntents;
}

std::vector<const Intent*> MatchIntents(std::string_view words, size_t limit) {
    const auto query = Words(Normalize(words.substr(0, kMaxQueryBytes)));
    // Each intent's phrases as words, made once.
    static const auto phrases_of = [] {
        std::vector<std::vector<std::vector<std::string>>> out;
        for (const auto& intent : kIntents) {
            auto& phrases = out.emplace_back();
            for (const auto& phrase : Split(intent.phrases)) phrases.push_back(Words(Normalize(phrase)));
        }
        return out;
    }();
    std::vector<std::pair<size_t, const Intent*>> scored;
    for (size_t i = 0; i < kIntents.size(); ++i) {
        const Intent& intent = kIntents[i];
        size_t best = 0;
        for (const auto& wanted : phrases_of[i]) {
            // The longest phrase found wins ("pause campaign" over "campaign"); one found word for
            // word beats one with other words between its own.
            size_t length = 0;
            for (const auto& w : wanted) length += w.size() + 1;
            const auto gaps = Gaps(query, wanted);
            if (gaps) best = std::max(best, 2 * length - std::min(*gaps, length));
        }
        if (best > 0) scored.emplace_back(best, &intent);
    }
    std::ranges::stable_sort(scored, [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<const Intent*> out;
    for (const auto& [score, intent] : scored) {
        if (out.size() == limit) break;
        out.push_back(intent);
    }
    return out;
}

std::vector<Tool> DiscoveryTools() {
    Tool help;
    help.name = "help";
    help.category = "Discovery";
    help.description =
        "Maps what the user wants, in their words, to the tool and the field to use: \"greeting\" → "
        "update_profile.opener, \"do not call\" → add_to_dnc. Call it when unsure which tool fits.";
    help.input_schema = {{"type", "object"},
                         {"properties",
                          {{"query",
                            {{"type", "string"},
                             {"minLength", 1},
                             {"maxLength", kMaxQueryBytes},
                             {"description", "The user's words."}}}}},
                         {"required", {"query"}},
                         {"additionalProperties", false}};
    Tool suggest;
    suggest.name = "suggest_options";
    suggest.category = "Discovery";
    suggest.description =
        "Shows what exists before something is created: profiles, custom fields, voices, webhook events, "
        "campaigns and contact lists, searched by keyword, so an assistant reuses them instead of making "
        "duplicates and finds the right id.";
    suggest.input_schema = {
        {"type", "object"},
        {"properties",
         {{"kind",
           {{"type", "string"},
            {"enum", {"all", "profiles", "custom_fields", "voices", "webhook_events", "campaigns", "contact_lists"}},
            {"default", "all"}}},
          {"keyword",
           {{"type", "string"},
            {"maxLength", kMaxQueryBytes},
            {"description", "Shown only when found in an item's text."}}}}},
        {"additionalProperties", false}};
    return {help, suggest};
}

Json RunDiscoveryTool(const Tool& tool, const Json& arguments, const Caller& caller) {
    auto invalid = [](std::string message) {
        return Json{{"content", {{{"type", "text"}, {"text", "VALIDATION_ERROR: " + message}}}},
                    {"structuredContent", {{"error", {{"code", "VALIDATION_ERROR"}, {"message", message}}}}},
                    {"isError", true}};
    };
    if (tool.name == "help") {
        if (auto limited = caller.take_message()) {
            return Json{{"content", {{{"type", "text"}, {"text", "RATE_LIMIT_EXCEEDED: " + limited->body}}}},
                        {"isError", true}};
        }
        for (const auto& [key, value] : arguments.items()) {
            if (key != "query") return invalid("unknown argument " + key.substr(0, 100));
        }
        if (!arguments.contains("query") || !arguments["query"].is_string() ||
            arguments["query"].get_ref<const std::string&>().empty()) {
            return invalid("query is required: the user's words");
        }
        if (arguments["query"].get_ref<const std::string&>().size() > kMaxQueryBytes) {
            return invalid("query must be at most " + std::to_string(kMaxQueryBytes) + " bytes");
        }
        return HelpResult(arguments);
    }
    static const std::vector<std::string> kinds = {
        "all", "profiles", "custom_fields", "voices", "webhook_events", "campaigns", "contact_lists"};
    for (const auto& [key, value] : arguments.items()) {
        if (key != "kind" && key != "keyword") return invalid("unknown argument " + key.substr(0, 100));
        if (!value.is_string()) return invalid(key + " must be a string");
    }
    if (std::ranges::find(kinds, arguments.value("kind", "all")) == kinds.end()) {
        return invalid(
            "kind must be one of all, profiles, custom_fields, voices, webhook_events, campaigns, contact_lists");
    }
    if (arguments.value("keyword", "").size() > kMaxQueryBytes) return invalid("keyword is too long");
    return SuggestResult(arguments, caller);
}

}  // namespace parley::mcp
