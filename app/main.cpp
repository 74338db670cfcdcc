// contactd: one binary, several subcommands (SPEC §7).
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "app/commands.hpp"

namespace {

constexpr const char* kUsage = R"(contactd — a CRM contact store built for batch create-or-update

usage: contactd <command> [options]

  serve      run the API server (embedded PostgreSQL unless CONTACTD_DATABASE_URL is set)
             --listen HOST:PORT (CONTACTD_LISTEN, default 127.0.0.1:8080)
             --data-dir DIR     (CONTACTD_DATA_DIR, default ./.contactd)
             --database-url URL (CONTACTD_DATABASE_URL)
             --admin-token TOK  (CONTACTD_ADMIN_TOKEN; else generated into DIR/admin_token)
             --log-level L      (CONTACTD_LOG_LEVEL: debug, info, warn, error; default info)
  migrate    apply pending schema migrations and exit (same database options)
  admin      administer workspaces and keys through a running server (contactd admin for help)
  submit     upload a batch file (NDJSON, .json, .gz), follow its progress and print a summary
             contactd submit FILE [--key KEY] [--server URL] [--mode M] [--dry-run] [--no-wait] ...
             (contactd submit --help for all options)
  results    write a batch job's per-item results as NDJSON to stdout
             contactd results JOB [--ignored | --ok] [--key KEY] [--server URL] [--page-size N]
The client commands take the key from CONTACTD_API_KEY and the server from CONTACTD_URL
(default http://127.0.0.1:8080).
)";

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << kUsage;
        return 2;
    }
    const std::string command = argv[1];
    const std::vector<std::string> args(argv + 2, argv + argc);
    try {
        if (command == "serve") return contactd::app::RunServe(args);
        if (command == "migrate") return contactd::app::RunMigrate(args);
        if (command == "admin") return contactd::app::RunAdmin(args);
        if (command == "submit") return contactd::app::RunSubmit(args);
        if (command == "results") return contactd::app::RunResults(args);
        if (command == "--help" || command == "help" || command == "-h") {
            std::cout << kUsage;
            return 0;
        }
    } catch (const std::exception& error) {
        std::cerr << "contactd " << command << ": " << error.what() << "\n";
        return 1;
    }
    std::cerr << kUsage;
    return 2;
}
