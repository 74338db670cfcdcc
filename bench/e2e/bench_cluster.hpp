#pragma once
// The one PostgreSQL cluster of a benchmark run: a fresh embedded server (storage/embedded_postgres.hpp, with
// the settings `contactd serve` gives its own) holding two identically migrated databases, `contactd` for
// the server under test and `reference` for the physical references (COPY, pgbench).

#include <filesystem>
#include <memory>
#include <string>

#include "storage/embedded_postgres.hpp"

namespace contactd::bench::e2e {

//! The cluster; stopped (fast shutdown) when destroyed.
class BenchCluster {
  public:
    static constexpr const char* kContactdDatabase = "contactd";
    static constexpr const char* kReferenceDatabase = "reference";

    //! initdb into `folder` (which must not hold a cluster), start, create and migrate both databases.
    explicit BenchCluster(const std::filesystem::path& folder);

    std::string ContactdUrl() const { return server_->UrlFor(kContactdDatabase); }
    std::string ReferenceUrl() const { return server_->UrlFor(kReferenceDatabase); }
    std::filesystem::path SocketDir() const { return server_->SocketDir(); }
    int Port() const { return port_; }
    //! The directory of the server's binaries (where pgbench is too).
    std::filesystem::path BinDir() const { return bin_dir_; }
    //! The postmaster, parent of every PostgreSQL process of the run (for their CPU time).
    pid_t PostmasterPid() const { return server_->Pid(); }
    //! The server's memory on huge pages (its shared memory when they were reserved), in kB; unknown when its
    //! maps could not be read.
    std::optional<std::int64_t> HugePagesKib() const { return server_->Startup().huge_pages_kib; }

    //! Forces a checkpoint, so that a timed phase does not pay for the writes of the one before.
    void Checkpoint() const;
    //! VACUUMs the contactd database: what autovacuum would otherwise do, for the rows the earlier phases
    //! updated, in the middle of the next timed phase.
    void VacuumContactd() const;
    //! Stops the server now (the destructor would).
    void Stop() { server_->Stop(); }

  private:
    int port_ = 5432;
    std::filesystem::path bin_dir_;
    std::unique_ptr<storage::EmbeddedPostgres> server_;
};

}  // namespace contactd::bench::e2e
