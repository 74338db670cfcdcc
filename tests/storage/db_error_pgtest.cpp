// Error classification against errors a real server raises: unique violations, deadlocks, serialization
// failures, lock timeouts, terminated sessions and commits whose outcome is unknown.
#include "storage/db_error.hpp"

#include <gtest/gtest.h>

#include <pqxx/connection>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

#include "storage/connection_pool.hpp"
#include "tests/support/test_cluster.hpp"

namespace contactd::storage {
namespace {

using test_support::TestCluster;
using namespace std::chrono_literals;

//! A table of its own for one test, dropped afterwards.
class ScratchTable {
  public:
    explicit ScratchTable(const std::string& columns) {
        name_ = TestCluster::UniqueId("scratch");
        for (char& c : name_) {
            if (c == '-') c = '_';
        }
        Execute("CREATE TABLE " + name_ + " (" + columns + ")");
    }
    ~ScratchTable() {
        try {
            Execute("DROP TABLE IF EXISTS " + name_);
        } catch (...) {
        }
    }
    const std::string& Name() const { return name_; }

    static void Execute(const std::string& sql) {
        pqxx::connection connection(TestCluster::Url());
        pqxx::nontransaction transaction(connection);
        transaction.exec(sql);
    }

  private:
    std::string name_;
};

//! Runs `f` and returns what it threw, or nullopt.
template <class F>
std::optional<DbErrorKind> KindThrownBy(F&& f, std::string* sqlstate = nullptr) {
    try {
        f();
    } catch (const std::exception& error) {
        if (sqlstate) *sqlstate = SqlState(error);
        return ClassifyDbError(error);
    }
    return std::nullopt;
}

int BackendPid(pqxx::connection& connection) {
    pqxx::nontransaction transaction(connection);
    return transaction.exec("SELECT pg_backend_pid()").at(0).at(0).as<int>();
}

TEST(DbError, ARealUniqueViolationIsClassifiedAsSuch) {
    ScratchTable table("id integer PRIMARY KEY");
    pqxx::connection connection(TestCluster::Url());
    ScratchTable::Execute("INSERT INTO " + table.Name() + " VALUES (1)");
    std::string state;
    const auto kind = KindThrownBy(
        [&] {
            pqxx::work transaction(connection);
            transaction.exec("INSERT INTO " + table.Name() + " VALUES (1)");
            transaction.commit();
        },
        &state);
    EXPECT_EQ(kind, DbErrorKind::kUniqueViolation);
    EXPECT_EQ(state, "23505");
}

TEST(DbError, ARealDeadlockIsRetryable) {
    ScratchTable table("id integer PRIMARY KEY, value integer");
    ScratchTable::Execute("INSERT INTO " + table.Name() + " VALUES (1, 0), (2, 0)");
    const std::string update = "UPDATE " + table.Name() + " SET value = value + 1 WHERE id = ";

    pqxx::connection first(TestCluster::Url());
    pqxx::connection second(TestCluster::Url());
    pqxx::work first_transaction(first);
    pqxx::work second_transaction(second);
    first_transaction.exec("SET LOCAL deadlock_timeout = '50ms'");
    second_transaction.exec("SET LOCAL deadlock_timeout = '50ms'");
    first_transaction.exec(update + "1");
    second_transaction.exec(update + "2");

    std::optional<DbErrorKind> first_kind;
    std::string first_state;
    std::thread crosser(
        [&] { first_kind = KindThrownBy([&] { first_transaction.exec(update + "2"); }, &first_state); });
    std::this_thread::sleep_for(100ms);  // let the first one block on row 2
    std::string second_state;
    const auto second_kind = KindThrownBy([&] { second_transaction.exec(update + "1"); }, &second_state);
    if (second_kind) second_transaction.abort();  // lets the first one through
    crosser.join();

    // Exactly one side is chosen as the victim.
    ASSERT_NE(first_kind.has_value(), second_kind.has_value());
    EXPECT_EQ(first_kind ? *first_kind : *second_kind, DbErrorKind::kRetryable);
    EXPECT_EQ(first_kind ? first_state : second_state, "40P01");
}

TEST(DbError, ARealSerializationFailureIsRetryable) {
    ScratchTable table("id integer PRIMARY KEY, value integer");
    ScratchTable::Execute("INSERT INTO " + table.Name() + " VALUES (1, 0)");
    pqxx::connection first(TestCluster::Url());
    pqxx::connection second(TestCluster::Url());
    pqxx::transaction<pqxx::serializable> first_transaction(first);
    pqxx::transaction<pqxx::serializable> second_transaction(second);
    first_transaction.exec("SELECT value FROM " + table.Name() + " WHERE id = 1");
    second_transaction.exec("SELECT value FROM " + table.Name() + " WHERE id = 1");  // snapshot taken
    first_transaction.exec("UPDATE " + table.Name() + " SET value = 1 WHERE id = 1");
    first_transaction.commit();

    std::string state;
    const auto kind = KindThrownBy(
        [&] { second_transaction.exec("UPDATE " + table.Name() + " SET value = 2 WHERE id = 1"); }, &state);
    EXPECT_EQ(kind, DbErrorKind::kRetryable);
    EXPECT_EQ(state, "40001");
}

TEST(DbError, ALockNotAvailableIsRetryable) {
    ScratchTable table("id integer PRIMARY KEY");
    ScratchTable::Execute("INSERT INTO " + table.Name() + " VALUES (1)");
    pqxx::connection holder(TestCluster::Url());
    pqxx::connection waiter(TestCluster::Url());
    pqxx::work holding(holder);
    holding.exec("SELECT * FROM " + table.Name() + " WHERE id = 1 FOR UPDATE");
    std::string state;
    const auto kind = KindThrownBy(
        [&] {
            pqxx::work transaction(waiter);
            transaction.exec("SELECT * FROM " + table.Name() + " WHERE id = 1 FOR UPDATE NOWAIT");
        },
        &state);
    EXPECT_EQ(kind, DbErrorKind::kRetryable);
    EXPECT_EQ(state, "55P03");
}

TEST(DbError, ASessionTerminatedByTheServerIsRetryable) {
    pqxx::connection connection(TestCluster::Url());
    TestCluster::TerminateBackend(BackendPid(connection));
    const auto kind = KindThrownBy([&] {
        pqxx::work transaction(connection);
        transaction.exec("SELECT 1");
    });
    EXPECT_EQ(kind, DbErrorKind::kRetryable);
}

TEST(DbError, ACommitOnALostConnectionIsInDoubtAndNeverRetried) {
    ScratchTable table("id integer PRIMARY KEY");
    pqxx::connection connection(TestCluster::Url());
    int calls = 0;
    std::optional<DbErrorKind> kind;
    try {
        RetryTransient(
            [&] {
                ++calls;
                pqxx::work transaction(connection);
                transaction.exec("INSERT INTO " + table.Name() + " VALUES (1)");
                TestCluster::TerminateBackend(
                    connection.backendpid());  // the session dies before COMMIT gets an answer
                transaction.commit();
            },
            3);
    } catch (const std::exception& error) {
        kind = ClassifyDbError(error);
    }
    EXPECT_EQ(kind, DbErrorKind::kInDoubt);
    EXPECT_EQ(calls, 1);
}

TEST(DbError, SyntaxErrorsAndNonDatabaseErrorsArePermanent) {
    pqxx::connection connection(TestCluster::Url());
    std::string state;
    const auto kind = KindThrownBy(
        [&] {
            pqxx::work transaction(connection);
            transaction.exec("SELEKT 1");
        },
        &state);
    EXPECT_EQ(kind, DbErrorKind::kPermanent);
    EXPECT_EQ(state, "42601");
    EXPECT_EQ(ClassifyDbError(std::runtime_error("not a database error")), DbErrorKind::kPermanent);
    EXPECT_EQ(ClassifyDbError(pqxx::in_doubt_error("commit outcome unknown")), DbErrorKind::kInDoubt);
    EXPECT_EQ(ClassifyDbError(pqxx::statement_completion_unknown("unknown")), DbErrorKind::kInDoubt);
    EXPECT_EQ(ClassifyDbError(pqxx::sql_error("shutting down", "", "57P01")), DbErrorKind::kRetryable);
    EXPECT_EQ(ClassifyDbError(pqxx::sql_error("check", "", "23514")), DbErrorKind::kPermanent);
    EXPECT_EQ(ClassifyDbError(pqxx::sql_error("connection failure", "", "08006")), DbErrorKind::kRetryable);
    EXPECT_EQ(ClassifyDbError(pqxx::sql_error("resolution unknown", "", "08007")), DbErrorKind::kInDoubt);
}

TEST(DbError, RetryTransientRetriesARealSerializationFailureUntilItCommits) {
    ScratchTable table("id integer PRIMARY KEY, value integer");
    ScratchTable::Execute("INSERT INTO " + table.Name() + " VALUES (1, 0)");
    pqxx::connection connection(TestCluster::Url());
    pqxx::connection rival(TestCluster::Url());
    int calls = 0;
    const int result = RetryTransient(
        [&] {
            ++calls;
            pqxx::transaction<pqxx::serializable> transaction(connection);
            transaction.exec("SELECT value FROM " + table.Name() + " WHERE id = 1");
            if (calls == 1) {  // a rival commits a change to the row this snapshot has read
                pqxx::work rival_transaction(rival);
                rival_transaction.exec("UPDATE " + table.Name() + " SET value = 10 WHERE id = 1");
                rival_transaction.commit();
            }
            const auto row =
                transaction.exec("UPDATE " + table.Name() + " SET value = value + 1 WHERE id = 1 " + "RETURNING value");
            transaction.commit();
            return row.at(0).at(0).as<int>();
        },
        3);
    EXPECT_EQ(calls, 2);
    EXPECT_EQ(result, 11);
}

TEST(DbError, RetryTransientDoesNotRetryAUniqueViolation) {
    ScratchTable table("id integer PRIMARY KEY");
    ScratchTable::Execute("INSERT INTO " + table.Name() + " VALUES (1)");
    pqxx::connection connection(TestCluster::Url());
    int calls = 0;
    EXPECT_THROW(RetryTransient(
                     [&] {
                         ++calls;
                         pqxx::work transaction(connection);
                         transaction.exec("INSERT INTO " + table.Name() + " VALUES (1)");
                         transaction.commit();
                     },
                     5),
                 pqxx::unique_violation);
    EXPECT_EQ(calls, 1);
}

TEST(DbError, RetryTransientGivesUpAfterTheLastAttemptWithTheLastError) {
    int calls = 0;
    EXPECT_THROW(RetryTransient(
                     [&]() -> int {
                         ++calls;
                         throw pqxx::deadlock_detected("deadlock " + std::to_string(calls));
                     },
                     3),
                 pqxx::deadlock_detected);
    EXPECT_EQ(calls, 3);
    EXPECT_THROW(RetryTransient([] { return 0; }, 0), std::invalid_argument);
}

TEST(DbError, RetryTransientRecoversFromALostConnectionThroughThePool) {
    ConnectionPool pool(TestCluster::Url(), 1);
    int killed = 0;
    {
        PooledConnection lease = pool.Acquire();
        killed = BackendPid(*lease);
    }
    int calls = 0;
    const int pid = RetryTransient(
        [&] {
            ++calls;
            PooledConnection lease = pool.Acquire();
            if (calls == 1) TestCluster::TerminateBackend(BackendPid(*lease));  // dies mid-transaction, not at commit
            pqxx::work transaction(*lease);
            const int backend = transaction.exec("SELECT pg_backend_pid()").at(0).at(0).as<int>();
            transaction.commit();
            return backend;
        },
        3);
    EXPECT_EQ(calls, 2);
    EXPECT_NE(pid, killed);
}

}  // namespace
}  // namespace contactd::storage
