#pragma once
// Single-contact PATCH under concurrent load over loopback (issue 4, item 3): wrk with patch.lua against
// contactd, then pgbench with patch_pgbench.sql (the equivalent one-row update transaction) against the
// reference database, with the same number of connections for the same time, on the same contacts.

#include <cstdint>
#include <filesystem>
#include <string>

namespace contactd::bench::e2e {

class BenchCluster;

//! One load generator's figures.
struct LoadFigures {
    bool measured = false;
    std::int64_t requests = 0;  // completed requests (transactions)
    std::int64_t errors = 0;    // non-2xx answers, socket errors, failed transactions
    double seconds = 0;
    double p50_ms = 0;
    double p99_ms = 0;

    double PerSecond() const { return seconds > 0 ? static_cast<double>(requests) / seconds : 0; }
};

struct PatchFigures {
    bool measured = false;
    int connections = 0;
    int seconds = 0;
    int contacts = 0;  // how many distinct contacts the requests pick from
    LoadFigures contactd;
    LoadFigures pgbench;
};

struct PatchConfig {
    std::string server_url;
    std::string api_key;
    std::string workspace_id;  // whose contacts are patched
    int connections = 16;
    int seconds = 15;
    int contacts = 10000;
    std::filesystem::path scripts_dir;  // holds patch.lua and patch_pgbench.sql
    std::filesystem::path run_dir;      // ids file, outputs and pgbench logs
};

//! Runs both loads, a checkpoint before each. Throws std::runtime_error when a tool fails or prints no result.
PatchFigures RunPatchLoad(const BenchCluster& cluster, const PatchConfig& config);

}  // namespace contactd::bench::e2e
