#include "storage/statistics_refresher.hpp"

#include <pqxx/nontransaction>

#include "storage/connection_pool.hpp"

namespace contactd::storage {

namespace {

// The tables whose statistics steer the commit path's plans: contacts (ids probed by primary key) and
// contact_keys (unique values probed and released).
constexpr const char* kAnalyzeSql = "ANALYZE contacts, contact_keys";

}  // namespace

StatisticsRefresher::StatisticsRefresher(ConnectionPool& pool, engine::StatisticsPolicy policy, ErrorSink on_error)
    : pool_(pool), on_error_(std::move(on_error)), policy_(std::move(policy)), thread_([this] { Run(); }) {}

StatisticsRefresher::~StatisticsRefresher() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void StatisticsRefresher::Created(const std::string& workspace_id, std::int64_t rows) {
    bool due = false;
    {
        std::lock_guard lock(mutex_);
        due = policy_.Created(workspace_id, rows);
    }
    if (due) wake_.notify_all();
}

std::int64_t StatisticsRefresher::refreshes() const {
    std::lock_guard lock(mutex_);
    return refreshes_;
}

void StatisticsRefresher::Run() {
    std::unique_lock lock(mutex_);
    while (true) {
        wake_.wait(lock, [this] { return stopping_ || policy_.Due(); });
        if (stopping_) return;
        // Rows reported while ANALYZE runs may or may not be in its sample: count them as seen either way
        // (the next growth is measured from here), so a refresh is never requested twice for the same rows.
        policy_.Refreshed();
        lock.unlock();
        std::string failure;
        try {
            PooledConnection connection = pool_.Acquire();
            pqxx::nontransaction txn(*connection);
            txn.exec(kAnalyzeSql);
        } catch (const std::exception& error) {
            failure = error.what();
        }
        if (!failure.empty() && on_error_) on_error_("ANALYZE failed: " + failure);
        lock.lock();
        if (failure.empty()) ++refreshes_;
    }
}

}  // namespace contactd::storage
