#pragma once
// The machine a benchmark ran on, for the results page: CPU model, cores, memory, kernel.

#include <cstdint>
#include <string>

namespace contactd::bench::e2e {

struct MachineInfo {
    std::string cpu_model;  // "model name" of /proc/cpuinfo
    unsigned cores = 0;     // online logical CPUs
    std::uint64_t memory_bytes = 0;
    std::string kernel;  // uname -sr
};

MachineInfo ReadMachineInfo();

}  // namespace contactd::bench::e2e
