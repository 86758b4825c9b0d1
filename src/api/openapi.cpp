#include "api/api.hpp"

namespace parley::api {

extern const unsigned char kOpenApiJson[];
extern const size_t kOpenApiJsonSize;

std::string_view OpenApiDocument() {
    return std::string_view(reinterpret_cast<const char*>(kOpenApiJson), kOpenApiJsonSize);
}

}  // namespace parley::api
