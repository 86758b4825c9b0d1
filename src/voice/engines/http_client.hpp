#pragma once

// Internal to parley_voice_engines: the libcurl calls shared by the HTTP TTS and STT engines.

#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "voice/engines/http_speech_config.hpp"

namespace parley::voice::internal {

struct HttpResponse {
    long status = 0;
    std::string content_type;
    std::string body;
};

struct MultipartField {
    std::string name;
    std::string value;
    std::string filename;      // set for a file part
    std::string content_type;  // set for a file part
};

// base_url + path with exactly one slash between them.
std::string JoinUrl(std::string_view base_url, std::string_view path);

// POSTs and returns any response with a status; only transport failures (refused, timeout,
// TLS, DNS, body too large) are errors, as kUnavailable naming `what` and the URL.
Result<HttpResponse> PostJson(const HttpSpeechConfig& config, std::string_view path, const std::string& json,
                              std::string_view what);
Result<HttpResponse> PostMultipart(const HttpSpeechConfig& config, std::string_view path,
                                   const std::vector<MultipartField>& fields, std::string_view what);

// kUnavailable for a non-2xx response, quoting the status and the start of the body.
Error HttpStatusError(const HttpResponse& response, std::string_view what, std::string_view url);

}  // namespace parley::voice::internal
