#include "storage/migrations.hpp"

#include <pqxx/result>
#include <pqxx/transaction>

#include <set>
#include <stdexcept>
#include <string>

#include "storage/sql_params.hpp"

namespace contactd::storage {
namespace {

// One fixed advisory-lock key ("contactd" in ASCII) that every node takes before touching the schema.
constexpr long long kMigrationLockKey = 0x636f6e7461637464;

constexpr const char* kCreateBookkeeping = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL
))sql";

constexpr const char* kLock = "SELECT pg_advisory_xact_lock($1)";
constexpr const char* kIsApplied = "SELECT 1 FROM schema_migrations WHERE version = $1";
constexpr const char* kRecord = "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())";

//! Migrations must be strictly ascending; a duplicate version would make "applied once" meaningless.
void CheckOrdered(const std::vector<Migration>& migrations) {
    for (std::size_t index = 1; index < migrations.size(); ++index) {
        if (migrations[index].version <= migrations[index - 1].version) {
            throw std::logic_error(std::string("migrations out of order or duplicated: ") + migrations[index - 1].name +
                                   " then " + migrations[index].name);
        }
    }
}

std::set<int> AppliedVersions(pqxx::transaction_base& transaction) {
    std::set<int> versions;
    for (const auto& row : transaction.exec("SELECT version FROM schema_migrations")) {
        versions.insert(row[0].as<int>());
    }
    return versions;
}

}  // namespace

SchemaTooNew::SchemaTooNew(int found)
    : std::runtime_error("the database schema is at version " + std::to_string(found) +
                         ", newer than this build knows (" + std::to_string(LatestMigrationVersion()) +
                         "): a newer contactd migrated it, and this one must not run on it; run the newer build"),
      found_(found) {}

int LatestMigrationVersion() {
    const auto& migrations = EmbeddedMigrations();
    return migrations.empty() ? 0 : migrations.back().version;
}

int ApplyMigrations(pqxx::connection& connection) {
    const auto& migrations = EmbeddedMigrations();
    CheckOrdered(migrations);

    // The lock makes even the bookkeeping table's creation safe: concurrent CREATE TABLE IF NOT EXISTS can
    // otherwise fail with a unique violation in the catalog.
    std::set<int> applied;
    {
        pqxx::work transaction(connection, "contactd_migrations");
        transaction.exec_params(kLock, kMigrationLockKey);
        transaction.exec(kCreateBookkeeping);
        applied = AppliedVersions(transaction);
        transaction.commit();
    }
    if (!applied.empty() && *applied.rbegin() > LatestMigrationVersion()) throw SchemaTooNew(*applied.rbegin());

    int applied_now = 0;
    for (const Migration& migration : migrations) {
        if (applied.contains(migration.version)) continue;
        pqxx::work transaction(connection, "contactd_migration");
        transaction.exec_params(kLock, kMigrationLockKey);
        // Another node may have applied it while we waited for the lock.
        if (!transaction.exec_params(kIsApplied, migration.version).empty()) continue;
        transaction.exec(migration.sql);
        transaction.exec_params(kRecord, migration.version, migration.name);
        transaction.commit();
        ++applied_now;
    }
    return applied_now;
}

int CurrentSchemaVersion(pqxx::connection& connection) {
    pqxx::read_transaction transaction(connection, "contactd_schema_version");
    if (!transaction.exec("SELECT to_regclass('schema_migrations') IS NOT NULL")[0][0].as<bool>()) return 0;
    return AppliedSchemaVersion(transaction);
}

int AppliedSchemaVersion(pqxx::transaction_base& transaction) {
    return SqlParams{}
        .ExecFixed(transaction, "SELECT coalesce(max(version), 0) FROM schema_migrations")[0][0]
        .as<int>();
}

}  // namespace contactd::storage
