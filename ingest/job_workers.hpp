#pragma once
// The batch workers of one node: a few workers on an Asio io_context apply chunks workspace by workspace.
// A free worker asks the fair scheduler for a workspace, claims its lane, applies chunks for a time slice
// (each within the workspace's item budget), then releases the lane and asks again. Workers wake on
// NOTIFY (a job accepted on any node), on Notify (accepted here) and on a timer (leases expiring
// elsewhere). Stop drains: no new lanes, the chunk in flight finishes, lanes are released.

#include <cstdint>
#include <memory>
#include <string>

#include "engine/contact.hpp"
#include "ingest/logger.hpp"
#include "ingest/metrics.hpp"
#include "storage/chunk_runner.hpp"

namespace contactd::ingest {

struct JobWorkersConfig {
    std::string database_url;
    std::size_t workers = 2;
    std::string node_id;              // this node's name in lane leases; stable across restarts
    engine::Millis lease_ms = 30000;  // a lane not renewed for this long may be taken over
    engine::Millis slice_ms = 250;    // a worker serves one workspace this long before it rotates
    engine::Millis poll_ms = 1000;    // looks for work this often even without notifications
    Logger* logger = nullptr;         // nullptr: Logger::Default()
    Metrics* metrics = nullptr;       // optional
};

//! Parses batch items with simdjson (the same parser as request bodies).
storage::ItemParser JsonItemParser();

class JobWorkers {
  public:
    JobWorkers(JobWorkersConfig config, storage::ItemParser parser);
    ~JobWorkers();  // Stop()
    JobWorkers(const JobWorkers&) = delete;
    JobWorkers& operator=(const JobWorkers&) = delete;

    void Start();
    //! Drains and joins; safe to call twice.
    void Stop();
    //! A job was accepted (on this node, or on any node through NOTIFY): look for work now.
    void Notify();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace contactd::ingest
