#include "ingest/rate_limiter.hpp"

#include <cmath>

namespace contactd::ingest {

namespace {

std::int64_t CeilSeconds(engine::Millis millis) { return (millis + 999) / 1000; }

}  // namespace

RateDecision RateLimiter::Take(const std::string& workspace_id, std::int32_t requests_per_minute, engine::Millis now) {
    const double capacity = requests_per_minute;
    const double per_second = requests_per_minute / 60.0;
    std::lock_guard lock(mutex_);
    auto it = buckets_.find(workspace_id);
    if (it == buckets_.end()) {
        it = buckets_.emplace(workspace_id, Entry{engine::TokenBucket(capacity, per_second, now), requests_per_minute})
                 .first;
    } else if (it->second.per_minute != requests_per_minute) {  // the workspace's budget was changed
        it->second.bucket.Reconfigure(capacity, per_second, now);
        it->second.per_minute = requests_per_minute;
    }
    engine::TokenBucket& bucket = it->second.bucket;
    RateDecision decision;
    decision.limit = requests_per_minute;
    decision.allowed = bucket.TryTake(1, now);
    decision.remaining = static_cast<std::int64_t>(std::floor(bucket.Available(now) + 1e-9));
    decision.reset_seconds = CeilSeconds(bucket.MillisUntilFull(now));
    if (!decision.allowed)
        decision.retry_after_seconds = std::max<std::int64_t>(1, CeilSeconds(bucket.MillisUntilAvailable(1, now)));
    return decision;
}

void RateLimiter::AddHeaders(HttpResponse& response, const RateDecision& decision) {
    response.headers.Set("X-RateLimit-Limit", std::to_string(decision.limit));
    response.headers.Set("X-RateLimit-Remaining", std::to_string(decision.remaining));
    response.headers.Set("X-RateLimit-Reset", std::to_string(decision.reset_seconds));
    if (!decision.allowed) response.headers.Set("Retry-After", std::to_string(decision.retry_after_seconds));
}

}  // namespace contactd::ingest
