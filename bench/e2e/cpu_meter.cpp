#include "bench/e2e/cpu_meter.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace contactd::bench::e2e {

namespace {

// The fields of /proc/<pid>/stat after the command name (which may hold spaces, hence the last ')'):
// [0] is field 3 (state), so field N of proc(5) is at N - 3.
std::vector<std::string> StatFields(pid_t pid) {
    std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(file, line)) return {};
    const auto end_of_name = line.rfind(')');
    if (end_of_name == std::string::npos) return {};
    std::istringstream rest(line.substr(end_of_name + 1));
    std::vector<std::string> fields;
    for (std::string field; rest >> field;) fields.push_back(field);
    return fields;
}

constexpr std::size_t kPpid = 4 - 3;
constexpr std::size_t kUtime = 14 - 3;  // then stime, cutime, cstime: clock ticks

double Ticks(const std::vector<std::string>& fields, std::size_t first, std::size_t count) {
    double sum = 0;
    for (std::size_t i = first; i < first + count && i < fields.size(); ++i)
        sum += std::strtod(fields[i].c_str(), nullptr);
    return sum;
}

// CPU ticks of the live children of `parent` (utime + stime).
double LiveChildrenTicks(pid_t parent) {
    double ticks = 0;
    std::error_code error;
    for (std::filesystem::directory_iterator entry("/proc", error), end; !error && entry != end;
         entry.increment(error)) {
        const std::string name = entry->path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
        const auto fields = StatFields(static_cast<pid_t>(std::strtol(name.c_str(), nullptr, 10)));
        if (fields.size() > kUtime + 1 && std::strtol(fields[kPpid].c_str(), nullptr, 10) == parent) {
            ticks += Ticks(fields, kUtime, 2);
        }
    }
    return ticks;
}

}  // namespace

CpuReading ReadCpu(pid_t contactd, pid_t postmaster) {
    const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
    CpuReading reading;
    // A process's own utime and stime cover all its threads, the exited ones too.
    const auto server = StatFields(contactd);
    reading.contactd = Ticks(server, kUtime, 2) / tick;
    // The postmaster's cutime and cstime hold the backends it has reaped; the live ones are read one by one.
    // A backend reaped during the scan would be missed by both, so the scan is redone until the postmaster's
    // own figures stay put across it.
    std::vector<std::string> before = StatFields(postmaster);
    double postgres = 0;
    for (int attempt = 0; attempt < 5; ++attempt) {
        postgres = Ticks(before, kUtime, 4) + LiveChildrenTicks(postmaster);
        std::vector<std::string> after = StatFields(postmaster);
        if (Ticks(after, kUtime + 2, 2) == Ticks(before, kUtime + 2, 2)) break;
        before = std::move(after);
    }
    reading.postgres = postgres / tick;
    std::ifstream stat("/proc/stat");
    std::string cpu;
    double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0;
    const bool machine =
        static_cast<bool>(stat >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq) && cpu == "cpu";
    if (machine) {
        // Steal (time the hypervisor gave to someone else) is neither work done here nor idle.
        reading.machine_busy = (user + nice + system + irq + softirq) / tick;
        reading.machine_total = reading.machine_busy + (idle + iowait) / tick;
    }
    reading.ok = server.size() > kUtime + 1 && before.size() > kUtime + 3 && machine;
    return reading;
}

CpuSpent Between(const CpuReading& before, const CpuReading& after) {
    return {before.ok && after.ok, after.contactd - before.contactd, after.postgres - before.postgres,
            after.machine_busy - before.machine_busy, after.machine_total - before.machine_total};
}

}  // namespace contactd::bench::e2e
