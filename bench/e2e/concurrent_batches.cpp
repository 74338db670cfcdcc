#include "bench/e2e/concurrent_batches.hpp"

#include <chrono>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "bench/e2e/interrupt.hpp"

namespace contactd::bench::e2e {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kSweepPause = std::chrono::milliseconds(100);

double Seconds(Clock::time_point from, Clock::time_point to) {
    return std::chrono::duration<double>(to - from).count();
}

//! What the submitting threads hand to the main thread.
struct Slot {
    std::mutex mutex;
    bool accepted = false;
    Acceptance acceptance;
    double accepted_at = 0;
    std::exception_ptr error;
};

}  // namespace

ConcurrentRun RunConcurrentBatches(const std::string& server_url, const std::vector<BatchSubmission>& submissions,
                                   double timeout_seconds, const SweepHook& on_sweep) {
    std::vector<Slot> slots(submissions.size());
    ConcurrentRun run;
    run.jobs.resize(submissions.size());
    std::vector<JobStatus> statuses(submissions.size());
    std::vector<bool> done(submissions.size(), false);
    ApiClient poller(server_url);

    const Clock::time_point start = Clock::now();
    std::vector<std::jthread> threads;
    for (std::size_t index = 0; index < submissions.size(); ++index) {
        threads.emplace_back([&, index] {
            Slot& slot = slots[index];
            try {
                ApiClient client(server_url);
                Acceptance acceptance = client.SubmitFile(submissions[index].api_key, submissions[index].file);
                const std::lock_guard lock(slot.mutex);
                slot.acceptance = std::move(acceptance);
                slot.accepted_at = Seconds(start, Clock::now());
                slot.accepted = true;
            } catch (...) {
                const std::lock_guard lock(slot.mutex);
                slot.error = std::current_exception();
            }
        });
    }

    std::size_t remaining = submissions.size();
    while (remaining > 0) {
        SleepFor(kSweepPause);
        for (std::size_t index = 0; index < submissions.size(); ++index) {
            if (done[index]) continue;
            JobRun& job = run.jobs[index];
            {
                Slot& slot = slots[index];
                const std::lock_guard lock(slot.mutex);
                if (slot.error) std::rethrow_exception(slot.error);
                if (!slot.accepted) continue;
                if (job.workspace_id.empty()) {
                    job.workspace_id = submissions[index].workspace_id;
                    job.bytes = slot.acceptance.bytes;
                    job.accept_seconds = slot.acceptance.seconds;
                    job.accepted_at = slot.accepted_at;
                    statuses[index] = slot.acceptance.status;
                }
            }
            statuses[index] = poller.Status(submissions[index].api_key, statuses[index].job_id);
            if (statuses[index].Finished()) {
                job.completed_at = Seconds(start, Clock::now());
                job.final_status = statuses[index];
                done[index] = true;
                --remaining;
                if (statuses[index].state != "completed") {
                    throw std::runtime_error("the job of " + job.workspace_id + " ended " + statuses[index].state);
                }
            }
        }
        const double elapsed = Seconds(start, Clock::now());
        if (on_sweep) on_sweep(elapsed, statuses);
        if (elapsed > timeout_seconds) {
            throw std::runtime_error("the jobs did not complete within " + std::to_string(timeout_seconds) + " s");
        }
    }
    for (const JobRun& job : run.jobs) {
        run.seconds = std::max(run.seconds, job.completed_at);
        run.last_accepted_at = std::max(run.last_accepted_at, job.accepted_at);
    }
    return run;
}

}  // namespace contactd::bench::e2e
