#include "ingest/metrics.hpp"

#include <cstdio>

namespace contactd::ingest {

Counter& Metrics::GetCounter(const std::string& name, const std::string& help, const std::string& labels) {
    std::lock_guard lock(mutex_);
    Family& family = families_[name];
    family.help = help;
    family.type = "counter";
    auto& counter = family.counters[labels];
    if (!counter) counter = std::make_unique<Counter>();
    return *counter;
}

void Metrics::AddGauge(const std::string& name, const std::string& help, std::function<double()> read) {
    std::lock_guard lock(mutex_);
    Family& family = families_[name];
    family.help = help;
    family.type = "gauge";
    family.gauge = std::move(read);
}

std::string Metrics::Render() const {
    std::lock_guard lock(mutex_);
    std::string out;
    for (const auto& [name, family] : families_) {
        out += "# HELP " + name + " " + family.help + "\n# TYPE " + name + " " + family.type + "\n";
        if (family.gauge) {
            char value[64];
            std::snprintf(value, sizeof value, "%.17g", family.gauge());
            out += name + " " + value + "\n";
            continue;
        }
        for (const auto& [labels, counter] : family.counters) {
            out += name + (labels.empty() ? "" : "{" + labels + "}") + " " + std::to_string(counter->Value()) + "\n";
        }
    }
    return out;
}

}  // namespace contactd::ingest
