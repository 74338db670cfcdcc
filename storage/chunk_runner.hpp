#pragma once
// Applying a workspace's chunks while holding its lane. One chunk is one transaction: the lane's lease is
// checked (the fencing token) and renewed, the oldest pending chunk of the workspace is locked, its items
// go through the commit path, and its result lines and counts are written — all committed together, so an
// item is applied exactly once even if the process dies at any instant.

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <pqxx/connection>

#include "engine/contact.hpp"
#include "engine/json.hpp"
#include "engine/workspace_settings.hpp"
#include "storage/chunk_preparation.hpp"
#include "storage/commit_path.hpp"
#include "storage/lane_claims.hpp"

namespace contactd::storage {

//! Where an applied chunk's time went, in microseconds.
struct ChunkTimings {
    std::int64_t select_us = 0;   // lease renewal and choosing the chunk
    std::int64_t prepare_us = 0;  // parse and validate (or wait for the prefetcher)
    CommitTimings commit;         // the commit path's steps
    std::int64_t results_us = 0;  // result lines and counts written
    std::int64_t commit_us = 0;   // the transaction's COMMIT
    bool folded_ahead = false;    // the items were read and folded ahead by the prefetcher
};

//! What one step did.
struct ChunkRun {
    enum class Result {
        kApplied,    // a chunk was applied (and committed)
        kNoWork,     // the workspace has no pending chunk
        kLeaseLost,  // the lane was taken over: stop without touching anything
        kDryRun,     // the next job is a dry run: run it with RunDryRun
        //! The database's schema is newer than this build (storage::SchemaTooNew): nothing was touched, and
        //! this node must stop taking chunks (they may be in a form it cannot read).
        kSchemaTooNew,
    };
    Result result = Result::kNoWork;
    std::string job_id;
    std::int64_t items = 0;
    bool job_finished = false;
    ChunkTimings timings;      // kApplied only
    std::int64_t created = 0;  // contacts the chunk created (kApplied only)
    int schema_version = 0;    // the version found (kSchemaTooNew only)
};

//! A chunk that cannot be applied at all (a permanent database error, a corrupt chunk): its job fails.
class JobFailure : public std::runtime_error {
  public:
    JobFailure(std::string job_id, const std::string& message)
        : std::runtime_error(message), job_id_(std::move(job_id)) {}
    const std::string& job_id() const { return job_id_; }

  private:
    std::string job_id_;
};

//! What the chunk steps work with.
struct ChunkContext {
    pqxx::connection& connection;
    const Lane& lane;
    const engine::WorkspaceSettings& settings;
    const ItemParser& parse;
    engine::Millis now = 0;
    engine::Millis lease_ms = 30000;
    //! When given, the next chunk is prepared on its thread while this one is applied (unless `read_ahead` is
    //! false: the worker gives the lane back after this chunk, and a chunk prepared for it would be dropped).
    ChunkPrefetcher* prefetcher = nullptr;
    bool read_ahead = true;
    //! What the workspace's claims are known to hold (CommitRequest::claims_seen), and whether the read may
    //! skip the values it has never seen (ApplyNextChunkRetrying decides; never in a dry run).
    std::shared_ptr<ClaimFilter> claims_seen = nullptr;
    bool skip_unseen = false;
};

//! Applies the workspace's next pending chunk in one transaction. Throws the database's transient errors
//! (retry the step) and JobFailure.
ChunkRun ApplyNextChunk(const ChunkContext& context);

//! ApplyNextChunk, retried up to `attempts` times on the database's transient errors. Only the first attempt
//! skips the values the claim filter has never seen (sets `skip_unseen`): a retry may be retrying the
//! filter's own miss, so it looks every value up.
ChunkRun ApplyNextChunkRetrying(ChunkContext context, int attempts);

//! Runs a dry-run job (SPEC §9): every chunk in order inside one transaction that is rolled back, so the
//! results are exactly those of a real run at this moment; results are written and committed through
//! `results_connection` as they come. Stops early if the job is cancelled.
ChunkRun RunDryRun(const ChunkContext& context, pqxx::connection& results_connection, const std::string& job_id);

//! Marks a job failed with `message`: its chunks not yet applied are abandoned (IGNORED in the results).
void FailJob(pqxx::connection& connection, const std::string& workspace_id, const std::string& job_id,
             const std::string& message, engine::Millis now);

}  // namespace contactd::storage
