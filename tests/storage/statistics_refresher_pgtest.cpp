// The batch workers' statistics refresher: once a workspace has grown past what the planner's statistics
// know, ANALYZE runs and the workspace appears in them.
#include <pqxx/pqxx>

#include <chrono>
#include <thread>

#include "storage/statistics_refresher.hpp"
#include "tests/storage/storage_fixtures.hpp"

namespace contactd::testing {
namespace {

class StatisticsRefresherTest : public StorageTest {
  protected:
    //! Inserts `count` bare contacts into the test's workspace, as a bulk load would.
    void InsertContacts(int count) {
        auto connection = pool_.Acquire();
        pqxx::work txn(*connection);
        txn.exec_params(
            "INSERT INTO contacts (workspace_id, id, version, created_at, updated_at, emails, phones, tags, "
            "locations, custom_fields) "
            "SELECT $1, gen_random_uuid(), 1, now(), now(), '{}', '{}', '{}', '{}', '{}' FROM generate_series(1, $2)",
            settings_.id, count);
        txn.commit();
    }

    //! Whether the planner's statistics list the workspace among contacts' most common workspace ids.
    bool StatisticsKnowWorkspace() {
        auto connection = pool_.Acquire();
        pqxx::read_transaction txn(*connection);
        return txn.exec_params(
                      "SELECT 1 FROM pg_stats WHERE tablename = 'contacts' AND attname = 'workspace_id' "
                      "AND $1 = ANY(most_common_vals::text::text[])",
                      settings_.id)
                   .size() == 1;
    }

    static bool WaitFor(const std::function<bool()>& condition) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (!condition()) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return true;
    }
};

TEST_F(StatisticsRefresherTest, AnalyzesOnceAWorkspaceOutgrowsTheStatistics) {
    storage::StatisticsRefresher refresher(pool_, engine::StatisticsPolicy(20000, 0.5));
    InsertContacts(30000);
    ASSERT_FALSE(StatisticsKnowWorkspace());
    refresher.Created(settings_.id, 10000);  // below the floor: nothing to do yet
    refresher.Created(settings_.id, 20000);
    ASSERT_TRUE(WaitFor([&] { return refresher.refreshes() == 1; }));
    EXPECT_TRUE(StatisticsKnowWorkspace());
}

TEST_F(StatisticsRefresherTest, AFailedAnalyzeIsReported) {
    std::string reported;
    std::mutex mutex;
    {
        storage::ConnectionPool broken("postgresql:///no_such_database?host=/nonexistent", 1);
        storage::StatisticsRefresher refresher(broken, engine::StatisticsPolicy(1, 0.5), [&](const std::string& m) {
            std::lock_guard lock(mutex);
            reported = m;
        });
        refresher.Created(settings_.id, 1);
        ASSERT_TRUE(WaitFor([&] {
            std::lock_guard lock(mutex);
            return !reported.empty();
        }));
        EXPECT_EQ(refresher.refreshes(), 0);
    }
    EXPECT_NE(reported.find("ANALYZE failed"), std::string::npos);
}

}  // namespace
}  // namespace contactd::testing
