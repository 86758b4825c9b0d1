#include <algorithm>

#include "voice/brain.hpp"
#include "voice/openai_brain.hpp"

namespace parley::voice {

Result<std::unique_ptr<Brain>> MakeBrain(const Plan& plan, const CallFacts& facts,
                                         const std::vector<EndpointConfig>& endpoints) {
    if (plan.brain == "scripted") return MakeScriptedBrain(plan, facts);
    // Endpoint names hold no "/" (ParseEnginesConfig), model names may ("org/model").
    const size_t slash = plan.brain.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == plan.brain.size()) {
        return Fail(ErrorCode::kUnavailable, "brain \"" + plan.brain + "\" is neither scripted nor <endpoint>/<model>");
    }
    const std::string endpoint_name = plan.brain.substr(0, slash);
    const std::string model = plan.brain.substr(slash + 1);
    const auto endpoint = std::find_if(endpoints.begin(), endpoints.end(),
                                       [&](const EndpointConfig& e) { return e.name == endpoint_name; });
    if (endpoint == endpoints.end()) {
        return Fail(ErrorCode::kUnavailable, "brain \"" + plan.brain + "\" is not available: no endpoint \"" +
                                                 endpoint_name + "\" is configured");
    }
    if (std::find(endpoint->chat_models.begin(), endpoint->chat_models.end(), model) == endpoint->chat_models.end()) {
        return Fail(ErrorCode::kUnavailable, "brain \"" + plan.brain + "\" is not available: endpoint \"" +
                                                 endpoint_name + "\" lists no chat model \"" + model + "\"");
    }
    return MakeOpenAiBrain(plan, facts, ChatEndpoint{endpoint->base_url, endpoint->api_key, model});
}

}  // namespace parley::voice
