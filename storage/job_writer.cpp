#include "storage/job_writer.hpp"

#include <pqxx/except>

#include "engine/date_time.hpp"
#include "storage/ids.hpp"

namespace contactd::storage {

namespace {

constexpr const char* kCopySql =
    "COPY job_chunks (workspace_id, job_id, chunk_no, job_seq, first_index, item_count, items, state) "
    "FROM STDIN (FORMAT binary)";

std::string Hex(const std::string& raw) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (const char c : raw) {
        out.push_back(kDigits[(static_cast<unsigned char>(c) >> 4) & 0xF]);
        out.push_back(kDigits[static_cast<unsigned char>(c) & 0xF]);
    }
    return out;
}

}  // namespace

JobWriter::JobWriter(const std::string& database_url, std::string workspace_id)
    : connection_(database_url), workspace_id_(std::move(workspace_id)), job_id_(NewUuidV7()) {
    connection_.Exec("BEGIN");
    seq_ = std::stoll(*connection_.Exec("SELECT nextval('job_acceptance_seq')")[0][0]);
}

// Without Commit, closing the connection aborts the COPY and the transaction: nothing of the batch remains.
JobWriter::~JobWriter() = default;

void JobWriter::Add(ChunkItemKind kind, std::uint64_t offset, std::string_view bytes) {
    chunk_.Add(kind, offset, bytes);
    ++items_;
    if (chunk_.item_count() >= kChunkItems || chunk_.byte_size() >= kChunkBytes) FlushChunk();
}

void JobWriter::FlushChunk() {
    if (chunk_.item_count() == 0) return;
    copy_buffer_.clear();
    BinaryCopyRow(copy_buffer_, 8)
        .Text(workspace_id_)
        .Uuid(job_id_)
        .Int32(chunks_)
        .Int64(seq_)
        .Int64(static_cast<std::int64_t>(items_ - chunk_.item_count()))
        .Int32(static_cast<std::int32_t>(chunk_.item_count()))
        .Bytes(chunk_.Stored())
        .Int16(0);
    if (!copying_) connection_.BeginCopy(kCopySql);
    copying_ = true;
    connection_.CopyData(copy_buffer_);
    ++chunks_;
    chunk_.Clear();
    if (chunks_ % kChunksPerCopy == 0) {
        connection_.EndCopy();
        copying_ = false;
    }
}

void JobWriter::CommitOrInDoubt() {
    try {
        connection_.Exec("COMMIT");
    } catch (const pqxx::broken_connection& lost) {
        // The COMMIT may have reached the server before the connection went, so the job may exist: this is not
        // the rolled-back failure a broken connection otherwise is, and sending the batch again without an
        // Idempotency-Key could make a second job.
        throw pqxx::in_doubt_error(std::string("the connection was lost while committing the batch, which may or "
                                               "may not have been accepted: ") +
                                   lost.what());
    }
}

std::optional<Acceptance> JobWriter::ExistingForKey(const std::string& key, const std::string& request_sha256,
                                                    engine::Millis now) {
    const RawRows rows = connection_.Exec(
        "SELECT id::text, encode(request_sha256, 'hex'), created_at >= $3::timestamptz FROM jobs "
        "WHERE workspace_id = $1 AND idempotency_key = $2 FOR UPDATE",
        {workspace_id_, key, engine::FormatTimestamp(now - kIdempotencyWindow)});
    if (rows.empty()) return std::nullopt;
    const std::string existing_id = *rows[0][0];
    if (*rows[0][2] != "t") {
        // The key's window has passed: it may name a new job. The old job keeps everything but the key.
        connection_.Exec("UPDATE jobs SET idempotency_key = NULL WHERE workspace_id = $1 AND id = $2::uuid",
                         {workspace_id_, existing_id});
        return std::nullopt;
    }
    const bool same = *rows[0][1] == Hex(request_sha256);
    return Acceptance{same ? Acceptance::Result::kReplayed : Acceptance::Result::kKeyReused, existing_id};
}

Acceptance JobWriter::Commit(const JobOptions& options, const std::optional<std::string>& idempotency_key,
                             const std::string& request_sha256, engine::Millis now) {
    FlushChunk();
    if (copying_) connection_.EndCopy();
    copying_ = false;
    const auto abandon = [&](Acceptance acceptance) {
        connection_.Exec("ROLLBACK");
        return acceptance;
    };
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (idempotency_key) {
            if (auto existing = ExistingForKey(*idempotency_key, request_sha256, now)) return abandon(*existing);
        }
        const RawRows inserted = connection_.Exec(
            "INSERT INTO jobs (workspace_id, id, seq, status, mode, semantics, invalid_fields, dry_run, "
            "callback_url, idempotency_key, request_sha256, total_items, chunk_count, created_at, "
            "callback_attempts) VALUES ($1, $2::uuid, $3::int8, 'queued', $4, $5, $6, $7::bool, $8, $9, "
            "decode($10, 'hex'), $11::int8, $12::int4, $13::timestamptz, 0) "
            "ON CONFLICT (workspace_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING "
            "RETURNING id",
            {workspace_id_, job_id_, std::to_string(seq_), std::string(engine::WriteModeName(options.write.mode)),
             std::string(engine::SemanticsName(options.write.semantics)),
             std::string(options.write.reject_invalid_fields ? "reject" : "drop"),
             std::string(options.dry_run ? "true" : "false"), options.callback_url, idempotency_key,
             Hex(request_sha256), std::to_string(items_), std::to_string(chunks_), engine::FormatTimestamp(now)});
        if (!inserted.empty()) {
            // Workers on every node LISTEN; the notification is delivered when the transaction commits.
            connection_.Exec("SELECT pg_notify('contactd_jobs', $1)", {workspace_id_});
            CommitOrInDoubt();
            return Acceptance{Acceptance::Result::kAccepted, job_id_};
        }
        // A concurrent request with the same key committed first: the next round finds its job.
    }
    throw pqxx::serialization_failure("the Idempotency-Key is being settled by a concurrent request");
}

}  // namespace contactd::storage
