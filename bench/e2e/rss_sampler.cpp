#include "bench/e2e/rss_sampler.hpp"

#include <chrono>
#include <fstream>
#include <string>

namespace contactd::bench::e2e {

std::uint64_t ReadPeakRss(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;  // "VmHWM:   12345 kB"
    }
    return 0;
}

RssSampler::RssSampler(pid_t pid) : pid_(pid) {
    thread_ = std::thread([this] {
        while (!stop_.load()) {
            Sample();
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    });
}

RssSampler::~RssSampler() {
    stop_.store(true);
    thread_.join();
}

void RssSampler::Sample() {
    const std::uint64_t now = ReadPeakRss(pid_);
    std::uint64_t seen = peak_.load();
    while (now > seen && !peak_.compare_exchange_weak(seen, now)) {
    }
}

std::uint64_t RssSampler::PeakBytes() {
    Sample();
    return peak_.load();
}

}  // namespace contactd::bench::e2e
