#include "domain/repos.hpp"

namespace parley::domain {

namespace {
thread_local ClaimedRequest* current_claim = nullptr;
}  // namespace

ClaimedRequest::ClaimedRequest(const IdempotencyScope& scope) : scope_(scope), outer_(current_claim) {
    current_claim = this;
}

ClaimedRequest::~ClaimedRequest() {
    current_claim = outer_;
}

ClaimedRequest* ClaimedRequest::Current() {
    return current_claim;
}

}  // namespace parley::domain
