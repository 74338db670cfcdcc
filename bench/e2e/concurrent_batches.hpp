#pragma once
// Submits one NDJSON file per workspace, all at once (one connection and thread each), and follows the jobs
// until every one has completed: the shape of both the untimed preload and the timed run.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "bench/e2e/api_client.hpp"

namespace contactd::bench::e2e {

//! One file to submit.
struct BatchSubmission {
    std::string workspace_id;
    std::string api_key;
    std::filesystem::path file;
};

//! How one job went; times are seconds from the start of the run (the first byte of the first POST).
struct JobRun {
    std::string workspace_id;
    std::uint64_t bytes = 0;
    double accept_seconds = 0;  // its own POST: first byte to 202
    double accepted_at = 0;     // when its 202 arrived
    double completed_at = 0;    // when it was first seen completed
    JobStatus final_status;
};

//! The whole run: from the first byte of the first POST until every job was seen completed.
struct ConcurrentRun {
    double seconds = 0;
    double last_accepted_at = 0;
    std::vector<JobRun> jobs;  // in the order of the submissions
};

//! Called after each sweep over the jobs' statuses (every ~100 ms), with the seconds since the start and
//! the latest status of each job (an empty job_id while its POST runs).
using SweepHook = std::function<void(double elapsed, const std::vector<JobStatus>& statuses)>;

//! Runs the submissions concurrently and waits for every job to complete. Throws std::runtime_error when a
//! POST is refused or a job ends other than `completed`, or when it all takes longer than `timeout_seconds`.
ConcurrentRun RunConcurrentBatches(const std::string& server_url, const std::vector<BatchSubmission>& submissions,
                                   double timeout_seconds, const SweepHook& on_sweep = {});

}  // namespace contactd::bench::e2e
