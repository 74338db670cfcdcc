#pragma once
// Where the data lives: a given PostgreSQL URL, or a private server under the data folder (SPEC §7).
// What `contactd serve` and `contactd migrate` call first.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "storage/embedded_postgres.hpp"

namespace contactd::storage {

//! How to reach the database.
struct DatabaseConfig {
    std::optional<std::string> url;                // CONTACTD_DATABASE_URL; none → embedded server
    std::filesystem::path data_dir = ".contactd";  // CONTACTD_DATA_DIR
    //! For the embedded server; an empty `folder` means `<data_dir>/pg`. CONTACTD_PG_PORT sets `port`.
    EmbeddedPostgresOptions embedded;
    bool apply_migrations = true;           // bring the schema up to date on open
    std::chrono::seconds connect_wait{30};  // how long an external server may take to come up

    //! The defaults, overridden by CONTACTD_DATABASE_URL, CONTACTD_DATA_DIR and CONTACTD_PG_PORT.
    static DatabaseConfig FromEnvironment();
};

//! An open database: the URL to connect to, and the embedded server when there is one (stopped when this
//! object is destroyed). Move-only.
class Database {
  public:
    Database(std::string url, std::unique_ptr<EmbeddedPostgres> embedded, int migrations_applied);
    Database(Database&&) noexcept = default;
    Database& operator=(Database&&) noexcept = default;
    ~Database();

    const std::string& Url() const { return url_; }
    //! The embedded server, or nullptr when the database came from a URL.
    EmbeddedPostgres* Embedded() const { return embedded_.get(); }
    //! How many migrations OpenDatabase applied (0 when the schema was current or migrations were off).
    int MigrationsApplied() const { return migrations_applied_; }

  private:
    std::string url_;
    std::unique_ptr<EmbeddedPostgres> embedded_;
    int migrations_applied_ = 0;
};

//! Uses `config.url`, or starts an EmbeddedPostgres under `<data_dir>/pg`; then applies migrations.
//! Throws EmbeddedPostgresError when the server cannot start, pqxx::broken_connection when an external
//! database stays unreachable for `connect_wait`, and the database's error when a migration fails.
Database OpenDatabase(const DatabaseConfig& config);

}  // namespace contactd::storage
