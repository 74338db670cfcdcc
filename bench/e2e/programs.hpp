#pragma once
// The other programs the benchmark runs (wrk, pgbench, gnuplot): found on PATH, run to their end as children
// that die with the driver, with their output in a file.

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace contactd::bench::e2e {

//! The full path of `name` on $PATH; throws std::runtime_error naming the package script when it is missing.
std::filesystem::path FindProgram(const std::string& name);

//! Runs `argv` (argv[0] a full path) with stdout and stderr appended to `output`, waiting at most `timeout`.
//! Returns the exit code; throws std::runtime_error on a timeout or a signal, Interrupted on Ctrl-C (the child
//! is killed in every case).
int RunProgram(const std::vector<std::string>& argv, const std::filesystem::path& output, std::chrono::seconds timeout);

//! The whole of a (small) text file; empty when it cannot be read.
std::string ReadTextFile(const std::filesystem::path& path);

}  // namespace contactd::bench::e2e
