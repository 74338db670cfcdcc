// The batch workers against real PostgreSQL (a database of the test's own, so that no other test's workers
// take its jobs): how they share their time between workspaces.
#include <pqxx/pqxx>

#include <array>
#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "engine/workspace_admin.hpp"
#include "ingest/job_workers.hpp"
#include "ingest/logger.hpp"
#include "ingest/metrics.hpp"
#include "storage/connection_pool.hpp"
#include "storage/ids.hpp"
#include "storage/job_store.hpp"
#include "storage/job_writer.hpp"
#include "storage/migrations.hpp"
#include "storage/workspace_store.hpp"
#include "tests/engine/json_text.hpp"
#include "tests/support/newer_schema.hpp"
#include "tests/support/test_cluster.hpp"

namespace contactd::testing {
namespace {

using test_support::TestCluster;

constexpr engine::Millis kNow = 1767225600000;  // 2026-01-01T00:00:00Z

//! A logger for workers under test that keeps the lines (at `level` or above) containing `needle`; Lines() may be
//! read while the workers still log.
class CapturedLog {
  public:
    CapturedLog(std::string needle, ingest::LogLevel level)
        : needle_(std::move(needle)), logger_([this](std::string_view line) { Keep(line); }, level) {}

    ingest::Logger* logger() { return &logger_; }
    std::vector<std::string> Lines() {
        std::lock_guard lock(mutex_);
        return lines_;
    }

  private:
    void Keep(std::string_view line) {
        if (line.find(needle_) == std::string_view::npos) return;
        std::lock_guard lock(mutex_);
        lines_.emplace_back(line);
    }

    const std::string needle_;
    std::mutex mutex_;
    std::vector<std::string> lines_;
    ingest::Logger logger_;  // last: it may call Keep as soon as it exists
};

class JobWorkersTest : public ::testing::Test {
  protected:
    JobWorkersTest() : url_(MigratedDatabase()), pool_(url_, 4), workspaces_(pool_), jobs_(pool_) {}

    static std::string MigratedDatabase() {
        const std::string url = TestCluster::CreateDatabase("job_workers");
        pqxx::connection connection(url);
        storage::ApplyMigrations(connection);
        return url;
    }

    std::string NewWorkspace() {
        const std::string id = TestCluster::UniqueId("ws");
        auto edit = engine::NewWorkspaceSettings(J(R"({"id": ")" + id + R"(", "default_country": "US"})"));
        EXPECT_TRUE(edit.ok());
        EXPECT_TRUE(workspaces_.Create(edit.settings, kNow).has_value());
        return id;
    }

    //! Stages and commits a job of `count` (at most 36,000) create items, each with a phone of its own;
    //! returns its id.
    std::string Submit(const std::string& workspace_id, int count) {
        static constexpr std::array<const char*, 4> kAreaCodes = {"650", "415", "212", "312"};
        storage::JobWriter writer(url_, workspace_id);
        std::uint64_t offset = 0;
        for (int i = 0; i < count; ++i) {
            const std::string phone = std::string("+1") + kAreaCodes[static_cast<std::size_t>(i / 9000)] + "555" +
                                      std::to_string(1000 + i % 9000);
            const std::string item = R"({"phone": ")" + phone + R"("})";
            writer.Add(storage::ChunkItemKind::kJson, offset, item);
            offset += item.size() + 1;
        }
        const auto acceptance = writer.Commit({}, std::nullopt, storage::Sha256Raw(workspace_id), kNow);
        EXPECT_EQ(acceptance.result, storage::Acceptance::Result::kAccepted);
        return acceptance.job_id;
    }

    engine::JobStatus Status(const std::string& workspace_id, const std::string& job_id) {
        const auto status = jobs_.Status(workspace_id, job_id);
        EXPECT_TRUE(status.has_value());
        return status.value_or(engine::JobStatus{});
    }

    //! Workers on this test's database, `workers` of them, as a node of their own.
    ingest::JobWorkersConfig WorkersConfig(int workers) const {
        ingest::JobWorkersConfig config;
        config.database_url = url_;
        config.workers = workers;
        config.node_id = TestCluster::UniqueId("node");
        return config;
    }

    //! Polls until `done` holds (or 60 s have passed, which fails the test).
    template <class Done>
    void WaitUntil(Done done, const char* what) {
        for (int i = 0; i < 6000 && !done(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        ASSERT_TRUE(done()) << what;
    }

    std::string url_;
    storage::ConnectionPool pool_;
    storage::WorkspaceStore workspaces_;
    storage::JobStore jobs_;
};

// One worker, busy with a big job whose budget never runs out (the default 50,000 items a second is more than
// a worker applies): a small job of another workspace is served at the next slice end, not after the big job.
// The big job is long enough (30 chunks) for the small one to be submitted well before its end.
TEST_F(JobWorkersTest, AWorkspaceThatGetsWorkWhileEveryWorkerIsBusyIsServedAtTheNextSliceEnd) {
    const std::string big_workspace = NewWorkspace();
    const std::string small_workspace = NewWorkspace();
    constexpr int kBigItems = 30000;
    const std::string big = Submit(big_workspace, kBigItems);

    ingest::JobWorkersConfig config = WorkersConfig(1);
    config.slice_ms = 1;      // every chunk ends a slice
    config.poll_ms = 600000;  // the runnable set is refreshed on notifications only
    ingest::JobWorkers workers(config, ingest::JsonItemParser());
    workers.Start();
    WaitUntil([&] { return Status(big_workspace, big).tally.counts.processed > 0; }, "the big job never started");

    const std::string small = Submit(small_workspace, 50);
    workers.Notify();  // as the HTTP handler does once a job is accepted
    WaitUntil([&] { return Status(small_workspace, small).state == engine::JobState::kCompleted; },
              "the small job did not complete");
    const engine::JobStatus big_then = Status(big_workspace, big);
    EXPECT_LT(big_then.tally.counts.processed, kBigItems) << "the small job waited for the whole big job";

    WaitUntil([&] { return Status(big_workspace, big).state == engine::JobState::kCompleted; },
              "the big job did not complete");
    EXPECT_EQ(Status(big_workspace, big).tally.counts.ok, kBigItems);
    EXPECT_EQ(Status(small_workspace, small).tally.counts.ok, 50);
    workers.Stop();
}

// Two workspaces with work and one worker that rotates after every chunk: the chunk before each rotation is
// not read and folded ahead, since the lane is given back and what was prepared for it would be dropped. At
// most the very first chunk, applied before any chunk's time is known, has its successor prepared in vain.
TEST_F(JobWorkersTest, NothingIsPreparedAheadForALaneAboutToBeGivenBack) {
    const std::string first_workspace = NewWorkspace();
    const std::string second_workspace = NewWorkspace();
    constexpr int kItems = 6000;  // six chunks each
    const std::string first = Submit(first_workspace, kItems);
    const std::string second = Submit(second_workspace, kItems);

    ingest::Metrics metrics;
    ingest::JobWorkersConfig config = WorkersConfig(1);
    config.slice_ms = 1;  // every chunk ends a slice, and the other workspace is waiting until its job is done
    config.metrics = &metrics;
    ingest::JobWorkers workers(config, ingest::JsonItemParser());
    workers.Start();
    WaitUntil(
        [&] {
            return Status(first_workspace, first).state == engine::JobState::kCompleted &&
                   Status(second_workspace, second).state == engine::JobState::kCompleted;
        },
        "the jobs did not complete");
    workers.Stop();
    EXPECT_EQ(Status(first_workspace, first).tally.counts.ok, kItems);
    EXPECT_EQ(Status(second_workspace, second).tally.counts.ok, kItems);
    const auto& applied = metrics.GetCounter("contactd_batch_chunks_applied_total", "");
    EXPECT_EQ(applied.Value(), 12);
    const auto& unused = metrics.GetCounter("contactd_batch_chunks_prepared_unused_total", "");
    EXPECT_LE(unused.Value(), 1) << "chunks were prepared for a lane that was then given back";
}

// At a slice's end the worker looks for other workspaces waiting; when that read fails (here: the workspaces
// table is briefly away), the lane it holds is still served, and the job goes on to the end instead of waiting
// for the database to answer a question its lane does not need.
TEST_F(JobWorkersTest, ALaneIsStillServedWhenLookingForOtherWorkFailsAtASliceEnd) {
    const std::string workspace = NewWorkspace();
    constexpr int kItems = 12000;  // twelve chunks, every one the end of a slice
    const std::string job = Submit(workspace, kItems);

    CapturedLog warnings("finding workspaces with work failed", ingest::LogLevel::kWarn);
    ingest::JobWorkersConfig config = WorkersConfig(1);
    config.slice_ms = 1;  // every chunk ends a slice
    config.poll_ms = 0;   // and every slice end reads which workspaces have work
    config.logger = warnings.logger();
    ingest::JobWorkers workers(config, ingest::JsonItemParser());
    pqxx::connection admin(url_);
    workers.Start();
    WaitUntil([&] { return Status(workspace, job).tally.counts.processed > 0; }, "the job never started");
    pqxx::nontransaction(admin).exec0("ALTER TABLE workspaces RENAME TO workspaces_away");
    WaitUntil([&] { return Status(workspace, job).state == engine::JobState::kCompleted; },
              "the lane stopped being served when looking for other work failed");
    pqxx::nontransaction(admin).exec0("ALTER TABLE workspaces_away RENAME TO workspaces");
    workers.Stop();
    EXPECT_EQ(Status(workspace, job).tally.counts.ok, kItems);
    EXPECT_FALSE(warnings.Lines().empty()) << "no slice end looked for other work while the table was away";
}

// A newer build migrates the database while a job runs here (its chunks may then be in a form this build cannot
// read): the workers stop before the next chunk, leave the rest of the job pending for a node that knows the
// schema, and say why. The chunk in hand when the migration lands may still commit; none after it.
TEST_F(JobWorkersTest, WorkersStopTakingChunksOnceANewerBuildHasMigratedTheSchema) {
    const std::string workspace = NewWorkspace();
    constexpr int kItems = 30000;  // thirty chunks: the migration lands well before the end
    const std::string job = Submit(workspace, kItems);

    CapturedLog errors("batch workers stopped", ingest::LogLevel::kError);
    ingest::JobWorkersConfig config = WorkersConfig(2);
    config.poll_ms = 50;
    config.logger = errors.logger();
    ingest::JobWorkers workers(config, ingest::JsonItemParser());
    workers.Start();
    WaitUntil([&] { return Status(workspace, job).tally.counts.processed > 0; }, "the job never started");
    const test_support::NewerSchema newer_schema(url_);
    const int newer = newer_schema.version();
    const std::int64_t at_migration = Status(workspace, job).tally.counts.processed;
    WaitUntil([&] { return !errors.Lines().empty(); }, "the workers never noticed the newer schema");
    const std::int64_t stopped_at = Status(workspace, job).tally.counts.processed;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // ten polls: time enough to take more
    const engine::JobStatus after = Status(workspace, job);
    workers.Stop();

    EXPECT_EQ(after.tally.counts.processed, stopped_at) << "a chunk was applied after the workers stopped";
    EXPECT_LE(stopped_at, at_migration + 2000) << "more than the chunks in hand were applied after the migration";
    EXPECT_LT(stopped_at, kItems);
    EXPECT_EQ(after.state, engine::JobState::kRunning) << "the rest of the job must wait for a newer node";
    const std::vector<std::string> stopped = errors.Lines();
    ASSERT_FALSE(stopped.empty());
    EXPECT_NE(stopped.front().find("version " + std::to_string(newer)), std::string::npos) << stopped.front();
}

}  // namespace
}  // namespace contactd::testing
