#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "support/http_client.hpp"
#include "support/process.hpp"

namespace parley::testing {

// The Node receiver of tests/webhooks (express, seed 000's verifyWebhook and the standardwebhooks
// package), on a loopback port chosen by the OS. Deliveries go to url("name"); every request is
// logged with whether each verifier accepted it and, as "schema_errors", where its body breaks
// the WebhookEvent schema of src/api/openapi.json (Ajv; [] when it conforms).
class WebhookReceiver {
public:
    explicit WebhookReceiver(const std::string& secret = "");

    std::string url(const std::string& hook) const;
    void SetSecret(const std::string& secret) const;
    // {fail_first, fail_status, status, delay_ms, retry_after} for one hook name.
    void SetBehaviour(const std::string& hook, const Json& behaviour) const;
    // Where `event` breaks the WebhookEvent schema; [] when it conforms.
    Json SchemaErrors(const Json& event) const;
    // Requests received, oldest first (all hooks when `hook` is empty).
    Json Log(const std::string& hook = "") const;
    // Waits until the hook has at least `count` requests; returns the log then.
    Json WaitFor(const std::string& hook, size_t count,
                 std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;

private:
    std::unique_ptr<Process> process_;
    std::unique_ptr<HttpClient> http_;
};

}  // namespace parley::testing
