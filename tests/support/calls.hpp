#pragma once

// Helpers for tests that place sandbox calls (docs/sandbox.md).

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "support/parley_server.hpp"
#include "support/wait.hpp"

namespace parley::testing {

// +1 202 555 01NN reaches sandbox persona NN % 12.
inline std::string Sandbox(int persona) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "+120255501%02d", persona);
    return buf;
}

inline bool IsActive(const Json& call) {
    const std::string s = call["status"];
    return s == "queued" || s == "ringing" || s == "in_progress";
}

// Polls the call until `done(call)` holds; returns the call, or null after `timeout`.
template <typename Done>
Json WaitForCall(const ApiClient& api, const std::string& id, Done done,
                 std::chrono::seconds timeout = std::chrono::seconds(120)) {
    Json call;
    const bool reached = WaitUntil(
        [&] {
            call = api.Get("/api/v1/calls/" + id).json()["data"];
            return call.is_object() && done(call);
        },
        timeout);
    if (reached) return call;
    ADD_FAILURE() << "call " << id << " did not reach the awaited state";
    return nullptr;
}

// Polls the call until it reaches a final status.
inline Json WaitForEnd(const ApiClient& api, const std::string& id,
                       std::chrono::seconds timeout = std::chrono::seconds(120)) {
    return WaitForCall(
        api, id, [](const Json& c) { return !IsActive(c); }, timeout);
}

// The words of the transcript's lines by one speaker ("agent" or "callee").
inline std::vector<std::string> Lines(const Json& call, const std::string& speaker) {
    std::vector<std::string> out;
    for (const auto& t : call["transcript"]) {
        if (t["speaker"] == speaker) out.push_back(t["text"]);
    }
    return out;
}

}  // namespace parley::testing
