#pragma once

// Internal to the voice libraries: the libcurl calls shared by the HTTP TTS and STT engines and
// the openai brain.

#include <functional>
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

// Takes each piece of a streamed response body as it arrives, with the response's Content-Type
// (empty when it has none); false stops the transfer.
using BodyReader = std::function<bool(std::string_view piece, std::string_view content_type)>;

// PostJson for streamed answers (server-sent events): a 2xx body goes to `on_body` as it arrives
// and the returned response's body stays empty; any other status's body is kept whole, as by
// PostJson. When `on_body` stops the transfer, the result is kUnavailable.
Result<HttpResponse> PostJsonStream(const HttpSpeechConfig& config, std::string_view path, const std::string& json,
                                    std::string_view what, const BodyReader& on_body);

Result<HttpResponse> PostMultipart(const HttpSpeechConfig& config, std::string_view path,
                                   const std::vector<MultipartField>& fields, std::string_view what);

// kUnavailable for a non-2xx response, quoting the status and the start of the body.
Error HttpStatusError(const HttpResponse& response, std::string_view what, std::string_view url);

}  // namespace parley::voice::internal
