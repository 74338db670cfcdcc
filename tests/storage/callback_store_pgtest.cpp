// Callback delivery state against real PostgreSQL: finding due callbacks, exclusive claims under a lease,
// and the delivered / rescheduled / abandoned transitions, fenced by the claim's attempt number. Times are
// parameters, so every due time is checked exactly. The tests use a database of their own, because finding
// due callbacks spans workspaces.
#include "storage/callback_store.hpp"

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "engine/date_time.hpp"
#include "engine/workspace_admin.hpp"
#include "storage/connection_pool.hpp"
#include "storage/database.hpp"
#include "storage/ids.hpp"
#include "storage/sql_params.hpp"
#include "storage/workspace_store.hpp"
#include "tests/engine/json_text.hpp"
#include "tests/support/test_cluster.hpp"

namespace contactd::testing {
namespace {

constexpr engine::Millis kT = 1767225600000;  // 2026-01-01T00:00:00Z
constexpr engine::Millis kLease = 60000;

//! A migrated database that only these tests use, created on first use.
const std::string& CallbackDatabaseUrl() {
    static const std::string url = [] {
        storage::DatabaseConfig config;
        config.url = test_support::TestCluster::CreateDatabase("callbacks");
        return storage::OpenDatabase(config).Url();
    }();
    return url;
}

class CallbackStoreTest : public ::testing::Test {
  protected:
    void SetUp() override {
        {
            auto connection = pool_.Acquire();
            pqxx::work txn(*connection);
            txn.exec("DELETE FROM jobs");  // this database is ours alone
            txn.commit();
        }
        workspace_id_ = test_support::TestCluster::UniqueId("ws");
        auto edit = engine::NewWorkspaceSettings(J(R"({"id": ")" + workspace_id_ + R"("})"));
        ASSERT_TRUE(edit.ok());
        auto created = workspaces_.Create(edit.settings, kT);
        ASSERT_TRUE(created.has_value());
        secret_ = created->first.webhook_secret;
    }

    //! A finished job of this workspace. `callback_status` nullopt: no callback asked for.
    std::string InsertJob(engine::Millis finished_at, std::optional<std::string> callback_status = "pending",
                          std::optional<engine::Millis> next_at = std::nullopt, int attempts = 0) {
        const std::string job_id = storage::NewUuidV7();
        auto connection = pool_.Acquire();
        pqxx::work txn(*connection);
        storage::SqlParams params;
        params.Add(workspace_id_)
            .Add(job_id)
            .Add(callback_status ? std::optional<std::string>("http://127.0.0.1:9/hook?job=1") : std::nullopt)
            .Add(engine::FormatTimestamp(finished_at))
            .Add(callback_status)
            .Add(attempts)
            .Add(callback_status && *callback_status == "pending"
                     ? std::optional<std::string>(engine::FormatTimestamp(next_at.value_or(finished_at)))
                     : std::nullopt);
        params.Exec(txn,
                    "INSERT INTO jobs (workspace_id, id, seq, status, mode, semantics, invalid_fields, dry_run, "
                    "callback_url, request_sha256, total_items, chunk_count, created_at, started_at, finished_at, "
                    "callback_status, callback_attempts, callback_next_at) VALUES ($1, $2::uuid, "
                    "nextval('job_acceptance_seq'), 'completed', 'upsert', 'patch', 'drop', false, $3, '\\x00'::bytea, "
                    "0, 0, $4::timestamptz, $4::timestamptz, $4::timestamptz, $5, $6::int4, $7::timestamptz)");
        txn.commit();
        return job_id;
    }

    struct Row {
        std::string status;
        int attempts = 0;
        std::optional<engine::Millis> next_at;
    };
    Row Read(const std::string& job_id) {
        auto connection = pool_.Acquire();
        pqxx::read_transaction txn(*connection);
        const auto row = txn.exec_params1(
            "SELECT coalesce(callback_status, ''), callback_attempts, "
            "(extract(epoch FROM callback_next_at) * 1000)::int8 FROM jobs WHERE workspace_id = $1 AND id = $2::uuid",
            workspace_id_, job_id);
        Row out{row[0].c_str(), row[1].as<int>(), std::nullopt};
        if (!row[2].is_null()) out.next_at = row[2].as<engine::Millis>();
        return out;
    }

    std::vector<std::string> DueJobs(engine::Millis now, int limit = 100) {
        auto connection = pool_.Acquire();
        std::vector<std::string> ids;
        for (const auto& due : storage::FindDueCallbacks(*connection, now, limit)) {
            EXPECT_EQ(due.workspace_id, workspace_id_);
            ids.push_back(due.job_id);
        }
        return ids;
    }

    std::optional<storage::ClaimedCallback> Claim(const std::string& job_id, engine::Millis now) {
        auto connection = pool_.Acquire();
        return storage::ClaimCallback(*connection, workspace_id_, job_id, now, kLease);
    }

    static engine::Json J(const std::string& text) { return JsonText::Parse(text); }

    storage::ConnectionPool pool_{CallbackDatabaseUrl(), 12};
    storage::WorkspaceStore workspaces_{pool_};
    std::string workspace_id_;
    std::string secret_;
};

TEST_F(CallbackStoreTest, FindsPendingCallbacksThatAreDueEarliestFirstUpToTheLimit) {
    const std::string later = InsertJob(kT - 100);
    const std::string earlier = InsertJob(kT - 200);
    const std::string future = InsertJob(kT - 300, "pending", kT + 1);
    InsertJob(kT - 400, "delivered");
    InsertJob(kT - 500, "abandoned");
    InsertJob(kT - 600, std::nullopt);  // no callback_url

    EXPECT_EQ(DueJobs(kT), (std::vector<std::string>{earlier, later}));
    EXPECT_EQ(DueJobs(kT, 1), (std::vector<std::string>{earlier}));
    EXPECT_EQ(DueJobs(kT + 1), (std::vector<std::string>{earlier, later, future}));
    EXPECT_TRUE(DueJobs(kT - 201).empty());
}

TEST_F(CallbackStoreTest, AClaimCountsTheAttemptAndHoldsTheCallbackForTheLease) {
    const std::string job = InsertJob(kT - 1000);
    const auto claim = Claim(job, kT);
    ASSERT_TRUE(claim.has_value());
    EXPECT_EQ(claim->workspace_id, workspace_id_);
    EXPECT_EQ(claim->job_id, job);
    EXPECT_EQ(claim->callback_url, "http://127.0.0.1:9/hook?job=1");
    EXPECT_EQ(claim->webhook_secret, secret_);
    EXPECT_EQ(claim->attempt, 1);
    EXPECT_EQ(claim->first_due, kT - 1000);
    EXPECT_EQ(claim->lease_until, kT + kLease);

    const Row row = Read(job);
    EXPECT_EQ(row.status, "pending");
    EXPECT_EQ(row.attempts, 1);
    EXPECT_EQ(row.next_at, kT + kLease);
    EXPECT_TRUE(DueJobs(kT + kLease - 1).empty()) << "no one else finds it while the lease runs";
    EXPECT_FALSE(Claim(job, kT + kLease - 1).has_value()) << "nor claims it";

    const auto again = Claim(job, kT + kLease);  // the holder died: the lease expired
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->attempt, 2);
    EXPECT_EQ(again->first_due, kT - 1000) << "the first due time stays the finish time";
}

TEST_F(CallbackStoreTest, AClaimIsRefusedWhenNotDueOrInAnotherWorkspace) {
    const std::string job = InsertJob(kT, "pending", kT + 500);
    EXPECT_FALSE(Claim(job, kT + 499).has_value());
    auto connection = pool_.Acquire();
    EXPECT_FALSE(storage::ClaimCallback(*connection, workspace_id_ + "-other", job, kT + 500, kLease).has_value());
    EXPECT_EQ(Read(job).attempts, 0);
    EXPECT_TRUE(Claim(job, kT + 500).has_value());
}

TEST_F(CallbackStoreTest, AClaimSkipsACallbackLockedByAnotherClaimerWithoutWaiting) {
    const std::string job = InsertJob(kT);
    auto holder = pool_.Acquire();
    pqxx::work locked(*holder);
    locked.exec_params("SELECT 1 FROM jobs WHERE workspace_id = $1 AND id = $2::uuid FOR UPDATE", workspace_id_, job);

    EXPECT_FALSE(Claim(job, kT).has_value()) << "SKIP LOCKED: another claimer is on it";
    locked.abort();
    EXPECT_TRUE(Claim(job, kT).has_value());
}

TEST_F(CallbackStoreTest, OfManyConnectionsClaimingTheSameDueCallbackAtOnceOnlyOneWins) {
    constexpr int kClaimers = 6;
    constexpr int kRounds = 15;
    for (int round = 0; round < kRounds; ++round) {
        const std::string job = InsertJob(kT);
        std::atomic<int> ready{0};
        std::atomic<int> winners{0};
        std::vector<std::thread> claimers;
        for (int i = 0; i < kClaimers; ++i) {
            claimers.emplace_back([&] {
                auto connection = pool_.Acquire();
                ++ready;
                while (ready < kClaimers) std::this_thread::yield();
                if (storage::ClaimCallback(*connection, workspace_id_, job, kT, kLease)) ++winners;
            });
        }
        for (auto& claimer : claimers) claimer.join();
        EXPECT_EQ(winners.load(), 1) << "round " << round;
        EXPECT_EQ(Read(job).attempts, 1) << "round " << round;
    }
}

TEST_F(CallbackStoreTest, AFailedAttemptIsDueAgainExactlyWhenRescheduled) {
    const std::string job = InsertJob(kT);
    const auto first = Claim(job, kT);
    ASSERT_TRUE(first.has_value());
    auto connection = pool_.Acquire();
    EXPECT_TRUE(storage::Reschedule(*connection, *first, kT + 1000));
    const Row row = Read(job);
    EXPECT_EQ(row.status, "pending");
    EXPECT_EQ(row.attempts, 1);
    EXPECT_EQ(row.next_at, kT + 1000);
    EXPECT_TRUE(DueJobs(kT + 999).empty());
    EXPECT_EQ(DueJobs(kT + 1000), (std::vector<std::string>{job}));

    const auto second = Claim(job, kT + 1000);
    ASSERT_TRUE(second.has_value());
    EXPECT_EQ(second->attempt, 2);
    EXPECT_TRUE(storage::Reschedule(*connection, *second, kT + 3000));
    EXPECT_EQ(Read(job).next_at, kT + 3000);
}

TEST_F(CallbackStoreTest, ADeliveredCallbackIsNeverDueAgain) {
    const std::string job = InsertJob(kT);
    const auto claim = Claim(job, kT);
    ASSERT_TRUE(claim.has_value());
    auto connection = pool_.Acquire();
    EXPECT_TRUE(storage::MarkDelivered(*connection, *claim));
    const Row row = Read(job);
    EXPECT_EQ(row.status, "delivered");
    EXPECT_EQ(row.attempts, 1);
    EXPECT_FALSE(row.next_at.has_value());
    EXPECT_TRUE(DueJobs(kT + 365LL * 24 * 3600 * 1000).empty());
    EXPECT_FALSE(Claim(job, kT + kLease).has_value());
    EXPECT_FALSE(storage::MarkDelivered(*connection, *claim)) << "only a pending callback is delivered";
}

TEST_F(CallbackStoreTest, AnAbandonedCallbackIsNeverDueAgain) {
    const std::string job = InsertJob(kT);
    const auto claim = Claim(job, kT);
    ASSERT_TRUE(claim.has_value());
    auto connection = pool_.Acquire();
    EXPECT_TRUE(storage::Abandon(*connection, *claim));
    const Row row = Read(job);
    EXPECT_EQ(row.status, "abandoned");
    EXPECT_FALSE(row.next_at.has_value());
    EXPECT_TRUE(DueJobs(kT + 365LL * 24 * 3600 * 1000).empty());
    EXPECT_FALSE(storage::Reschedule(*connection, *claim, kT + 1)) << "abandoned stays abandoned";
    EXPECT_EQ(Read(job).status, "abandoned");
}

TEST_F(CallbackStoreTest, AClaimLostToAnExpiredLeaseRecordsNothing) {
    const std::string job = InsertJob(kT);
    const auto stale = Claim(job, kT);
    ASSERT_TRUE(stale.has_value());
    const auto current = Claim(job, kT + kLease);  // the first holder overran its lease
    ASSERT_TRUE(current.has_value());
    ASSERT_EQ(current->attempt, 2);

    auto connection = pool_.Acquire();
    EXPECT_FALSE(storage::MarkDelivered(*connection, *stale));
    EXPECT_FALSE(storage::Reschedule(*connection, *stale, kT + 1));
    EXPECT_FALSE(storage::Abandon(*connection, *stale));
    Row row = Read(job);
    EXPECT_EQ(row.status, "pending");
    EXPECT_EQ(row.next_at, kT + 2 * kLease) << "the current holder's lease stands";

    EXPECT_TRUE(storage::MarkDelivered(*connection, *current));
    EXPECT_EQ(Read(job).status, "delivered");
}

}  // namespace
}  // namespace contactd::testing
