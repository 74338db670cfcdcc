#pragma once
// Versioned SQL migrations, embedded in the binary at build time from storage/migrations/NNNN_name.sql.

#include <pqxx/connection>
#include <pqxx/transaction_base>

#include <stdexcept>
#include <string>
#include <vector>

namespace contactd::storage {

//! One schema step. Versions are applied in ascending order, each exactly once.
struct Migration {
    int version;
    const char* name;
    const char* sql;
};

//! All migrations compiled into this binary, ascending by version.
const std::vector<Migration>& EmbeddedMigrations();

//! The highest version compiled into this binary: the schema `readyz` expects.
int LatestMigrationVersion();

//! The database holds a migration this build does not know: a newer build has migrated it. Data it stores may
//! be in a form this build cannot read (a chunk's framing, say), so this build must not run on it at all:
//! it refuses to start, `readyz` says so, and batch workers stop before reading a chunk.
class SchemaTooNew : public std::runtime_error {
  public:
    explicit SchemaTooNew(int found);
    int found() const { return found_; }

  private:
    int found_;
};

//! Applies every migration the database lacks, each in its own transaction, under an advisory lock so
//! that several nodes starting at once apply each step exactly once. Idempotent. Returns the number of
//! migrations applied. Throws SchemaTooNew, having applied nothing, when the database is ahead of the build.
int ApplyMigrations(pqxx::connection& connection);

//! The highest applied version, or 0 for an empty database.
int CurrentSchemaVersion(pqxx::connection& connection);

//! The highest applied version, read in `transaction` (the bookkeeping table must exist: any migrated
//! database). One small statement, cheap enough for every chunk a worker takes.
int AppliedSchemaVersion(pqxx::transaction_base& transaction);

}  // namespace contactd::storage
