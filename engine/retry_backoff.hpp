#pragma once
// When a failed delivery (a batch job's completion callback, SPEC §6 "retried with backoff until it gets a
// 2xx") is tried again, and when it is given up. Pure policy: the clock and the jitter are parameters, so
// the schedule is tested exactly.

#include <cstdint>

#include "engine/contact.hpp"

namespace contactd::engine {

//! Exponential backoff with jitter, and the give-up rule. The defaults: 1 s, 2 s, 4 s … doubling to a 10 min
//! cap, each wait shortened by up to half at random; given up 24 h after the first try was due, or after
//! 500 attempts (a backstop for crash loops and clock jumps; the 24 h rule always comes first otherwise).
struct RetryPolicy {
    Millis initial_delay_ms = 1000;              // the wait after the first failed attempt
    Millis max_delay_ms = 10 * 60 * 1000;        // the waits double up to this
    int jitter_percent = 50;                     // a wait is shortened by up to this share (0 to 100)
    int max_attempts = 500;                      // no attempt after this many
    Millis give_up_after_ms = 24 * 3600 * 1000;  // no retry once this long has passed since the first was due
};

//! The wait before the next try after attempt `attempt` (1-based) failed: `initial × 2^(attempt−1)`, capped
//! at `max_delay_ms`, then shortened by up to `jitter_percent` by an amount that `jitter_seed` picks (any
//! 64-bit value, e.g. a random one; equal seeds give equal waits). With a jitter of at most 50 %, waits
//! below the cap never shrink from one attempt to the next, whatever the seeds; at the cap they vary
//! between half the cap and the cap. At least 1 ms.
Millis BackoffDelay(const RetryPolicy& policy, int attempt, std::uint64_t jitter_seed);

//! Whether to give up after `attempts` attempts have failed, the first having been due at `first_due` and
//! the last having ended at `now`: the attempts are spent, or `give_up_after_ms` has passed since
//! `first_due`. So at least one attempt is always made, however late it starts.
bool ShouldAbandon(const RetryPolicy& policy, int attempts, Millis first_due, Millis now);

}  // namespace contactd::engine
