#pragma once
// The fairness measurement (SPEC §6 "Fairness", issue 3: under 1 s): while the big workspace's job runs, a
// small job of another workspace is submitted and timed from its POST until it is seen completed.

#include <cstdint>
#include <exception>
#include <string>
#include <thread>
#include <vector>

namespace contactd::bench::e2e {

//! What the probe measured.
struct FairnessFigures {
    bool measured = false;
    int items = 0;
    double accept_seconds = 0;    // POST to 202
    double complete_seconds = 0;  // POST to completed (polled every 10 ms)
    double submitted_at = 0;      // seconds into the timed run
    double big_job_progress = 0;  // share of the big job processed when the probe was submitted
    int other_jobs_running = 0;   // jobs of the timed run, besides the big one, still unfinished then
    std::string state;            // the small job's final state
    std::int64_t created = 0;     // contacts it created (all of its items, when it is right)
};

//! Runs the small job on a thread of its own once started.
class FairnessProbe {
  public:
    FairnessProbe(std::string server_url, std::string api_key, std::vector<std::string> lines);
    ~FairnessProbe();
    FairnessProbe(const FairnessProbe&) = delete;
    FairnessProbe& operator=(const FairnessProbe&) = delete;

    bool Started() const { return thread_.joinable(); }
    //! Submits the small job now (once), noting where the timed run stands.
    void Start(double submitted_at, double big_job_progress, int other_jobs_running);
    //! Waits for the small job to end and returns the figures; rethrows the probe's failure.
    FairnessFigures Finish();

  private:
    void Run();

    std::string server_url_;
    std::string api_key_;
    std::vector<std::string> lines_;
    FairnessFigures figures_;
    std::exception_ptr error_;
    std::thread thread_;
};

}  // namespace contactd::bench::e2e
