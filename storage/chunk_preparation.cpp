#include "storage/chunk_preparation.hpp"

#include <pqxx/except>
#include <pqxx/nontransaction>

#include "engine/validation.hpp"
#include "storage/chunk_codec.hpp"
#include "storage/connection_pool.hpp"
#include "storage/job_writer.hpp"
#include "storage/raw_connection.hpp"

namespace contactd::storage {

namespace {

using engine::Code;

engine::Outcome Refused(Code code, std::string message) {
    return engine::Outcome::Ignored(code, {{"", code, std::move(message)}});
}

}  // namespace

PreparedChunk PrepareChunk(const ChunkToPrepare& chunk, const engine::WorkspaceSettings& settings,
                           const ItemParser& parse) {
    PreparedChunk prepared;
    prepared.job_id = chunk.job_id;
    prepared.chunk_no = chunk.chunk_no;
    ChunkDecoder decoder(chunk.items);
    // A chunk holds up to JobWriter::kChunkItems items: growing the vectors would move every item already in.
    prepared.items.reserve(JobWriter::kChunkItems);
    prepared.refs.reserve(JobWriter::kChunkItems);
    while (const auto item = decoder.Next()) {
        CommitItem& commit = prepared.items.emplace_back();
        std::optional<std::string>& ref = prepared.refs.emplace_back();
        const auto at = [&] { return "the item at byte " + std::to_string(item->offset); };
        switch (item->kind) {
            case ChunkItemKind::kTooLarge:
                commit.decided = Refused(Code::kItemTooLarge, at() + " is " + std::string(item->bytes) +
                                                                  " bytes of JSON; the limit is 65536");
                break;
            case ChunkItemKind::kInvalid:
                commit.decided = Refused(Code::kInvalidItem, at() + ": " + std::string(item->bytes));
                break;
            case ChunkItemKind::kJson: {
                std::string error;
                const std::optional<engine::Json> json = parse(item->bytes, error);
                if (!json) {
                    commit.decided = Refused(Code::kInvalidItem, at() + " is not valid JSON: " + error);
                    break;
                }
                auto write = engine::ValidateWrite(*json, settings, {.batch_item = true, .mode = chunk.options.mode});
                if (!write.ok()) {
                    commit.decided = Refused(Code::kInvalidItem, at() + ": " + write.problem().message);
                    break;
                }
                ref = write.value().ref;
                commit.write = std::move(write).value();
                break;
            }
        }
    }
    prepared.corrupt = decoder.corrupt();
    return prepared;
}

ChunkPrefetcher::ChunkPrefetcher(ItemParser parse, ConnectionPool* pool)
    : parse_(std::move(parse)), pool_(pool), thread_([this] { Run(); }) {}

ChunkPrefetcher::~ChunkPrefetcher() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
}

void ChunkPrefetcher::Start(ChunkToPrepare chunk, engine::WorkspaceSettings settings, ChunkKey applying,
                            std::shared_ptr<const ChangedContacts> base, engine::Millis now,
                            std::shared_ptr<ClaimFilter> claims_seen) {
    Enqueue({std::move(chunk), std::nullopt, std::move(settings), std::move(applying), std::move(base), now,
             std::move(claims_seen)});
}

void ChunkPrefetcher::StartNext(NextChunk where, engine::WorkspaceSettings settings,
                                std::shared_ptr<const ChangedContacts> base, engine::Millis now,
                                std::shared_ptr<ClaimFilter> claims_seen) {
    ChunkKey after = where.after;
    Enqueue({std::nullopt, std::move(where), std::move(settings), std::move(after), std::move(base), now,
             std::move(claims_seen)});
}

void ChunkPrefetcher::Enqueue(Task task) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !busy_; });
    DropReady();
    task_.emplace(std::move(task));
    busy_ = true;
    changed_.notify_all();
}

void ChunkPrefetcher::Committed(ChunkKey chunk) {
    std::lock_guard lock(mutex_);
    committed_ = std::move(chunk);
}

std::optional<PreparedChunk> ChunkPrefetcher::Take(const ChunkKey& chunk) {
    std::unique_lock lock(mutex_);
    taker_waiting_ = busy_;
    changed_.wait(lock, [&] { return !busy_; });
    taker_waiting_ = false;
    if (!ready_ || ready_->job_id != chunk.job_id || ready_->chunk_no != chunk.chunk_no) {
        DropReady();
        return std::nullopt;
    }
    std::optional<PreparedChunk> taken = std::move(ready_);
    ready_.reset();
    // The fold is usable only if the chunk it was folded on is the one that committed last, as reported.
    if (taken->folded && committed_ != ready_after_) taken->folded.reset();
    return taken;
}

void ChunkPrefetcher::Clear() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !busy_; });
    DropReady();
    committed_.reset();
}

std::size_t ChunkPrefetcher::unused() const {
    std::lock_guard lock(mutex_);
    return unused_;
}

bool ChunkPrefetcher::preparing() const {
    std::lock_guard lock(mutex_);
    return busy_;
}

bool ChunkPrefetcher::TakerWaiting() const {
    std::lock_guard lock(mutex_);
    return taker_waiting_;
}

void ChunkPrefetcher::DropReady() {
    if (ready_) ++unused_;
    ready_.reset();
}

namespace {

// The lane's next pending chunk. Read without a lock: the lane's holder is the only one applying its chunks,
// and Take checks the chunk is the one the worker then selects. Read on a connection of the prefetcher's
// own in binary format, so the items come back as stored instead of as hex text twice their size.
std::optional<ChunkToPrepare> FindNext(RawConnection& connection, const NextChunk& where) {
    const RawRows rows = connection.ExecBinary(
        "SELECT c.job_id::text, c.chunk_no::text, c.items, j.mode, j.semantics, "
        "j.invalid_fields FROM job_chunks c "
        "JOIN jobs j ON j.workspace_id = c.workspace_id AND j.id = c.job_id "
        "WHERE c.workspace_id = $1 AND c.state = 0 AND NOT j.dry_run AND (c.job_seq, "
        "c.chunk_no) > ($2::int8, $3::int4) "
        "ORDER BY c.job_seq, c.chunk_no LIMIT 1",
        {where.workspace_id, std::to_string(where.after_job_seq), std::to_string(where.after.chunk_no)});
    if (rows.empty()) return std::nullopt;
    const auto& row = rows[0];
    engine::WriteOptions options;
    options.mode = engine::ParseWriteMode(row[3].value_or("")).value_or(engine::WriteMode::kUpsert);
    options.semantics = engine::ParseSemantics(row[4].value_or("")).value_or(engine::Semantics::kPatch);
    options.reject_invalid_fields = row[5].value_or("") == "reject";
    return ChunkToPrepare{row[0].value_or(""), std::stoi(row[1].value_or("0")), row[2].value_or(""), options};
}

}  // namespace

// Finds the chunk if needed, parses and validates its items, reads what they touch and folds them on top of
// the chunk before. Database trouble only costs the read and the fold: the worker does both for itself.
std::optional<PreparedChunk> ChunkPrefetcher::Prepare(Task& task) {
    if (!task.chunk && pool_ != nullptr) {
        try {
            if (!raw_) raw_ = std::make_unique<RawConnection>(pool_->ConnectionString());
            task.chunk = FindNext(*raw_, *task.next);
        } catch (const pqxx::broken_connection&) {
            raw_.reset();  // opened again (within the pool's connect timeout) for the next chunk
        } catch (const std::exception&) {
            // Anything else leaves the connection usable; either way the worker prepares the chunk itself.
        }
    }
    if (!task.chunk) return std::nullopt;
    PreparedChunk prepared = PrepareChunk(*task.chunk, task.settings, parse_);
    if (pool_ == nullptr || prepared.corrupt || !task.base) return prepared;
    // A fold ahead is only ever a first attempt: a chunk that fails is folded anew by the worker.
    const CommitRequest request{
        task.settings,           task.chunk->options,    task.now,
        /*want_contacts=*/false, task.claims_seen.get(), /*skip_unseen=*/task.claims_seen != nullptr};
    LoadedContacts loaded;
    try {
        // Back to the pool before the fold, which needs no database. No transaction: the read's statements
        // may see different snapshots anyway (storage/commit_path.cpp, step 1), and BEGIN, SET TRANSACTION
        // and COMMIT were three more round trips a chunk.
        PooledConnection connection = pool_->Acquire();
        pqxx::nontransaction txn(*connection);
        loaded = LoadTouched(txn, request, prepared.items);
    } catch (const std::exception&) {
        return prepared;
    }
    ApplyCommittedChanges(loaded, *task.base);
    prepared.folded = FoldItems(request, std::move(loaded), prepared.items);
    // The statements too, unless the worker already waits for this chunk: whichever thread is free builds
    // them, which keeps the lane's two paths (this thread's read and fold, the worker's writes) even.
    // Always rendering here made this thread the longer path by as much as it took off the worker's.
    if (!TakerWaiting()) prepared.folded->rendered = RenderWrite(request, *prepared.folded);
    return prepared;
}

void ChunkPrefetcher::Run() {
    std::unique_lock lock(mutex_);
    while (true) {
        changed_.wait(lock, [&] { return stopping_ || task_.has_value(); });
        if (stopping_) return;
        Task task = std::move(*task_);
        task_.reset();
        lock.unlock();
        std::optional<PreparedChunk> prepared;
        try {
            prepared = Prepare(task);
        } catch (const std::exception&) {
            // Nothing is lost: the worker prepares the chunk itself and meets the error where it can act.
            prepared.reset();
        }
        lock.lock();
        ready_ = std::move(prepared);
        ready_after_ = std::move(task.after);
        busy_ = false;
        changed_.notify_all();
    }
}

}  // namespace contactd::storage
