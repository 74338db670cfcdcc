#pragma once
// The per-workspace request budget (SPEC §5, §9 "Rate limits"): a token bucket holding
// `requests_per_minute` tokens, refilled evenly over the minute. Buckets live in this node's memory.

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "engine/token_bucket.hpp"
#include "ingest/http_types.hpp"

namespace contactd::ingest {

//! What the budget said about one request, and the numbers for the X-RateLimit-* headers.
struct RateDecision {
    bool allowed = true;
    std::int64_t limit = 0;
    std::int64_t remaining = 0;            // whole tokens left after this request
    std::int64_t reset_seconds = 0;        // until the bucket is full again
    std::int64_t retry_after_seconds = 0;  // until the next request would be allowed (429 only)
};

//! Thread-safe map of workspace → bucket. Time is passed in, so tests drive it with a manual clock.
class RateLimiter {
  public:
    RateDecision Take(const std::string& workspace_id, std::int32_t requests_per_minute, engine::Millis now);

    //! Adds X-RateLimit-Limit, -Remaining, -Reset (and Retry-After when refused).
    static void AddHeaders(HttpResponse& response, const RateDecision& decision);

  private:
    struct Entry {
        engine::TokenBucket bucket;
        std::int32_t per_minute;
    };
    std::mutex mutex_;
    std::unordered_map<std::string, Entry> buckets_;
};

}  // namespace contactd::ingest
