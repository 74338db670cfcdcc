#pragma once
// Which workspace a free worker serves next (SPEC §6 "Fairness"): work is grouped by workspace, and
// runnable workspaces are served in turn — the one served least recently first, so a workspace that just
// got work goes ahead of those already being served — each within its item budget (a token bucket of
// `items_per_second`). A workspace is served by one worker at a time (that is what keeps its items in
// order). Pure policy: the clock is a parameter; callers serialise access.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/token_bucket.hpp"

namespace contactd::engine {

//! A workspace with pending work and its budget.
struct RunnableWorkspace {
    std::string workspace_id;
    std::int32_t items_per_second = 0;
};

class FairScheduler {
  public:
    //! `chunk_items`: the most items one step applies; a budget always holds at least one step's worth.
    explicit FairScheduler(std::int64_t chunk_items = 1000) : chunk_items_(chunk_items) {}

    //! The workspaces that have work now (from the database); others are forgotten unless busy.
    void SetRunnable(const std::vector<RunnableWorkspace>& workspaces, Millis now);
    //! One workspace got work (a job was accepted here).
    void MarkRunnable(const RunnableWorkspace& workspace, Millis now);

    //! The workspace to serve next, now marked busy; nothing when every runnable workspace is busy,
    //! deferred or out of budget.
    std::optional<std::string> Next(Millis now);
    //! Takes `items` from the workspace's budget if it holds them.
    bool TakeBudget(const std::string& workspace_id, std::int64_t items, Millis now);
    //! Returns budget taken for items that were not applied (a step applied fewer than it reserved).
    void ReturnBudget(const std::string& workspace_id, std::int64_t items);
    //! The worker is done with the workspace for now. `has_more` false: it has no pending work left.
    void Release(const std::string& workspace_id, bool has_more, Millis now);
    //! Skip the workspace until `until` (another node holds its lane).
    void Defer(const std::string& workspace_id, Millis until);

    //! Whether Next would name a workspace now: one is runnable, idle, not deferred and within budget. A
    //! worker whose slice is over keeps its workspace when no other is waiting.
    bool HasWaiting(Millis now);
    //! The earliest time a runnable, idle workspace becomes eligible (deferral or budget), if any.
    std::optional<Millis> NextEligibleAt(Millis now);
    bool IsBusy(const std::string& workspace_id) const;

  private:
    struct Entry {
        TokenBucket budget;
        std::int32_t items_per_second;
        Millis last_served = INT64_MIN;
        Millis deferred_until = INT64_MIN;
        bool busy = false;
        bool runnable = true;
    };
    Entry& Upsert(const RunnableWorkspace& workspace, Millis now);
    double StepItems(const Entry& entry) const;

    std::int64_t chunk_items_;
    std::map<std::string, Entry> entries_;
};

}  // namespace contactd::engine
