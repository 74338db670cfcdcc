#include "bench/e2e/fairness_probe.hpp"

#include <chrono>

#include "bench/e2e/api_client.hpp"
#include "bench/e2e/interrupt.hpp"

namespace contactd::bench::e2e {

namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(10);
constexpr auto kTimeout = std::chrono::minutes(10);

}  // namespace

FairnessProbe::FairnessProbe(std::string server_url, std::string api_key, std::vector<std::string> lines)
    : server_url_(std::move(server_url)), api_key_(std::move(api_key)), lines_(std::move(lines)) {}

FairnessProbe::~FairnessProbe() {
    if (thread_.joinable()) thread_.join();
}

void FairnessProbe::Start(double submitted_at, double big_job_progress, int other_jobs_running) {
    if (Started()) return;
    figures_.submitted_at = submitted_at;
    figures_.big_job_progress = big_job_progress;
    figures_.other_jobs_running = other_jobs_running;
    figures_.items = static_cast<int>(lines_.size());
    thread_ = std::thread([this] {
        try {
            Run();
        } catch (...) {
            error_ = std::current_exception();
        }
    });
}

void FairnessProbe::Run() {
    ApiClient client(server_url_);
    const auto start = std::chrono::steady_clock::now();
    const Acceptance acceptance = client.SubmitLines(api_key_, lines_);
    figures_.accept_seconds = acceptance.seconds;
    JobStatus status = acceptance.status;
    while (!status.Finished()) {
        if (std::chrono::steady_clock::now() - start > kTimeout) {
            throw std::runtime_error("the fairness job did not end within 10 minutes");
        }
        SleepFor(kPollInterval);
        status = client.Status(api_key_, status.job_id);
    }
    figures_.complete_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    figures_.state = status.state;
    figures_.created = status.counts.created;
    figures_.measured = true;
}

FairnessFigures FairnessProbe::Finish() {
    if (thread_.joinable()) thread_.join();
    if (error_) std::rethrow_exception(error_);
    return figures_;
}

}  // namespace contactd::bench::e2e
