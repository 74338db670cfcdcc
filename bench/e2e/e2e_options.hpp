#pragma once
// The driver's command line. scripts/bench.sh passes all of it; the defaults suit a build tree.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace contactd::bench::e2e {

struct E2eOptions {
    std::filesystem::path workload;          // --workload: contactd_workload's folder (required)
    std::filesystem::path contactd;          // --contactd: the server binary
    std::filesystem::path scripts;           // --scripts: patch.lua and patch_pgbench.sql
    std::filesystem::path results;           // --results: RESULTS.md to write
    std::filesystem::path chart;             // --chart: PNG to write
    std::filesystem::path run_dir;           // --run-dir: cluster, logs, exports (default: a new folder under /tmp)
    bool keep_run_dir = false;               // --keep-run-dir: also after a successful run
    bool large_batch = true;                 // --no-1gib turns the 1 GiB acceptance off
    int patch_connections = 16;              // --patch-connections
    int patch_seconds = 15;                  // --patch-seconds
    std::vector<std::string> server_args;    // --server-arg (repeatable): passed to `contactd serve`
    std::string commit = "unknown";          // --commit
    std::string command;                     // --command: as the results page should show it
    std::optional<std::int64_t> started_at;  // --started-at: Unix seconds when scripts/bench.sh began
};

//! Parses the arguments; throws std::invalid_argument with a usage message.
E2eOptions ParseE2eOptions(int argc, char** argv);

}  // namespace contactd::bench::e2e
