#include "http/message.hpp"

#include <algorithm>

namespace parley::http {
namespace {

int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool Decode(std::string_view in, bool plus_is_space, std::string& out) {
    out.clear();
    out.reserve(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (c == '%') {
            const int hi = i + 1 < in.size() ? HexValue(in[i + 1]) : -1;
            const int lo = i + 2 < in.size() ? HexValue(in[i + 2]) : -1;
            if (hi < 0 || lo < 0) return false;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return true;
}

}  // namespace

bool BodyStream::Write(std::string piece) {
    std::function<void()> wake;
    {
        std::lock_guard lock(mutex_);
        if (gone_ || ended_) return false;
        queued_bytes_ += piece.size();
        if (queued_bytes_ > kMaxQueuedBytes) {
            gone_ = true;  // a client this far behind is not reading
            return false;
        }
        pieces_.push_back(std::move(piece));
        wake = wake_;
    }
    if (wake) wake();
    return true;
}

void BodyStream::End() {
    std::function<void()> wake;
    {
        std::lock_guard lock(mutex_);
        if (ended_) return;
        ended_ = true;
        wake = wake_;
    }
    if (wake) wake();
}

bool BodyStream::Gone() const {
    std::lock_guard lock(mutex_);
    return gone_;
}

std::vector<std::string> BodyStream::Take(bool& ended) {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    out.swap(pieces_);
    queued_bytes_ = 0;
    ended = ended_;
    return out;
}

void BodyStream::SetGone() {
    std::lock_guard lock(mutex_);
    gone_ = true;
    pieces_.clear();
    queued_bytes_ = 0;
}

void BodyStream::OnChange(std::function<void()> wake) {
    std::lock_guard lock(mutex_);
    wake_ = std::move(wake);
}

std::string WholeBody(const Response& res) {
    if (!res.stream) return res.body;
    auto stream = std::make_shared<BodyStream>();
    std::string out;
    stream->OnChange([&out, raw = stream.get()] {
        bool ended = false;
        for (auto& piece : raw->Take(ended)) out += piece;
    });
    res.stream(stream);
    stream->End();
    stream->OnChange({});
    return out;
}

std::optional<std::string_view> Request::Cookie(std::string_view name) const {
    for (const auto& [header, value] : headers) {
        if (header != "cookie") continue;
        std::string_view rest = value;
        while (!rest.empty()) {
            const size_t end = std::min(rest.find(';'), rest.size());
            std::string_view pair = rest.substr(0, end);
            rest.remove_prefix(std::min(end + 1, rest.size()));
            while (pair.starts_with(' ')) pair.remove_prefix(1);
            if (pair.size() > name.size() && pair.starts_with(name) && pair[name.size()] == '=') {
                return pair.substr(name.size() + 1);
            }
        }
    }
    return std::nullopt;
}

std::optional<std::string_view> Request::Header(std::string_view lower_name) const {
    for (const auto& [k, v] : headers) {
        if (k == lower_name) return std::string_view(v);
    }
    return std::nullopt;
}

std::optional<std::string_view> Request::Query(std::string_view name) const {
    for (const auto& [k, v] : query) {
        if (k == name) return std::string_view(v);
    }
    return std::nullopt;
}

bool ParseTarget(std::string_view target, std::string& path, Fields& query) {
    if (target.empty() || target.front() != '/') return false;
    const auto q = target.find('?');
    if (!Decode(target.substr(0, q), false, path)) return false;
    if (path.find('\0') != std::string::npos) return false;
    query.clear();
    if (q == std::string_view::npos) return true;
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const auto pair = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        std::string key, value;
        if (!Decode(pair.substr(0, eq), true, key)) return false;
        if (eq != std::string_view::npos && !Decode(pair.substr(eq + 1), true, value)) return false;
        query.emplace_back(std::move(key), std::move(value));
    }
    return true;
}

std::string PercentEncode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                                c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

}  // namespace parley::http
