#pragma once
// The subcommands of the contactd binary. Each returns the process exit code.

#include <string>
#include <vector>

namespace contactd::app {

//! `contactd serve`: the API server (embedded PostgreSQL unless CONTACTD_DATABASE_URL is set).
int RunServe(const std::vector<std::string>& args);
//! `contactd migrate`: applies pending migrations and exits.
int RunMigrate(const std::vector<std::string>& args);
//! `contactd admin ...`: workspace and key administration through a running server.
int RunAdmin(const std::vector<std::string>& args);
//! `contactd submit FILE`: uploads a batch, follows the job and prints its summary (exit 0, 3 with ignored
//! items, 4 cancelled or failed, 1 error, 2 usage).
int RunSubmit(const std::vector<std::string>& args);
//! `contactd results JOB`: the job's per-item results as NDJSON on stdout.
int RunResults(const std::vector<std::string>& args);

}  // namespace contactd::app
