#include "api/api.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "api/context.hpp"
#include "api/shared_rate_limits.hpp"
#include "common/crypto.hpp"
#include "common/ids.hpp"
#include "http/metrics.hpp"
#include "http/rate_limiter.hpp"
#include "http/router.hpp"

namespace parley::api {
namespace {

constexpr size_t kMaxIdempotencyKeyBytes = 255;
// A claimed key still without a response after this long belongs to a request whose process
// died; longer than any request may take (the body timeout is 2 minutes, an import seconds).
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

bool IsPrintableAscii(std::string_view s) {
    for (unsigned char c : s) {
        if (c < 0x21 || c > 0x7e) return false;
    }
    return true;
}

}  // namespace

struct Api::Impl {
    Impl(Services s, const Clock& c, ApiOptions o)
        : services(std::move(s)),
          clock(c),
          options(o),
          limiter(o.shared_rate_limits ? SharedRateLimits(services.store) : std::make_unique<http::RateLimiter>()) {}

    Services services;
    const Clock& clock;
    ApiOptions options;
    http::Router<RouteSpec> router;
    std::unique_ptr<http::RateLimits> limiter;
    http::Metrics metrics;

    http::Response Dispatch(http::Request& req, size_t& series);
    http::Response Authorized(http::Request& req, const RouteSpec& spec, const http::PathParams& params,
                              const std::string& request_id);
    http::Response WithIdempotency(Ctx& ctx, const RouteSpec& spec, std::string_view key);
};

Api::Api(Services services, const Clock& clock, ApiOptions options)
    : impl_(std::make_unique<Impl>(std::move(services), clock, options)) {
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
    auto* impl = impl_.get();
    routes.push_back({"GET", "/healthz", [impl](Ctx&) {
                          const bool db = impl->services.database_ok ? impl->services.database_ok() : true;
                          http::Response res = Ok(Json{{"status", db ? "ok" : "degraded"},
                                                       {"database", db ? "ok" : "unreachable"}},
                                                  db ? 200 : 503);
                          return res;
                      },
                      Access::kPublic});
    routes.push_back({"GET", "/metrics", [impl](Ctx&) {
                          std::string text = impl->metrics.Render();
                          if (impl->services.extra_metrics) text += impl->services.extra_metrics();
                          return http::Response{200, "text/plain; version=0.0.4", {}, std::move(text)};
                      },
                      Access::kPublic});
    routes.push_back({"GET", "/api/v1/openapi.json",
                      [](Ctx&) { return http::Response{200, "application/json", {}, std::string(OpenApiDocument())}; },
                      Access::kPublic});
    for (auto& r : routes) {
        if (r.body_limit == 0) r.body_limit = r.rate == RateClass::kBulk ? options.bulk_body_limit : options.body_limit;
        if (r.body == BodyKind::kCsvOrJson) r.body_limit = options.import_body_limit;
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

size_t Api::BodyLimit(std::string_view method, std::string_view target) const {
    const auto path = target.substr(0, target.find('?'));
    const auto found = impl_->router.Find(method, path);
    return found.route ? found.route->value.body_limit : impl_->options.body_limit;
}

http::Response Api::Handle(http::Request& req) {
    const auto start = std::chrono::steady_clock::now();
    size_t series = http::Metrics::kUnmatched;
    http::Response res;
    try {
        res = impl_->Dispatch(req, series);
    } catch (const std::exception& e) {
        // A bug, not an expected failure: answered as a 500 like any internal error.
        res = ErrorResponse(Error{ErrorCode::kInternal, std::string("unhandled exception: ") + e.what(), {}},
                            NewId("req_", impl_->clock.NowMs()));
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    impl_->metrics.Record(series, res.status, seconds);
    spdlog::debug("{} {} {} {:.3f}ms", req.method, req.path, res.status, seconds * 1000);
    return res;
}

http::Response Api::Impl::Dispatch(http::Request& req, size_t& series) {
    const std::string request_id = NewId("req_", clock.NowMs());
    const auto found = router.Find(req.method, req.path);
    if (!found.route) {
        if (!found.allow.empty()) {
            auto res = ErrorResponse(
                Error{ErrorCode::kMethodNotAllowed, req.method + " is not allowed here; allowed: " + found.allow, {}},
                request_id);
            res.headers.emplace_back("Allow", found.allow);
            return res;
        }
        return ErrorResponse(Error{ErrorCode::kNotFound, "no route for " + req.method + " " + req.path, {}},
                             request_id);
    }
    const RouteSpec& spec = found.route->value;
    series = spec.metrics_series;
    if (spec.access == Access::kPublic) {
        Ctx ctx{req, found.params, {}, request_id};
        return spec.handler(ctx);
    }
    return Authorized(req, spec, found.params, request_id);
}

http::Response Api::Impl::Authorized(http::Request& req, const RouteSpec& spec, const http::PathParams& params,
                                     const std::string& request_id) {
    const int64_t now = clock.NowMs();
    std::string_view token;
    if (auto auth = req.Header("authorization"); auth && auth->size() > 7 && (auth->starts_with("Bearer ") ||
                                                                                auth->starts_with("bearer "))) {
        token = auth->substr(7);
    }
    auto principal = services.keys.Authenticate(token);
    if (!principal) {
        const auto decision = limiter->Take("ip:" + req.remote_address, {kUnauthenticatedPerMinute, 0}, now);
        auto res = decision.allowed ? ErrorResponse(principal.error(), request_id)
                                    : ErrorResponse(Error{ErrorCode::kRateLimited, "Too many requests", {}}, request_id);
        if (!decision.allowed) res.headers.emplace_back("Retry-After", std::to_string(decision.retry_after_seconds));
        AddRateHeaders(res, decision);
        return res;
    }
    const auto decision = limiter->Take(principal->key_id + (spec.rate == RateClass::kBulk ? ":bulk" : ":std"),
                                       LimitFor(principal->tier, spec.rate), now);
    http::Response res;
    if (!decision.allowed) {
        res = ErrorResponse(Error{ErrorCode::kRateLimited,
                                  "Too many requests: retry after " + std::to_string(decision.retry_after_seconds) +
                                      " s",
                                  {}},
                            request_id);
        res.headers.emplace_back("Retry-After", std::to_string(decision.retry_after_seconds));
    } else if (spec.access == Access::kRead && principal->permission == domain::Permission::kWriteOnly) {
        res = ErrorResponse(Error{ErrorCode::kWriteOnly, "this API key is write-only", {}}, request_id);
    } else if (spec.access == Access::kWrite && principal->mode == domain::KeyMode::kTest) {
        res = ErrorResponse(Error{ErrorCode::kTestKey, "test keys are read-only and never place real calls", {}},
                            request_id);
    } else if (spec.access == Access::kWrite && principal->permission == domain::Permission::kReadOnly) {
        res = ErrorResponse(Error{ErrorCode::kReadOnly, "this API key is read-only", {}}, request_id);
    } else {
        const auto type = req.Header("content-type");
        const bool has_body = !req.body.empty();
        const bool json = type && type->starts_with("application/json");
        const bool csv = type && type->starts_with("text/csv");
        if (has_body && spec.body == BodyKind::kNone) {
            res = ErrorResponse(Error{ErrorCode::kValidation, "this endpoint takes no request body", {}}, request_id);
        } else if (has_body && spec.body == BodyKind::kJson && !json) {
            res = ErrorResponse(Error{ErrorCode::kUnsupportedMediaType, "Content-Type must be application/json", {}},
                                request_id);
        } else if (has_body && spec.body == BodyKind::kCsvOrJson && !json && !csv) {
            res = ErrorResponse(
                Error{ErrorCode::kUnsupportedMediaType, "Content-Type must be text/csv or application/json", {}},
                request_id);
        } else {
            Ctx ctx{req, params, *principal, request_id};
            const auto idem = req.Header("idempotency-key");
            res = (req.method == "POST" && idem) ? WithIdempotency(ctx, spec, *idem) : spec.handler(ctx);
        }
    }
    AddRateHeaders(res, decision);
    return res;
}

http::Response Api::Impl::WithIdempotency(Ctx& ctx, const RouteSpec& spec, std::string_view key) {
    if (key.empty() || key.size() > kMaxIdempotencyKeyBytes || !IsPrintableAscii(key)) {
        return ErrorResponse(Error{ErrorCode::kValidation, "Idempotency-Key must be 1 to 255 printable ASCII characters",
                                   {{"Idempotency-Key", "must be 1 to 255 printable ASCII characters"}}},
                             ctx.request_id);
    }
    const std::string org = ctx.principal.org_id;
    const std::string hash = Sha256Hex(ctx.req.method + " " + ctx.req.target + "\n" + ctx.req.body);
    auto& store = services.store;

    auto replay = [&](const domain::StoredResponse& stored) -> std::optional<http::Response> {
        if (stored.request_hash != hash) {
            return ErrorResponse(Error{ErrorCode::kConflict,
                                       "this Idempotency-Key was used with a different request", {}},
                                 ctx.request_id);
        }
        if (!stored.status) {
            return ErrorResponse(Error{ErrorCode::kConflict,
                                       "a request with this Idempotency-Key is still being processed", {}},
                                 ctx.request_id);
        }
        http::Response res{*stored.status, "application/json", {{"Idempotent-Replayed", "true"}}, stored.body};
        return res;
    };

    auto claim = [&] {
        return store.Write([&](domain::Repos& r) { return r.idempotency().Claim(org, key, hash, clock.NowMs()); });
    };
    auto claimed = claim();
    if (!claimed && claimed.error().code == ErrorCode::kDuplicate) {
        auto stored = domain::ReadTx(store, [&](domain::Repos& r) { return r.idempotency().Find(org, key); });
        if (!stored) return ErrorResponse(stored.error(), ctx.request_id);
        if (*stored && ((*stored)->status || (*stored)->created_at >= clock.NowMs() - kAbandonedClaimMs)) {
            if (auto res = replay(**stored)) return *res;
        }
        // Unfinished for longer than any request runs: the process that claimed it died (a
        // kill -9 or a crash), so the key is free again.
        auto freed = domain::WriteTx(store, [&](domain::Repos& r) {
            return r.idempotency().ReleaseAbandoned(org, key, clock.NowMs() - kAbandonedClaimMs);
        });
        if (!freed) return ErrorResponse(freed.error(), ctx.request_id);
        claimed = claim();
    }
    if (!claimed) {
        if (claimed.error().code != ErrorCode::kDuplicate) return ErrorResponse(claimed.error(), ctx.request_id);
        return ErrorResponse(Error{ErrorCode::kConflict, "this Idempotency-Key is in use; retry", {}}, ctx.request_id);
    }
    http::Response res;
    try {
        res = spec.handler(ctx);
    } catch (...) {
        (void)store.Write([&](domain::Repos& r) { return r.idempotency().Release(org, key); });
        throw;
    }
    // A server-side failure is not remembered, so the client's retry runs the request again.
    auto finished = res.status >= 500
                        ? store.Write([&](domain::Repos& r) { return r.idempotency().Release(org, key); })
                        : store.Write([&](domain::Repos& r) {
                              return r.idempotency().Complete(org, key, res.status, res.body);
                          });
    if (!finished) spdlog::error("idempotency key {} not recorded: {}", key, finished.error().message);
    return res;
}

}  // namespace parley::api
