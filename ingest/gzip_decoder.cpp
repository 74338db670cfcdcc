#include "ingest/gzip_decoder.hpp"

#include <zlib.h>

#include <algorithm>
#include <limits>
#include <new>

namespace contactd::ingest {

namespace {

// 16 + MAX_WBITS: a gzip wrapper only (not raw deflate, not zlib), with the largest window.
constexpr int kGzipWindowBits = 16 + MAX_WBITS;

}  // namespace

//! The zlib inflate state, ended in the destructor.
struct GzipDecoder::Stream {
    Stream() {
        if (inflateInit2(&z, kGzipWindowBits) != Z_OK) throw std::bad_alloc();
    }
    ~Stream() { inflateEnd(&z); }
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;

    z_stream z{};
    bool needs_reset = false;  // the previous member ended; the next byte starts a new one
};

GzipDecoder::GzipDecoder() : stream_(std::make_unique<Stream>()), output_(new char[kGzipOutputChunkBytes]) {}

GzipDecoder::~GzipDecoder() = default;

std::optional<GzipError> GzipDecoder::Fail(std::uint64_t offset, std::string_view what) {
    std::string message = "invalid gzip data at byte " + std::to_string(offset) + ": ";
    message += what;
    error_ = GzipError{offset, std::move(message)};
    return error_;
}

std::optional<GzipError> GzipDecoder::Feed(std::string_view compressed, const GzipSink& sink) {
    if (error_) return error_;
    if (stopped_) return std::nullopt;
    z_stream& z = stream_->z;
    // zlib counts in uInt; a larger piece is fed in slices.
    constexpr std::size_t kMaxSlice = std::numeric_limits<uInt>::max();
    while (!compressed.empty()) {
        const std::size_t slice = std::min(compressed.size(), kMaxSlice);
        z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
        z.avail_in = static_cast<uInt>(slice);
        // With the output buffer filled, zlib may hold more output for input it has already consumed, so a
        // full buffer means "go round again" even when no input is left.
        bool output_pending = false;
        while (z.avail_in > 0 || output_pending) {
            if (stream_->needs_reset) {
                inflateReset(&z);
                stream_->needs_reset = false;
            }
            in_member_ = true;
            z.next_out = reinterpret_cast<Bytef*>(output_.get());
            z.avail_out = static_cast<uInt>(kGzipOutputChunkBytes);
            const uInt available_before = z.avail_in;
            const int status = inflate(&z, Z_NO_FLUSH);
            const uInt consumed = available_before - z.avail_in;
            compressed_bytes_ += consumed;
            const std::size_t produced = kGzipOutputChunkBytes - z.avail_out;
            if (status == Z_MEM_ERROR) throw std::bad_alloc();
            if (status != Z_OK && status != Z_STREAM_END && status != Z_BUF_ERROR) {
                return Fail(compressed_bytes_, z.msg != nullptr ? z.msg : "corrupt deflate data");
            }
            if (produced > 0) {
                decompressed_bytes_ += produced;
                if (!sink(std::string_view(output_.get(), produced))) {
                    stopped_ = true;
                    return std::nullopt;
                }
            }
            if (status == Z_STREAM_END) {
                in_member_ = false;
                stream_->needs_reset = true;
            }
            output_pending = status != Z_STREAM_END && z.avail_out == 0;
            if (consumed == 0 && produced == 0 && status != Z_STREAM_END) {
                // zlib can make no progress: it wants input we do not have yet (a defensive stop; with input
                // left this cannot happen, so it would be a corrupt stream).
                if (z.avail_in > 0) return Fail(compressed_bytes_, "the deflate stream makes no progress");
                break;
            }
        }
        compressed.remove_prefix(slice);
    }
    return std::nullopt;
}

std::optional<GzipError> GzipDecoder::Finish() {
    if (error_) return error_;
    if (stopped_) return std::nullopt;
    if (compressed_bytes_ == 0) return Fail(0, "the gzip stream is empty");
    if (in_member_) return Fail(compressed_bytes_, "the gzip stream ends too early (truncated)");
    return std::nullopt;
}

}  // namespace contactd::ingest
