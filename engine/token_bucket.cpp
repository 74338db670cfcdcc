#include "engine/token_bucket.hpp"

#include <algorithm>
#include <cmath>

namespace contactd::engine {

TokenBucket::TokenBucket(double capacity, double refill_per_second, Millis now)
    : capacity_(capacity), refill_per_milli_(refill_per_second / 1000.0), tokens_(capacity), last_refill_(now) {}

void TokenBucket::Refill(Millis now) {
    // A clock that steps back (it should not) must not drain or overfill the bucket.
    if (now <= last_refill_) return;
    tokens_ = std::min(capacity_, tokens_ + static_cast<double>(now - last_refill_) * refill_per_milli_);
    last_refill_ = now;
}

bool TokenBucket::TryTake(double tokens, Millis now) {
    Refill(now);
    if (tokens_ + 1e-9 < tokens) return false;
    tokens_ = std::max(0.0, tokens_ - tokens);
    return true;
}

void TokenBucket::Refund(double tokens) { tokens_ = std::min(capacity_, tokens_ + tokens); }

double TokenBucket::TakeUpTo(double tokens, Millis now) {
    Refill(now);
    const double taken = std::clamp(std::floor(tokens_ + 1e-9), 0.0, tokens);
    tokens_ = std::max(0.0, tokens_ - taken);
    return taken;
}

double TokenBucket::Available(Millis now) {
    Refill(now);
    return tokens_;
}

Millis TokenBucket::MillisUntilAvailable(double tokens, Millis now) {
    Refill(now);
    if (tokens_ + 1e-9 >= tokens) return 0;
    if (refill_per_milli_ <= 0) return INT64_MAX;
    return static_cast<Millis>(std::ceil((tokens - tokens_) / refill_per_milli_));
}

Millis TokenBucket::MillisUntilFull(Millis now) { return MillisUntilAvailable(capacity_, now); }

void TokenBucket::Reconfigure(double capacity, double refill_per_second, Millis now) {
    Refill(now);
    capacity_ = capacity;
    refill_per_milli_ = refill_per_second / 1000.0;
    tokens_ = std::min(tokens_, capacity_);
}

}  // namespace contactd::engine
