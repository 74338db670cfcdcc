#include "storage/chunk_runner.hpp"

#include <pqxx/binarystring>
#include <pqxx/except>
#include <pqxx/result>
#include <pqxx/transaction>

#include "engine/date_time.hpp"
#include "engine/job_status.hpp"
#include "engine/result_line.hpp"
#include "engine/validation.hpp"
#include "storage/chunk_codec.hpp"
#include "storage/commit_path.hpp"
#include "storage/db_error.hpp"
#include "storage/migrations.hpp"
#include "storage/sql_params.hpp"
#include "storage/stopwatch.hpp"

namespace contactd::storage {

namespace {

//! A chunk chosen for work, with what its job says about applying it.
struct SelectedChunk {
    std::string job_id;
    std::int32_t chunk_no = 0;
    std::int64_t job_seq = 0;
    std::int64_t first_index = 0;
    engine::WriteOptions options;
    bool dry_run = false;
    bool queued = false;
    bool has_callback = false;
};

//! The results of one chunk's items.
struct AppliedChunk {
    std::string results;
    engine::OutcomeTally tally;
};

constexpr const char* kChunkColumns =
    "c.job_id::text, c.chunk_no, c.job_seq, c.first_index, j.mode, j.semantics, j.invalid_fields, j.dry_run, "
    "j.status = 'queued', j.callback_url IS NOT NULL";

SelectedChunk ChunkFromRow(const pqxx::row& row) {
    SelectedChunk chunk;
    chunk.job_id = row[0].c_str();
    chunk.chunk_no = row[1].as<std::int32_t>();
    chunk.job_seq = row[2].as<std::int64_t>();
    chunk.first_index = row[3].as<std::int64_t>();
    chunk.options.mode = engine::ParseWriteMode(row[4].c_str()).value_or(engine::WriteMode::kUpsert);
    chunk.options.semantics = engine::ParseSemantics(row[5].c_str()).value_or(engine::Semantics::kPatch);
    chunk.options.reject_invalid_fields = std::string_view(row[6].c_str()) == "reject";
    chunk.dry_run = row[7].c_str()[0] == 't';
    chunk.queued = row[8].c_str()[0] == 't';
    chunk.has_callback = row[9].c_str()[0] == 't';
    return chunk;
}

std::string FetchItems(pqxx::transaction_base& txn, const std::string& workspace_id, const SelectedChunk& chunk) {
    SqlParams params;
    params.Add(workspace_id).Add(chunk.job_id).Add(chunk.chunk_no);
    const pqxx::result rows = params.ExecFixed(
        txn, "SELECT items FROM job_chunks WHERE workspace_id = $1 AND job_id = $2::uuid AND chunk_no = $3::int4");
    return pqxx::binarystring(rows.at(0)[0]).str();
}

// The chunk's items, prepared (by the prefetcher, or here).
PreparedChunk Prepared(pqxx::transaction_base& txn, const ChunkContext& context, const SelectedChunk& chunk) {
    if (context.prefetcher) {
        if (auto prepared = context.prefetcher->Take({chunk.job_id, chunk.chunk_no})) return std::move(*prepared);
    }
    return PrepareChunk(
        {chunk.job_id, chunk.chunk_no, FetchItems(txn, context.lane.workspace_id, chunk), chunk.options},
        context.settings, context.parse);
}

CommitRequest RequestFor(const ChunkContext& context, const SelectedChunk& chunk) {
    // A dry run writes nothing that stays, so it looks every value up rather than count on the claim INSERT.
    return {context.settings,
            chunk.options,
            context.now,
            /*want_contacts=*/false,
            context.claims_seen.get(),
            context.skip_unseen && !chunk.dry_run};
}

// Steps 1 and 2 of the commit path for prepared items: done ahead by the prefetcher, or done here.
FoldedRun FoldPrepared(pqxx::transaction_base& txn, const ChunkContext& context, const SelectedChunk& chunk,
                       PreparedChunk& prepared, ChunkTimings& timings) {
    if (prepared.corrupt) throw JobFailure(chunk.job_id, "chunk " + std::to_string(chunk.chunk_no) + " is corrupt");
    timings.folded_ahead = prepared.folded.has_value();
    if (prepared.folded) return std::move(*prepared.folded);
    Stopwatch stopwatch;
    const CommitRequest request = RequestFor(context, chunk);
    LoadedContacts loaded = LoadTouched(txn, request, prepared.items);
    timings.commit.load_us = stopwatch.Lap();
    FoldedRun run = FoldItems(request, std::move(loaded), prepared.items);
    timings.commit.fold_us = stopwatch.Lap();
    return run;
}

// The result lines and counts of a folded chunk.
AppliedChunk Summarize(const SelectedChunk& chunk, const PreparedChunk& prepared, const FoldedRun& run) {
    AppliedChunk applied;
    applied.results.reserve(run.results.size() * 160);
    for (std::size_t i = 0; i < run.results.size(); ++i) {
        engine::AppendResultLine(applied.results, chunk.first_index + static_cast<std::int64_t>(i), prepared.refs[i],
                                 run.results[i].outcome);
        applied.tally.Add(run.results[i].outcome);
    }
    return applied;
}

// Writes a chunk's results and counts; `applied_state` marks it applied in the same statement.
void StoreResults(pqxx::transaction_base& txn, const std::string& workspace_id, const SelectedChunk& chunk,
                  const AppliedChunk& applied, bool mark_applied, engine::Millis now) {
    const engine::JobCounts& c = applied.tally.counts;
    SqlParams params;
    params.Add(workspace_id)
        .Add(chunk.job_id)
        .Add(chunk.chunk_no)
        .Add(applied.results)
        .Add(c.ok)
        .Add(c.ignored)
        .Add(c.created)
        .Add(c.updated)
        .Add(c.unchanged)
        .Add(c.with_remarks)
        .Add(applied.tally.IgnoredByCodeJson())
        .Add(engine::FormatTimestamp(now));
    params.ExecFixed(txn, std::string("UPDATE job_chunks SET ") + (mark_applied ? "state = 1, " : "") +
                              "results = $4, ok_count = $5::int4, ignored_count = $6::int4, created_count = $7::int4, "
                              "updated_count = $8::int4, unchanged_count = $9::int4, with_remarks_count = $10::int4, "
                              "ignored_by_code = $11, finished_at = $12::timestamptz "
                              "WHERE workspace_id = $1 AND job_id = $2::uuid AND chunk_no = $3::int4");
}

void MarkRunning(pqxx::transaction_base& txn, const std::string& workspace_id, const std::string& job_id,
                 engine::Millis now) {
    SqlParams params;
    params.Add(workspace_id).Add(job_id).Add(engine::FormatTimestamp(now));
    params.Exec(txn,
                "UPDATE jobs SET status = 'running', started_at = $3::timestamptz "
                "WHERE workspace_id = $1 AND id = $2::uuid AND status = 'queued'");
}

// Ends the job as `state` (completed, failed) if it is still unfinished. A pending callback is due at once.
void FinishJob(pqxx::transaction_base& txn, const std::string& workspace_id, const std::string& job_id,
               std::string_view state, bool has_callback, const std::optional<std::string>& message,
               engine::Millis now) {
    SqlParams params;
    params.Add(workspace_id)
        .Add(job_id)
        .Add(std::string(state))
        .Add(engine::FormatTimestamp(now))
        .Add(has_callback ? std::optional<std::string>("pending") : std::nullopt)
        .Add(message);
    params.Exec(txn,
                "UPDATE jobs SET status = $3, finished_at = $4::timestamptz, callback_status = $5, "
                "callback_next_at = $4::timestamptz, message = $6 "
                "WHERE workspace_id = $1 AND id = $2::uuid AND status IN ('queued', 'running')");
}

bool HasPendingChunks(pqxx::transaction_base& txn, const std::string& workspace_id, const std::string& job_id) {
    SqlParams params;
    params.Add(workspace_id).Add(job_id);
    return !params
                .ExecFixed(txn,
                           "SELECT 1 FROM job_chunks WHERE workspace_id = $1 AND job_id = $2::uuid AND state = 0 "
                           "LIMIT 1")
                .empty();
}

// Checks the fencing token and renews the lease; false when the lane was taken over. The row lock it
// takes is held until the transaction ends, so no one can take the lane over while it works.
bool RenewLease(pqxx::transaction_base& txn, const ChunkContext& context) {
    SqlParams params;
    params.Add(context.lane.workspace_id)
        .Add(context.lane.token)
        .Add(engine::FormatTimestamp(context.now + context.lease_ms));
    return params
               .ExecFixed(txn,
                          "UPDATE workspace_lanes SET lease_until = $3::timestamptz "
                          "WHERE workspace_id = $1 AND lease_token = $2::uuid")
               .affected_rows() == 1;
}

}  // namespace

ChunkRun ApplyNextChunk(const ChunkContext& context) {
    const std::string& workspace_id = context.lane.workspace_id;
    std::string job_id;
    try {
        Stopwatch stopwatch;
        ChunkTimings timings;
        pqxx::work txn(context.connection);
        if (!RenewLease(txn, context)) return {ChunkRun::Result::kLeaseLost, {}, 0, false, {}};
        SqlParams params;
        params.Add(workspace_id);
        const pqxx::result rows = params.ExecFixed(
            txn, std::string("SELECT ") + kChunkColumns +
                     " FROM job_chunks c JOIN jobs j ON j.workspace_id = c.workspace_id AND j.id = c.job_id "
                     "WHERE c.workspace_id = $1 AND c.state = 0 ORDER BY c.job_seq, c.chunk_no LIMIT 1 "
                     "FOR UPDATE OF c");
        if (rows.empty()) {
            txn.commit();
            return {ChunkRun::Result::kNoWork, {}, 0, false, {}};
        }
        // Checked after the chunk is found, in the same transaction: a chunk staged by a newer build was
        // committed after its migration, so this later statement sees that migration whenever the one before
        // saw the chunk. Nothing of the chunk (nor what the prefetcher made of it) is used before this.
        if (const int version = AppliedSchemaVersion(txn); version > LatestMigrationVersion()) {
            ChunkRun run{ChunkRun::Result::kSchemaTooNew, {}, 0, false, {}};
            run.schema_version = version;
            return run;
        }
        const SelectedChunk chunk = ChunkFromRow(rows[0]);
        job_id = chunk.job_id;
        if (chunk.dry_run) {
            txn.commit();
            return {ChunkRun::Result::kDryRun, chunk.job_id, 0, false, {}};
        }
        if (chunk.queued) MarkRunning(txn, workspace_id, chunk.job_id, context.now);
        timings.select_us = stopwatch.Lap();
        PreparedChunk prepared = Prepared(txn, context, chunk);
        timings.prepare_us = stopwatch.Lap();
        const FoldedRun run_ahead = FoldPrepared(txn, context, chunk, prepared, timings);
        stopwatch.Lap();
        // The next chunk is read and folded on top of this one while this one is written.
        if (context.prefetcher && context.read_ahead) {
            context.prefetcher->StartNext({workspace_id, chunk.job_seq, {chunk.job_id, chunk.chunk_no}},
                                          context.settings, run_ahead.changed, context.now, context.claims_seen);
        }
        WriteFolded(txn, RequestFor(context, chunk), run_ahead, &timings.commit);
        stopwatch.Lap();
        const AppliedChunk applied = Summarize(chunk, prepared, run_ahead);
        StoreResults(txn, workspace_id, chunk, applied, /*mark_applied=*/true, context.now);
        ChunkRun run{ChunkRun::Result::kApplied, chunk.job_id, applied.tally.counts.processed, false, {}};
        run.created = applied.tally.counts.created;
        if (!HasPendingChunks(txn, workspace_id, chunk.job_id)) {
            FinishJob(txn, workspace_id, chunk.job_id, "completed", chunk.has_callback, std::nullopt, context.now);
            run.job_finished = true;
        }
        timings.results_us = stopwatch.Lap();
        txn.commit();
        timings.commit_us = stopwatch.Lap();
        if (context.prefetcher) context.prefetcher->Committed({chunk.job_id, chunk.chunk_no});
        run.timings = timings;
        return run;
    } catch (const JobFailure&) {
        throw;
    } catch (const std::exception& error) {
        const DbErrorKind kind = ClassifyDbError(error);
        if (job_id.empty() || kind == DbErrorKind::kRetryable || kind == DbErrorKind::kInDoubt) throw;
        throw JobFailure(job_id, error.what());
    }
}

ChunkRun ApplyNextChunkRetrying(ChunkContext context, int attempts) {
    int attempt = 0;
    return RetryTransient(
        [&] {
            ++attempt;
            context.skip_unseen = attempt == 1 && context.claims_seen != nullptr;
            return ApplyNextChunk(context);
        },
        attempts);
}

ChunkRun RunDryRun(const ChunkContext& context, pqxx::connection& results_connection, const std::string& job_id) {
    const std::string& workspace_id = context.lane.workspace_id;
    {
        pqxx::work start(results_connection);
        MarkRunning(start, workspace_id, job_id, context.now);
        start.commit();
    }
    ChunkRun run{ChunkRun::Result::kApplied, job_id, 0, false, {}};
    bool has_callback = false;
    {
        // The data transaction: everything the items do is rolled back at the end. Its lock on the lane row
        // keeps the lane ours for the whole run.
        pqxx::work data(context.connection);
        if (!RenewLease(data, context)) return {ChunkRun::Result::kLeaseLost, {}, 0, false, {}};
        SqlParams list;
        list.Add(workspace_id).Add(job_id);
        const pqxx::result chunk_numbers =
            list.Exec(data,
                      "SELECT chunk_no FROM job_chunks WHERE workspace_id = $1 AND job_id = $2::uuid AND state = 0 "
                      "ORDER BY chunk_no");
        for (const pqxx::row& number : chunk_numbers) {
            SqlParams one;
            one.Add(workspace_id).Add(job_id).Add(number[0].as<std::int32_t>());
            const pqxx::result rows = one.Exec(
                data, std::string("SELECT ") + kChunkColumns +
                          " FROM job_chunks c JOIN jobs j ON j.workspace_id = c.workspace_id AND j.id = c.job_id "
                          "WHERE c.workspace_id = $1 AND c.job_id = $2::uuid AND c.chunk_no = $3::int4 AND c.state = 0 "
                          "AND j.status = 'running'");
            if (rows.empty()) break;  // cancelled meanwhile
            const SelectedChunk chunk = ChunkFromRow(rows[0]);
            has_callback = chunk.has_callback;
            PreparedChunk prepared =
                PrepareChunk({chunk.job_id, chunk.chunk_no, FetchItems(data, workspace_id, chunk), chunk.options},
                             context.settings, context.parse);
            ChunkTimings ignored;
            const FoldedRun folded = FoldPrepared(data, context, chunk, prepared, ignored);
            WriteFolded(data, RequestFor(context, chunk), folded);
            const AppliedChunk applied = Summarize(chunk, prepared, folded);
            pqxx::work results(results_connection);
            StoreResults(results, workspace_id, chunk, applied, /*mark_applied=*/false, context.now);
            results.commit();
            run.items += applied.tally.counts.processed;
        }
        data.abort();
    }
    pqxx::work finish(results_connection);
    SqlParams params;
    params.Add(workspace_id).Add(job_id).Add(engine::FormatTimestamp(context.now));
    params.Exec(finish,
                "UPDATE job_chunks SET state = 1, finished_at = $3::timestamptz "
                "WHERE workspace_id = $1 AND job_id = $2::uuid AND state = 0 AND results IS NOT NULL");
    if (!HasPendingChunks(finish, workspace_id, job_id)) {
        FinishJob(finish, workspace_id, job_id, "completed", has_callback, std::nullopt, context.now);
        run.job_finished = true;
    }
    finish.commit();
    return run;
}

void FailJob(pqxx::connection& connection, const std::string& workspace_id, const std::string& job_id,
             const std::string& message, engine::Millis now) {
    pqxx::work txn(connection);
    SqlParams params;
    params.Add(workspace_id).Add(job_id).Add(engine::FormatTimestamp(now));
    params.Exec(txn,
                "UPDATE job_chunks SET state = 2, finished_at = $3::timestamptz "
                "WHERE workspace_id = $1 AND job_id = $2::uuid AND state = 0");
    SqlParams job;
    job.Add(workspace_id).Add(job_id);
    const pqxx::result callback =
        job.Exec(txn, "SELECT callback_url IS NOT NULL FROM jobs WHERE workspace_id = $1 AND id = $2::uuid");
    const bool has_callback = !callback.empty() && callback[0][0].c_str()[0] == 't';
    FinishJob(txn, workspace_id, job_id, "failed", has_callback, message, now);
    txn.commit();
}

}  // namespace contactd::storage
