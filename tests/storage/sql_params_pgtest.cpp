// Fixed statements are prepared once per connection and then run with any parameters.
#include "storage/sql_params.hpp"

#include <gtest/gtest.h>

#include <pqxx/connection>
#include <pqxx/result>
#include <pqxx/transaction>

#include "tests/support/test_cluster.hpp"

namespace contactd::storage {
namespace {

using test_support::TestCluster;

std::string RunFixed(pqxx::connection& connection, const std::string& sql, const std::string& value) {
    pqxx::work txn(connection);
    SqlParams params;
    params.Add(value);
    const pqxx::result rows = params.ExecFixed(txn, sql);
    txn.commit();
    return rows[0][0].c_str();
}

TEST(SqlParamsTest, AFixedStatementIsPreparedOnceAndRunWithEachCallsParameters) {
    pqxx::connection connection(TestCluster::Url());
    const std::string upper = "SELECT upper($1::text)";
    EXPECT_EQ(RunFixed(connection, upper, "a"), "A");
    EXPECT_EQ(RunFixed(connection, upper, "b"), "B");
    // Another text is another statement, on the same connection.
    EXPECT_EQ(RunFixed(connection, "SELECT lower($1::text)", "C"), "c");
    EXPECT_EQ(RunFixed(connection, upper, "d"), "D");
    pqxx::work txn(connection);
    const auto prepared = txn.exec("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'contactd_%'");
    EXPECT_EQ(prepared[0][0].as<int>(), 2) << "one prepared statement per text";
}

}  // namespace
}  // namespace contactd::storage
