#pragma once
// Process metrics in the Prometheus text format (`GET /metrics`): counters and gauges kept as atomics,
// labelled by a fixed set of names registered at start-up, so recording never allocates or locks.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace contactd::ingest {

//! A monotonically increasing counter.
class Counter {
  public:
    void Add(std::int64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
    std::int64_t Value() const { return value_.load(std::memory_order_relaxed); }

  private:
    std::atomic<std::int64_t> value_{0};
};

//! Named counters (with label sets) and gauges read at scrape time.
class Metrics {
  public:
    //! The counter `name{labels}` (labels as `key="value",...`); created on first use, stable afterwards.
    Counter& GetCounter(const std::string& name, const std::string& help, const std::string& labels = "");
    //! A gauge computed when scraped.
    void AddGauge(const std::string& name, const std::string& help, std::function<double()> read);
    //! The exposition text.
    std::string Render() const;

  private:
    struct Family {
        std::string help;
        std::string type;
        std::map<std::string, std::unique_ptr<Counter>> counters;  // by label set
        std::function<double()> gauge;
    };
    mutable std::mutex mutex_;
    std::map<std::string, Family> families_;
};

}  // namespace contactd::ingest
