#include "tests/support/newer_schema.hpp"

#include <gtest/gtest.h>

#include <pqxx/connection>
#include <pqxx/nontransaction>

#include <utility>

#include "storage/migrations.hpp"

namespace contactd::test_support {

NewerSchema::NewerSchema(std::string database_url)
    : database_url_(std::move(database_url)), version_(storage::LatestMigrationVersion() + 1) {
    pqxx::connection connection(database_url_);
    pqxx::nontransaction(connection)
        .exec_params0(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'from_a_newer_build', now())",
            version_);
}

NewerSchema::~NewerSchema() {
    try {
        pqxx::connection connection(database_url_);
        pqxx::nontransaction(connection).exec_params0("DELETE FROM schema_migrations WHERE version = $1", version_);
    } catch (const std::exception& error) {
        // Left in place, the version would stop every later test that shares this database.
        ADD_FAILURE() << "could not forget schema version " << version_ << ": " << error.what();
    }
}

}  // namespace contactd::test_support
