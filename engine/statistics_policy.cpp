#include "engine/statistics_policy.hpp"

namespace contactd::engine {

bool StatisticsPolicy::Grown(const Growth& growth) const {
    const auto relative = static_cast<std::int64_t>(static_cast<double>(growth.seen) * growth_);
    return growth.since >= floor_rows_ && growth.since >= relative;
}

bool StatisticsPolicy::Created(const std::string& workspace_id, std::int64_t rows) {
    if (rows <= 0) return due_;
    Growth& growth = workspaces_[workspace_id];
    growth.since += rows;
    if (Grown(growth)) due_ = true;
    return due_;
}

void StatisticsPolicy::Refreshed() {
    for (auto& [id, growth] : workspaces_) {
        growth.seen += growth.since;
        growth.since = 0;
    }
    due_ = false;
}

}  // namespace contactd::engine
