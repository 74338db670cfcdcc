#include "storage/chunk_codec.hpp"

#include <cstring>

namespace contactd::storage {

namespace {

constexpr std::size_t kHeaderBytes = 1 + 8 + 4;

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

void ChunkEncoder::Clear() {
    buffer_.clear();
    count_ = 0;
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
