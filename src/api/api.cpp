#include "api/api.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <exception>

#include "api/context.hpp"
#include "api/shared_rate_limits.hpp"
#include "common/crypto.hpp"
#include "common/ids.hpp"
#include "common/log_throttle.hpp"
#include "domain/oauth_service.hpp"
#include "http/metrics.hpp"
#include "http/rate_limiter.hpp"
#include "http/router.hpp"
#include "mcp/server.hpp"

namespace parley::api {
namespace {

// A path under /v1, where seeds 002 and 003 document their API; Parley's own is /api/v1.
bool IsSeedPrefix(std::string_view path) {
    return path == "/v1" || path.starts_with("/v1/");
}

constexpr size_t kMaxIdempotencyKeyBytes = 255;
// A claimed key still without a response after this long belongs to a request whose process
// died on a node that has not restarted (a node frees its own claims when it does); longer than
// any request may take (the body timeout is 2 minutes, an import seconds).
constexpr int64_t kAbandonedClaimMs = 10 * 60 * 1000;
// Failed authentications per remote address and minute, against key guessing.
constexpr int kUnauthenticatedPerMinute = 600;

// Requests per minute (and per second) of each tier, from 002_3392efd218deafcd.txt's table;
// bulk endpoints get a tenth of the standard rate (seed 000: 10/min on the standard tier).
http::RateLimit LimitFor(domain::Tier tier, RateClass rate) {
    const bool bulk = rate == RateClass::kBulk;
    switch (tier) {
        case domain::Tier::kStandard: return bulk ? http::RateLimit{10, 0} : http::RateLimit{100, 20};
        case domain::Tier::kProfessional: return bulk ? http::RateLimit{50, 0} : http::RateLimit{500, 50};
        case domain::Tier::kEnterprise: return bulk ? http::RateLimit{1'000'000, 0} : http::RateLimit{10'000'000, 0};
    }
    return {100, 20};
}

void AddRateHeaders(http::Response& res, const http::RateDecision& d) {
    res.headers.emplace_back("X-RateLimit-Limit", std::to_string(d.limit));
    res.headers.emplace_back("X-RateLimit-Remaining", std::to_string(d.remaining));
    res.headers.emplace_back("X-RateLimit-Reset", std::to_string(d.reset_epoch_seconds));
}

// The first query parameter given more than once, if any: which of two values a client meant is
// a guess, so such a request is refused rather than read by its first value.
std::optional<std::string_view> RepeatedQueryParameter(const http::Fields& query) {
    for (size_t i = 0; i < query.size(); ++i) {
        for (size_t j = 0; j < i; ++j) {
            if (query[j].first == query[i].first) return query[i].first;
        }
    }
    return std::nullopt;
}

// Whether the header announces a body: one that is not read yet when admission runs.
bool AnnouncesBody(const http::Request& req) {
    if (req.Header("transfer-encoding")) return true;
    const auto length = req.Header("content-length");
    return length && *length != "0";
}

// The body of a response to keep for replays: without the route's secrets.
std::string StoredBody(const RouteSpec& spec, const http::Response& res) {
    if (spec.secret_fields.empty() || res.status >= 300) return res.body;
    Json body = Json::parse(res.body, nullptr, false);
    if (body.is_discarded()) return res.body;
    for (const auto& field : spec.secret_fields) {
        const Json::json_pointer pointer(field);
        if (body.contains(pointer)) body[pointer] = nullptr;
    }
    return DumpJson(body);
}

bool IsPrintableAscii(std::string_view s) {
    for (unsigned char c : s) {
        if (c < 0x21 || c > 0x7e) return false;
    }
    return true;
}

}  // namespace

// What admission found out about a request, for the handler.
struct Admitted {
    const RouteSpec* spec = nullptr;
    http::PathParams params;
    std::optional<domain::Principal> principal;  // absent on public routes
    std::optional<http::RateDecision> decision;
    std::string request_id;
    std::chrono::steady_clock::time_point start;
};

struct Api::Impl {
    Impl(Services s, const Clock& c, ApiOptions o)
        : services(std::move(s)),
          clock(c),
          options(std::move(o)),
          limiter(options.shared_rate_limits ? SharedRateLimits(services.store)
                                             : std::make_unique<http::RateLimiter>()) {}

    Services services;
    const Clock& clock;
    ApiOptions options;
    http::Router<RouteSpec> router;
    std::unique_ptr<http::RateLimits> limiter;
    http::Metrics metrics;

    std::unique_ptr<mcp::Server> mcp;
    std::shared_ptr<const http::Response> mcp_too_large;  // the 413 of /mcp, a JSON-RPC error

    std::optional<http::Response> Admit(http::Request& req);
    std::optional<http::Response> Authorize(http::Request& req, const RouteSpec& spec, Admitted& admitted);
    std::optional<Error> Refusal(const domain::Principal& principal, const RouteSpec& spec, const http::Request& req,
                                 const std::optional<http::RateDecision>& decision) const;
    std::optional<http::RateDecision> TakeRate(const domain::Principal& principal, RateClass rate);
    http::Response RunAs(const domain::Principal& principal, http::Request& req);
    mcp::Caller CallerOf(const Ctx& ctx, const std::shared_ptr<http::Fields>& rate_headers);
    http::Response Run(http::Request& req, Admitted& admitted);
    http::Response WithIdempotency(Ctx& ctx, const RouteSpec& spec, std::string_view key);
    // Records the answer in the metrics and names its request (X-Request-Id, as in error bodies).
    http::Response Finish(http::Response res, size_t series, std::chrono::steady_clock::time_point start,
                          const http::Request& req, std::string_view request_id);
};

Api::Api(Services services, const Clock& clock, ApiOptions options)
    : impl_(std::make_unique<Impl>(std::move(services), clock, std::move(options))) {
    std::vector<RouteSpec> routes;
    AddContactRoutes(routes, impl_->services);
    AddCustomFieldRoutes(routes, impl_->services);
    AddApiKeyRoutes(routes, impl_->services);
    AddProfileRoutes(routes, impl_->services);
    AddVoiceRoutes(routes, impl_->services);
    AddCallRoutes(routes, impl_->services);
    AddCampaignRoutes(routes, impl_->services);
    AddContactListRoutes(routes, impl_->services);
    AddWebhookRoutes(routes, impl_->services);
    AddPhoneNumberRoutes(routes, impl_->services);
    AddOAuthRoutes(routes, impl_->services);
    AddAnalyticsRoutes(routes, impl_->services);
    AddReportRoutes(routes, impl_->services);
    AddBillingRoutes(routes, impl_->services);
    auto* impl = impl_.get();
    routes.push_back({"GET", "/healthz",
                      [impl](Ctx&) {
                          const bool db = impl->services.database_ok ? impl->services.database_ok() : true;
                          http::Response res =
                              Ok(Json{{"status", db ? "ok" : "degraded"}, {"database", db ? "ok" : "unreachable"}},
                                 db ? 200 : 503);
                          return res;
                      },
                      Access::kPublic});
    routes.push_back({"GET", "/metrics",
                      [impl](Ctx&) {
                          std::string text = impl->metrics.Render();
                          if (impl->services.extra_metrics) text += impl->services.extra_metrics();
                          return http::Response{200, "text/plain; version=0.0.4", {}, std::move(text)};
                      },
                      Access::kPublic});
    routes.push_back({"GET", "/api/v1/openapi.json",
                      [](Ctx&) {
                          return http::Response{200, "application/json", {}, std::string(OpenApiDocument())};
                      },
                      Access::kPublic});
    auto tools = mcp::BuildTools(OpenApiDocument());
    if (!tools) throw std::logic_error(tools.error().message);
    impl_->mcp = std::make_unique<mcp::Server>(std::move(*tools), impl_->services.store, clock);
    // Each JSON-RPC message counts against the key's rate limits (a tool call as its route), and
    // the answer carries the headers of the last one.
    auto mcp_route = [impl](http::Response (mcp::Server::*method)(const http::Request&, const mcp::Caller&)) {
        return [impl, method](Ctx& ctx) {
            auto rate = std::make_shared<http::Fields>();
            http::Response res = (impl->mcp.get()->*method)(ctx.req, impl->CallerOf(ctx, rate));
            for (auto& header : *rate) res.headers.push_back(std::move(header));
            return res;
        };
    };
    routes.push_back({"POST", "/mcp", mcp_route(&mcp::Server::Post), Access::kKey, RateClass::kPerMessage,
                      BodyKind::kJson, impl_->options.bulk_body_limit});
    impl_->mcp_too_large =
        std::make_shared<const http::Response>(mcp::TooLargeResponse(impl_->options.bulk_body_limit));
    routes.push_back({"GET", "/mcp", mcp_route(&mcp::Server::Get), Access::kKey, RateClass::kPerMessage});
    routes.push_back({"DELETE", "/mcp", mcp_route(&mcp::Server::Delete), Access::kKey, RateClass::kPerMessage});
    const auto& o = impl_->options;
    for (auto& r : routes) {
        if (r.body_limit == 0) r.body_limit = r.rate == RateClass::kBulk ? o.bulk_body_limit : o.body_limit;
        if (r.body == BodyKind::kCsvOrJson) r.body_limit = o.import_body_limit;
        r.metrics_series = impl_->metrics.Register(r.method, r.pattern);
        impl_->router.Add(r.method, r.pattern, r);
    }
}

Api::~Api() = default;

std::vector<std::string> Api::RouteList() const {
    std::vector<std::string> out;
    for (const auto& r : impl_->router.routes()) out.push_back(r.method + " " + r.pattern);
    return out;
}

std::vector<Api::RouteAccess> Api::RouteAccessList() const {
    std::vector<RouteAccess> out;
    for (const auto& r : impl_->router.routes()) {
        const auto& spec = r.value;
        std::string access = "public";
        if (spec.access == Access::kRead) access = "read";
        if (spec.access == Access::kWrite) access = "write";
        if (spec.access == Access::kSecret) access = "secret";
        if (spec.access == Access::kKey) access = "key";
        std::vector<std::string> roles;
        if (spec.roles == Roles::kManagers || spec.access == Access::kSecret) roles = {"owner", "admin"};
        out.push_back({r.method, r.pattern, std::move(access), std::move(roles)});
    }
    return out;
}

http::RouteInfo Api::Route(std::string_view method, std::string_view target) const {
    const auto path = target.substr(0, target.find('?'));
    // Only the route is read here, not its parameters, so a /v1 path may be looked up as a copy.
    const auto found =
        IsSeedPrefix(path) ? impl_->router.Find(method, "/api" + std::string(path)) : impl_->router.Find(method, path);
    if (!found.route) return {impl_->options.body_limit, http::Lane::kInline};
    const RouteSpec& spec = found.route->value;
    // The public routes answer from memory (/healthz asks the database one SELECT 1); imports and
    // bulk writes parse up to 64 MiB and write thousands of rows, so only a few run at once.
    http::Lane lane = http::Lane::kWorker;
    if (spec.access == Access::kPublic && spec.pattern.find(':') == std::string::npos && !spec.blocking) {
        lane = http::Lane::kInline;
    }
    if (spec.rate == RateClass::kBulk || spec.body == BodyKind::kCsvOrJson) lane = http::Lane::kHeavy;
    return {spec.body_limit, lane, spec.access == Access::kKey ? impl_->mcp_too_large : nullptr};
}

Result<int64_t> Api::ReleaseUnfinishedClaims() {
    return domain::WriteTx(impl_->services.store,
                           [&](domain::Repos& r) { return r.idempotency().ReleaseNode(impl_->options.node_id); });
}

std::optional<http::Response> Api::Admit(http::Request& req) {
    try {
        return impl_->Admit(req);
    } catch (const std::exception& e) {
        // A bug, not an expected failure: answered as a 500 like any internal error.
        const std::string request_id = NewId("req_", impl_->clock.NowMs());
        return impl_->Finish(
            ErrorResponse(Error{ErrorCode::kInternal, std::string("unhandled exception: ") + e.what(), {}}, request_id),
            http::Metrics::kUnmatched, std::chrono::steady_clock::now(), req, request_id);
    }
}

http::Response Api::Handle(http::Request& req) {
    if (!req.admission.has_value()) {
        if (auto refused = Admit(req)) return std::move(*refused);
    }
    auto& admitted = std::any_cast<Admitted&>(req.admission);
    http::Response res;
    try {
        res = impl_->Run(req, admitted);
    } catch (const std::exception& e) {
        res = ErrorResponse(Error{ErrorCode::kInternal, std::string("unhandled exception: ") + e.what(), {}},
                            admitted.request_id);
    }
    if (admitted.decision) AddRateHeaders(res, *admitted.decision);
    return impl_->Finish(std::move(res), admitted.spec->metrics_series, admitted.start, req, admitted.request_id);
}

http::Response Api::Impl::Finish(http::Response res, size_t series, std::chrono::steady_clock::time_point start,
                                 const http::Request& req, std::string_view request_id) {
    res.headers.emplace_back("X-Request-Id", std::string(request_id));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    metrics.Record(series, res.status, seconds);
    spdlog::debug("{} {} {} {:.3f}ms", req.method, req.path, res.status, seconds * 1000);
    return res;
}

std::optional<http::Response> Api::Impl::Admit(http::Request& req) {
    Admitted admitted;
    admitted.start = std::chrono::steady_clock::now();
    admitted.request_id = NewId("req_", clock.NowMs());
    // Seeds 002 and 003 document their API under /v1: the same routes answer there, and a
    // request is the same request (for its Idempotency-Key) under either prefix.
    if (IsSeedPrefix(req.path)) {
        req.path.insert(0, "/api");
        req.target.insert(0, "/api");
    }
    const auto found = router.Find(req.method, req.path);
    if (!found.route) {
        http::Response res;
        if (!found.allow.empty()) {
            res = ErrorResponse(
                Error{ErrorCode::kMethodNotAllowed, req.method + " is not allowed here; allowed: " + found.allow, {}},
                admitted.request_id);
            res.headers.emplace_back("Allow", found.allow);
        } else {
            res = ErrorResponse(Error{ErrorCode::kNotFound, "no route for " + req.method + " " + req.path, {}},
                                admitted.request_id);
        }
        return Finish(std::move(res), http::Metrics::kUnmatched, admitted.start, req, admitted.request_id);
    }
    const RouteSpec& spec = found.route->value;
    admitted.spec = &spec;
    admitted.params = found.params;
    if (spec.access == Access::kPublic && spec.address_limit_per_minute > 0) {
        const auto decision = limiter->Take("ip:" + spec.pattern + ":" + req.remote_address,
                                            {spec.address_limit_per_minute, 0}, clock.NowMs());
        if (!decision.allowed) {
            auto res = ErrorResponse(Error{ErrorCode::kRateLimited, "Too many requests from this address", {}},
                                     admitted.request_id);
            res.headers.emplace_back("Retry-After", std::to_string(decision.retry_after_seconds));
            AddRateHeaders(res, decision);
            return Finish(std::move(res), spec.metrics_series, admitted.start, req, admitted.request_id);
        }
    }
    if (spec.access != Access::kPublic) {
        if (auto refused = Authorize(req, spec, admitted)) {
            if (admitted.decision) AddRateHeaders(*refused, *admitted.decision);
            return Finish(std::move(*refused), spec.metrics_series, admitted.start, req, admitted.request_id);
        }
    }
    if (auto name = RepeatedQueryParameter(req.query)) {
        auto res = ErrorResponse(Error{ErrorCode::kValidation,
                                       "query parameter " + std::string(*name) + " is given more than once",
                                       {{std::string(*name), "must be given at most once"}}},
                                 admitted.request_id);
        if (admitted.decision) AddRateHeaders(res, *admitted.decision);
        return Finish(std::move(res), spec.metrics_series, admitted.start, req, admitted.request_id);
    }
    req.admission = std::move(admitted);
    return std::nullopt;
}

// Key, rate limit, permission, role and media type, in that order, from the header alone.
std::optional<http::Response> Api::Impl::Authorize(http::Request& req, const RouteSpec& spec, Admitted& admitted) {
    const int64_t now = clock.NowMs();
    const std::string& request_id = admitted.request_id;
    std::string_view token;
    if (auto auth = req.Header("authorization");
        auth && auth->size() > 7 && (auth->starts_with("Bearer ") || auth->starts_with("bearer "))) {
        token = auth->substr(7);
    }
    // OAuth access tokens were issued for the MCP endpoint (RFC 8707): elsewhere they are refused.
    Result<domain::Principal> principal =
        !domain::OAuthService::IsAccessToken(token) ? services.keys.Authenticate(token)
        : spec.access == Access::kKey
            ? services.oauth.Authenticate(token)
            : Result<domain::Principal>(
                  Fail(ErrorCode::kUnauthorized, "OAuth access tokens work only at /mcp; use an API key here"));
    if (!principal) {
        const auto decision = limiter->Take("ip:" + req.remote_address, {kUnauthenticatedPerMinute, 0}, now);
        admitted.decision = decision;
        auto res = decision.allowed
                       ? ErrorResponse(principal.error(), request_id)
                       : ErrorResponse(Error{ErrorCode::kRateLimited, "Too many requests", {}}, request_id);
        if (!decision.allowed) res.headers.emplace_back("Retry-After", std::to_string(decision.retry_after_seconds));
        if (spec.access == Access::kKey) {
            // Where an MCP client finds how to sign in (RFC 9728 section 5.1).
            const std::string base = PublicBaseUrl(req, services.recordings.public_url);
            res.headers.emplace_back("WWW-Authenticate", "Bearer resource_metadata=\"" + base +
                                                             "/.well-known/oauth-protected-resource/mcp\"" +
                                                             (token.empty() ? "" : ", error=\"invalid_token\""));
        }
        return res;
    }
    admitted.decision = TakeRate(*principal, spec.rate);
    if (auto refusal = Refusal(*principal, spec, req, admitted.decision)) {
        auto res = ErrorResponse(*refusal, request_id);
        if (admitted.decision && !admitted.decision->allowed) {
            res.headers.emplace_back("Retry-After", std::to_string(admitted.decision->retry_after_seconds));
        }
        return res;
    }
    admitted.principal = std::move(*principal);
    return std::nullopt;
}

std::optional<http::RateDecision> Api::Impl::TakeRate(const domain::Principal& principal, RateClass rate) {
    if (rate == RateClass::kPerMessage) return std::nullopt;
    return limiter->Take(principal.key_id + (rate == RateClass::kBulk ? ":bulk" : ":std"),
                         LimitFor(principal.tier, rate), clock.NowMs());
}

// Why `principal` may not run `spec` with this request's header: the rate limit's decision,
// then permission, role and media type.
std::optional<Error> Api::Impl::Refusal(const domain::Principal& principal, const RouteSpec& spec,
                                        const http::Request& req,
                                        const std::optional<http::RateDecision>& decision) const {
    const bool manager = principal.role == domain::Role::kOwner || principal.role == domain::Role::kAdmin;
    const auto type = req.Header("content-type");
    const bool has_body = AnnouncesBody(req);
    const bool json = type && type->starts_with("application/json");
    const bool csv = type && type->starts_with("text/csv");
    if (decision && !decision->allowed) {
        return Error{ErrorCode::kRateLimited,
                     "Too many requests: retry after " + std::to_string(decision->retry_after_seconds) + " s",
                     {}};
    }
    if ((spec.access == Access::kRead || spec.access == Access::kSecret) &&
        principal.permission == domain::Permission::kWriteOnly) {
        return Error{ErrorCode::kWriteOnly, "this API key is write-only", {}};
    }
    if ((spec.access == Access::kWrite || spec.access == Access::kSecret) && principal.mode == domain::KeyMode::kTest) {
        return Error{ErrorCode::kTestKey, "test keys are read-only and never place real calls", {}};
    }
    if ((spec.access == Access::kWrite || spec.access == Access::kSecret) &&
        principal.permission == domain::Permission::kReadOnly) {
        return Error{ErrorCode::kReadOnly, "this API key is read-only", {}};
    }
    if ((spec.roles == Roles::kManagers || spec.access == Access::kSecret) && !manager) {
        return Error{ErrorCode::kForbidden,
                     spec.access == Access::kSecret ? "reading a secret needs a key with the owner or admin role"
                                                    : "this needs a key with the owner or admin role",
                     {}};
    }
    if (has_body && spec.body == BodyKind::kNone) {
        return Error{ErrorCode::kValidation, "this endpoint takes no request body", {}};
    }
    if (has_body && spec.body == BodyKind::kJson && !json) {
        return Error{ErrorCode::kUnsupportedMediaType, "Content-Type must be application/json", {}};
    }
    if (has_body && spec.body == BodyKind::kCsvOrJson && !json && !csv) {
        return Error{ErrorCode::kUnsupportedMediaType, "Content-Type must be text/csv or application/json", {}};
    }
    return std::nullopt;
}

// A request made inside the server for a caller already authenticated (an MCP tool call): the
// route's rate limit, permission and role are checked as for a request from outside, then its
// handler runs, with an Idempotency-Key when the request has one.
http::Response Api::Impl::RunAs(const domain::Principal& principal, http::Request& req) {
    Admitted admitted;
    admitted.start = std::chrono::steady_clock::now();
    admitted.request_id = NewId("req_", clock.NowMs());
    const auto found = router.Find(req.method, req.path);
    if (!found.route || found.route->value.access == Access::kPublic || found.route->value.access == Access::kKey) {
        return ErrorResponse(Error{ErrorCode::kInternal, "no route for " + req.method + " " + req.path, {}},
                             admitted.request_id);
    }
    const RouteSpec& spec = found.route->value;
    admitted.spec = &spec;
    admitted.params = found.params;
    admitted.decision = TakeRate(principal, spec.rate);
    http::Response res;
    if (auto refusal = Refusal(principal, spec, req, admitted.decision)) {
        res = ErrorResponse(*refusal, admitted.request_id);
        if (!admitted.decision->allowed) {
            res.headers.emplace_back("Retry-After", std::to_string(admitted.decision->retry_after_seconds));
        }
    } else {
        admitted.principal = principal;
        try {
            res = Run(req, admitted);
        } catch (const std::exception& e) {
            res = ErrorResponse(Error{ErrorCode::kInternal, std::string("unhandled exception: ") + e.what(), {}},
                                admitted.request_id);
        }
    }
    if (admitted.decision) AddRateHeaders(res, *admitted.decision);
    return Finish(std::move(res), spec.metrics_series, admitted.start, req, admitted.request_id);
}

// The MCP server's view of the caller of `ctx`; `rate_headers` gets the rate-limit headers of the
// last message counted.
mcp::Caller Api::Impl::CallerOf(const Ctx& ctx, const std::shared_ptr<http::Fields>& rate_headers) {
    mcp::Caller caller;
    caller.principal = ctx.principal;
    caller.run_route = [this, principal = ctx.principal, remote = ctx.req.remote_address,
                        rate_headers](http::Request& inner) {
        inner.remote_address = remote;
        http::Response res = RunAs(principal, inner);
        rate_headers->clear();
        for (const auto& header : res.headers) {
            if (header.first.starts_with("X-RateLimit-")) rate_headers->push_back(header);
        }
        return res;
    };
    caller.take_message = [this, principal = ctx.principal, id = ctx.request_id,
                           rate_headers]() -> std::optional<http::Response> {
        const auto decision = TakeRate(principal, RateClass::kStandard);
        http::Response probe;
        AddRateHeaders(probe, *decision);
        *rate_headers = probe.headers;
        if (decision->allowed) return std::nullopt;
        auto res = ErrorResponse(
            Error{ErrorCode::kRateLimited,
                  "Too many requests: retry after " + std::to_string(decision->retry_after_seconds) + " s",
                  {}},
            id);
        res.headers.emplace_back("Retry-After", std::to_string(decision->retry_after_seconds));
        return res;
    };
    return caller;
}

http::Response Api::Impl::Run(http::Request& req, Admitted& admitted) {
    const RouteSpec& spec = *admitted.spec;
    if (!admitted.principal) {
        Ctx ctx{req, admitted.params, {}, admitted.request_id, clock};
        return spec.handler(ctx);
    }
    if (!req.body.empty() && spec.body == BodyKind::kNone) {
        return ErrorResponse(Error{ErrorCode::kValidation, "this endpoint takes no request body", {}},
                             admitted.request_id);
    }
    Ctx ctx{req, admitted.params, *admitted.principal, admitted.request_id, clock};
    // /mcp is JSON-RPC with its own ids and sessions, and may answer with a stream: no replay.
    const auto idem = spec.access == Access::kKey ? std::nullopt : req.Header("idempotency-key");
    return (req.method == "POST" && idem) ? WithIdempotency(ctx, spec, *idem) : spec.handler(ctx);
}

http::Response Api::Impl::WithIdempotency(Ctx& ctx, const RouteSpec& spec, std::string_view key) {
    if (key.empty() || key.size() > kMaxIdempotencyKeyBytes || !IsPrintableAscii(key)) {
        return ErrorResponse(Error{ErrorCode::kValidation,
                                   "Idempotency-Key must be 1 to 255 printable ASCII characters",
                                   {{"Idempotency-Key", "must be 1 to 255 printable ASCII characters"}}},
                             ctx.request_id);
    }
    const domain::IdempotencyScope scope{ctx.principal.org_id, ctx.principal.key_id, key};
    const std::string hash = Sha256Hex(ctx.req.method + " " + ctx.req.target + "\n" + ctx.req.body);
    auto& store = services.store;

    auto replay = [&](const domain::StoredResponse& stored) -> std::optional<http::Response> {
        if (stored.request_hash != hash) {
            return ErrorResponse(
                Error{ErrorCode::kConflict, "this Idempotency-Key was used with a different request", {}},
                ctx.request_id);
        }
        if (!stored.status && stored.work_committed) {
            return ErrorResponse(
                Error{ErrorCode::kConflict,
                      "the request with this Idempotency-Key was carried out, but the server stopped before "
                      "recording its response; look up its result instead of repeating it",
                      {}},
                ctx.request_id);
        }
        if (!stored.status) {
            return ErrorResponse(
                Error{ErrorCode::kConflict, "a request with this Idempotency-Key is still being processed", {}},
                ctx.request_id);
        }
        http::Response res{*stored.status, "application/json", {{"Idempotent-Replayed", "true"}}, stored.body};
        return res;
    };

    auto claim = [&] {
        return store.Write(
            [&](domain::Repos& r) { return r.idempotency().Claim(scope, hash, options.node_id, clock.NowMs()); });
    };
    auto claimed = claim();
    if (!claimed && claimed.error().code == ErrorCode::kDuplicate) {
        auto stored = domain::ReadTx(store, [&](domain::Repos& r) { return r.idempotency().Find(scope); });
        if (!stored) return ErrorResponse(stored.error(), ctx.request_id);
        if (*stored && ((*stored)->status || (*stored)->work_committed ||
                        (*stored)->created_at >= clock.NowMs() - kAbandonedClaimMs)) {
            if (auto res = replay(**stored)) return *res;
        }
        // Unfinished for longer than any request runs: the process that claimed it died (a
        // kill -9 or a crash) and its node has not restarted, so the key is free again.
        auto freed = domain::WriteTx(store, [&](domain::Repos& r) {
            return r.idempotency().ReleaseAbandoned(scope, clock.NowMs() - kAbandonedClaimMs);
        });
        if (!freed) return ErrorResponse(freed.error(), ctx.request_id);
        claimed = claim();
    }
    if (!claimed) {
        if (claimed.error().code != ErrorCode::kDuplicate) return ErrorResponse(claimed.error(), ctx.request_id);
        return ErrorResponse(Error{ErrorCode::kConflict, "this Idempotency-Key is in use; retry", {}}, ctx.request_id);
    }
    http::Response res;
    std::exception_ptr failure;
    bool work_committed = false;
    {
        domain::ClaimedRequest claim_of_this_request(scope);
        try {
            res = spec.handler(ctx);
        } catch (...) {
            failure = std::current_exception();
        }
        work_committed = claim_of_this_request.work_committed();
    }
    if (failure) {
        // Work already committed stays claimed: a retry must not do it a second time.
        if (!work_committed) (void)store.Write([&](domain::Repos& r) { return r.idempotency().Release(scope); });
        std::rethrow_exception(failure);
    }
    // A server-side failure that changed nothing is not remembered, so the client's retry runs
    // the request again; once work was committed, the response is kept whatever it is.
    const bool forget = res.status >= 500 && !work_committed;
    auto finished = forget ? store.Write([&](domain::Repos& r) { return r.idempotency().Release(scope); })
                           : store.Write([&](domain::Repos& r) {
                                 return r.idempotency().Complete(scope, res.status, StoredBody(spec, res));
                             });
    if (!finished) {
        static LogThrottle throttle;
        if (auto held = throttle.Allow()) {
            spdlog::error("an Idempotency-Key's response was not recorded: {}{}", finished.error().message,
                          HeldBack(*held));
        }
    }
    return res;
}

}  // namespace parley::api
