#include "storage/chunk_preparation.hpp"

#include <pqxx/transaction>

#include "engine/validation.hpp"
#include "storage/chunk_codec.hpp"
#include "storage/connection_pool.hpp"

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
    while (const auto item = decoder.Next()) {
        CommitItem& commit = prepared.items.emplace_back();
        std::optional<std::string>& ref = prepared.refs.emplace_back();
        const std::string at = "the item at byte " + std::to_string(item->offset);
        switch (item->kind) {
            case ChunkItemKind::kTooLarge:
                commit.decided = Refused(Code::kItemTooLarge,
                                         at + " is " + std::string(item->bytes) + " bytes of JSON; the limit is 65536");
                break;
            case ChunkItemKind::kInvalid:
                commit.decided = Refused(Code::kInvalidItem, at + ": " + std::string(item->bytes));
                break;
            case ChunkItemKind::kJson: {
                std::string error;
                const std::optional<engine::Json> json = parse(item->bytes, error);
                if (!json) {
                    commit.decided = Refused(Code::kInvalidItem, at + " is not valid JSON: " + error);
                    break;
                }
                auto write = engine::ValidateWrite(*json, settings, {.batch_item = true, .mode = chunk.mode});
                if (!write.ok()) {
                    commit.decided = Refused(Code::kInvalidItem, at + ": " + write.problem().message);
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

void ChunkPrefetcher::Start(ChunkToPrepare chunk, engine::WorkspaceSettings settings, ChunkKey applying) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !busy_; });
    ready_.reset();
    task_.emplace(Task{std::move(chunk), std::move(settings), std::move(applying)});
    busy_ = true;
    changed_.notify_all();
}

void ChunkPrefetcher::Committed(ChunkKey chunk, ChangedContacts changes) {
    std::lock_guard lock(mutex_);
    committed_.emplace(std::move(chunk), std::move(changes));
}

std::optional<PreparedChunk> ChunkPrefetcher::Take(const ChunkKey& chunk) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !busy_; });
    if (!ready_ || ready_->job_id != chunk.job_id || ready_->chunk_no != chunk.chunk_no) {
        ready_.reset();
        return std::nullopt;
    }
    std::optional<PreparedChunk> taken = std::move(ready_);
    ready_.reset();
    if (taken->loaded) {
        // The read is usable only if the chunk it did not see is the one that committed last, as reported.
        if (committed_ && committed_->first == ready_after_) {
            ApplyCommittedChanges(*taken->loaded, committed_->second);
        } else {
            taken->loaded.reset();
        }
    }
    return taken;
}

void ChunkPrefetcher::Clear() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !busy_; });
    ready_.reset();
    committed_.reset();
}

std::optional<LoadedContacts> ChunkPrefetcher::ReadAhead(const PreparedChunk& prepared, const Task& task) {
    if (pool_ == nullptr || prepared.corrupt) return std::nullopt;
    try {
        PooledConnection connection = pool_->Acquire();
        pqxx::read_transaction txn(*connection);
        engine::WriteOptions options;
        options.mode = task.chunk.mode;
        return LoadTouched(txn, {task.settings, options, 0}, prepared.items);
    } catch (const std::exception&) {
        return std::nullopt;  // the commit path reads for itself, and meets the error there if it persists
    }
}

void ChunkPrefetcher::Run() {
    std::unique_lock lock(mutex_);
    while (true) {
        changed_.wait(lock, [&] { return stopping_ || task_.has_value(); });
        if (stopping_) return;
        Task task = std::move(*task_);
        task_.reset();
        lock.unlock();
        PreparedChunk prepared = PrepareChunk(task.chunk, task.settings, parse_);
        prepared.loaded = ReadAhead(prepared, task);
        lock.lock();
        ready_ = std::move(prepared);
        ready_after_ = std::move(task.after);
        busy_ = false;
        changed_.notify_all();
    }
}

}  // namespace contactd::storage
