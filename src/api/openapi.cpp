#include "api/api.hpp"

namespace parley::api {

extern const char kOpenApiJson[];
extern const size_t kOpenApiJsonSize;

std::string_view OpenApiDocument() { return std::string_view(kOpenApiJson, kOpenApiJsonSize); }

}  // namespace parley::api
