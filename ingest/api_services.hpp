#pragma once
// What the API handlers work with: the stores, the request budget, metrics, the admin token and the clock.
// One instance lives for the server's lifetime; handlers hold references to it.

#include <functional>
#include <string>

#include "engine/contact.hpp"
#include "ingest/metrics.hpp"
#include "ingest/rate_limiter.hpp"
#include "storage/connection_pool.hpp"
#include "storage/contact_store.hpp"
#include "storage/job_store.hpp"
#include "storage/workspace_store.hpp"

namespace contactd::ingest {

struct ApiServices {
    storage::ConnectionPool& pool;
    storage::WorkspaceStore& workspaces;
    storage::ContactStore& contacts;
    RateLimiter& rate_limiter;
    Metrics& metrics;
    std::string admin_token;
    //! Wall-clock Unix milliseconds (stored timestamps, rate limits). Tests may substitute their own.
    std::function<engine::Millis()> now;
    storage::JobStore& jobs;
    //! Batch acceptance opens its own connection (binary COPY) to this database.
    std::string database_url;
    //! Called after a batch is committed, to wake this node's workers without waiting for NOTIFY.
    std::function<void()> job_accepted = [] {};
};

//! Unix milliseconds from the system clock.
engine::Millis SystemNowMillis();

}  // namespace contactd::ingest
