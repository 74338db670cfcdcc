#pragma once
// Splits elapsed time into consecutive steps, for the timings the commit path and chunk runner report.

#include <chrono>
#include <cstdint>

namespace contactd::storage {

class Stopwatch {
  public:
    //! Microseconds since the previous lap (or since construction).
    std::int64_t Lap() {
        const auto now = std::chrono::steady_clock::now();
        const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(now - last_).count();
        last_ = now;
        return static_cast<std::int64_t>(elapsed);
    }

  private:
    std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

}  // namespace contactd::storage
