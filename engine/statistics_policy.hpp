#pragma once
// When the planner's statistics of the contact tables are stale enough to refresh (ANALYZE).
//
// A bulk load makes them stale fast, and PostgreSQL's autovacuum notices only after its nap (a minute by
// default) and 10% of the whole table. Meanwhile a workspace that grew from nothing is estimated to hold a
// handful of rows, and the planner reads its whole range of the primary key instead of probing the ids a
// chunk names: measured, 117 ms instead of 17 ms per 1,000-item chunk at 400,000 contacts, growing with
// the workspace. So the batch workers count what they create per workspace and ask for an ANALYZE when
// some workspace has grown by half since the statistics last saw it (and by at least `floor_rows`).
// Counting per workspace matters: a new tenant's first million rows are a small share of a large table.

#include <cstdint>
#include <string>
#include <unordered_map>

namespace contactd::engine {

class StatisticsPolicy {
  public:
    //! `floor_rows`: the least growth worth an ANALYZE; `growth`: the share of a workspace's rows (as the
    //! statistics last saw them) it may grow by before they are refreshed.
    explicit StatisticsPolicy(std::int64_t floor_rows = 20000, double growth = 0.5)
        : floor_rows_(floor_rows), growth_(growth) {}

    //! Records rows created in a workspace; true when the statistics should now be refreshed.
    bool Created(const std::string& workspace_id, std::int64_t rows);
    //! Whether some workspace has grown enough.
    bool Due() const { return due_; }
    //! The statistics were refreshed after every row recorded so far.
    void Refreshed();

  private:
    struct Growth {
        std::int64_t seen = 0;   // rows the statistics know of (counted here)
        std::int64_t since = 0;  // rows created since
    };
    bool Grown(const Growth& growth) const;

    std::int64_t floor_rows_;
    double growth_;
    std::unordered_map<std::string, Growth> workspaces_;
    bool due_ = false;
};

}  // namespace contactd::engine
