#pragma once
// The benchmark's phases in order, on one cluster and one server: preload, the timed batch with the fairness
// probe, correctness, the COPY reference, the PATCH load beside pgbench, and the 1 GiB acceptance.

#include <filesystem>

#include "bench/e2e/bench_results.hpp"
#include "bench/e2e/e2e_options.hpp"

namespace contactd::bench::e2e {

//! Runs every phase, filling `results` as it goes, so that what was measured before a failure is still
//! reported. Everything it starts is stopped before it returns or throws (Interrupted on Ctrl-C).
void RunBenchmark(const E2eOptions& options, const std::filesystem::path& run_dir, BenchResults& results);

}  // namespace contactd::bench::e2e
