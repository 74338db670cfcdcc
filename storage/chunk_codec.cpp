#include "storage/chunk_codec.hpp"

#include <lz4.h>

#include <cstring>
#include <stdexcept>

#include "storage/job_writer.hpp"

namespace contactd::storage {

namespace {

constexpr std::size_t kHeaderBytes = 1 + 8 + 4;
constexpr char kCompressed = 'Z';
constexpr std::size_t kCompressedHeaderBytes = 1 + 4;
// A chunk closes at JobWriter::kChunkBytes of items (4 MiB) plus its last item (64 KiB at most, or a short
// note for a larger one): a stored chunk claiming more is corrupt, and is not given the memory.
constexpr std::uint32_t kMaxItemsBytes = std::uint32_t{16} << 20;
static_assert(JobWriter::kChunkBytes + 2 * (kHeaderBytes + (std::size_t{64} << 10)) <= kMaxItemsBytes,
              "a chunk the writer closes must be one the decoder accepts");

template <class T>
void AppendLittleEndian(std::string& out, T value) {
    for (std::size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

template <class T>
T ReadLittleEndian(const char* data) {
    T value = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) {
        value |= static_cast<T>(static_cast<unsigned char>(data[i])) << (8 * i);
    }
    return value;
}

}  // namespace

void ChunkEncoder::Add(ChunkItemKind kind, std::uint64_t offset, std::string_view bytes) {
    buffer_.push_back(static_cast<char>(kind));
    AppendLittleEndian<std::uint64_t>(buffer_, offset);
    AppendLittleEndian<std::uint32_t>(buffer_, static_cast<std::uint32_t>(bytes.size()));
    buffer_.append(bytes);
    ++count_;
}

std::string_view ChunkEncoder::Stored() {
    const int bound = LZ4_compressBound(static_cast<int>(buffer_.size()));
    stored_.resize(kCompressedHeaderBytes + static_cast<std::size_t>(bound));
    stored_[0] = kCompressed;
    const auto length = static_cast<std::uint32_t>(buffer_.size());
    for (std::size_t i = 0; i < 4; ++i) stored_[1 + i] = static_cast<char>((length >> (8 * i)) & 0xFF);
    const int written = LZ4_compress_default(buffer_.data(), stored_.data() + kCompressedHeaderBytes,
                                             static_cast<int>(buffer_.size()), bound);
    // LZ4 fails only on input over its 2 GB limit or an output smaller than its bound: never here, but a chunk
    // stored broken would be accepted with 202 and fail later.
    if (written <= 0 || buffer_.size() > kMaxItemsBytes) throw std::runtime_error("lz4 could not compress a chunk");
    stored_.resize(kCompressedHeaderBytes + static_cast<std::size_t>(written));
    return stored_;
}

void ChunkEncoder::Clear() {
    buffer_.clear();
    count_ = 0;
}

ChunkDecoder::ChunkDecoder(std::string_view stored) : rest_(stored) {
    if (stored.empty() || stored[0] != kCompressed) return;
    rest_ = {};
    if (stored.size() < kCompressedHeaderBytes) {
        corrupt_ = true;
        return;
    }
    const auto length = ReadLittleEndian<std::uint32_t>(stored.data() + 1);
    if (length > kMaxItemsBytes) {
        corrupt_ = true;
        return;
    }
    expanded_.resize(length);
    const int expanded =
        LZ4_decompress_safe(stored.data() + kCompressedHeaderBytes, expanded_.data(),
                            static_cast<int>(stored.size() - kCompressedHeaderBytes), static_cast<int>(length));
    if (expanded != static_cast<int>(length)) {
        corrupt_ = true;
        return;
    }
    rest_ = expanded_;
}

std::optional<ChunkItem> ChunkDecoder::Next() {
    if (rest_.empty() || corrupt_) return std::nullopt;
    if (rest_.size() < kHeaderBytes) {
        corrupt_ = true;
        return std::nullopt;
    }
    ChunkItem item;
    const char kind = rest_[0];
    if (kind != 'J' && kind != 'L' && kind != 'X') {
        corrupt_ = true;
        return std::nullopt;
    }
    item.kind = static_cast<ChunkItemKind>(kind);
    item.offset = ReadLittleEndian<std::uint64_t>(rest_.data() + 1);
    const std::uint32_t length = ReadLittleEndian<std::uint32_t>(rest_.data() + 9);
    if (rest_.size() - kHeaderBytes < length) {
        corrupt_ = true;
        return std::nullopt;
    }
    item.bytes = rest_.substr(kHeaderBytes, length);
    rest_.remove_prefix(kHeaderBytes + length);
    return item;
}

}  // namespace contactd::storage
