#pragma once
// A token bucket with the clock passed in (Seastar style), so rate limits and budgets are tested exactly
// with a manual clock and never sleep.

#include <cstdint>

#include "engine/contact.hpp"

namespace contactd::engine {

//! Holds up to `capacity` tokens, refilled continuously at `refill_per_second`. Starts full.
class TokenBucket {
  public:
    TokenBucket(double capacity, double refill_per_second, Millis now);

    //! Takes `tokens` if that many are available at `now`; otherwise takes nothing.
    bool TryTake(double tokens, Millis now);
    //! Puts back tokens taken but not used (never above capacity).
    void Refund(double tokens);
    //! Takes up to `tokens`; returns how many were taken (possibly 0).
    double TakeUpTo(double tokens, Millis now);

    //! Tokens available at `now`.
    double Available(Millis now);
    //! Milliseconds until `tokens` are available (0 when they already are).
    Millis MillisUntilAvailable(double tokens, Millis now);
    //! Milliseconds until the bucket is full again.
    Millis MillisUntilFull(Millis now);

    double capacity() const { return capacity_; }
    //! Changes the rate (e.g. the workspace settings changed), keeping the tokens already earned.
    void Reconfigure(double capacity, double refill_per_second, Millis now);

  private:
    void Refill(Millis now);

    double capacity_;
    double refill_per_milli_;
    double tokens_;
    Millis last_refill_;
};

}  // namespace contactd::engine
