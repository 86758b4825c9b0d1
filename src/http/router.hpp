#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::http {

using PathParams = std::vector<std::pair<std::string, std::string>>;

// Routes "METHOD /a/:id/b" patterns to values of type T. Literal segments win over
// parameters, so "/contacts/bulk" is found before "/contacts/:id".
template <class T>
class Router {
public:
    struct Route {
        std::string method;
        std::string pattern;
        std::vector<std::string> segments;
        T value;
    };

    struct Found {
        const Route* route = nullptr;  // null when nothing matched
        PathParams params;
        std::string allow;  // methods of the path when only the method was wrong
    };

    void Add(std::string method, std::string pattern, T value) {
        routes_.push_back(Route{std::move(method), pattern, Split(pattern), std::move(value)});
    }

    Found Find(std::string_view method, std::string_view path) const {
        const auto parts = Split(path);
        Found best;
        int best_score = -1;
        for (const auto& route : routes_) {
            PathParams params;
            const int score = Score(route.segments, parts, params);
            if (score < 0) continue;
            if (route.method != method) {
                if (best.allow.find(route.method) == std::string::npos) {
                    best.allow += (best.allow.empty() ? "" : ", ") + route.method;
                }
                continue;
            }
            if (score > best_score) {
                best_score = score;
                best.route = &route;
                best.params = std::move(params);
            }
        }
        return best;
    }

    const std::vector<Route>& routes() const { return routes_; }

private:
    static std::vector<std::string> Split(std::string_view path) {
        std::vector<std::string> out;
        size_t start = 0;
        while (start < path.size()) {
            if (path[start] == '/') {
                ++start;
                continue;
            }
            auto end = path.find('/', start);
            if (end == std::string_view::npos) end = path.size();
            out.emplace_back(path.substr(start, end - start));
            start = end;
        }
        return out;
    }

    // -1: no match; otherwise the number of literal segments matched.
    static int Score(const std::vector<std::string>& pattern, const std::vector<std::string>& parts,
                     PathParams& params) {
        if (pattern.size() != parts.size()) return -1;
        int literals = 0;
        for (size_t i = 0; i < pattern.size(); ++i) {
            if (!pattern[i].empty() && pattern[i][0] == ':') {
                params.emplace_back(pattern[i].substr(1), parts[i]);
            } else if (pattern[i] == parts[i]) {
                ++literals;
            } else {
                return -1;
            }
        }
        return literals;
    }

    std::vector<Route> routes_;
};

}  // namespace parley::http
