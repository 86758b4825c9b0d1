#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api/context.hpp"
#include "domain/analytics_service.hpp"
#include "domain/render.hpp"

namespace parley::api {

using domain::OrNull;
using domain::TimeOrNull;
using domain::ToJson;

// The JSON of a result's value, or the error envelope.
template <class T>
http::Response Respond(const Result<T>& result, const Ctx& ctx, int status = 200) {
    if (!result) return ErrorResponse(result.error(), ctx.request_id);
    return Ok(ToJson(*result), status);
}

// A service's answer that is JSON already.
inline http::Response Respond(const Result<Json>& result, const Ctx& ctx, int status = 200) {
    if (!result) return ErrorResponse(result.error(), ctx.request_id);
    return Ok(*result, status);
}

// A paginated list: reads limit and cursor (for ids starting with `id_prefix`), calls
// `fetch(PageRequest) -> Result<Page<T>>`, and renders the page; `id_of(item)` is what the next
// cursor points after.
template <class Fetch, class IdOf>
http::Response RespondPage(const Ctx& ctx, std::string_view id_prefix, Fetch&& fetch, IdOf&& id_of) {
    auto page = PageOf(ctx, id_prefix);
    if (!page) return ErrorResponse(page.error(), ctx.request_id);
    auto result = fetch(*page);
    if (!result) return ErrorResponse(result.error(), ctx.request_id);
    Json items = Json::array();
    for (const auto& item : result->items) items.push_back(ToJson(item));
    std::optional<std::string> last;
    if (!result->items.empty()) last = id_of(result->items.back());
    return PageResponse(items, result->has_more, last, page->limit);
}

// The period fields of the query string (domain::ReadPeriod reads them).
inline Json PeriodQuery(const Ctx& ctx) {
    Json period = Json::object();
    for (auto name : domain::kPeriodFields) {
        if (auto value = ctx.Query(name)) period[std::string(name)] = std::string(*value);
    }
    return period;
}

// Deletions answer {"id": …, "deleted": true}.
inline http::Response RespondDeleted(const Result<void>& result, const Ctx& ctx, std::string_view id) {
    if (!result) return ErrorResponse(result.error(), ctx.request_id);
    return Ok(Json{{"id", id}, {"deleted", true}});
}

}  // namespace parley::api
