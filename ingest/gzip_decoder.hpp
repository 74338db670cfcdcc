#pragma once
// Streaming gzip inflation for request bodies sent with `Content-Encoding: gzip` (SPEC §6). Compressed bytes
// go in as they arrive; decompressed pieces come out through a sink, never more than kGzipOutputChunkBytes at
// a time, so memory stays bounded whatever the body's size. The caller counts decompressed bytes against its
// limit and stops early by returning false from the sink (a gzip bomb is cut off after one chunk too many).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace contactd::ingest {

//! The most bytes one sink call receives.
inline constexpr std::size_t kGzipOutputChunkBytes = std::size_t{256} << 10;

//! Why the compressed bytes are not a valid gzip stream.
struct GzipError {
    std::uint64_t offset = 0;  // 0-based byte offset in the compressed stream where it was noticed
    std::string message;       // e.g. "invalid gzip data at byte 17: incorrect header check"
};

//! Receives the next decompressed bytes (valid only during the call). Returns false to stop decoding.
using GzipSink = std::function<bool(std::string_view decompressed)>;

//! Inflates a gzip stream (RFC 1952), including several members one after another (as `cat a.gz b.gz`
//! makes). One per body; not thread-safe. Owns its zlib state and output buffer.
class GzipDecoder {
  public:
    GzipDecoder();
    ~GzipDecoder();
    GzipDecoder(const GzipDecoder&) = delete;
    GzipDecoder& operator=(const GzipDecoder&) = delete;

    //! Inflates the next compressed bytes (any split), calling `sink` for each decompressed piece. Returns the
    //! first error; once failed, every later call returns it again. When the sink returns false, Feed returns
    //! at once (no error) and the decoder is stopped: later calls decode nothing.
    std::optional<GzipError> Feed(std::string_view compressed, const GzipSink& sink);

    //! The compressed stream is complete. An error when it ended inside a member (truncated), when it held no
    //! bytes at all, or when an earlier Feed failed.
    std::optional<GzipError> Finish();

    //! True once a sink returned false.
    bool stopped() const { return stopped_; }
    //! Compressed bytes consumed so far.
    std::uint64_t compressed_bytes() const { return compressed_bytes_; }
    //! Decompressed bytes handed to sinks so far.
    std::uint64_t decompressed_bytes() const { return decompressed_bytes_; }

  private:
    struct Stream;

    std::optional<GzipError> Fail(std::uint64_t offset, std::string_view what);

    std::unique_ptr<Stream> stream_;
    std::unique_ptr<char[]> output_;
    std::optional<GzipError> error_;
    std::uint64_t compressed_bytes_ = 0;
    std::uint64_t decompressed_bytes_ = 0;
    bool in_member_ = false;  // a member has begun (some of its bytes consumed) and not yet ended
    bool stopped_ = false;
};

}  // namespace contactd::ingest
