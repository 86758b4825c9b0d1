#include "support/webhook_receiver.hpp"

#include <regex>
#include <stdexcept>

#include "support/wait.hpp"

namespace parley::testing {

WebhookReceiver::WebhookReceiver(const std::string& secret) {
    // env finds node on the PATH (Debian's nodejs package or another install).
    std::vector<std::string> argv = {"/usr/bin/env",
                                     "node",
                                     std::string(PARLEY_SOURCE_DIR) + "/tests/webhooks/receiver.mjs",
                                     "--port",
                                     "0",
                                     "--openapi",
                                     std::string(PARLEY_SOURCE_DIR) + "/src/api/openapi.json"};
    if (!secret.empty()) {
        argv.push_back("--secret");
        argv.push_back(secret);
    }
    process_ = std::make_unique<Process>(argv);
    auto port = process_->WaitForLine(std::regex(R"(listening on (\d+))"), std::chrono::seconds(20));
    if (!port) throw std::runtime_error("the webhook receiver did not start: " + process_->output());
    http_ = std::make_unique<HttpClient>("127.0.0.1", static_cast<uint16_t>(std::stoi(*port)));
}

std::string WebhookReceiver::url(const std::string& hook) const {
    return "http://127.0.0.1:" + std::to_string(http_->port()) + "/hook/" + hook;
}

void WebhookReceiver::SetSecret(const std::string& secret) const {
    auto res = http_->Send("POST", "/_control/secret", Json{{"secret", secret}}.dump(),
                           {{"Content-Type", "application/json"}});
    if (res.status != 200) throw std::runtime_error("receiver secret: " + res.body);
}

void WebhookReceiver::SetBehaviour(const std::string& hook, const Json& behaviour) const {
    Json body = behaviour;
    body["name"] = hook;
    auto res = http_->Send("POST", "/_control/behaviour", body.dump(), {{"Content-Type", "application/json"}});
    if (res.status != 200) throw std::runtime_error("receiver behaviour: " + res.body);
}

Json WebhookReceiver::SchemaErrors(const Json& event) const {
    auto res = http_->Send("POST", "/_control/validate", event.dump(), {{"Content-Type", "application/json"}});
    if (res.status != 200) throw std::runtime_error("receiver validate: " + res.body);
    return Json::parse(res.body)["errors"];
}

Json WebhookReceiver::Log(const std::string& hook) const {
    auto res = http_->Send("GET", hook.empty() ? "/_control/log" : "/_control/log?name=" + hook);
    if (res.status != 200) throw std::runtime_error("receiver log: " + res.body);
    return res.json()["requests"];
}

Json WebhookReceiver::WaitFor(const std::string& hook, size_t count, std::chrono::milliseconds timeout) const {
    Json log;
    WaitUntil(
        [&] {
            log = Log(hook);
            return log.size() >= count;
        },
        timeout, std::chrono::milliseconds(20));
    return log;
}

}  // namespace parley::testing
