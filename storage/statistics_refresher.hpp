#pragma once
// Keeps the planner's statistics of the contact tables fresh during bulk loads: the batch workers report
// the contacts they create, and when engine::StatisticsPolicy says some workspace has outgrown what the
// statistics know, this runs ANALYZE on its own thread and connection, never inside a chunk's transaction.
// (Why it matters, with the measurement, is in engine/statistics_policy.hpp.)

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "engine/statistics_policy.hpp"

namespace contactd::storage {

class ConnectionPool;

class StatisticsRefresher {
  public:
    //! Told why an ANALYZE failed. The rows it was for count as seen all the same: the next ANALYZE comes with
    //! the next growth, and autovacuum's own remains the fallback.
    using ErrorSink = std::function<void(const std::string& message)>;

    StatisticsRefresher(ConnectionPool& pool, engine::StatisticsPolicy policy = engine::StatisticsPolicy(),
                        ErrorSink on_error = {});
    ~StatisticsRefresher();  // an ANALYZE under way finishes first
    StatisticsRefresher(const StatisticsRefresher&) = delete;
    StatisticsRefresher& operator=(const StatisticsRefresher&) = delete;

    //! `rows` contacts were created in `workspace_id` (and committed). Cheap: the ANALYZE, when due, runs on
    //! the refresher's thread.
    void Created(const std::string& workspace_id, std::int64_t rows);
    //! How many refreshes have completed.
    std::int64_t refreshes() const;

  private:
    void Run();

    ConnectionPool& pool_;
    ErrorSink on_error_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    engine::StatisticsPolicy policy_;
    std::int64_t refreshes_ = 0;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace contactd::storage
