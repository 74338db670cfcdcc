#pragma once
// Every figure of one end-to-end benchmark run, with what it is compared with: filled phase by phase by the
// driver, rendered by results_page.cpp (bench/RESULTS.md) and results_chart.cpp (bench/results.png).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bench/e2e/concurrent_batches.hpp"
#include "bench/e2e/copy_reference.hpp"
#include "bench/e2e/correctness.hpp"
#include "bench/e2e/cpu_meter.hpp"
#include "bench/e2e/fairness_probe.hpp"
#include "bench/e2e/large_batch.hpp"
#include "bench/e2e/machine_info.hpp"
#include "bench/e2e/patch_load.hpp"

namespace contactd::bench::e2e {

//! Where, when and what was run.
struct RunInfo {
    std::string date_utc;
    std::string commit;
    std::string command;
    MachineInfo machine;
    std::string postgres_version;
    std::optional<std::int64_t> huge_pages_kib;  // PostgreSQL's memory on huge pages (scripts/reserve-huge-pages.sh)
    std::string server_args;                     // extra arguments given to `contactd serve`
    std::int64_t items = 0;
    std::uint64_t seed = 0;
    int workspaces = 0;
    std::int64_t preload_contacts = 0;
    double driver_seconds = 0;  // the driver's own run
    double total_seconds = 0;   // since scripts/bench.sh started (build and workload included), 0 if unknown
};

//! The timed run's totals.
struct BatchFigures {
    bool measured = false;
    ConcurrentRun run;
    std::int64_t items = 0;
    std::uint64_t bytes = 0;
    CpuSpent cpu;  // from the first POST until every job completed

    //! CPU microseconds a batch item of `seconds` (of some process or the machine).
    double MicrosPerItem(double seconds) const { return items > 0 ? seconds * 1e6 / static_cast<double>(items) : 0; }
    double ItemsPerSecond() const { return run.seconds > 0 ? static_cast<double>(items) / run.seconds : 0; }
    //! All 20 POSTs: bytes over the time from the first byte to the last 202.
    double AcceptMegabytesPerSecond() const {
        return run.last_accepted_at > 0 ? static_cast<double>(bytes) / 1e6 / run.last_accepted_at : 0;
    }
};

struct MemoryFigures {
    std::uint64_t after_preload = 0;  // VmHWM of the server: peaks so far
    std::uint64_t after_batch = 0;
    std::uint64_t whole_run = 0;
};

struct BenchResults {
    RunInfo run;
    bool preload_measured = false;
    ConcurrentRun preload;
    BatchFigures batch;
    FairnessFigures fairness;
    CopyFigures copy;
    PatchFigures patch;
    LargeBatchFigures large;
    bool large_skipped = false;  // --no-1gib
    MemoryFigures memory;
    std::vector<Check> checks;
    std::string failure;  // what stopped the run early, if anything

    //! True when the run finished and every check passed.
    bool Passed() const;
};

}  // namespace contactd::bench::e2e
