#pragma once
// Versioned SQL migrations, embedded in the binary at build time from storage/migrations/NNNN_name.sql.

#include <pqxx/connection>

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

//! Applies every migration the database lacks, each in its own transaction, under an advisory lock so
//! that several nodes starting at once apply each step exactly once. Idempotent. Returns the number of
//! migrations applied.
int ApplyMigrations(pqxx::connection& connection);

//! The highest applied version, or 0 for an empty database.
int CurrentSchemaVersion(pqxx::connection& connection);

}  // namespace contactd::storage
