#include "storage/job_store.hpp"

#include <pqxx/binarystring>
#include <pqxx/result>
#include <pqxx/transaction>

#include <simdjson.h>

#include "engine/date_time.hpp"
#include "engine/result_line.hpp"
#include "storage/chunk_codec.hpp"
#include "storage/db_error.hpp"
#include "storage/sql_params.hpp"

namespace contactd::storage {

namespace {

constexpr int kAttempts = 5;
constexpr int kChunksPerQuery = 8;

std::optional<engine::Millis> OptionalMillis(const pqxx::field& field) {
    if (field.is_null()) return std::nullopt;
    return field.as<engine::Millis>();
}

std::optional<std::string> RefOf(std::string_view item_json) {
    thread_local simdjson::ondemand::parser parser;
    simdjson::padded_string padded(item_json);
    simdjson::ondemand::document document;
    if (parser.iterate(padded).get(document)) return std::nullopt;
    simdjson::ondemand::object object;
    if (document.get_object().get(object)) return std::nullopt;
    std::string_view ref;
    if (object.find_field_unordered("ref").get_string().get(ref)) return std::nullopt;
    return std::string(ref);
}

//! One chunk as the results readers need it.
struct ChunkResults {
    std::int64_t first_index = 0;
    std::int64_t item_count = 0;
    int state = 0;
    std::optional<std::string> results;
    std::string items;  // only for cancelled chunks
};

// Chunks of a job from the one holding index `from`, in order, a few at a time.
std::vector<ChunkResults> ReadChunks(pqxx::transaction_base& txn, const std::string& workspace_id,
                                     const std::string& job_id, std::int64_t from, int count) {
    SqlParams params;
    params.Add(workspace_id).Add(job_id).Add(from).Add(count);
    const pqxx::result rows = params.Exec(
        txn,
        "SELECT first_index, item_count, state, results, CASE WHEN state = 2 THEN items END FROM job_chunks "
        "WHERE workspace_id = $1 AND job_id = $2::uuid AND first_index + item_count > $3::int8 "
        "ORDER BY chunk_no LIMIT $4::int4");
    std::vector<ChunkResults> chunks;
    for (const pqxx::row& row : rows) {
        ChunkResults chunk;
        chunk.first_index = row[0].as<std::int64_t>();
        chunk.item_count = row[1].as<std::int64_t>();
        chunk.state = row[2].as<int>();
        if (!row[3].is_null()) chunk.results = row[3].as<std::string>();
        if (!row[4].is_null()) chunk.items = pqxx::binarystring(row[4]).str();
        chunks.push_back(std::move(chunk));
    }
    return chunks;
}

// The result text of a chunk, or nothing while it is not applied yet.
std::optional<std::string> ResultTextOf(const ChunkResults& chunk, const std::optional<std::string>& failure) {
    if (chunk.state == 2) {
        return failure ? SyntheticResults(chunk.first_index, chunk.items, engine::Code::kCancelled,
                                          "the job failed before this item was applied: " + *failure)
                       : SyntheticResults(chunk.first_index, chunk.items, engine::Code::kCancelled,
                                          "the job was cancelled before this item was applied");
    }
    return chunk.results;
}

std::optional<std::string> FailureMessage(pqxx::transaction_base& txn, const std::string& workspace_id,
                                          const std::string& job_id) {
    SqlParams params;
    params.Add(workspace_id).Add(job_id);
    const pqxx::result rows =
        params.Exec(txn, "SELECT message FROM jobs WHERE workspace_id = $1 AND id = $2::uuid AND status = 'failed'");
    if (rows.empty() || rows[0][0].is_null()) return std::nullopt;
    return rows[0][0].as<std::string>();
}

}  // namespace

std::string SyntheticResults(std::int64_t first_index, const std::string& items, engine::Code code,
                             const std::string& message) {
    std::string out;
    ChunkDecoder decoder(items);
    std::int64_t index = first_index;
    while (auto item = decoder.Next()) {
        const std::optional<std::string> ref =
            item->kind == ChunkItemKind::kJson ? RefOf(item->bytes) : std::optional<std::string>();
        engine::AppendResultLine(out, index++, ref, engine::Outcome::Ignored(code, {{"", code, message}}));
    }
    return out;
}

std::optional<engine::JobStatus> JobStore::Status(const std::string& workspace_id, const std::string& job_id) {
    return RetryTransient(
        [&]() -> std::optional<engine::JobStatus> {
            PooledConnection connection = pool_.Acquire();
            pqxx::read_transaction txn(*connection);
            SqlParams params;
            params.Add(workspace_id).Add(job_id);
            const pqxx::result rows = params.Exec(
                txn,
                "SELECT j.status, j.dry_run, j.total_items, (extract(epoch FROM j.created_at) * 1000)::int8, "
                "(extract(epoch FROM j.started_at) * 1000)::int8, (extract(epoch FROM j.finished_at) * 1000)::int8, "
                "j.message, a.ok, a.ignored, a.created, a.updated, a.unchanged, a.with_remarks, a.cancelled, a.codes "
                "FROM jobs j, LATERAL (SELECT "
                "  coalesce(sum(c.ok_count) FILTER (WHERE c.results IS NOT NULL AND c.state <> 2), 0) AS ok, "
                "  coalesce(sum(c.ignored_count) FILTER (WHERE c.results IS NOT NULL AND c.state <> 2), 0) AS ignored, "
                "  coalesce(sum(c.created_count) FILTER (WHERE c.results IS NOT NULL AND c.state <> 2), 0) AS created, "
                "  coalesce(sum(c.updated_count) FILTER (WHERE c.results IS NOT NULL AND c.state <> 2), 0) AS updated, "
                "  coalesce(sum(c.unchanged_count) FILTER (WHERE c.results IS NOT NULL AND c.state <> 2), 0) AS "
                "unchanged, "
                "  coalesce(sum(c.with_remarks_count) FILTER (WHERE c.results IS NOT NULL AND c.state <> 2), 0) AS "
                "with_remarks, "
                "  coalesce(sum(c.item_count) FILTER (WHERE c.state = 2), 0) AS cancelled, "
                "  string_agg(c.ignored_by_code, ' ') FILTER (WHERE c.results IS NOT NULL AND c.state <> 2 AND "
                "c.ignored_count > 0) "
                "    AS codes "
                "  FROM job_chunks c WHERE c.workspace_id = j.workspace_id AND c.job_id = j.id) a "
                "WHERE j.workspace_id = $1 AND j.id = $2::uuid");
            if (rows.empty()) return std::nullopt;
            const pqxx::row row = rows[0];
            engine::JobStatus status;
            status.job_id = job_id;
            status.state = engine::ParseJobState(row[0].c_str()).value_or(engine::JobState::kFailed);
            status.dry_run = row[1].c_str()[0] == 't';
            engine::JobCounts& c = status.tally.counts;
            c.total = row[2].as<std::int64_t>();
            status.created_at = row[3].as<engine::Millis>();
            status.started_at = OptionalMillis(row[4]);
            status.finished_at = OptionalMillis(row[5]);
            if (!row[6].is_null()) status.message = row[6].as<std::string>();
            c.ok = row[7].as<std::int64_t>();
            c.ignored = row[8].as<std::int64_t>();
            c.created = row[9].as<std::int64_t>();
            c.updated = row[10].as<std::int64_t>();
            c.unchanged = row[11].as<std::int64_t>();
            c.with_remarks = row[12].as<std::int64_t>();
            const std::int64_t cancelled = row[13].as<std::int64_t>();
            if (!row[14].is_null()) {
                const std::string codes = row[14].as<std::string>();
                std::size_t start = 0;
                while (start < codes.size()) {  // one {"CODE": n} object per chunk, space-separated
                    const std::size_t end = codes.find('}', start);
                    if (end == std::string::npos) break;
                    status.tally.MergeIgnoredByCodeJson(std::string_view(codes).substr(start, end - start + 1));
                    start = end + 1;
                }
            }
            if (cancelled > 0) {
                c.ignored += cancelled;
                status.tally.ignored_by_code[std::string(engine::CodeName(engine::Code::kCancelled))] += cancelled;
            }
            c.processed = c.ok + c.ignored;
            return status;
        },
        kAttempts);
}

ResultsPage JobStore::Results(const std::string& workspace_id, const std::string& job_id,
                              std::optional<std::int64_t> after, int limit, std::optional<engine::Status> only) {
    return RetryTransient(
        [&]() -> ResultsPage {
            PooledConnection connection = pool_.Acquire();
            pqxx::read_transaction txn(*connection);
            const std::optional<std::string> failure = FailureMessage(txn, workspace_id, job_id);
            ResultsPage page;
            std::int64_t from = after ? *after + 1 : 0;
            bool blocked = false;  // reached a chunk whose results do not exist yet
            // One line beyond the limit tells whether this is the last page.
            while (static_cast<int>(page.lines.size()) <= limit && !blocked) {
                const std::vector<ChunkResults> chunks = ReadChunks(txn, workspace_id, job_id, from, kChunksPerQuery);
                if (chunks.empty()) break;
                for (const ChunkResults& chunk : chunks) {
                    const std::optional<std::string> text = ResultTextOf(chunk, failure);
                    if (!text) {
                        blocked = true;
                        break;
                    }
                    std::int64_t index = chunk.first_index;
                    std::size_t start = 0;
                    while (start < text->size() && static_cast<int>(page.lines.size()) <= limit) {
                        const std::size_t end = text->find('\n', start);
                        const std::string_view line(text->data() + start, end - start + 1);
                        start = end + 1;
                        if (index++ < from) continue;
                        if (only && engine::ResultLineStatus(line) != *only) continue;
                        page.lines.emplace_back(line);
                    }
                    if (static_cast<int>(page.lines.size()) > limit) break;
                    from = chunk.first_index + chunk.item_count;
                }
            }
            const auto last_index = [&](const std::string& line) {
                return std::stoll(line.substr(line.find(':') + 1));  // {"index":N,...
            };
            if (static_cast<int>(page.lines.size()) > limit) {
                page.lines.pop_back();
                page.next_after = last_index(page.lines.back());
            } else if (blocked) {
                page.next_after = page.lines.empty() ? after.value_or(-1) : last_index(page.lines.back());
            }
            return page;
        },
        kAttempts);
}

JobStore::ResultPiece JobStore::ReadResults(const std::string& workspace_id, const std::string& job_id,
                                            std::int64_t from, std::optional<engine::Status> only) {
    return RetryTransient(
        [&]() -> ResultPiece {
            PooledConnection connection = pool_.Acquire();
            pqxx::read_transaction txn(*connection);
            const std::optional<std::string> failure = FailureMessage(txn, workspace_id, job_id);
            const std::vector<ChunkResults> chunks = ReadChunks(txn, workspace_id, job_id, from, kChunksPerQuery);
            ResultPiece piece;
            piece.next_from = from;
            piece.done = chunks.size() < static_cast<std::size_t>(kChunksPerQuery);
            for (const ChunkResults& chunk : chunks) {
                const std::optional<std::string> text = ResultTextOf(chunk, failure);
                if (!text) {
                    piece.done = true;
                    break;
                }
                std::int64_t index = chunk.first_index;
                std::size_t start = 0;
                while (start < text->size()) {
                    const std::size_t end = text->find('\n', start);
                    const std::string_view line(text->data() + start, end - start + 1);
                    start = end + 1;
                    if (index++ < from) continue;
                    if (!only || engine::ResultLineStatus(line) == *only) piece.text.append(line);
                }
                piece.next_from = chunk.first_index + chunk.item_count;
            }
            return piece;
        },
        kAttempts);
}

CancelResult JobStore::Cancel(const std::string& workspace_id, const std::string& job_id, engine::Millis now) {
    return RetryTransient(
        [&]() -> CancelResult {
            PooledConnection connection = pool_.Acquire();
            pqxx::work txn(*connection);
            SqlParams params;
            params.Add(workspace_id).Add(job_id);
            const pqxx::result job = params.Exec(
                txn,
                "SELECT status, callback_url IS NOT NULL FROM jobs WHERE workspace_id = $1 AND id = $2::uuid "
                "FOR UPDATE");
            if (job.empty()) return CancelResult::kNotFound;
            const auto state = engine::ParseJobState(job[0][0].c_str());
            if (!state || engine::IsFinished(*state)) return CancelResult::kFinished;
            const bool callback = job[0][1].c_str()[0] == 't';
            // A chunk being applied holds its row lock; this waits for it, so it ends applied, not cancelled.
            SqlParams cancel;
            cancel.Add(workspace_id).Add(job_id).Add(engine::FormatTimestamp(now));
            cancel.Exec(txn,
                        "UPDATE job_chunks SET state = 2, finished_at = $3::timestamptz "
                        "WHERE workspace_id = $1 AND job_id = $2::uuid AND state = 0");
            SqlParams finish;
            finish.Add(workspace_id)
                .Add(job_id)
                .Add(engine::FormatTimestamp(now))
                .Add(callback ? "pending" : std::optional<std::string>());
            finish.Exec(txn,
                        "UPDATE jobs SET status = 'cancelled', finished_at = $3::timestamptz, callback_status = $4, "
                        "callback_next_at = $3::timestamptz WHERE workspace_id = $1 AND id = $2::uuid");
            txn.commit();
            return CancelResult::kCancelled;
        },
        kAttempts);
}

}  // namespace contactd::storage
