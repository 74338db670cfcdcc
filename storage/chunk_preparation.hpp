#pragma once
// Getting a chunk ready before its transaction: its items decoded, parsed and validated against the
// workspace's settings, and (with a connection pool) the contacts they touch read and the items folded over
// them, and the statements that will write them rendered. A lane's next chunk is prepared on its own thread
// while the current one is written, so parsing, validation (phone numbers above all), the read, the fold and
// the statements' text overlap the current chunk's writes instead of adding to them.
//
// The next chunk is folded on top of the current one's fold, before the current one commits: its read is
// brought up to date with the changes the current chunk is writing (ApplyCommittedChanges), and the fold
// starts from there. That is exactly the state the current chunk's commit leaves, so the folded chunk is
// used only when the current chunk is then reported committed; if it failed, was retried (and so folded
// anew), or the lane changed hands, the prepared read and fold are dropped and the worker does both inside
// its transaction. Anyone else's write meanwhile is caught by the commit path's version and claim checks.

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "engine/contact_write.hpp"
#include "engine/json.hpp"
#include "engine/workspace_settings.hpp"
#include "storage/commit_path.hpp"

namespace contactd::storage {

class ConnectionPool;
class RawConnection;

//! Names a chunk of a job.
struct ChunkKey {
    std::string job_id;
    std::int32_t chunk_no = -1;
    bool operator==(const ChunkKey&) const = default;
};

//! Turns an item's JSON text into a tree; on failure returns nothing and sets `error`. Supplied by the
//! HTTP layer (simdjson), so storage does not parse JSON itself.
using ItemParser = std::function<std::optional<engine::Json>(std::string_view json_text, std::string& error)>;

//! Which chunk, and what is needed to prepare it.
struct ChunkToPrepare {
    std::string job_id;
    std::int32_t chunk_no = 0;
    std::string items;             // the chunk's framing (storage/chunk_codec.hpp)
    engine::WriteOptions options;  // its job's
};

//! Where a lane's next chunk is: the first pending chunk of the workspace after the one being applied.
struct NextChunk {
    std::string workspace_id;
    std::int64_t after_job_seq = 0;
    ChunkKey after;  // the chunk being applied
};

//! A chunk's items ready for the commit path, with each item's `ref`.
struct PreparedChunk {
    std::string job_id;
    std::int32_t chunk_no = 0;
    std::vector<CommitItem> items;
    std::vector<std::optional<std::string>> refs;
    bool corrupt = false;  // the framing was damaged: the job cannot go on
    //! The items read and folded ahead, on top of every chunk committed before this one; empty when the
    //! worker must read and fold them itself.
    std::optional<FoldedRun> folded;
};

//! Decodes, parses and validates a chunk's items. Pure: no I/O.
PreparedChunk PrepareChunk(const ChunkToPrepare& chunk, const engine::WorkspaceSettings& settings,
                           const ItemParser& parse);

//! Prepares one chunk at a time on its own thread. Owned by one worker (one lane at a time); not shared.
class ChunkPrefetcher {
  public:
    //! With a pool, a prepared chunk's contacts are read too, on a connection of the pool.
    explicit ChunkPrefetcher(ItemParser parse, ConnectionPool* pool = nullptr);
    ~ChunkPrefetcher();  // waits for the chunk in preparation, then joins
    ChunkPrefetcher(const ChunkPrefetcher&) = delete;
    ChunkPrefetcher& operator=(const ChunkPrefetcher&) = delete;

    //! Starts preparing `chunk`, the lane's next after `applying` (the chunk being applied now), folding it
    //! on top of `applying`'s changes (`base`) with the time `now`; the read skips values `claims_seen` has
    //! never seen, when given. Waits for the chunk in preparation, if any; an uncollected one is dropped.
    void Start(ChunkToPrepare chunk, engine::WorkspaceSettings settings, ChunkKey applying,
               std::shared_ptr<const ChangedContacts> base, engine::Millis now,
               std::shared_ptr<ClaimFilter> claims_seen = nullptr);
    //! Finds the lane's next chunk (needs the pool) and starts preparing it, as Start does.
    void StartNext(NextChunk where, engine::WorkspaceSettings settings, std::shared_ptr<const ChangedContacts> base,
                   engine::Millis now, std::shared_ptr<ClaimFilter> claims_seen = nullptr);
    //! Reports that `chunk` committed with the changes it was given as base: the fold of the chunk after it
    //! may be used.
    void Committed(ChunkKey chunk);
    //! The prepared chunk if it is `chunk` (waiting for it if needed); nothing otherwise.
    std::optional<PreparedChunk> Take(const ChunkKey& chunk);
    //! Drops whatever was prepared or is being prepared, and what was committed (the lane changed hands).
    void Clear();
    //! How many prepared chunks were dropped without being taken: work done twice, since the chunk is then
    //! prepared again (the lane changed hands, or the worker applied another chunk than the one prepared).
    std::size_t unused() const;
    //! Whether a chunk is being prepared right now.
    bool preparing() const;

  private:
    struct Task {
        std::optional<ChunkToPrepare> chunk;  // the chunk, or
        std::optional<NextChunk> next;        // where to find it
        engine::WorkspaceSettings settings;
        ChunkKey after;
        std::shared_ptr<const ChangedContacts> base;  // what `after` writes
        engine::Millis now = 0;
        std::shared_ptr<ClaimFilter> claims_seen;
    };
    void Run();
    void Enqueue(Task task);
    std::optional<PreparedChunk> Prepare(Task& task);

    void DropReady();           // with mutex_ held
    bool TakerWaiting() const;  // whether Take waits for the chunk in preparation

    ItemParser parse_;
    ConnectionPool* pool_;
    std::unique_ptr<RawConnection> raw_;  // finds the next chunk (the prefetcher's thread only)
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::optional<Task> task_;
    bool busy_ = false;
    bool taker_waiting_ = false;  // Take is waiting for the chunk in preparation
    std::optional<PreparedChunk> ready_;
    ChunkKey ready_after_;               // the chunk whose changes `ready_->folded` assumes committed
    std::optional<ChunkKey> committed_;  // the lane's last chunk reported committed
    std::size_t unused_ = 0;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace contactd::storage
