#include "bench/e2e/e2e_options.hpp"

#include <stdexcept>
#include <string_view>

namespace contactd::bench::e2e {

namespace {

constexpr const char* kUsage =
    "usage: contactd_e2e --workload DIR [--contactd PATH] [--scripts DIR] [--results FILE] [--chart FILE]\n"
    "                    [--run-dir DIR] [--keep-run-dir] [--no-1gib] [--patch-connections N] [--patch-seconds N]\n"
    "                    [--server-arg ARG]... [--commit SHA] [--command TEXT] [--started-at UNIX_SECONDS]";

int PositiveInt(const std::string& flag, const std::string& value) {
    try {
        const int number = std::stoi(value);
        if (number > 0) return number;
    } catch (const std::exception&) {
    }
    throw std::invalid_argument(flag + " needs a positive number, got \"" + value + "\"\n" + kUsage);
}

}  // namespace

E2eOptions ParseE2eOptions(int argc, char** argv) {
    E2eOptions options;
    options.contactd = CONTACTD_BINARY;
    options.scripts = CONTACTD_E2E_SCRIPTS;
    options.results = std::filesystem::path(CONTACTD_BENCH_DIR) / "RESULTS.md";
    options.chart = std::filesystem::path(CONTACTD_BENCH_DIR) / "results.png";
    for (int index = 1; index < argc; ++index) {
        const std::string flag = argv[index];
        auto value = [&]() -> std::string {
            if (index + 1 >= argc) throw std::invalid_argument(flag + " needs a value\n" + kUsage);
            return argv[++index];
        };
        if (flag == "--workload") {
            options.workload = value();
        } else if (flag == "--contactd") {
            options.contactd = value();
        } else if (flag == "--scripts") {
            options.scripts = value();
        } else if (flag == "--results") {
            options.results = value();
        } else if (flag == "--chart") {
            options.chart = value();
        } else if (flag == "--run-dir") {
            options.run_dir = value();
        } else if (flag == "--keep-run-dir") {
            options.keep_run_dir = true;
        } else if (flag == "--no-1gib") {
            options.large_batch = false;
        } else if (flag == "--patch-connections") {
            options.patch_connections = PositiveInt(flag, value());
        } else if (flag == "--patch-seconds") {
            options.patch_seconds = PositiveInt(flag, value());
        } else if (flag == "--server-arg") {
            options.server_args.push_back(value());
        } else if (flag == "--commit") {
            options.commit = value();
        } else if (flag == "--command") {
            options.command = value();
        } else if (flag == "--started-at") {
            options.started_at = std::stoll(value());
        } else if (flag == "--help" || flag == "-h") {
            throw std::invalid_argument(kUsage);
        } else {
            throw std::invalid_argument("unknown argument " + flag + "\n" + kUsage);
        }
    }
    if (options.workload.empty()) throw std::invalid_argument(std::string("--workload is required\n") + kUsage);
    return options;
}

}  // namespace contactd::bench::e2e
