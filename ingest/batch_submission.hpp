#pragma once
// `POST /v1/batches` (SPEC §6): the body is read as a stream — gunzipped if it is gzip, split into items
// (NDJSON lines, or the elements of a JSON document's `items`), each item's syntax checked, and the items
// staged into the database as they arrive — so a 1 GiB batch needs a few megabytes of memory. The answer
// (202 with the job's status) goes out only after the whole batch is committed.

#include <cstdint>

#include "ingest/api_services.hpp"
#include "ingest/router.hpp"

namespace contactd::ingest {

inline constexpr std::uint64_t kMaxBatchItems = 1000000;
inline constexpr std::uint64_t kMaxBatchBytes = std::uint64_t{1} << 30;  // uncompressed
//! The route's limit on the body as sent (compressed or not); the uncompressed size is checked as it grows.
inline constexpr std::uint64_t kMaxBatchBodyBytes = kMaxBatchBytes;
inline constexpr std::size_t kMaxIdempotencyKeyLength = 255;

//! The streaming handler of `POST /v1/batches`.
StreamingHandler BatchSubmissionHandler(ApiServices& services);

}  // namespace contactd::ingest
