#include "engine/retry_backoff.hpp"

#include <algorithm>

namespace contactd::engine {

namespace {

// SplitMix64's finaliser: nearby seeds (attempt numbers, counters) still give unrelated jitter.
std::uint64_t Mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

}  // namespace

Millis BackoffDelay(const RetryPolicy& policy, int attempt, std::uint64_t jitter_seed) {
    const Millis cap = std::max<Millis>(policy.max_delay_ms, 1);
    Millis delay = std::clamp<Millis>(policy.initial_delay_ms, 1, cap);
    // Doubling stops at the cap, so neither a huge attempt number nor a huge cap can overflow.
    for (int doubling = 1; doubling < attempt && delay < cap; ++doubling) delay = delay > cap / 2 ? cap : delay * 2;

    const Millis jitter_percent = std::clamp<Millis>(policy.jitter_percent, 0, 100);
    const Millis span = delay / 100 * jitter_percent + delay % 100 * jitter_percent / 100;
    if (span <= 0) return delay;
    const auto cut = static_cast<Millis>(Mix(jitter_seed) % (static_cast<std::uint64_t>(span) + 1));
    return std::max<Millis>(delay - cut, 1);
}

bool ShouldAbandon(const RetryPolicy& policy, int attempts, Millis first_due, Millis now) {
    return attempts >= policy.max_attempts || now - first_due >= policy.give_up_after_ms;
}

}  // namespace contactd::engine
