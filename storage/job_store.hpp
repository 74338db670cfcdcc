#pragma once
// Reading and cancelling batch jobs: the status document's data (counts summed from the chunks), result
// pages and the whole result stream, and cancel.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/job_status.hpp"
#include "engine/outcome.hpp"
#include "storage/connection_pool.hpp"

namespace contactd::storage {

//! A page of result lines (each with its '\n').
struct ResultsPage {
    std::vector<std::string> lines;
    //! The `after` for the next page; nullopt on the last page. While a job runs and results are missing
    //! beyond this page, it is the last index returned (or the request's `after`), so clients can poll on.
    std::optional<std::int64_t> next_after;
};

enum class CancelResult { kCancelled, kNotFound, kFinished };

class JobStore {
  public:
    explicit JobStore(ConnectionPool& pool) : pool_(pool) {}

    //! The job's status, or nothing for an unknown job (or one of another workspace).
    std::optional<engine::JobStatus> Status(const std::string& workspace_id, const std::string& job_id);

    //! Results after index `after` (exclusive), at most `limit`, optionally only OK or only IGNORED lines.
    ResultsPage Results(const std::string& workspace_id, const std::string& job_id, std::optional<std::int64_t> after,
                        int limit, std::optional<engine::Status> only);

    //! The result lines of the next few chunks from index `from` on (optionally filtered), for streaming the
    //! whole result set piece by piece in bounded memory. `done` at the end, or at the first chunk not
    //! applied yet.
    struct ResultPiece {
        std::string text;
        std::int64_t next_from = 0;
        bool done = false;
    };
    ResultPiece ReadResults(const std::string& workspace_id, const std::string& job_id, std::int64_t from,
                            std::optional<engine::Status> only);

    //! Cancels a job: its chunks not yet applied become CANCELLED; applied ones stay. Waits for a chunk in
    //! flight to commit first, so an item is never both applied and cancelled.
    CancelResult Cancel(const std::string& workspace_id, const std::string& job_id, engine::Millis now);

  private:
    ConnectionPool& pool_;
};

//! The result lines of a chunk that was cancelled (or abandoned by a failed job): IGNORED with `code` for
//! every item, with each item's `ref` when it has one.
std::string SyntheticResults(std::int64_t first_index, const std::string& items, engine::Code code,
                             const std::string& message);

}  // namespace contactd::storage
