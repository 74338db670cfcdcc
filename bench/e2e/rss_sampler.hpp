#pragma once
// Samples a process's peak resident memory (VmHWM in /proc/<pid>/status) a few times a second on a thread of
// its own, so that the peak is known per phase and for the whole run even if the process dies.

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <thread>

namespace contactd::bench::e2e {

class RssSampler {
  public:
    explicit RssSampler(pid_t pid);
    ~RssSampler();
    RssSampler(const RssSampler&) = delete;
    RssSampler& operator=(const RssSampler&) = delete;

    //! The highest VmHWM seen so far, in bytes (reads it once more first).
    std::uint64_t PeakBytes();

  private:
    void Sample();

    pid_t pid_;
    std::atomic<std::uint64_t> peak_{0};
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

//! VmHWM of `pid` in bytes, or 0 when it cannot be read.
std::uint64_t ReadPeakRss(pid_t pid);

}  // namespace contactd::bench::e2e
