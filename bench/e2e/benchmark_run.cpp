#include "bench/e2e/benchmark_run.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <numeric>

#include "bench/e2e/api_client.hpp"
#include "bench/e2e/bench_cluster.hpp"
#include "bench/e2e/expected.hpp"
#include "bench/e2e/number_format.hpp"
#include "bench/e2e/pg_session.hpp"
#include "bench/e2e/rss_sampler.hpp"
#include "bench/e2e/server_process.hpp"
#include "bench/workload/workload.hpp"

namespace contactd::bench::e2e {

namespace {

constexpr int kFairnessItems = 50;
constexpr double kFairnessAtProgress = 0.2;  // share of the big job processed when the probe is submitted
constexpr double kJobsTimeoutSeconds = 1800;
constexpr int kPatchContacts = 10000;
constexpr const char* kFairnessWorkspace = "fairness";
constexpr const char* kLargeBatchWorkspace = "large-batch";
// Polling and the PATCH load must not be rate limited; 1,000,000 per minute is the highest budget allowed.
constexpr const char* kRequestBudget = R"(,"requests_per_minute":1000000})";

const auto g_start = std::chrono::steady_clock::now();

void Log(const std::string& message) {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - g_start).count();
    std::cerr << "[e2e " << Fixed(elapsed, 1) << " s] " << message << std::endl;
}

std::string RandomToken() {
    std::ifstream random("/dev/urandom", std::ios::binary);
    unsigned char bytes[24];
    if (!random.read(reinterpret_cast<char*>(bytes), sizeof bytes)) throw std::runtime_error("no /dev/urandom");
    static constexpr char kHex[] = "0123456789abcdef";
    std::string token = "bench-admin-";
    for (const unsigned char byte : bytes) {
        token += kHex[byte >> 4];
        token += kHex[byte & 15];
    }
    return token;
}

std::vector<BatchSubmission> Submissions(const ExpectedWorkload& workload,
                                         const std::map<std::string, std::string>& keys, bool preload) {
    std::vector<BatchSubmission> submissions;
    for (const ExpectedWorkspace& workspace : workload.workspaces) {
        submissions.push_back(
            {workspace.id, keys.at(workspace.id), preload ? workspace.preload_file : workspace.batch_file});
    }
    return submissions;
}

void Append(std::vector<Check>& checks, const std::vector<Check>& more) {
    checks.insert(checks.end(), more.begin(), more.end());
    for (const Check& check : more) {
        if (!check.ok) Log("MISMATCH " + check.name + ": expected " + check.expected + ", got " + check.actual);
    }
}

//! The timed run, with the fairness probe submitted from the sweep once the big job is far enough along.
void RunTimedBatch(const std::string& server_url, const ExpectedWorkload& workload,
                   const std::map<std::string, std::string>& keys, pid_t server_pid, pid_t postmaster_pid,
                   BenchResults& results) {
    FairnessProbe probe(server_url, keys.at(kFairnessWorkspace), GenerateSmallBatch(workload.seed, kFairnessItems));
    const auto on_sweep = [&](double elapsed, const std::vector<JobStatus>& statuses) {
        const JobStatus& big = statuses.front();
        if (probe.Started() || big.job_id.empty() || big.counts.total == 0) return;
        const double progress = static_cast<double>(big.counts.processed) / static_cast<double>(big.counts.total);
        if (progress < kFairnessAtProgress && !big.Finished()) return;
        const auto others = std::count_if(statuses.begin() + 1, statuses.end(),
                                          [](const JobStatus& status) { return !status.Finished(); });
        Log("fairness probe: submitting " + std::to_string(kFairnessItems) + " items with " +
            workload.workspaces.front().id + " at " + Fixed(progress * 100, 0) + "%");
        probe.Start(elapsed, progress, static_cast<int>(others));
    };
    const CpuReading cpu_before = ReadCpu(server_pid, postmaster_pid);
    results.batch.run =
        RunConcurrentBatches(server_url, Submissions(workload, keys, false), kJobsTimeoutSeconds, on_sweep);
    results.batch.cpu = Between(cpu_before, ReadCpu(server_pid, postmaster_pid));
    results.batch.items = std::accumulate(workload.workspaces.begin(), workload.workspaces.end(), std::int64_t{0},
                                          [](std::int64_t sum, const ExpectedWorkspace& w) { return sum + w.items; });
    for (const JobRun& job : results.batch.run.jobs) results.batch.bytes += job.bytes;
    results.batch.measured = true;
    if (!probe.Started()) probe.Start(results.batch.run.seconds, 1, 0);  // too small a run to catch it running
    results.fairness = probe.Finish();
    Log("timed batch: " + Grouped(results.batch.items) + " items in " + Fixed(results.batch.run.seconds, 1) + " s (" +
        Grouped(std::llround(results.batch.ItemsPerSecond())) + " items/s); fairness job " +
        Fixed(results.fairness.complete_seconds, 3) + " s");
}

void RunPhases(const E2eOptions& options, const std::filesystem::path& run_dir, const ExpectedWorkload& workload,
               BenchCluster& cluster, BenchResults& results) {
    const std::string admin_token = RandomToken();
    Log("starting contactd serve");
    ServerProcess server({options.contactd, run_dir / "server", run_dir / "contactd.log", cluster.ContactdUrl(),
                          admin_token, options.server_args});
    RssSampler rss(server.Pid());
    try {
        ApiClient admin(server.Url());
        std::map<std::string, std::string> keys;
        std::vector<std::string> workspace_ids;
        for (const ExpectedWorkspace& workspace : workload.workspaces) workspace_ids.push_back(workspace.id);
        workspace_ids.push_back(kFairnessWorkspace);
        if (options.large_batch) workspace_ids.push_back(kLargeBatchWorkspace);
        for (const std::string& id : workspace_ids) {
            keys[id] = admin.CreateWorkspace(admin_token, R"({"id":")" + id + "\"" + kRequestBudget);
        }

        Log("preload: " + Grouped(results.run.preload_contacts) + " contacts");
        results.preload = RunConcurrentBatches(server.Url(), Submissions(workload, keys, true), kJobsTimeoutSeconds);
        results.preload_measured = true;
        results.memory.after_preload = rss.PeakBytes();
        Append(results.checks, CheckPreloadJobs(workload, results.preload));
        Log("preload done in " + Fixed(results.preload.seconds, 1) + " s; checkpoint");
        cluster.Checkpoint();

        Log("timed batch: " + std::to_string(workload.workspaces.size()) + " POSTs at once");
        RunTimedBatch(server.Url(), workload, keys, server.Pid(), cluster.PostmasterPid(), results);
        results.memory.after_batch = rss.PeakBytes();
        Append(results.checks, CheckTimedJobs(workload, results.batch.run));
        Append(results.checks, {{"fairness job: every item created", std::to_string(kFairnessItems) + " created",
                                 results.fairness.state + ", " + std::to_string(results.fairness.created) + " created",
                                 results.fairness.state == "completed" && results.fairness.created == kFairnessItems}});
        Log("correctness: counts and samples");
        Append(results.checks, CheckStoredContacts(workload, cluster.ContactdUrl(), server.Url(), keys));

        // The reference is measured against the cluster at rest: the autovacuum the million updates set off
        // (contacts, contact_keys, the staged chunks) would otherwise run during its COPYs, on the other core.
        Log("COPY reference: vacuum of the contactd database");
        cluster.VacuumContactd();
        Log("COPY reference: exporting the stored rows");
        const StoredRows rows = ExportStoredRows(
            cluster.ContactdUrl(),
            std::vector<std::string>(workspace_ids.begin(),
                                     workspace_ids.begin() + static_cast<std::ptrdiff_t>(workload.workspaces.size())),
            run_dir);
        Log("COPY reference: timed COPYs");
        results.copy = RunCopyReference(cluster, rows);
        std::filesystem::remove(rows.contacts_file);
        std::filesystem::remove(rows.keys_file);
        Log("COPY: " + Grouped(std::llround(results.copy.ContactsPerSecond())) + " rows/s, with claims " +
            Grouped(std::llround(results.copy.WithKeysPerSecond())) + " contacts/s");

        Log("PATCH: wrk, then pgbench, " + std::to_string(options.patch_connections) + " connections, " +
            std::to_string(options.patch_seconds) + " s each");
        const std::string& big = workload.workspaces.front().id;
        results.patch = RunPatchLoad(cluster, {server.Url(), keys.at(big), big, options.patch_connections,
                                               options.patch_seconds, kPatchContacts, options.scripts, run_dir});
        Append(results.checks,
               {{"PATCH load: every request answered 2xx", "0 errors",
                 std::to_string(results.patch.contactd.errors) + " errors", results.patch.contactd.errors == 0},
                {"pgbench reference: no failed transaction", "0 failed",
                 std::to_string(results.patch.pgbench.errors) + " failed", results.patch.pgbench.errors == 0}});

        if (options.large_batch) {
            // As for the reference: the cleanup of the PATCH phase's updates is not part of the acceptance.
            Log("1 GiB acceptance: vacuum, checkpoint");
            cluster.VacuumContactd();
            cluster.Checkpoint();  // as before every timed phase: no WAL of the PATCH phase left to flush
            results.large =
                RunLargeBatch(server.Url(), keys.at(kLargeBatchWorkspace), options.workload / "large-batch.ndjson");
            Log("1 GiB batch accepted at " + Fixed(results.large.MegabytesPerSecond(), 1) + " MB/s; " +
                results.large.final_state);
        } else {
            results.large_skipped = true;
        }
        results.memory.whole_run = rss.PeakBytes();
        Log("stopping contactd");
        server.Stop();
    } catch (...) {
        results.memory.whole_run = rss.PeakBytes();
        Log("stopping contactd; its log: " + (run_dir / "contactd.log").string());
        throw;
    }
}

}  // namespace

void RunBenchmark(const E2eOptions& options, const std::filesystem::path& run_dir, BenchResults& results) {
    const ExpectedWorkload workload = LoadExpectedWorkload(options.workload);
    results.run.items = workload.items;
    results.run.seed = workload.seed;
    results.run.workspaces = static_cast<int>(workload.workspaces.size());
    for (const ExpectedWorkspace& workspace : workload.workspaces) results.run.preload_contacts += workspace.preload;
    if (options.large_batch && !std::filesystem::is_regular_file(options.workload / "large-batch.ndjson")) {
        throw std::runtime_error("no large-batch.ndjson in " + options.workload.string() +
                                 " (contactd_workload --large-batch writes it), or pass --no-1gib");
    }
    Log("starting PostgreSQL in " + (run_dir / "pg").string());
    BenchCluster cluster(run_dir / "pg");
    results.run.postgres_version =
        "PostgreSQL " + PgSession(cluster.ContactdUrl()).Query("SHOW server_version").at(0).at(0);
    results.run.huge_pages_kib = cluster.HugePagesKib();
    RunPhases(options, run_dir, workload, cluster, results);
    Log("stopping PostgreSQL");
    cluster.Stop();
}

}  // namespace contactd::bench::e2e
