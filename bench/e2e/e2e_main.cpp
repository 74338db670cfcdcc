// contactd_e2e: the end-to-end benchmark of issue 4, run by scripts/bench.sh. On one fresh embedded PostgreSQL
// it runs `contactd serve` against the reference workload (contactd_workload) and measures, each beside its
// physical reference: the batch end to end against a single-stream COPY of the same rows, acceptance (also of a
// 1 GiB batch), fairness, single-contact PATCH under load against pgbench, and the server's peak memory; then
// checks that the database holds what the generator says it must. It writes bench/RESULTS.md and
// bench/results.png, and exits non-zero when anything failed or did not match. Why: contactd exists to be fast,
// so its speed is measured and recorded, never guessed, and a fast wrong answer must fail.
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <iostream>

#include "bench/e2e/benchmark_run.hpp"
#include "bench/e2e/e2e_options.hpp"
#include "bench/e2e/interrupt.hpp"
#include "bench/e2e/machine_info.hpp"
#include "bench/e2e/results_chart.hpp"
#include "bench/e2e/results_page.hpp"

namespace {

using contactd::bench::e2e::BenchResults;
using contactd::bench::e2e::E2eOptions;

constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitInterrupted = 130;

std::string UtcNow() {
    const std::time_t now = std::time(nullptr);
    std::tm parts{};
    gmtime_r(&now, &parts);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M UTC", &parts);
    return buffer;
}

//! A new folder under /tmp that the PostgreSQL user (when we are root) can pass through.
std::filesystem::path MakeRunDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "contactd-e2e-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot create a folder under /tmp");
    ::chmod(pattern.c_str(), 0711);
    return pattern;
}

void FillRunInfo(const E2eOptions& options, BenchResults& results) {
    results.run.date_utc = UtcNow();
    results.run.commit = options.commit;
    results.run.command =
        options.command.empty() ? "contactd_e2e --workload " + options.workload.string() : options.command;
    results.run.machine = contactd::bench::e2e::ReadMachineInfo();
    for (const std::string& arg : options.server_args) {
        results.run.server_args += (results.run.server_args.empty() ? "" : " ") + arg;
    }
}

//! Writes the chart (when there is something to draw) and the page; returns false when either failed.
bool WriteResults(const E2eOptions& options, const std::filesystem::path& run_dir, const BenchResults& results) {
    bool ok = true;
    std::string chart_name;
    if (results.batch.measured && results.copy.measured && results.patch.measured) {
        try {
            contactd::bench::e2e::DrawResultsChart(results, std::filesystem::absolute(options.chart), run_dir);
            chart_name = std::filesystem::relative(std::filesystem::absolute(options.chart),
                                                   std::filesystem::absolute(options.results).parent_path())
                             .string();
        } catch (const std::exception& error) {
            std::cerr << "contactd_e2e: the chart failed: " << error.what() << "\n";
            ok = false;
        }
    }
    try {
        contactd::bench::e2e::WriteResultsPage(results, options.results, chart_name);
        std::cout << "results: " << options.results.string()
                  << (chart_name.empty() ? "" : " and " + options.chart.string()) << "\n";
    } catch (const std::exception& error) {
        std::cerr << "contactd_e2e: " << error.what() << "\n";
        ok = false;
    }
    return ok;
}

}  // namespace

int main(int argc, char** argv) {
    contactd::bench::e2e::InstallInterruptHandlers();
    E2eOptions options;
    try {
        options = contactd::bench::e2e::ParseE2eOptions(argc, argv);
    } catch (const std::exception& error) {
        std::cerr << error.what() << "\n";
        return kExitUsage;
    }
    BenchResults results;
    FillRunInfo(options, results);
    const auto start = std::chrono::steady_clock::now();
    int exit_code = 0;
    std::filesystem::path run_dir = options.run_dir;
    try {
        if (run_dir.empty()) run_dir = MakeRunDir();
        std::filesystem::create_directories(run_dir);
        contactd::bench::e2e::RunBenchmark(options, run_dir, results);
    } catch (const contactd::bench::e2e::Interrupted&) {
        results.failure = "interrupted";
        exit_code = kExitInterrupted;
    } catch (const std::exception& error) {
        results.failure = error.what();
        exit_code = kExitFailed;
        std::cerr << "contactd_e2e: " << error.what() << "\n";
    }
    results.run.driver_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (options.started_at) {
        results.run.total_seconds = static_cast<double>(std::time(nullptr) - *options.started_at);
    }
    if (exit_code == kExitInterrupted) {
        if (options.run_dir.empty() && !run_dir.empty()) {
            std::error_code ignored;
            std::filesystem::remove_all(run_dir, ignored);
        }
        std::cerr << "contactd_e2e: interrupted; everything it started has been stopped (results not written)\n";
        return exit_code;
    }
    if (!WriteResults(options, run_dir, results) && exit_code == 0) exit_code = kExitFailed;
    std::cout << contactd::bench::e2e::ResultsSummary(results);
    if (exit_code == 0 && !results.Passed()) {
        std::cerr << "contactd_e2e: correctness checks failed (see " << options.results.string() << ")\n";
        exit_code = kExitFailed;
    }
    if (exit_code == 0 && !options.keep_run_dir && options.run_dir.empty()) {
        std::error_code ignored;
        std::filesystem::remove_all(run_dir, ignored);
    } else if (!run_dir.empty()) {
        std::cerr << "contactd_e2e: logs and data kept in " << run_dir.string() << "\n";
    }
    return exit_code;
}
