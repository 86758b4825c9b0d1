#include "voice/engines/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <vector>

namespace parley::voice::internal {
namespace {

// Responses larger than this are refused (a minute of 48 kHz 16-bit audio is about 6 MB).
constexpr size_t kMaxResponseBytes = size_t{64} << 20;
constexpr size_t kErrorBodyQuote = 200;

struct CurlDeleter {
    void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
    void operator()(curl_mime* mime) const { curl_mime_free(mime); }
};

void InitCurlOnce() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// The handles of this thread that no request is using. A handle keeps its connections open
// after a request (HTTP keep-alive), so the next request to the same endpoint on this thread
// skips the TCP and TLS handshakes, which to a hosted engine cost round trips on every answer.
// A request made while another one streams on the same thread (a sentence synthesized as a
// chat model's answer arrives) takes a handle of its own.
constexpr size_t kSpareHandlesPerThread = 4;

class HandleLease {
public:
    HandleLease() {
        if (Spare().empty()) {
            handle_.reset(curl_easy_init());
        } else {
            handle_ = std::move(Spare().back());
            Spare().pop_back();
        }
    }
    ~HandleLease() {
        if (!handle_ || Spare().size() >= kSpareHandlesPerThread) return;
        // The options point into the finished request (its headers, its error buffer): they go,
        // the open connections stay.
        curl_easy_reset(handle_.get());
        Spare().push_back(std::move(handle_));
    }
    HandleLease(const HandleLease&) = delete;
    HandleLease& operator=(const HandleLease&) = delete;
    CURL* get() const { return handle_.get(); }

private:
    static std::vector<std::unique_ptr<CURL, CurlDeleter>>& Spare() {
        thread_local std::vector<std::unique_ptr<CURL, CurlDeleter>> spare;
        return spare;
    }
    std::unique_ptr<CURL, CurlDeleter> handle_;
};

// Where a response body goes: all of it into `body`, or, with `on_body`, a 2xx body piece by
// piece to the reader (other statuses still into `body`, for the error message).
struct BodySink {
    CURL* curl = nullptr;
    std::string* body = nullptr;
    const BodyReader* on_body = nullptr;
    bool stopped_by_reader = false;
};

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
    auto* sink = static_cast<BodySink*>(user);
    const size_t n = size * count;
    if (sink->on_body != nullptr) {
        long status = 0;
        curl_easy_getinfo(sink->curl, CURLINFO_RESPONSE_CODE, &status);
        if (status >= 200 && status < 300) {
            const char* type = nullptr;
            curl_easy_getinfo(sink->curl, CURLINFO_CONTENT_TYPE, &type);
            if ((*sink->on_body)(std::string_view(data, n), type != nullptr ? type : "")) return n;
            sink->stopped_by_reader = true;
            return 0;  // makes curl fail with CURLE_WRITE_ERROR
        }
    }
    if (sink->body->size() + n > kMaxResponseBytes) return 0;
    sink->body->append(data, n);
    return n;
}

// Runs a prepared request: common options, the body setter is given the handle.
template <class SetBody>
Result<HttpResponse> Post(const HttpSpeechConfig& config, std::string_view path, std::string_view content_type,
                          std::string_view what, SetBody set_body, const BodyReader* on_body = nullptr) {
    InitCurlOnce();
    const std::string url = JoinUrl(config.base_url, path);
    const HandleLease curl;
    if (curl.get() == nullptr) return Fail(ErrorCode::kInternal, std::string(what) + ": cannot create an HTTP client");

    std::unique_ptr<curl_slist, CurlDeleter> headers;
    auto add_header = [&](const std::string& header) {
        headers.reset(curl_slist_append(headers.release(), header.c_str()));
    };
    if (!config.api_key.empty()) add_header("Authorization: Bearer " + config.api_key);
    if (!content_type.empty()) add_header("Content-Type: " + std::string(content_type));
    add_header("Expect:");  // no 100-continue round trip for uploads
    if (!headers) return Fail(ErrorCode::kInternal, std::string(what) + ": out of memory");

    HttpResponse response;
    CURL* h = curl.get();
    BodySink sink{h, &response.body, on_body};
    const long timeout_ms = std::max(1L, config.timeout_ms);
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout_ms, kHttpConnectTimeoutMs));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, WriteBody);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    set_body(h);

    char error_buffer[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
    const CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK) {
        std::string reason = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(rc);
        if (rc == CURLE_WRITE_ERROR) {
            reason = sink.stopped_by_reader ? "the reader stopped the response" : "response larger than the limit";
        }
        return Fail(ErrorCode::kUnavailable, std::string(what) + ": request to " + url + " failed: " + reason);
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
    const char* type = nullptr;
    curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &type);
    if (type != nullptr) response.content_type = type;
    return response;
}

}  // namespace

std::string JoinUrl(std::string_view base_url, std::string_view path) {
    while (!base_url.empty() && base_url.back() == '/') base_url.remove_suffix(1);
    while (!path.empty() && path.front() == '/') path.remove_prefix(1);
    return std::string(base_url) + "/" + std::string(path);
}

Result<HttpResponse> PostJson(const HttpSpeechConfig& config, std::string_view path, const std::string& json,
                              std::string_view what) {
    return Post(config, path, "application/json", what, [&](CURL* h) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, json.data());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(json.size()));
    });
}

Result<HttpResponse> PostJsonStream(const HttpSpeechConfig& config, std::string_view path, const std::string& json,
                                    std::string_view what, const BodyReader& on_body) {
    return Post(
        config, path, "application/json", what,
        [&](CURL* h) {
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, json.data());
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(json.size()));
        },
        &on_body);
}

Result<HttpResponse> PostMultipart(const HttpSpeechConfig& config, std::string_view path,
                                   const std::vector<MultipartField>& fields, std::string_view what) {
    std::unique_ptr<curl_mime, CurlDeleter> mime;
    return Post(config, path, "", what, [&](CURL* h) {
        mime.reset(curl_mime_init(h));
        for (const auto& field : fields) {
            curl_mimepart* part = curl_mime_addpart(mime.get());
            curl_mime_name(part, field.name.c_str());
            curl_mime_data(part, field.value.data(), field.value.size());
            if (!field.filename.empty()) curl_mime_filename(part, field.filename.c_str());
            if (!field.content_type.empty()) curl_mime_type(part, field.content_type.c_str());
        }
        curl_easy_setopt(h, CURLOPT_MIMEPOST, mime.get());
    });
}

Error HttpStatusError(const HttpResponse& response, std::string_view what, std::string_view url) {
    std::string quote = response.body.substr(0, kErrorBodyQuote);
    std::replace_if(
        quote.begin(), quote.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
    return Error{ErrorCode::kUnavailable, std::string(what) + ": " + std::string(url) + " answered HTTP " +
                                              std::to_string(response.status) + (quote.empty() ? "" : ": " + quote)};
}

}  // namespace parley::voice::internal
