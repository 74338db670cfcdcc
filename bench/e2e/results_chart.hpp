#pragma once
// Draws bench/results.png with gnuplot: contactd's batch throughput beside the COPY references, and its
// single-contact PATCH rate beside pgbench's.

#include <filesystem>

#include "bench/e2e/bench_results.hpp"

namespace contactd::bench::e2e {

//! Writes the data and script into `work_dir` and runs gnuplot. Throws std::runtime_error when it fails.
void DrawResultsChart(const BenchResults& results, const std::filesystem::path& png,
                      const std::filesystem::path& work_dir);

}  // namespace contactd::bench::e2e
