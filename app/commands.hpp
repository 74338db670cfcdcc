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

}  // namespace contactd::app
