#pragma once
// The database-free half of applying a chunk: its items decoded, parsed and validated against the
// workspace's settings. A lane's next chunk is prepared on its own thread while the current one is in the
// database, so parsing and validation (phone numbers above all) overlap the SQL instead of adding to it.

#include <condition_variable>
#include <functional>
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

//! Turns an item's JSON text into a tree; on failure returns nothing and sets `error`. Supplied by the
//! HTTP layer (simdjson), so storage does not parse JSON itself.
using ItemParser = std::function<std::optional<engine::Json>(std::string_view json_text, std::string& error)>;

//! Which chunk, and what is needed to prepare it.
struct ChunkToPrepare {
    std::string job_id;
    std::int32_t chunk_no = 0;
    std::string items;  // the chunk's framing (storage/chunk_codec.hpp)
    engine::WriteMode mode = engine::WriteMode::kUpsert;
};

//! A chunk's items ready for the commit path, with each item's `ref`.
struct PreparedChunk {
    std::string job_id;
    std::int32_t chunk_no = 0;
    std::vector<CommitItem> items;
    std::vector<std::optional<std::string>> refs;
    bool corrupt = false;  // the framing was damaged: the job cannot go on
};

//! Decodes, parses and validates a chunk's items. Pure: no I/O.
PreparedChunk PrepareChunk(const ChunkToPrepare& chunk, const engine::WorkspaceSettings& settings,
                           const ItemParser& parse);

//! Prepares one chunk at a time on its own thread. Owned by one worker; not shared.
class ChunkPrefetcher {
  public:
    explicit ChunkPrefetcher(ItemParser parse);
    ~ChunkPrefetcher();  // waits for the chunk in preparation, then joins
    ChunkPrefetcher(const ChunkPrefetcher&) = delete;
    ChunkPrefetcher& operator=(const ChunkPrefetcher&) = delete;

    //! Starts preparing `chunk` (after the one in preparation, if any, is done; an uncollected one is dropped).
    void Start(ChunkToPrepare chunk, engine::WorkspaceSettings settings);
    //! The prepared chunk if it is `job_id`/`chunk_no` (waiting for it if needed); nothing otherwise.
    std::optional<PreparedChunk> Take(const std::string& job_id, std::int32_t chunk_no);
    //! Drops whatever was prepared or is being prepared (the lane changed hands).
    void Clear();

  private:
    void Run();

    ItemParser parse_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::optional<std::pair<ChunkToPrepare, engine::WorkspaceSettings>> task_;
    bool busy_ = false;
    std::optional<PreparedChunk> ready_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace contactd::storage
