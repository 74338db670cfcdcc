#include "ingest/ndjson_splitter.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace contactd::ingest {
namespace {

//! An emitted item with its bytes copied (the view dies with the sink call).
struct Seen {
    std::string bytes;
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
    bool too_large = false;
    bool operator==(const Seen&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Seen& seen) {
    return out << "{offset " << seen.offset << ", size " << seen.size << (seen.too_large ? ", too large" : "")
               << ", bytes '" << (seen.bytes.size() > 40 ? seen.bytes.substr(0, 40) + "..." : seen.bytes) << "'}";
}

BatchItemSink Collect(std::vector<Seen>& out) {
    return [&out](const BatchItem& item) {
        out.push_back(Seen{std::string(item.bytes), item.offset, item.size, item.too_large});
        return true;
    };
}

//! Splits `body` fed as the pieces between consecutive `cuts` (positions in the body, ascending).
std::vector<Seen> SplitWithCuts(std::string_view body, const std::vector<std::size_t>& cuts,
                                std::uint64_t max_item_bytes = kDefaultMaxItemBytes) {
    NdjsonSplitter splitter(max_item_bytes);
    std::vector<Seen> seen;
    const BatchItemSink sink = Collect(seen);
    std::size_t from = 0;
    for (const std::size_t cut : cuts) {
        EXPECT_TRUE(splitter.Feed(body.substr(from, cut - from), sink));
        from = cut;
    }
    EXPECT_TRUE(splitter.Feed(body.substr(from), sink));
    EXPECT_TRUE(splitter.Finish(sink));
    EXPECT_EQ(splitter.bytes_fed(), body.size());
    return seen;
}

std::vector<Seen> SplitWhole(std::string_view body, std::uint64_t max_item_bytes = kDefaultMaxItemBytes) {
    return SplitWithCuts(body, {}, max_item_bytes);
}

std::vector<Seen> SplitByteByByte(std::string_view body, std::uint64_t max_item_bytes = kDefaultMaxItemBytes) {
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < body.size(); ++i) cuts.push_back(i);
    return SplitWithCuts(body, cuts, max_item_bytes);
}

//! Asserts that every single cut, and byte-by-byte feeding, gives `expected`.
void ExpectSameAtEverySplit(std::string_view body, const std::vector<Seen>& expected,
                            std::uint64_t max_item_bytes = kDefaultMaxItemBytes) {
    for (std::size_t cut = 0; cut <= body.size(); ++cut) {
        ASSERT_EQ(SplitWithCuts(body, {cut}, max_item_bytes), expected) << "cut at " << cut;
    }
    ASSERT_EQ(SplitByteByByte(body, max_item_bytes), expected) << "byte by byte";
}

TEST(NdjsonSplitter, EmitsOneItemPerLineAtTheOffsetOfItsLineStart) {
    const std::string body = "{\"a\":1}\n{\"b\":22}\n[3]\n";
    EXPECT_EQ(SplitWhole(body),
              (std::vector<Seen>{{"{\"a\":1}", 0, 7, false}, {"{\"b\":22}", 8, 8, false}, {"[3]", 17, 3, false}}));
}

TEST(NdjsonSplitter, StripsTheCrOfCrlfLineEndsButKeepsOtherCrs) {
    const std::string body = "{}\r\n{\"a\":\"x\"}\r\n{}\r{}\n{}\r\r\n";
    EXPECT_EQ(
        SplitWhole(body),
        (std::vector<Seen>{
            {"{}", 0, 2, false}, {"{\"a\":\"x\"}", 4, 9, false}, {"{}\r{}", 15, 5, false}, {"{}\r", 21, 3, false}}));
}

TEST(NdjsonSplitter, SkipsEmptyAndWhiteSpaceOnlyLines) {
    const std::string body = "\n\n  \n\t \r\n{}\n\r\n \t\n{\"a\":1}\n   ";
    EXPECT_EQ(SplitWhole(body), (std::vector<Seen>{{"{}", 9, 2, false}, {"{\"a\":1}", 17, 7, false}}));
}

TEST(NdjsonSplitter, KeepsWhiteSpaceAroundTheJsonInsideTheItem) {
    // RFC 8259's JSON-text includes surrounding white space; simdjson accepts it, and the size counts it.
    const std::string body = "  {\"a\":1} \t\r\n";
    EXPECT_EQ(SplitWhole(body), (std::vector<Seen>{{"  {\"a\":1} \t", 0, 11, false}}));
}

TEST(NdjsonSplitter, EmitsTheLastLineWithoutFinalNewlineOnlyAtFinish) {
    NdjsonSplitter splitter;
    std::vector<Seen> seen;
    const BatchItemSink sink = Collect(seen);
    ASSERT_TRUE(splitter.Feed("{\"a\":1}\n{\"b\":2}", sink));
    EXPECT_EQ(seen, (std::vector<Seen>{{"{\"a\":1}", 0, 7, false}}));
    ASSERT_TRUE(splitter.Finish(sink));
    EXPECT_EQ(seen, (std::vector<Seen>{{"{\"a\":1}", 0, 7, false}, {"{\"b\":2}", 8, 7, false}}));
}

TEST(NdjsonSplitter, LastLineOfOnlyWhiteSpaceWithoutNewlineIsNotAnItem) {
    EXPECT_EQ(SplitWhole("{}\n \t "), (std::vector<Seen>{{"{}", 0, 2, false}}));
}

TEST(NdjsonSplitter, EmptyBodyAndBodyOfNewlinesHaveNoItems) {
    EXPECT_TRUE(SplitWhole("").empty());
    EXPECT_TRUE(SplitWhole("\n\n\r\n").empty());
}

TEST(NdjsonSplitter, InvalidJsonLinesAreStillItems) {
    // The splitter only cuts; judging the JSON is ItemSyntaxChecker's job.
    EXPECT_EQ(SplitWhole("not json\n{\n"), (std::vector<Seen>{{"not json", 0, 8, false}, {"{", 9, 1, false}}));
}

TEST(NdjsonSplitter, EmptyPiecesChangeNothing) {
    NdjsonSplitter splitter;
    std::vector<Seen> seen;
    const BatchItemSink sink = Collect(seen);
    ASSERT_TRUE(splitter.Feed(std::string_view(), sink));
    ASSERT_TRUE(splitter.Feed("{\"a\"", sink));
    ASSERT_TRUE(splitter.Feed(std::string_view(), sink));
    ASSERT_TRUE(splitter.Feed(":1}\n{}", sink));
    ASSERT_TRUE(splitter.Feed(std::string_view(), sink));
    ASSERT_TRUE(splitter.Finish(sink));
    EXPECT_EQ(seen, (std::vector<Seen>{{"{\"a\":1}", 0, 7, false}, {"{}", 8, 2, false}}));
}

TEST(NdjsonSplitter, ItemsInsideOnePieceAreViewsIntoThatPiece) {
    const std::string piece = "{\"a\":1}\n{\"b\":2}\n";
    NdjsonSplitter splitter;
    int items = 0;
    ASSERT_TRUE(splitter.Feed(piece, [&](const BatchItem& item) {
        ++items;
        EXPECT_GE(item.bytes.data(), piece.data());
        EXPECT_LE(item.bytes.data() + item.bytes.size(), piece.data() + piece.size());
        return true;
    }));
    EXPECT_EQ(items, 2);
    EXPECT_EQ(splitter.buffer_capacity(), std::string().capacity()) << "nothing straddled, nothing was buffered";
}

TEST(NdjsonSplitter, LineStraddlingPiecesIsCopiedWhole) {
    NdjsonSplitter splitter;
    std::vector<Seen> seen;
    const BatchItemSink sink = Collect(seen);
    ASSERT_TRUE(splitter.Feed("{\"na", sink));
    ASSERT_TRUE(splitter.Feed("me\":", sink));
    ASSERT_TRUE(splitter.Feed("\"Zoë\"}\r", sink));
    EXPECT_TRUE(seen.empty());
    ASSERT_TRUE(splitter.Feed("\n{}", sink));
    ASSERT_TRUE(splitter.Finish(sink));
    EXPECT_EQ(seen, (std::vector<Seen>{{"{\"name\":\"Zoë\"}", 0, 15, false}, {"{}", 17, 2, false}}));
}

TEST(NdjsonSplitter, EverySplitPositionAndByteByByteGiveTheSameItems) {
    const std::string body =
        "{\"first_name\":\"Ana\",\"tags\":[\"a\\nb\"]}\r\n"
        "\n"
        "  \t\r\n"
        "{\"emails\":[\"x@example.com\"],\"note\":\"line \\\" end\"}\n"
        "[1,2,3]\r\n"
        "{\"city\":\"München\"}\n"
        "{\"last\":true}";
    const std::vector<Seen> expected = {
        {"{\"first_name\":\"Ana\",\"tags\":[\"a\\nb\"]}", 0, 36, false},
        {"{\"emails\":[\"x@example.com\"],\"note\":\"line \\\" end\"}", 44, 49, false},
        {"[1,2,3]", 94, 7, false},
        {"{\"city\":\"München\"}", 103, 19, false},
        {"{\"last\":true}", 123, 13, false},
    };
    ASSERT_EQ(SplitWhole(body), expected);
    ExpectSameAtEverySplit(body, expected);
}

TEST(NdjsonSplitter, EveryPairOfCutsGivesTheSameItemsIncludingTooLargeOnes) {
    // A small limit so too-large lines, CRLF at the limit and blank overlong lines all fit in a short body.
    constexpr std::uint64_t kMax = 8;
    const std::string body = "{\"a\":12}\r\n{\"a\":123}\n        \t \n{}\r\n12345678\r\r\n{\"b\":1}";
    const std::vector<Seen> expected = {
        {"{\"a\":12}", 0, 8, false},  // exactly the limit, CRLF after it
        {"", 10, 9, true},            // one byte over
        {"{}", 31, 2, false},         // after an overlong blank line, which is no item
        {"", 35, 9, true},            // "12345678\r": the lone CR before the CRLF counts
        {"{\"b\":1}", 46, 7, false},  // no final newline
    };
    ASSERT_EQ(SplitWhole(body, kMax), expected);
    for (std::size_t first = 0; first <= body.size(); ++first) {
        for (std::size_t second = first; second <= body.size(); ++second) {
            ASSERT_EQ(SplitWithCuts(body, {first, second}, kMax), expected) << "cuts at " << first << ", " << second;
        }
    }
    ASSERT_EQ(SplitByteByByte(body, kMax), expected);
}

TEST(NdjsonSplitter, ItemOfExactly64KibIsReadAndOneByteMoreIsTooLarge) {
    const std::string exact = "{\"a\":\"" + std::string(65536 - 8, 'x') + "\"}";
    const std::string over = "{\"a\":\"" + std::string(65537 - 8, 'y') + "\"}";
    ASSERT_EQ(exact.size(), 65536U);
    ASSERT_EQ(over.size(), 65537U);
    const std::string body = exact + "\n" + over + "\r\n{\"after\":1}\n";
    const std::vector<Seen> expected = {
        {exact, 0, 65536, false},
        {"", 65537, 65537, true},
        {"{\"after\":1}", 65537 + 65537 + 2, 11, false},
    };
    EXPECT_EQ(SplitWhole(body), expected);
    // Cuts around both items, inside them and at the line ends.
    for (const std::size_t cut : {1UL, 65535UL, 65536UL, 65537UL, 65538UL, 100000UL, 131073UL, 131074UL, 131075UL}) {
        EXPECT_EQ(SplitWithCuts(body, {cut}), expected) << "cut at " << cut;
    }
    EXPECT_EQ(SplitWithCuts(body, {30000, 70000, 131074}), expected);
}

TEST(NdjsonSplitter, ItemOfExactly64KibWithCrlfSplitBetweenCrAndLfIsNotTooLarge) {
    const std::string exact = "[" + std::string(65534, '1') + "]";
    const std::string body = exact + "\r\n{}\n";
    const std::vector<Seen> expected = {{exact, 0, 65536, false}, {"{}", 65538, 2, false}};
    EXPECT_EQ(SplitWithCuts(body, {1, 65537}), expected) << "the buffer holds the item plus its CR";
    EXPECT_EQ(SplitWithCuts(body, {1, 65536}), expected);
}

TEST(NdjsonSplitter, TenMegabyteLineIsTooLargeAndNeverBuffered) {
    const std::string line = "{\"blob\":\"" + std::string(10'000'000, 'z') + "\"}";
    const std::string body = "{}\n" + line + "\n{\"next\":2}\n";
    NdjsonSplitter splitter;
    std::vector<Seen> seen;
    const BatchItemSink sink = Collect(seen);
    constexpr std::size_t kPiece = 4096 + 3;  // not aligned to anything in the body
    for (std::size_t from = 0; from < body.size(); from += kPiece) {
        ASSERT_TRUE(splitter.Feed(std::string_view(body).substr(from, kPiece), sink));
        ASSERT_LE(splitter.buffer_capacity(), kDefaultMaxItemBytes + 1) << "after " << from + kPiece << " bytes";
    }
    ASSERT_TRUE(splitter.Finish(sink));
    EXPECT_EQ(seen,
              (std::vector<Seen>{
                  {"{}", 0, 2, false}, {"", 3, line.size(), true}, {"{\"next\":2}", 3 + line.size() + 1, 10, false}}));
}

TEST(NdjsonSplitter, TenMegabyteLineInOnePieceIsTooLargeWithoutCopy) {
    const std::string body = "[" + std::string(10'000'000, '0') + "]\n";
    NdjsonSplitter splitter;
    std::vector<Seen> seen;
    const BatchItemSink sink = Collect(seen);
    ASSERT_TRUE(splitter.Feed(body, sink));
    ASSERT_TRUE(splitter.Finish(sink));
    EXPECT_EQ(seen, (std::vector<Seen>{{"", 0, 10'000'002, true}}));
    EXPECT_LE(splitter.buffer_capacity(), kDefaultMaxItemBytes + 1);
}

TEST(NdjsonSplitter, OverlongBlankLineIsNotAnItemAndNotBuffered) {
    const std::string body = std::string(200'000, ' ') + "\t\r\n{}\n";
    NdjsonSplitter splitter;
    std::vector<Seen> seen;
    const BatchItemSink sink = Collect(seen);
    for (std::size_t from = 0; from < body.size(); from += 1000) {
        ASSERT_TRUE(splitter.Feed(std::string_view(body).substr(from, 1000), sink));
    }
    ASSERT_TRUE(splitter.Finish(sink));
    EXPECT_EQ(seen, (std::vector<Seen>{{"{}", 200'003, 2, false}}));
    EXPECT_LE(splitter.buffer_capacity(), kDefaultMaxItemBytes + 1);
}

TEST(NdjsonSplitter, OverlongLineThatIsBlankUntilItsLastByteIsAnItem) {
    const std::string body = std::string(100, ' ') + "x\n";
    EXPECT_EQ(SplitByteByByte(body, 16), (std::vector<Seen>{{"", 0, 101, true}}));
}

TEST(NdjsonSplitter, BufferStaysWithinTheLimitOverManyStraddlingLines) {
    constexpr std::uint64_t kMax = 1000;
    std::string body;
    std::vector<Seen> expected;
    for (int i = 0; i < 200; ++i) {
        const std::size_t length = 900 + static_cast<std::size_t>(i * 37 % 200);  // some over the limit
        const std::string line = "\"" + std::string(length - 2, static_cast<char>('a' + i % 26)) + "\"";
        expected.push_back(length > kMax ? Seen{"", body.size(), length, true}
                                         : Seen{line, body.size(), length, false});
        body += line + "\n";
    }
    NdjsonSplitter splitter(kMax);
    std::vector<Seen> seen;
    const BatchItemSink sink = Collect(seen);
    for (std::size_t from = 0; from < body.size(); from += 777) {
        ASSERT_TRUE(splitter.Feed(std::string_view(body).substr(from, 777), sink));
        ASSERT_LE(splitter.buffer_capacity(), kMax + 1);
    }
    ASSERT_TRUE(splitter.Finish(sink));
    EXPECT_EQ(seen, expected);
}

TEST(NdjsonSplitter, SinkReturningFalseStopsTheSplitter) {
    NdjsonSplitter splitter;
    int calls = 0;
    const BatchItemSink stop_after_two = [&](const BatchItem&) { return ++calls < 2; };
    EXPECT_FALSE(splitter.Feed("{}\n{}\n{}\n", stop_after_two));
    EXPECT_EQ(calls, 2);
    EXPECT_FALSE(splitter.Feed("{}\n", stop_after_two));
    EXPECT_FALSE(splitter.Finish(stop_after_two));
    EXPECT_EQ(calls, 2);
}

TEST(NdjsonSplitter, SinkReturningFalseAtFinishIsReported) {
    NdjsonSplitter splitter;
    const BatchItemSink refuse = [](const BatchItem&) { return false; };
    EXPECT_TRUE(splitter.Feed("{}", refuse));
    EXPECT_FALSE(splitter.Finish(refuse));
}

}  // namespace
}  // namespace contactd::ingest
