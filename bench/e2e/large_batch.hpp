#pragma once
// Acceptance of a ~1 GiB NDJSON batch (issue 3: at least 150 MB/s): the file is POSTed to a workspace of its
// own, timed from the first byte to the 202, and the job is cancelled at once so that the run does not spend
// its time applying a million items.

#include <cstdint>
#include <filesystem>
#include <string>

namespace contactd::bench::e2e {

struct LargeBatchFigures {
    bool measured = false;
    std::uint64_t bytes = 0;
    std::int64_t items = 0;
    double accept_seconds = 0;
    double cancel_seconds = 0;  // DELETE until the job was seen ended
    std::string final_state;    // cancelled, or completed if it won the race
    std::int64_t applied = 0;   // items applied before the cancel took effect

    double MegabytesPerSecond() const {
        return accept_seconds > 0 ? static_cast<double>(bytes) / 1e6 / accept_seconds : 0;
    }
};

//! Submits `file` with `api_key`, then cancels the job and waits until it has ended.
LargeBatchFigures RunLargeBatch(const std::string& server_url, const std::string& api_key,
                                const std::filesystem::path& file);

}  // namespace contactd::bench::e2e
