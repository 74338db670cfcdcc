#pragma once
// The server under test: `contactd serve` as a child process on a free loopback port, against the
// benchmark's cluster. Stopped with SIGTERM (it drains) when the run ends, killed if it does not stop, and
// killed by the kernel if the driver dies first.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "storage/child_process.hpp"

namespace contactd::bench::e2e {

//! How to start the server.
struct ServerConfig {
    std::filesystem::path binary;    // the contactd executable
    std::filesystem::path data_dir;  // its --data-dir (node id; the database is external)
    std::filesystem::path log;       // its stderr (JSON lines)
    std::string database_url;
    std::string admin_token;
    std::vector<std::string> extra_args;  // passed to `contactd serve` as they are (e.g. --workers 2)
};

class ServerProcess {
  public:
    //! Starts the server and waits until GET /readyz answers 200; throws with the log's tail otherwise.
    explicit ServerProcess(const ServerConfig& config);
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    //! `http://127.0.0.1:<port>`.
    const std::string& Url() const { return url_; }
    pid_t Pid() const { return process_.Pid(); }
    //! True while the server runs.
    bool Running() { return process_.Running(); }
    //! SIGTERM, then up to `grace` for the drain, then SIGKILL. Idempotent.
    void Stop(std::chrono::seconds grace = std::chrono::seconds(30));
    //! The last lines of the server's log.
    std::string LogTail() const;

  private:
    std::filesystem::path log_;
    std::string url_;
    storage::ChildProcess process_;
};

//! A free TCP port on 127.0.0.1 (bound, read, released).
std::uint16_t FreeLoopbackPort();

}  // namespace contactd::bench::e2e
