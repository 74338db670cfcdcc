#pragma once
// Writes bench/RESULTS.md: the machine, date, commit and command; every figure beside its reference and their
// ratio; the issue targets and whether each is met; the timed jobs one by one; the correctness checks; and
// how each figure was measured.

#include <filesystem>
#include <string>

#include "bench/e2e/bench_results.hpp"

namespace contactd::bench::e2e {

//! Writes the page; `chart_name` is the chart's path relative to the page (empty: no chart).
void WriteResultsPage(const BenchResults& results, const std::filesystem::path& path, const std::string& chart_name);

//! The headline figures as a few lines for the terminal.
std::string ResultsSummary(const BenchResults& results);

}  // namespace contactd::bench::e2e
