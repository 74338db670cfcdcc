// Rows built for COPY's text format come back exactly as given, sent in one piece.
#include "storage/copy_writer.hpp"

#include <gtest/gtest.h>

#include <pqxx/connection>
#include <pqxx/result>
#include <pqxx/transaction>

#include "tests/support/test_cluster.hpp"

namespace contactd::storage {
namespace {

using test_support::TestCluster;

TEST(CopyRowsTest, EveryFieldComesBackAsGivenWhateverItHoldsAndNullStaysNull) {
    CopyRows rows;
    rows.Field("1").Field("tab\there").Field(std::optional<std::string>()).EndRow();
    rows.Field("2").Field("new\nline, return\r and back\\slash").Field("\\N as text").EndRow();
    rows.Field("3").Field("").Field(std::optional<std::string>("last")).EndRow();
    EXPECT_EQ(rows.row_count(), 3u);

    pqxx::connection connection(TestCluster::Url());
    pqxx::work txn(connection);
    txn.exec0("CREATE TEMP TABLE copied (n int, a text, b text)");
    CopyInto(txn, "copied", {"n", "a", "b"}, rows);
    const pqxx::result back = txn.exec("SELECT a, b IS NULL, coalesce(b, '') FROM copied ORDER BY n");
    ASSERT_EQ(back.size(), 3u);
    EXPECT_EQ(std::string(back[0][0].c_str()), "tab\there");
    EXPECT_TRUE(back[0][1].as<bool>());
    EXPECT_EQ(std::string(back[1][0].c_str()), "new\nline, return\r and back\\slash");
    EXPECT_FALSE(back[1][1].as<bool>());
    EXPECT_EQ(std::string(back[1][2].c_str()), "\\N as text");
    EXPECT_EQ(std::string(back[2][0].c_str()), "");
    EXPECT_EQ(std::string(back[2][2].c_str()), "last");
}

TEST(CopyRowsTest, AnEmptyFieldEndingTheLastRowIsStillARow) {
    CopyRows rows;
    rows.Field("first").EndRow();
    rows.Field("").EndRow();
    pqxx::connection connection(TestCluster::Url());
    pqxx::work txn(connection);
    txn.exec0("CREATE TEMP TABLE one_column (a text)");
    CopyInto(txn, "one_column", {"a"}, rows);
    const pqxx::result back = txn.exec("SELECT a FROM one_column ORDER BY a");
    ASSERT_EQ(back.size(), 2u);
    EXPECT_EQ(std::string(back[0][0].c_str()), "");
    EXPECT_EQ(std::string(back[1][0].c_str()), "first");
}

TEST(CopyRowsTest, NoRowsStartNoCopy) {
    pqxx::connection connection(TestCluster::Url());
    pqxx::work txn(connection);
    // A COPY into a table that does not exist would fail: none is started.
    EXPECT_NO_THROW(CopyInto(txn, "no_such_table", {"a"}, CopyRows()));
    EXPECT_EQ(txn.exec("SELECT 1").size(), 1u) << "the transaction is still usable";
}

}  // namespace
}  // namespace contactd::storage
