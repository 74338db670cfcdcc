#include "bench/e2e/machine_info.hpp"

#include <sys/utsname.h>

#include <fstream>
#include <thread>

namespace contactd::bench::e2e {

namespace {

std::string Trimmed(const std::string& text) {
    const auto first = text.find_first_not_of(" \t");
    const auto last = text.find_last_not_of(" \t");
    return first == std::string::npos ? "" : text.substr(first, last - first + 1);
}

}  // namespace

MachineInfo ReadMachineInfo() {
    MachineInfo info;
    info.cores = std::thread::hardware_concurrency();
    std::ifstream cpuinfo("/proc/cpuinfo");
    for (std::string line; std::getline(cpuinfo, line);) {
        if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos) {
            info.cpu_model = Trimmed(line.substr(line.find(':') + 1));
            break;
        }
    }
    std::ifstream meminfo("/proc/meminfo");
    for (std::string line; std::getline(meminfo, line);) {
        if (line.rfind("MemTotal:", 0) == 0) {
            info.memory_bytes = std::stoull(line.substr(9)) * 1024;
            break;
        }
    }
    utsname names{};
    if (::uname(&names) == 0) info.kernel = std::string(names.sysname) + " " + names.release;
    if (info.cpu_model.empty()) info.cpu_model = "unknown CPU";
    return info;
}

}  // namespace contactd::bench::e2e
