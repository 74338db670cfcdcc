#include "engine/scheduler.hpp"

#include <algorithm>

namespace contactd::engine {

FairScheduler::Entry& FairScheduler::Upsert(const RunnableWorkspace& workspace, Millis now) {
    const double rate = std::max<std::int32_t>(1, workspace.items_per_second);
    const double capacity = std::max(rate, static_cast<double>(chunk_items_));
    auto it = entries_.find(workspace.workspace_id);
    if (it == entries_.end()) {
        it = entries_
                 .emplace(workspace.workspace_id, Entry{TokenBucket(capacity, rate, now), workspace.items_per_second})
                 .first;
    } else if (it->second.items_per_second != workspace.items_per_second) {
        it->second.budget.Reconfigure(capacity, rate, now);
        it->second.items_per_second = workspace.items_per_second;
    }
    it->second.runnable = true;
    return it->second;
}

double FairScheduler::StepItems(const Entry& entry) const {
    return std::min(static_cast<double>(chunk_items_), entry.budget.capacity());
}

void FairScheduler::SetRunnable(const std::vector<RunnableWorkspace>& workspaces, Millis now) {
    for (auto& [id, entry] : entries_) entry.runnable = false;
    for (const RunnableWorkspace& workspace : workspaces) Upsert(workspace, now);
    // Forget idle workspaces without work; keep their budgets while they are busy.
    std::erase_if(entries_, [](const auto& item) { return !item.second.runnable && !item.second.busy; });
}

void FairScheduler::MarkRunnable(const RunnableWorkspace& workspace, Millis now) { Upsert(workspace, now); }

bool FairScheduler::HasWaiting(Millis now) {
    return std::any_of(entries_.begin(), entries_.end(), [&](auto& item) {
        Entry& entry = item.second;
        return entry.runnable && !entry.busy && entry.deferred_until <= now &&
               entry.budget.Available(now) + 1e-9 >= StepItems(entry);
    });
}

std::optional<std::string> FairScheduler::Next(Millis now) {
    Entry* best = nullptr;
    const std::string* best_id = nullptr;
    for (auto& [id, entry] : entries_) {
        if (!entry.runnable || entry.busy || entry.deferred_until > now) continue;
        if (entry.budget.Available(now) + 1e-9 < StepItems(entry)) continue;
        if (best == nullptr || entry.last_served < best->last_served) {
            best = &entry;
            best_id = &id;
        }
    }
    if (best == nullptr) return std::nullopt;
    best->busy = true;
    best->last_served = now;
    return *best_id;
}

bool FairScheduler::TakeBudget(const std::string& workspace_id, std::int64_t items, Millis now) {
    const auto it = entries_.find(workspace_id);
    if (it == entries_.end()) return false;
    return it->second.budget.TryTake(std::min(static_cast<double>(items), it->second.budget.capacity()), now);
}

void FairScheduler::ReturnBudget(const std::string& workspace_id, std::int64_t items) {
    const auto it = entries_.find(workspace_id);
    if (it != entries_.end() && items > 0) it->second.budget.Refund(static_cast<double>(items));
}

void FairScheduler::Release(const std::string& workspace_id, bool has_more, Millis now) {
    const auto it = entries_.find(workspace_id);
    if (it == entries_.end()) return;
    it->second.busy = false;
    it->second.last_served = now;
    if (!has_more) entries_.erase(it);
}

void FairScheduler::Defer(const std::string& workspace_id, Millis until) {
    const auto it = entries_.find(workspace_id);
    if (it != entries_.end()) it->second.deferred_until = until;
}

std::optional<Millis> FairScheduler::NextEligibleAt(Millis now) {
    std::optional<Millis> earliest;
    for (auto& [id, entry] : entries_) {
        if (!entry.runnable || entry.busy) continue;
        const Millis at =
            std::max({now, entry.deferred_until, now + entry.budget.MillisUntilAvailable(StepItems(entry), now)});
        if (!earliest || at < *earliest) earliest = at;
    }
    return earliest;
}

bool FairScheduler::IsBusy(const std::string& workspace_id) const {
    const auto it = entries_.find(workspace_id);
    return it != entries_.end() && it->second.busy;
}

}  // namespace contactd::engine
