#include "ingest/job_workers.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <pqxx/connection>
#include <pqxx/notification>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "engine/scheduler.hpp"
#include "ingest/api_guard.hpp"
#include "ingest/json_input.hpp"
#include "storage/chunk_runner.hpp"
#include "storage/connection_pool.hpp"
#include "storage/db_error.hpp"
#include "storage/lane_claims.hpp"
#include "storage/migrations.hpp"
#include "storage/statistics_refresher.hpp"
#include "storage/workspace_store.hpp"

namespace contactd::ingest {

namespace {

constexpr std::int64_t kStepItems = 1000;  // the most items one chunk holds (storage::JobWriter::kChunkItems)
constexpr engine::Millis kBusyElsewhereMs = 200;
constexpr engine::Millis kTroubleBackoffMs = 500;

}  // namespace

struct JobWorkers::Impl {
    class Worker;

    Impl(JobWorkersConfig config_in, storage::ItemParser parser_in)
        : config(std::move(config_in)),
          parser(std::move(parser_in)),
          log(config.logger ? *config.logger : Logger::Default()),
          // Per worker: its chunk transaction, its prefetcher's read-ahead, a dry run's results; then the
          // workers' shared look for work, the statistics refresher and the claim filters' loader.
          pool(config.database_url, config.workers * 3 + 3),
          workspaces(pool),
          statistics(pool, engine::StatisticsPolicy(),
                     [this](const std::string& message) {
                         log.Warn("statistics refresh failed", {{"error", message}});
                     }),
          claim_filters(pool),
          scheduler(kStepItems) {
        if (config.metrics) {
            chunks_applied = &config.metrics->GetCounter("contactd_batch_chunks_applied_total", "Chunks applied");
            items_applied = &config.metrics->GetCounter("contactd_batch_items_applied_total", "Batch items applied");
            chunks_prepared_unused = &config.metrics->GetCounter("contactd_batch_chunks_prepared_unused_total",
                                                                 "Chunks read and folded ahead, then dropped unused");
        }
    }

    // Reads which workspaces have work from the database, when a job was accepted since the last read
    // (Notify) or that read is older than poll_ms. One refresh at a time: an older read landing after a
    // newer one would forget a workspace the newer one found. Throws when the database cannot be read; the
    // refresh is then still due.
    void RefreshRunnable(engine::Millis now) {
        std::lock_guard one_at_a_time(refresh_mutex);
        std::unique_lock lock(mutex);
        if (!refresh_needed && now - last_refresh < config.poll_ms) return;
        refresh_needed = false;  // a Notify from here on asks for the next refresh
        lock.unlock();
        std::vector<engine::RunnableWorkspace> runnable;
        try {
            storage::PooledConnection connection = pool.Acquire();
            for (const auto& work : storage::FindWorkspacesWithWork(*connection)) {
                runnable.push_back({work.workspace_id, work.items_per_second});
            }
        } catch (...) {
            lock.lock();
            refresh_needed = true;
            throw;
        }
        lock.lock();
        last_refresh = now;
        scheduler.SetRunnable(runnable, now);
    }

    // The next workspace to serve.
    std::optional<std::string> PickWorkspace(engine::Millis now) {
        RefreshRunnable(now);
        std::lock_guard lock(mutex);
        return scheduler.Next(now);
    }

    engine::Millis IdleWait(engine::Millis now) {
        std::lock_guard lock(mutex);
        const auto eligible = scheduler.NextEligibleAt(now);
        const engine::Millis wait = eligible ? *eligible - now : config.poll_ms;
        return std::clamp<engine::Millis>(wait, 1, config.poll_ms);
    }

    template <class F>
    auto WithScheduler(F&& f) {
        std::lock_guard lock(mutex);
        return f(scheduler);
    }

    void WakeAll();

    JobWorkersConfig config;
    storage::ItemParser parser;
    Logger& log;
    storage::ConnectionPool pool;
    storage::WorkspaceStore workspaces;
    storage::StatisticsRefresher statistics;  // ANALYZE as workspaces grow (engine/statistics_policy.hpp)
    storage::ClaimFilters claim_filters;      // the values each workspace's claims hold, as far as seen
    boost::asio::io_context io;
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guard;
    std::vector<std::thread> threads;
    std::vector<std::unique_ptr<Worker>> workers;
    std::thread listener;

    std::mutex refresh_mutex;  // held through a whole RefreshRunnable (taken before `mutex`)
    std::mutex mutex;          // the scheduler and the refresh state
    engine::FairScheduler scheduler;
    engine::Millis last_refresh = INT64_MIN / 2;
    bool refresh_needed = true;

    std::atomic<bool> stopping{false};
    //! The schema version found newer than this build's (0 while it is not): no worker takes a chunk again.
    std::atomic<int> schema_too_new{0};
    std::mutex done_mutex;
    std::condition_variable done_changed;
    std::size_t workers_done = 0;
    bool started = false;

    Counter* chunks_applied = nullptr;
    Counter* items_applied = nullptr;
    Counter* chunks_prepared_unused = nullptr;
};

//! One worker: a chain of steps on its own strand; each step does one unit of (blocking) work.
class JobWorkers::Impl::Worker {
  public:
    Worker(Impl& impl, int index)
        : impl_(impl),
          index_(index),
          strand_(boost::asio::make_strand(impl.io)),
          timer_(strand_),
          prefetcher_(impl.parser, &impl.pool) {}

    void Post() {
        boost::asio::post(strand_, [this] { Step(); });
    }

    //! Ends an idle wait early (from any thread).
    void Wake() {
        boost::asio::post(strand_, [this] { timer_.cancel(); });
    }

  private:
    void WaitFor(engine::Millis millis) {
        timer_.expires_after(std::chrono::milliseconds(millis));
        timer_.async_wait([this](const boost::system::error_code&) { Step(); });
    }

    void Step() {
        const engine::Millis now = SystemNowMillis();
        if (impl_.stopping) return Finish(now);
        try {
            if (!lane_ && !TakeLane(now)) return;
            ApplyOne(now);
            ReportUnusedPreparations();
            Post();
        } catch (const std::exception& error) {
            // The database is unreachable or failing: keep what we hold (the lease will tell) and retry.
            impl_.log.Warn("batch worker step failed", {{"worker", index_}, {"error", error.what()}});
            WaitFor(kTroubleBackoffMs);
        }
    }

    // Picks a workspace and claims its lane; false when the step has arranged its own continuation.
    bool TakeLane(engine::Millis now) {
        if (impl_.schema_too_new.load() != 0) {  // for good: a schema never gets older
            WaitFor(impl_.config.poll_ms);
            return false;
        }
        const auto workspace = impl_.PickWorkspace(now);
        if (!workspace) {
            WaitFor(impl_.IdleWait(now));
            return false;
        }
        storage::PooledConnection connection = impl_.pool.Acquire();
        lane_ = storage::ClaimLane(*connection, *workspace, impl_.config.node_id, now, impl_.config.lease_ms);
        if (!lane_) {  // another worker or node holds it
            impl_.WithScheduler([&](engine::FairScheduler& s) {
                s.Defer(*workspace, now + kBusyElsewhereMs);
                s.Release(*workspace, true, now);
            });
            Post();
            return false;
        }
        const auto record = impl_.workspaces.Get(*workspace);
        if (!record) {
            GiveBack(now, false);
            Post();
            return false;
        }
        settings_ = record->settings;
        slice_end_ = now + impl_.config.slice_ms;
        return true;
    }

    void ApplyOne(engine::Millis now) {
        const std::string workspace_id = lane_->workspace_id;
        if (now >= slice_end_) {
            // The slice is over: rotate if another workspace is waiting; otherwise keep the lane (and the
            // chunk the prefetcher has ready) for another slice. A workspace that got its first job while
            // every worker was busy is waiting too, so the runnable set is brought up to date first: else
            // it would wait for a budget to run out or a job to end (a whole big job, at the default budget).
            try {
                impl_.RefreshRunnable(now);
            } catch (const std::exception& error) {
                // Serving the lane held needs no fresh list; the next slice's end tries again.
                impl_.log.Warn("finding workspaces with work failed", {{"error", error.what()}});
            }
            if (impl_.WithScheduler([&](engine::FairScheduler& s) { return s.HasWaiting(now); })) {
                return GiveBack(now, true);
            }
            slice_end_ = now + impl_.config.slice_ms;
        }
        const bool budget =
            impl_.WithScheduler([&](engine::FairScheduler& s) { return s.TakeBudget(workspace_id, kStepItems, now); });
        if (!budget) return GiveBack(now, true);  // the budget is spent: rotate
        storage::PooledConnection connection = impl_.pool.Acquire();
        storage::ChunkContext context{*connection,           *lane_,      *settings_, impl_.parser, now,
                                      impl_.config.lease_ms, &prefetcher_};
        context.claims_seen = impl_.claim_filters.For(workspace_id);
        // The slice's last chunk, as far as the last chunk's time tells, when another workspace waits for the
        // lane: nothing is prepared after it, since the lane will be given back and whatever was prepared
        // for it dropped (with many workspaces busy, a chunk in every eight was prepared twice). A wrong
        // guess only costs overlap: the next chunk is then prepared by the worker itself.
        context.read_ahead = now + last_chunk_ms_ < slice_end_ ||
                             !impl_.WithScheduler([&](engine::FairScheduler& s) { return s.HasWaiting(now); });
        const auto chunk_started = std::chrono::steady_clock::now();
        storage::ChunkRun run;
        try {
            run = storage::ApplyNextChunkRetrying(context, 5);
            if (run.result == storage::ChunkRun::Result::kDryRun) {
                storage::PooledConnection results = impl_.pool.Acquire();
                run = storage::RetryTransient([&] { return storage::RunDryRun(context, *results, run.job_id); }, 5);
            }
        } catch (const storage::JobFailure& failure) {
            impl_.log.Error("batch job failed",
                            {{"workspace_id", workspace_id}, {"job_id", failure.job_id()}, {"error", failure.what()}});
            storage::FailJob(*connection, workspace_id, failure.job_id(), failure.what(), SystemNowMillis());
            run.result = storage::ChunkRun::Result::kApplied;
        }
        last_chunk_ms_ =
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - chunk_started)
                .count();
        const std::int64_t unused =
            run.result == storage::ChunkRun::Result::kApplied ? kStepItems - run.items : kStepItems;
        impl_.WithScheduler([&](engine::FairScheduler& s) { s.ReturnBudget(workspace_id, unused); });
        switch (run.result) {
            case storage::ChunkRun::Result::kApplied:
                if (impl_.chunks_applied) impl_.chunks_applied->Add();
                if (impl_.items_applied) impl_.items_applied->Add(run.items);
                impl_.statistics.Created(workspace_id, run.created);
                if (impl_.log.Enabled(LogLevel::kDebug)) LogChunkTimings(workspace_id, run);
                if (run.job_finished)
                    impl_.log.Info("batch job finished", {{"workspace_id", workspace_id}, {"job_id", run.job_id}});
                break;
            case storage::ChunkRun::Result::kNoWork:
                GiveBack(now, false);
                break;
            case storage::ChunkRun::Result::kLeaseLost:
                impl_.log.Warn("lane lease lost", {{"workspace_id", workspace_id}});
                lane_.reset();
                prefetcher_.Clear();
                impl_.WithScheduler([&](engine::FairScheduler& s) { s.Release(workspace_id, true, now); });
                break;
            case storage::ChunkRun::Result::kDryRun:
                break;  // handled above
            case storage::ChunkRun::Result::kSchemaTooNew:
                if (int none = 0; impl_.schema_too_new.compare_exchange_strong(none, run.schema_version)) {
                    impl_.log.Error("batch workers stopped",
                                    {{"error", storage::SchemaTooNew(run.schema_version).what()}});
                }
                GiveBack(now, true);
                break;
        }
    }

    void ReportUnusedPreparations() {
        const std::size_t unused = prefetcher_.unused();
        if (impl_.chunks_prepared_unused) {
            impl_.chunks_prepared_unused->Add(static_cast<std::int64_t>(unused - unused_reported_));
        }
        unused_reported_ = unused;
    }

    // Where a chunk's time went, stage by stage: the profile behind the throughput figures.
    void LogChunkTimings(const std::string& workspace_id, const storage::ChunkRun& run) {
        const storage::ChunkTimings& t = run.timings;
        impl_.log.Debug("chunk applied", {{"workspace_id", workspace_id},
                                          {"job_id", run.job_id},
                                          {"items", run.items},
                                          {"select_us", t.select_us},
                                          {"prepare_us", t.prepare_us},
                                          {"load_us", t.commit.load_us},
                                          {"fold_us", t.commit.fold_us},
                                          {"render_us", t.commit.render_us},
                                          {"claims_us", t.commit.claims_us},
                                          {"write_us", t.commit.write_us},
                                          {"results_us", t.results_us},
                                          {"commit_us", t.commit_us},
                                          {"folded_ahead", t.folded_ahead}});
    }

    // Releases the lane (best effort: an unreleased lease simply expires) and tells the scheduler.
    void GiveBack(engine::Millis now, bool has_more) {
        if (!lane_) return;
        const std::string workspace_id = lane_->workspace_id;
        try {
            storage::PooledConnection connection = impl_.pool.Acquire();
            storage::ReleaseLane(*connection, *lane_, now);
        } catch (const std::exception& error) {
            impl_.log.Warn("lane release failed; its lease will expire",
                           {{"workspace_id", workspace_id}, {"error", error.what()}});
        }
        lane_.reset();
        prefetcher_.Clear();
        impl_.WithScheduler([&](engine::FairScheduler& s) { s.Release(workspace_id, has_more, now); });
    }

    void Finish(engine::Millis now) {
        GiveBack(now, true);
        std::lock_guard lock(impl_.done_mutex);
        ++impl_.workers_done;
        impl_.done_changed.notify_all();
    }

    Impl& impl_;
    int index_;
    boost::asio::strand<boost::asio::io_context::executor_type> strand_;
    boost::asio::steady_timer timer_;
    std::optional<storage::Lane> lane_;
    std::optional<engine::WorkspaceSettings> settings_;
    engine::Millis slice_end_ = 0;
    engine::Millis last_chunk_ms_ = 0;     // how long the last chunk took to apply
    std::size_t unused_reported_ = 0;      // prefetcher_.unused() as last added to the metric
    storage::ChunkPrefetcher prefetcher_;  // prepares the lane's next chunk while this one is applied
};

void JobWorkers::Impl::WakeAll() {
    for (auto& worker : workers) worker->Wake();
}

namespace {

//! Receives the `contactd_jobs` notifications that acceptance sends on commit.
class JobNotificationReceiver : public pqxx::notification_receiver {
  public:
    JobNotificationReceiver(pqxx::connection& connection, JobWorkers& workers)
        : pqxx::notification_receiver(connection, "contactd_jobs"), workers_(workers) {}
    void operator()(const std::string&, int) override { workers_.Notify(); }

  private:
    JobWorkers& workers_;
};

}  // namespace

storage::ItemParser JsonItemParser() {
    return [](std::string_view text, std::string& error) -> std::optional<engine::Json> {
        JsonInputResult parsed = ParseJsonInput(text);
        if (!parsed.ok()) {
            error = parsed.error().message;
            return std::nullopt;
        }
        return std::move(parsed).value();
    };
}

JobWorkers::JobWorkers(JobWorkersConfig config, storage::ItemParser parser)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(parser))) {}

JobWorkers::~JobWorkers() { Stop(); }

void JobWorkers::Start() {
    Impl& impl = *impl_;
    impl.started = true;
    impl.guard.emplace(impl.io.get_executor());
    for (std::size_t i = 0; i < impl.config.workers; ++i) {
        impl.workers.push_back(std::make_unique<Impl::Worker>(impl, static_cast<int>(i)));
    }
    for (std::size_t i = 0; i < impl.config.workers; ++i) {
        impl.threads.emplace_back([&impl] { impl.io.run(); });
    }
    for (auto& worker : impl.workers) worker->Post();
    impl.listener = std::thread([this, &impl] {
        while (!impl.stopping) {
            try {
                pqxx::connection connection(impl.config.database_url);
                JobNotificationReceiver receiver(connection, *this);
                while (!impl.stopping) connection.await_notification(0, 200000);
            } catch (const std::exception& error) {
                if (impl.stopping) break;
                impl.log.Warn("job notifications lost; reconnecting", {{"error", error.what()}});
                std::this_thread::sleep_for(std::chrono::seconds(1));
            }
        }
    });
    impl.log.Info("batch workers started",
                  {{"workers", static_cast<std::int64_t>(impl.config.workers)}, {"node_id", impl.config.node_id}});
}

void JobWorkers::Stop() {
    Impl& impl = *impl_;
    if (!impl.started || impl.stopping.exchange(true)) return;
    impl.WakeAll();
    {
        std::unique_lock lock(impl.done_mutex);
        impl.done_changed.wait(lock, [&] { return impl.workers_done == impl.workers.size(); });
    }
    impl.guard.reset();
    for (std::thread& thread : impl.threads) thread.join();
    if (impl.listener.joinable()) impl.listener.join();
    impl.log.Info("batch workers stopped");
}

void JobWorkers::Notify() {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->refresh_needed = true;
    }
    impl_->WakeAll();
}

}  // namespace contactd::ingest
