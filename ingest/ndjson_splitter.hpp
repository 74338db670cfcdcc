#pragma once
// NDJSON batch bodies (SPEC §6, §9) cut into items as the bytes arrive, in any pieces, with bounded memory.
// A line ends at LF, and a CR just before the LF belongs to the line end. A line of nothing but white space
// (space, tab, CR) is blank and is not an item. The last line may lack its LF. Each other line is one item:
// its bytes are the line without its line end, which is a whole JSON text in RFC 8259's sense (surrounding
// white space included), and that is what the item size limit counts.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace contactd::ingest {

//! Items up to this many bytes are read; a longer one becomes that item's ITEM_TOO_LARGE (SPEC §6: 64 KiB).
inline constexpr std::uint64_t kDefaultMaxItemBytes = std::uint64_t{64} << 10;

//! One item of a batch body, NDJSON or JSON.
struct BatchItem {
    //! The item's JSON text. Valid only during the sink call. Empty when `too_large`: those bytes are skipped,
    //! never held.
    std::string_view bytes;
    //! 0-based byte offset of the item in the (uncompressed) body: the line start for NDJSON, the element's
    //! first byte for a JSON document.
    std::uint64_t offset = 0;
    //! The item's length in bytes, also when `too_large`.
    std::uint64_t size = 0;
    //! `size` is over the limit (max_item_bytes); `bytes` is empty.
    bool too_large = false;
};

//! Receives the next item. Returns false to stop splitting.
using BatchItemSink = std::function<bool(const BatchItem& item)>;

//! Splits an NDJSON body into items. Lines inside one fed piece are passed as views into that piece; only a
//! line that straddles pieces is copied, into a buffer that never holds more than max_item_bytes + 1 bytes.
//! One per body; not thread-safe.
class NdjsonSplitter {
  public:
    explicit NdjsonSplitter(std::uint64_t max_item_bytes = kDefaultMaxItemBytes);

    //! Splits the next body bytes (any split: an item may straddle calls), calling `sink` for each complete
    //! item in order. Returns false once a sink call returned false: the splitter is then stopped, and later
    //! calls emit nothing.
    bool Feed(std::string_view bytes, const BatchItemSink& sink);

    //! The body is complete: emits the last line if it had no final LF. Returns false when stopped.
    bool Finish(const BatchItemSink& sink);

    //! Body bytes fed so far.
    std::uint64_t bytes_fed() const { return bytes_fed_; }
    //! Bytes the straddling-line buffer has reserved (at most max_item_bytes + 1, however long the lines).
    std::size_t buffer_capacity() const { return partial_.capacity(); }

  private:
    bool EmitLine(std::string_view line, std::uint64_t offset, const BatchItemSink& sink);
    bool EmitPartial(bool ended_by_lf, const BatchItemSink& sink);
    void KeepPartial(std::string_view bytes);

    std::uint64_t max_item_bytes_;
    std::uint64_t bytes_fed_ = 0;
    // The line begun in an earlier piece and not yet ended: its start, its length so far, and its bytes in
    // `partial_` unless it has outgrown the limit (`partial_skipped_`), in which case only what decides its
    // fate is kept: whether it is blank so far and whether its last byte was CR.
    std::string partial_;
    std::uint64_t partial_offset_ = 0;
    std::uint64_t partial_size_ = 0;
    bool partial_open_ = false;
    bool partial_skipped_ = false;
    bool partial_blank_ = true;
    bool partial_ends_with_cr_ = false;
    bool stopped_ = false;
};

}  // namespace contactd::ingest
