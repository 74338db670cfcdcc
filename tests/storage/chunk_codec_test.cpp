// The framing of staged items: what acceptance stores is what the workers read back, compressed or not.
#include "storage/chunk_codec.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace contactd::testing {
namespace {

struct Item {
    storage::ChunkItemKind kind;
    std::uint64_t offset;
    std::string bytes;
    friend bool operator==(const Item&, const Item&) = default;
};

std::vector<Item> Decode(std::string_view stored, bool* corrupt = nullptr) {
    storage::ChunkDecoder decoder(stored);
    std::vector<Item> items;
    while (const auto item = decoder.Next()) items.push_back({item->kind, item->offset, std::string(item->bytes)});
    if (corrupt) *corrupt = decoder.corrupt();
    return items;
}

std::vector<Item> Sample() {
    std::vector<Item> items;
    for (int i = 0; i < 500; ++i) {
        items.push_back({storage::ChunkItemKind::kJson, static_cast<std::uint64_t>(i) * 60,
                         R"({"phone": "+1650555)" + std::to_string(1000 + i) + R"(", "tags": ["lead"]})"});
    }
    items.push_back({storage::ChunkItemKind::kTooLarge, 30000, "70000"});
    items.push_back({storage::ChunkItemKind::kInvalid, 100000, "unclosed string"});
    items.push_back({storage::ChunkItemKind::kJson, 100100, std::string("{\"x\": \"\0\xff\"}", 12)});
    return items;
}

storage::ChunkEncoder Encoded(const std::vector<Item>& items) {
    storage::ChunkEncoder encoder;
    for (const Item& item : items) encoder.Add(item.kind, item.offset, item.bytes);
    return encoder;
}

TEST(ChunkCodecTest, AStoredChunkIsCompressedAndReadsBackItemForItem) {
    const std::vector<Item> items = Sample();
    storage::ChunkEncoder encoder = Encoded(items);
    const std::string stored(encoder.Stored());
    EXPECT_EQ(stored[0], 'Z');
    EXPECT_LT(stored.size(), encoder.buffer().size() / 2) << "repetitive JSON compresses";
    bool corrupt = true;
    EXPECT_EQ(Decode(stored, &corrupt), items);
    EXPECT_FALSE(corrupt);
}

TEST(ChunkCodecTest, AChunkStagedUncompressedStillReads) {
    const std::vector<Item> items = Sample();
    const storage::ChunkEncoder encoder = Encoded(items);
    bool corrupt = true;
    EXPECT_EQ(Decode(encoder.buffer(), &corrupt), items);
    EXPECT_FALSE(corrupt);
}

TEST(ChunkCodecTest, AnEmptyChunkHasNoItems) {
    storage::ChunkEncoder encoder;
    bool corrupt = true;
    EXPECT_TRUE(Decode(encoder.Stored(), &corrupt).empty());
    EXPECT_FALSE(corrupt);
    EXPECT_TRUE(Decode("", &corrupt).empty());
    EXPECT_FALSE(corrupt);
}

TEST(ChunkCodecTest, ADamagedCompressedChunkIsCorruptNotMisread) {
    storage::ChunkEncoder encoder = Encoded(Sample());
    const std::string stored(encoder.Stored());
    bool corrupt = false;
    EXPECT_TRUE(Decode(stored.substr(0, stored.size() / 2), &corrupt).empty());
    EXPECT_TRUE(corrupt) << "truncated";
    std::string longer = stored;
    longer[1] = static_cast<char>(longer[1] + 1);  // claims one more byte of items than the block holds
    EXPECT_TRUE(Decode(longer, &corrupt).empty());
    EXPECT_TRUE(corrupt) << "wrong length";
    std::string huge = stored;
    huge[4] = '\x7f';  // claims about 2 GiB of items
    EXPECT_TRUE(Decode(huge, &corrupt).empty());
    EXPECT_TRUE(corrupt) << "implausible length";
    EXPECT_TRUE(Decode("Z\x01", &corrupt).empty());
    EXPECT_TRUE(corrupt) << "no header";
}

}  // namespace
}  // namespace contactd::testing
