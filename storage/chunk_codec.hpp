#pragma once
// The framing of a chunk's items in job_chunks.items: each item as the client sent it, or the outcome
// decided at acceptance (too large, not JSON). Binary and length-prefixed, so it needs no escaping and
// round-trips any bytes.
//
//   item := kind:u8  offset:u64le  length:u32le  bytes[length]
//   kind 'J': a JSON text (validated at acceptance); 'L': too large (bytes: its size in decimal);
//        'X': not valid JSON (bytes: the parser's message).
//
// A chunk is stored compressed, by contactd rather than by PostgreSQL (migration 0004 stores the column
// without compression): the one backend that takes a batch's COPY spent about a quarter of its time in lz4,
// and bound a large batch's acceptance, while contactd's side of it has a core to spare.
//
//   stored := 'Z'  items_length:u32le  lz4_block      (or the items themselves: chunks staged before 0004)

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace contactd::storage {

enum class ChunkItemKind : char { kJson = 'J', kTooLarge = 'L', kInvalid = 'X' };

//! One item of a chunk; `bytes` views the decoder's chunk (see ChunkDecoder).
struct ChunkItem {
    ChunkItemKind kind = ChunkItemKind::kJson;
    std::uint64_t offset = 0;  // byte offset of the item in the request body
    std::string_view bytes;
};

//! Appends items to a chunk buffer.
class ChunkEncoder {
  public:
    void Add(ChunkItemKind kind, std::uint64_t offset, std::string_view bytes);
    std::size_t item_count() const { return count_; }
    std::size_t byte_size() const { return buffer_.size(); }
    const std::string& buffer() const { return buffer_; }
    //! The chunk as stored: compressed (views a buffer of the encoder's, valid until the next call).
    std::string_view Stored();
    void Clear();

  private:
    std::string buffer_;
    std::string stored_;
    std::size_t count_ = 0;
};

//! Reads the items of a stored chunk in order (decompressing it first, into a buffer of its own that the
//! items view: they are valid as long as the decoder).
class ChunkDecoder {
  public:
    explicit ChunkDecoder(std::string_view stored);
    ChunkDecoder(const ChunkDecoder&) = delete;
    ChunkDecoder& operator=(const ChunkDecoder&) = delete;
    //! The next item, nothing at the end; a malformed chunk ends early with `corrupt()` set.
    std::optional<ChunkItem> Next();
    bool corrupt() const { return corrupt_; }

  private:
    std::string expanded_;
    std::string_view rest_;
    bool corrupt_ = false;
};

}  // namespace contactd::storage
