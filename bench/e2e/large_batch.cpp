#include "bench/e2e/large_batch.hpp"

#include <chrono>
#include <stdexcept>

#include "bench/e2e/api_client.hpp"
#include "bench/e2e/interrupt.hpp"

namespace contactd::bench::e2e {

namespace {

constexpr auto kEndTimeout = std::chrono::minutes(5);

}  // namespace

LargeBatchFigures RunLargeBatch(const std::string& server_url, const std::string& api_key,
                                const std::filesystem::path& file) {
    ApiClient client(server_url);
    LargeBatchFigures figures;
    const Acceptance acceptance = client.SubmitFile(api_key, file);
    figures.bytes = acceptance.bytes;
    figures.items = acceptance.status.counts.total;
    figures.accept_seconds = acceptance.seconds;

    const auto cancel_start = std::chrono::steady_clock::now();
    JobStatus status = acceptance.status;
    if (!status.Finished()) status = client.Cancel(api_key, status.job_id);
    while (!status.Finished()) {
        if (std::chrono::steady_clock::now() - cancel_start > kEndTimeout) {
            throw std::runtime_error("the cancelled 1 GiB job did not end within 5 minutes");
        }
        SleepFor(std::chrono::milliseconds(100));
        status = client.Status(api_key, status.job_id);
    }
    figures.cancel_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - cancel_start).count();
    figures.final_state = status.state;
    figures.applied = status.counts.processed -
                      (status.ignored_by_code.count("CANCELLED") ? status.ignored_by_code.at("CANCELLED") : 0);
    figures.measured = true;
    return figures;
}

}  // namespace contactd::bench::e2e
