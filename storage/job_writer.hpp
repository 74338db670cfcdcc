#pragma once
// Durable acceptance of a batch (SPEC §6): the items are framed into chunks and streamed into job_chunks
// with binary COPYs while the body is still arriving; Commit inserts the job row and commits. Only after
// that may the server answer 202. A writer destroyed without Commit rolls everything back.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/apply.hpp"
#include "engine/contact.hpp"
#include "storage/chunk_codec.hpp"
#include "storage/raw_connection.hpp"

namespace contactd::storage {

//! The options a batch was submitted with.
struct JobOptions {
    engine::WriteOptions write;
    bool dry_run = false;
    std::optional<std::string> callback_url;
};

//! How a submission ended.
struct Acceptance {
    enum class Result {
        kAccepted,  // a new job
        kReplayed,  // same Idempotency-Key and same request: the original job, nothing created
        kKeyReused  // same Idempotency-Key, different request: refused, nothing created
    };
    Result result = Result::kAccepted;
    std::string job_id;
};

//! Stages one batch of one workspace inside one transaction on its own connection.
class JobWriter {
  public:
    //! Items per chunk: the unit of work of the commit path.
    static constexpr std::size_t kChunkItems = 1000;
    //! A chunk also closes at this many bytes of items, so a chunk of big items stays small in memory.
    static constexpr std::size_t kChunkBytes = std::size_t{4} << 20;
    //! Chunks per COPY statement. PostgreSQL's COPY FROM buffers rows to insert them in batches and flushes
    //! at 1,000 rows or 64 KiB of row text, but a binary COPY counts no text: one COPY of a whole batch held
    //! up to 1,000 chunks (1 GiB) in the backend and inserted, TOASTed and compressed them all after the
    //! last byte arrived (2.5 s of a 1 GiB batch's 7 s). Ending the COPY every few chunks bounds what the
    //! backend holds. EndCopy waits for the group to be stored, so storing and parsing take turns; sending
    //! the end and collecting its result before the next group's COPY would let them overlap (not done).
    static constexpr std::int32_t kChunksPerCopy = 8;
    //! An Idempotency-Key answers repeats for this long.
    static constexpr engine::Millis kIdempotencyWindow = 24LL * 3600 * 1000;

    //! Connects and begins the transaction.
    JobWriter(const std::string& database_url, std::string workspace_id);
    ~JobWriter();
    JobWriter(const JobWriter&) = delete;
    JobWriter& operator=(const JobWriter&) = delete;

    //! Adds the next item in submission order (`offset`: its byte offset in the request body).
    void Add(ChunkItemKind kind, std::uint64_t offset, std::string_view bytes);
    std::uint64_t item_count() const { return items_; }
    const std::string& job_id() const { return job_id_; }

    //! Ends the COPY, settles the Idempotency-Key (`request_sha256`: raw digest of body and query string),
    //! inserts the job row, notifies the workers and commits. Replays and reused keys roll back. Throws the
    //! database's error; a connection lost during the COMMIT itself is pqxx::in_doubt_error.
    Acceptance Commit(const JobOptions& options, const std::optional<std::string>& idempotency_key,
                      const std::string& request_sha256, engine::Millis now);

  private:
    void FlushChunk();
    //! COMMIT; a connection lost meanwhile is pqxx::in_doubt_error (never retryable), not broken_connection.
    void CommitOrInDoubt();
    std::optional<Acceptance> ExistingForKey(const std::string& key, const std::string& request_sha256,
                                             engine::Millis now);

    RawConnection connection_;
    std::string workspace_id_;
    std::string job_id_;
    std::int64_t seq_ = 0;
    ChunkEncoder chunk_;
    std::string copy_buffer_;
    std::uint64_t items_ = 0;
    std::int32_t chunks_ = 0;
    bool copying_ = false;  // a COPY is open; it ends after kChunksPerCopy chunks or at Commit
};

}  // namespace contactd::storage
