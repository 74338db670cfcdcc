// The connection pool against a real server: bounded, leases return, broken connections are replaced.
#include "storage/connection_pool.hpp"

#include <gtest/gtest.h>

#include <pqxx/connection>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <pqxx/transaction>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "storage/db_error.hpp"
#include "storage/sql_params.hpp"
#include "tests/support/test_cluster.hpp"

namespace contactd::storage {
namespace {

using test_support::TestCluster;
using namespace std::chrono_literals;

int BackendPid(pqxx::connection& connection) {
    pqxx::nontransaction transaction(connection);
    return transaction.exec("SELECT pg_backend_pid()").at(0).at(0).as<int>();
}

std::string QueryOne(pqxx::connection& connection, const std::string& sql) {
    pqxx::nontransaction transaction(connection);
    return transaction.exec(sql).at(0).at(0).c_str();
}

TEST(ConnectionPool, ALeaseReturnsItsConnectionOnDestruction) {
    ConnectionPool pool(TestCluster::Url(), 2);
    int first_pid = 0;
    {
        PooledConnection lease = pool.Acquire();
        first_pid = BackendPid(*lease);
        EXPECT_EQ(pool.Stats().leased, 1u);
        EXPECT_EQ(pool.Stats().idle, 0u);
    }
    EXPECT_EQ(pool.Stats().leased, 0u);
    EXPECT_EQ(pool.Stats().idle, 1u);
    PooledConnection again = pool.Acquire();
    EXPECT_EQ(BackendPid(*again), first_pid) << "the returned connection is reused, not reopened";
    EXPECT_EQ(pool.Stats().opened_total, 1u);
}

TEST(ConnectionPool, AMovedLeaseReturnsExactlyOnce) {
    ConnectionPool pool(TestCluster::Url(), 1);
    {
        PooledConnection lease = pool.Acquire();
        PooledConnection moved = std::move(lease);
        EXPECT_FALSE(lease);  // NOLINT(bugprone-use-after-move): the moved-from lease is empty by contract
        EXPECT_TRUE(moved);
        EXPECT_EQ(pool.Stats().leased, 1u);
    }
    EXPECT_EQ(pool.Stats().leased, 0u);
    EXPECT_EQ(pool.Stats().idle, 1u);
}

TEST(ConnectionPool, NeverOpensMoreThanMaxSizeUnderContention) {
    constexpr std::size_t kMaxSize = 3;
    ConnectionPool pool(TestCluster::Url(), kMaxSize);
    std::atomic<int> leased_now{0};
    std::atomic<int> most_leased{0};
    std::mutex pids_mutex;
    std::set<int> pids;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int thread_index = 0; thread_index < 8; ++thread_index) {
        threads.emplace_back([&] {
            for (int round = 0; round < 15; ++round) {
                try {
                    PooledConnection lease = pool.Acquire(10s);
                    const int now = ++leased_now;
                    int seen = most_leased.load();
                    while (now > seen && !most_leased.compare_exchange_weak(seen, now)) {
                    }
                    pqxx::nontransaction transaction(*lease);
                    const int pid = transaction.exec("SELECT pg_backend_pid(), pg_sleep(0.002)").at(0).at(0).as<int>();
                    {
                        std::lock_guard lock(pids_mutex);
                        pids.insert(pid);
                    }
                    --leased_now;
                } catch (const std::exception&) {
                    ++failures;
                }
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_LE(most_leased.load(), static_cast<int>(kMaxSize));
    EXPECT_LE(pids.size(), kMaxSize);
    EXPECT_LE(pool.Stats().opened_total, kMaxSize);
    EXPECT_EQ(pool.Stats().leased, 0u);
}

TEST(ConnectionPool, AcquireOnAnExhaustedPoolTimesOutWithARetryableError) {
    ConnectionPool pool(TestCluster::Url(), 1);
    PooledConnection held = pool.Acquire();
    const auto start = std::chrono::steady_clock::now();
    try {
        pool.Acquire(150ms);
        FAIL() << "acquired a second connection from a pool of one";
    } catch (const ConnectionPoolExhausted& error) {
        EXPECT_GE(std::chrono::steady_clock::now() - start, 150ms);
        EXPECT_EQ(ClassifyDbError(error), DbErrorKind::kRetryable);
    }
}

TEST(ConnectionPool, AWaiterGetsTheConnectionAsSoonAsALeaseReturns) {
    ConnectionPool pool(TestCluster::Url(), 1);
    auto held = std::make_unique<PooledConnection>(pool.Acquire());
    std::thread releaser([&] {
        std::this_thread::sleep_for(100ms);
        held.reset();
    });
    const auto start = std::chrono::steady_clock::now();
    PooledConnection lease = pool.Acquire(5s);
    const auto waited = std::chrono::steady_clock::now() - start;
    releaser.join();
    EXPECT_TRUE(lease);
    EXPECT_LT(waited, 2s);
    EXPECT_EQ(pool.Stats().opened_total, 1u);
}

TEST(ConnectionPool, AnIdleConnectionKilledByTheServerIsReplacedBeforeTheNextLease) {
    ConnectionPool pool(TestCluster::Url(), 2);
    int killed_pid = 0;
    {
        PooledConnection lease = pool.Acquire();
        killed_pid = BackendPid(*lease);
    }
    TestCluster::TerminateBackend(killed_pid);

    PooledConnection lease = pool.Acquire(5s);
    EXPECT_NE(BackendPid(*lease), killed_pid);
    EXPECT_EQ(QueryOne(*lease, "SELECT 41 + 1"), "42");
    EXPECT_EQ(pool.Stats().discarded_total, 1u);
    EXPECT_EQ(pool.Stats().opened_total, 2u);
}

TEST(ConnectionPool, ALeasedConnectionKilledByTheServerFailsRetryablyAndIsReplaced) {
    ConnectionPool pool(TestCluster::Url(), 1);
    int killed_pid = 0;
    {
        PooledConnection lease = pool.Acquire();
        killed_pid = BackendPid(*lease);
        TestCluster::TerminateBackend(killed_pid);
        try {
            QueryOne(*lease, "SELECT 1");
            FAIL() << "a query on a terminated backend succeeded";
        } catch (const std::exception& error) {
            EXPECT_EQ(ClassifyDbError(error), DbErrorKind::kRetryable) << error.what();
        }
        EXPECT_FALSE(lease->is_open()) << "libpqxx must not silently reconnect a pooled connection";
    }
    EXPECT_EQ(pool.Stats().discarded_total, 1u);
    PooledConnection next = pool.Acquire(5s);  // the pool is not poisoned: a fresh connection fills the slot
    EXPECT_NE(BackendPid(*next), killed_pid);
    EXPECT_EQ(QueryOne(*next, "SELECT 'works'"), "works");
}

TEST(ConnectionPool, MarkBrokenDiscardsTheConnectionInsteadOfReusingIt) {
    ConnectionPool pool(TestCluster::Url(), 1);
    int marked_pid = 0;
    {
        PooledConnection lease = pool.Acquire();
        marked_pid = BackendPid(*lease);
        lease.MarkBroken();
    }
    EXPECT_EQ(pool.Stats().idle, 0u);
    EXPECT_EQ(pool.Stats().discarded_total, 1u);
    PooledConnection next = pool.Acquire();
    EXPECT_NE(BackendPid(*next), marked_pid);
}

TEST(ConnectionPool, AnUnreachableDatabaseFailsRetryablyAfterTheTimeout) {
    ConnectionPool pool("postgresql:///contactd?host=/nonexistent-contactd-socket-dir&port=1", 2);
    const auto start = std::chrono::steady_clock::now();
    try {
        pool.Acquire(300ms);
        FAIL() << "connected to a database that does not exist";
    } catch (const pqxx::broken_connection& error) {
        EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);
        EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
        EXPECT_EQ(ClassifyDbError(error), DbErrorKind::kRetryable);
        EXPECT_NE(std::string(error.what()).find("nonexistent-contactd-socket-dir"), std::string::npos) << error.what();
    }
    EXPECT_EQ(pool.Stats().connecting, 0u);
    EXPECT_EQ(pool.Stats().leased, 0u);
}

TEST(ConnectionPool, EveryConnectionRunsInUtcWhateverTheUrlAsksFor) {
    const std::string& base = TestCluster::Url();
    if (!base.starts_with("postgresql://")) GTEST_SKIP() << "needs a URL-form database address";
    const std::string url =
        base + (base.find('?') == std::string::npos ? "?" : "&") + "options=-c%20TimeZone%3DAmerica%2FNew_York";
    pqxx::connection plain(url);
    ASSERT_EQ(QueryOne(plain, "SHOW TimeZone"), "America/New_York") << "the control connection must differ";
    ConnectionPool pool(url, 1);
    PooledConnection lease = pool.Acquire();
    EXPECT_EQ(QueryOne(*lease, "SHOW TimeZone"), "UTC");
}

// A statement run once a request with a one-element array: in PostgreSQL's auto mode it is planned anew on
// every call (its generic plan, sized for ten elements, always looks dearer); a kGeneric pool plans it once.
TEST(ConnectionPool, AGenericPlanPoolPlansAPreparedStatementOnce) {
    const auto plans_after_seven_calls = [](PlanCaching caching) {
        ConnectionPool pool(TestCluster::Url(), 1, caching);
        PooledConnection lease = pool.Acquire();
        const std::string sql = "SELECT count(*) FROM unnest($1::int8[]) AS u(n) WHERE n > 0";
        for (int call = 0; call < 7; ++call) {
            pqxx::work txn(*lease);
            SqlParams params;
            params.Add(std::string("{1}"));
            EXPECT_EQ(params.ExecFixed(txn, sql).at(0).at(0).as<int>(), 1);
            txn.commit();
        }
        pqxx::nontransaction txn(*lease);
        const pqxx::row row =
            txn.exec(
                   "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE "
                   "'%unnest($1::int8[])%'")
                .at(0);
        return std::make_pair(row[0].as<int>(), row[1].as<int>());
    };
    EXPECT_EQ(plans_after_seven_calls(PlanCaching::kGeneric), std::make_pair(7, 0));
    const auto [generic, custom] = plans_after_seven_calls(PlanCaching::kAuto);
    EXPECT_GE(custom, 5) << "the control: auto mode tries custom plans first";
    EXPECT_EQ(generic + custom, 7);
}

TEST(ConnectionPool, ConnectTimeoutIsAddedOnlyWhenMissing) {
    EXPECT_EQ(WithConnectTimeout("postgresql:///db", 7), "postgresql:///db?connect_timeout=7");
    EXPECT_EQ(WithConnectTimeout("postgresql:///db?host=/x", 7), "postgresql:///db?host=/x&connect_timeout=7");
    EXPECT_EQ(WithConnectTimeout("host=/x dbname=db", 7), "host=/x dbname=db connect_timeout=7");
    EXPECT_EQ(WithConnectTimeout("postgresql:///db?connect_timeout=2", 7), "postgresql:///db?connect_timeout=2");
    EXPECT_EQ(WithConnectTimeout("", 7), "connect_timeout=7");
}

}  // namespace
}  // namespace contactd::storage
