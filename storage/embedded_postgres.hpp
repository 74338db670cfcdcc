#pragma once
// A private PostgreSQL server run from the system's binaries under a folder of its own (SPEC §7): no TCP
// port, a Unix socket in a 0700 directory, started and stopped by its owner.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/child_process.hpp"

namespace contactd::storage {

//! A failure to set up, start or stop the embedded server; the message carries the server log's tail.
class EmbeddedPostgresError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

//! How to run the embedded server. Layout under `folder`: `data/` (the cluster), `run/` (the socket,
//! 0700), `postgres.log` (initdb and server output), `contactd.lock` (held while a server is ours).
struct EmbeddedPostgresOptions {
    std::filesystem::path folder;
    int port = 5432;  // only names the socket file: the socket directory is private, so it cannot clash
    std::string database = "contactd";             // created if missing
    std::optional<std::filesystem::path> bin_dir;  // else $CONTACTD_PG_BIN, else /usr/lib/postgresql/*/bin
    std::optional<std::string> run_as_user;        // when we are root; else $CONTACTD_PG_USER, else "postgres"
    //! `-c name=value` settings that replace or extend the defaults (DefaultSettings()).
    std::vector<std::pair<std::string, std::string>> settings;
    bool sync_initdb = true;  // false: initdb --no-sync (throwaway test clusters only)
    std::chrono::seconds start_timeout{60};
    std::chrono::seconds stop_timeout{60};      // fast shutdown (SIGINT) gets this long, then SIGQUIT
    std::chrono::seconds leftover_timeout{30};  // a leftover server from a killed run gets this long to exit
};

//! How the last start went, for logs and benchmarks.
struct EmbeddedPostgresStartup {
    bool initialized = false;  // initdb ran (the folder was new)
    std::chrono::milliseconds initdb_time{0};
    std::chrono::milliseconds start_time{0};  // spawn until the server accepts connections
    bool stopped_leftover = false;            // a server left by a killed run was stopped first
    //! The server's memory mapped on huge pages, in kB: its shared memory when the system had enough reserved
    //! (huge_pages = try), else 0; unknown when its /proc/<pid>/smaps could not be read (the server runs as
    //! another user and we lack the capability to read its maps). Without them a random page of the shared
    //! buffers costs a TLB miss, which on a virtual machine is dear (docs/decisions.md, "Huge pages").
    std::optional<std::int64_t> huge_pages_kib;
};

//! The size of the mappings on pages larger than `base_page_kib` in a /proc/<pid>/smaps listing, in kB (0 for
//! none).
std::int64_t HugePagesKibIn(std::istream& smaps, std::int64_t base_page_kib);

//! The embedded server. The constructor runs initdb once (into data.initdb, renamed when complete, so a
//! killed initdb never leaves half a cluster), stops a server left running by a killed previous owner,
//! starts `postgres` and waits until it accepts connections; the destructor stops it (fast shutdown).
//! When we are root the server runs as an unprivileged user (PostgreSQL refuses root), and the folder
//! is handed to that user. The server gets PR_SET_PDEATHSIG=SIGINT: if this process dies, even by
//! SIGKILL, the server shuts down fast. That signal fires when the *thread* that started the server
//! ends, so start it from a thread that lives as long as the server (the main thread).
class EmbeddedPostgres {
  public:
    //! Starts the server; throws EmbeddedPostgresError (with the log's tail) when it cannot.
    explicit EmbeddedPostgres(EmbeddedPostgresOptions options);
    EmbeddedPostgres(const EmbeddedPostgres&) = delete;
    EmbeddedPostgres& operator=(const EmbeddedPostgres&) = delete;
    ~EmbeddedPostgres();

    //! Fast shutdown: SIGINT, then SIGQUIT after stop_timeout, then SIGKILL. Idempotent.
    void Stop();
    //! True while the server process runs.
    bool Running();

    //! `postgresql:///<database>?host=<socket dir>&port=<port>&user=<superuser>`.
    const std::string& Url() const { return url_; }
    //! The same for another database of this server (e.g. "postgres").
    std::string UrlFor(std::string_view database) const;

    pid_t Pid() const { return process_.Pid(); }
    const std::filesystem::path& Folder() const { return options_.folder; }
    std::filesystem::path DataDir() const;
    std::filesystem::path SocketDir() const;
    std::filesystem::path LogPath() const;
    const EmbeddedPostgresStartup& Startup() const { return startup_; }
    //! The last lines the server wrote to its log.
    std::string LogTail(std::size_t max_lines = 30) const;

    //! Forgets the server without stopping it and releases the folder lock, as if this process had been
    //! SIGKILLed with PR_SET_PDEATHSIG not (yet) delivered. The next EmbeddedPostgres on the folder stops
    //! the leftover first. For crash tests.
    void Detach();

    //! The settings every server gets unless overridden: durable (fsync, synchronous_commit on) and
    //! tuned for a write-heavy load.
    static std::vector<std::pair<std::string, std::string>> DefaultSettings();
    //! The directory holding initdb and postgres: $CONTACTD_PG_BIN, else the newest
    //! /usr/lib/postgresql/<major>/bin (15 preferred; `wanted_major` first when given), else $PATH.
    static std::filesystem::path FindBinaries(std::optional<int> wanted_major = std::nullopt);

  private:
    void Start();
    void StopLeftover();
    void SpawnServer();
    std::string ConninfoFor(std::string_view database) const;
    [[noreturn]] void Fail(const std::string& message) const;

    EmbeddedPostgresOptions options_;
    std::optional<UserIdentity> server_user_;
    std::filesystem::path bin_dir_;
    std::string url_;
    int lock_fd_ = -1;
    std::uintmax_t log_start_offset_ = 0;
    ChildProcess process_;
    EmbeddedPostgresStartup startup_;
};

}  // namespace contactd::storage
