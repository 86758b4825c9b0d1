#pragma once

#include <memory>

#include "domain/repos.hpp"
#include "http/rate_limiter.hpp"

namespace parley::api {

// Rate limits counted in the database, so that every node serving one organization enforces
// one limit per key (DESIGN.md §6). Costs one write per window a request touches. If the
// database cannot count, the request is let through: the request itself will meet the same
// database and fail there if it is really down.
std::unique_ptr<http::RateLimits> SharedRateLimits(domain::Store& store);

}  // namespace parley::api
