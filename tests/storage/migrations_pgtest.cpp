// Migrations against real, fresh databases: each applied once, recorded, idempotent, safe when nodes race.
#include "storage/migrations.hpp"

#include <gtest/gtest.h>

#include <pqxx/connection>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/result>

#include <atomic>
#include <barrier>
#include <chrono>
#include <thread>
#include <vector>

#include "storage/database.hpp"
#include "tests/support/newer_schema.hpp"
#include "tests/support/test_cluster.hpp"

namespace contactd::storage {
namespace {

using test_support::TestCluster;

long long CountRows(pqxx::connection& connection, const std::string& sql) {
    pqxx::nontransaction transaction(connection);
    return transaction.exec(sql).at(0).at(0).as<long long>();
}

TEST(Migrations, EmbeddedListIsStrictlyAscendingAndEndsAtTheLatestVersion) {
    const auto& migrations = EmbeddedMigrations();
    ASSERT_FALSE(migrations.empty());
    EXPECT_EQ(migrations.front().version, 1);
    for (std::size_t index = 1; index < migrations.size(); ++index) {
        EXPECT_LT(migrations[index - 1].version, migrations[index].version);
    }
    EXPECT_EQ(LatestMigrationVersion(), migrations.back().version);
}

TEST(Migrations, AnEmptyDatabaseIsAtVersionZero) {
    pqxx::connection connection(TestCluster::CreateDatabase("mig_empty"));
    EXPECT_EQ(CurrentSchemaVersion(connection), 0);
}

TEST(Migrations, AFreshDatabaseGetsEveryMigrationRecordedWithItsVersionAndName) {
    pqxx::connection connection(TestCluster::CreateDatabase("mig_fresh"));
    const auto& migrations = EmbeddedMigrations();
    EXPECT_EQ(ApplyMigrations(connection), static_cast<int>(migrations.size()));
    EXPECT_EQ(CurrentSchemaVersion(connection), LatestMigrationVersion());

    pqxx::nontransaction transaction(connection);
    const pqxx::result rows =
        transaction.exec("SELECT version, name, applied_at IS NOT NULL FROM schema_migrations ORDER BY version");
    ASSERT_EQ(rows.size(), migrations.size());
    for (std::size_t index = 0; index < migrations.size(); ++index) {
        EXPECT_EQ(rows[static_cast<int>(index)][0].as<int>(), migrations[index].version);
        EXPECT_EQ(rows[static_cast<int>(index)][1].as<std::string>(), migrations[index].name);
        EXPECT_TRUE(rows[static_cast<int>(index)][2].as<bool>());
    }
    // The schema itself is there.
    EXPECT_FALSE(transaction.exec("SELECT to_regclass('contacts') IS NULL").at(0).at(0).as<bool>());
}

// A newer build migrated the database: this one refuses it (at start, which applies migrations) and changes
// nothing, rather than run on tables or data it may not understand.
TEST(Migrations, ADatabaseMigratedByANewerBuildIsRefusedAndLeftAsItIs) {
    const std::string url = TestCluster::CreateDatabase("mig_newer");
    pqxx::connection connection(url);
    ASSERT_GT(ApplyMigrations(connection), 0);
    const test_support::NewerSchema newer_schema(url);
    const int newer = newer_schema.version();
    const long long recorded = CountRows(connection, "SELECT count(*) FROM schema_migrations");
    try {
        ApplyMigrations(connection);
        FAIL() << "a database ahead of the build was accepted";
    } catch (const SchemaTooNew& error) {
        EXPECT_EQ(error.found(), newer);
        EXPECT_NE(std::string(error.what()).find("version " + std::to_string(newer)), std::string::npos)
            << error.what();
    }
    EXPECT_EQ(CountRows(connection, "SELECT count(*) FROM schema_migrations"), recorded);
    EXPECT_EQ(CurrentSchemaVersion(connection), newer);
}

TEST(Migrations, ApplyingAgainChangesNothing) {
    pqxx::connection connection(TestCluster::CreateDatabase("mig_twice"));
    ASSERT_GT(ApplyMigrations(connection), 0);
    const long long recorded = CountRows(connection, "SELECT count(*) FROM schema_migrations");
    const std::string applied_at = pqxx::nontransaction(connection)
                                       .exec("SELECT max(applied_at)::text FROM schema_migrations")
                                       .at(0)
                                       .at(0)
                                       .c_str();

    EXPECT_EQ(ApplyMigrations(connection), 0);
    EXPECT_EQ(CountRows(connection, "SELECT count(*) FROM schema_migrations"), recorded);
    EXPECT_EQ(pqxx::nontransaction(connection)
                  .exec("SELECT max(applied_at)::text FROM schema_migrations")
                  .at(0)
                  .at(0)
                  .c_str(),
              applied_at);
}

TEST(Migrations, NodesMigratingAtOnceApplyEachStepExactlyOnce) {
    constexpr int kNodes = 4;
    const std::string url = TestCluster::CreateDatabase("mig_race");
    std::vector<std::unique_ptr<pqxx::connection>> connections;
    for (int node = 0; node < kNodes; ++node) connections.push_back(std::make_unique<pqxx::connection>(url));

    std::barrier start_together(kNodes);
    std::atomic<int> applied_total{0};
    std::atomic<int> failures{0};
    std::vector<std::thread> nodes;
    for (int node = 0; node < kNodes; ++node) {
        nodes.emplace_back([&, node] {
            start_together.arrive_and_wait();
            try {
                applied_total += ApplyMigrations(*connections[static_cast<std::size_t>(node)]);
            } catch (const std::exception& error) {
                ADD_FAILURE() << "node " << node << ": " << error.what();
                ++failures;
            }
        });
    }
    for (auto& thread : nodes) thread.join();

    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(applied_total.load(), static_cast<int>(EmbeddedMigrations().size()));
    EXPECT_EQ(CountRows(*connections[0], "SELECT count(*) FROM schema_migrations"),
              static_cast<long long>(EmbeddedMigrations().size()));
}

TEST(Migrations, TheTestClusterDatabaseIsCurrent) {
    pqxx::connection connection(TestCluster::Url());
    EXPECT_EQ(CurrentSchemaVersion(connection), LatestMigrationVersion());
    EXPECT_EQ(ApplyMigrations(connection), 0);
}

TEST(Migrations, OpenDatabaseWithAUrlMigratesItAndStartsNoServer) {
    DatabaseConfig config;
    config.url = TestCluster::CreateDatabase("mig_open");
    Database database = OpenDatabase(config);
    EXPECT_EQ(database.Embedded(), nullptr);
    EXPECT_EQ(database.Url(), *config.url);
    EXPECT_EQ(database.MigrationsApplied(), static_cast<int>(EmbeddedMigrations().size()));
    EXPECT_EQ(OpenDatabase(config).MigrationsApplied(), 0);
}

TEST(Migrations, OpenDatabaseWaitsForAnUnreachableServerThenGivesUp) {
    DatabaseConfig config;
    config.url = "postgresql:///contactd?host=/nonexistent-contactd-socket-dir&port=1";
    config.connect_wait = std::chrono::seconds(1);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(OpenDatabase(config), pqxx::broken_connection);
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

}  // namespace
}  // namespace contactd::storage
