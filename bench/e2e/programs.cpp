#include "bench/e2e/programs.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "bench/e2e/interrupt.hpp"
#include "storage/child_process.hpp"

namespace contactd::bench::e2e {

std::filesystem::path FindProgram(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "/usr/bin:/bin");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        if (dir.empty()) continue;
        const std::filesystem::path candidate = std::filesystem::path(dir) / name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    throw std::runtime_error(name + " not found on PATH; install it with scripts/install-deps.sh --bench");
}

int RunProgram(const std::vector<std::string>& argv, const std::filesystem::path& output,
               std::chrono::seconds timeout) {
    storage::ProcessSpec spec;
    spec.argv = argv;
    spec.output = output;
    spec.parent_death_signal = SIGKILL;
    spec.own_process_group = true;  // stopped by us, not by the terminal's Ctrl-C
    storage::ChildProcess child = storage::ChildProcess::Start(spec);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (const auto status = child.WaitFor(std::chrono::milliseconds(50))) {
            if (WIFEXITED(*status)) return WEXITSTATUS(*status);
            throw std::runtime_error(argv[0] + " " + storage::DescribeWaitStatus(*status) + " (output in " +
                                     output.string() + ")");
        }
        ThrowIfInterrupted();  // the child's destructor kills it
        if (std::chrono::steady_clock::now() >= deadline) {
            throw std::runtime_error(argv[0] + " did not finish within " + std::to_string(timeout.count()) + " s");
        }
    }
}

std::string ReadTextFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace contactd::bench::e2e
