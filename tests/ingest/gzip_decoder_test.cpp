#include "ingest/gzip_decoder.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace contactd::ingest {
namespace {

//! `data` as one gzip member, compressed by zlib itself (the reference).
std::string Gzip(std::string_view data, int level = Z_DEFAULT_COMPRESSION) {
    z_stream stream{};
    EXPECT_EQ(deflateInit2(&stream, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    std::string out(deflateBound(&stream, static_cast<uLong>(data.size())) + 64, '\0');
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    stream.avail_in = static_cast<uInt>(data.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
    out.resize(stream.total_out);
    deflateEnd(&stream);
    return out;
}

//! Deterministic text that compresses like a real batch body: repetitive, but not trivially.
std::string SampleBody(std::size_t items) {
    std::mt19937 random(42);
    std::string body;
    for (std::size_t i = 0; i < items; ++i) {
        body += "{\"ref\":\"row-" + std::to_string(i) + "\",\"email\":\"user" + std::to_string(random() % 100000) +
                "@example.com\",\"score\":" + std::to_string(random() % 1000) + "}\n";
    }
    return body;
}

//! What decoding produced: the bytes, the largest sink piece, and the first error.
struct Decoded {
    std::string bytes;
    std::size_t largest_piece = 0;
    std::optional<GzipError> error;
};

//! Feeds `compressed` in pieces of `piece` bytes (0: whole), then finishes.
Decoded Decode(std::string_view compressed, std::size_t piece = 0) {
    GzipDecoder decoder;
    Decoded decoded;
    const GzipSink sink = [&](std::string_view bytes) {
        decoded.bytes.append(bytes);
        decoded.largest_piece = std::max(decoded.largest_piece, bytes.size());
        return true;
    };
    if (piece == 0) piece = std::max<std::size_t>(compressed.size(), 1);
    for (std::size_t from = 0; from < compressed.size() && !decoded.error; from += piece) {
        decoded.error = decoder.Feed(compressed.substr(from, piece), sink);
    }
    if (!decoded.error) decoded.error = decoder.Finish();
    if (!decoded.error) {
        EXPECT_EQ(decoder.compressed_bytes(), compressed.size());
        EXPECT_EQ(decoder.decompressed_bytes(), decoded.bytes.size());
    }
    return decoded;
}

TEST(GzipDecoder, RoundTripsAStreamFedWhole) {
    const std::string body = SampleBody(2000);
    const Decoded decoded = Decode(Gzip(body));
    ASSERT_FALSE(decoded.error) << decoded.error->message;
    EXPECT_EQ(decoded.bytes, body);
}

TEST(GzipDecoder, RoundTripsAStreamFedByteByByte) {
    const std::string body = SampleBody(300);
    const Decoded decoded = Decode(Gzip(body), 1);
    ASSERT_FALSE(decoded.error) << decoded.error->message;
    EXPECT_EQ(decoded.bytes, body);
}

TEST(GzipDecoder, RoundTripsAtEverySplitPosition) {
    const std::string body = SampleBody(20);
    const std::string compressed = Gzip(body);
    for (std::size_t cut = 0; cut <= compressed.size(); ++cut) {
        GzipDecoder decoder;
        std::string out;
        const GzipSink sink = [&](std::string_view bytes) {
            out.append(bytes);
            return true;
        };
        ASSERT_FALSE(decoder.Feed(std::string_view(compressed).substr(0, cut), sink)) << "cut at " << cut;
        ASSERT_FALSE(decoder.Feed(std::string_view(compressed).substr(cut), sink)) << "cut at " << cut;
        ASSERT_FALSE(decoder.Finish()) << "cut at " << cut;
        ASSERT_EQ(out, body) << "cut at " << cut;
    }
}

TEST(GzipDecoder, EmptyPiecesChangeNothing) {
    const std::string compressed = Gzip("{\"a\":1}\n");
    GzipDecoder decoder;
    std::string out;
    const GzipSink sink = [&](std::string_view bytes) {
        out.append(bytes);
        return true;
    };
    ASSERT_FALSE(decoder.Feed(std::string_view(), sink));
    ASSERT_FALSE(decoder.Feed(std::string_view(compressed).substr(0, 5), sink));
    ASSERT_FALSE(decoder.Feed(std::string_view(), sink));
    ASSERT_FALSE(decoder.Feed(std::string_view(compressed).substr(5), sink));
    ASSERT_FALSE(decoder.Feed(std::string_view(), sink));
    ASSERT_FALSE(decoder.Finish());
    EXPECT_EQ(out, "{\"a\":1}\n");
}

TEST(GzipDecoder, HighlyCompressedInputComesOutInBoundedPieces) {
    // 20 MB of one byte compresses to ~20 KB: one Feed must drain many full output buffers.
    const std::string body(20'000'000, 'a');
    const std::string compressed = Gzip(body, Z_BEST_COMPRESSION);
    ASSERT_LT(compressed.size(), 100'000U);
    const Decoded decoded = Decode(compressed);
    ASSERT_FALSE(decoded.error) << decoded.error->message;
    EXPECT_EQ(decoded.bytes.size(), body.size());
    EXPECT_EQ(decoded.bytes, body);
    EXPECT_EQ(decoded.largest_piece, kGzipOutputChunkBytes);
}

TEST(GzipDecoder, ConcatenatedMembersDecodeAsOneStream) {
    const std::string first = SampleBody(50);
    const std::string second = "{\"second\":true}\n";
    const std::string third = SampleBody(7);
    const std::string compressed = Gzip(first) + Gzip(second) + Gzip("") + Gzip(third);
    const std::string expected = first + second + third;
    const Decoded whole = Decode(compressed);
    ASSERT_FALSE(whole.error) << whole.error->message;
    EXPECT_EQ(whole.bytes, expected);
    const Decoded bytewise = Decode(compressed, 1);
    ASSERT_FALSE(bytewise.error) << bytewise.error->message;
    EXPECT_EQ(bytewise.bytes, expected);
}

TEST(GzipDecoder, ConcatenatedMembersSplitAtEveryPositionAroundTheirBoundary) {
    const std::string first = Gzip("{\"a\":1}\n");
    const std::string compressed = first + Gzip("{\"b\":2}\n");
    for (std::size_t cut = first.size() - 10; cut <= first.size() + 10; ++cut) {
        GzipDecoder decoder;
        std::string out;
        const GzipSink sink = [&](std::string_view bytes) {
            out.append(bytes);
            return true;
        };
        ASSERT_FALSE(decoder.Feed(std::string_view(compressed).substr(0, cut), sink));
        ASSERT_FALSE(decoder.Feed(std::string_view(compressed).substr(cut), sink));
        ASSERT_FALSE(decoder.Finish());
        EXPECT_EQ(out, "{\"a\":1}\n{\"b\":2}\n") << "cut at " << cut;
    }
}

TEST(GzipDecoder, DataThatIsNotGzipIsAnErrorWithAMessage) {
    const Decoded decoded = Decode("{\"items\":[]}");
    ASSERT_TRUE(decoded.error);
    EXPECT_NE(decoded.error->message.find("incorrect header check"), std::string::npos) << decoded.error->message;
    EXPECT_TRUE(decoded.bytes.empty());
}

TEST(GzipDecoder, ZlibWrappedDataIsNotAcceptedAsGzip) {
    uLongf size = compressBound(10);
    std::string zlib_data(size, '\0');
    ASSERT_EQ(
        compress(reinterpret_cast<Bytef*>(zlib_data.data()), &size, reinterpret_cast<const Bytef*>("0123456789"), 10),
        Z_OK);
    zlib_data.resize(size);
    EXPECT_TRUE(Decode(zlib_data).error);
}

TEST(GzipDecoder, CorruptChecksumIsAnError) {
    std::string compressed = Gzip(SampleBody(100));
    compressed[compressed.size() - 6] ^= 0x55;  // inside the CRC-32 of the trailer
    const Decoded decoded = Decode(compressed);
    ASSERT_TRUE(decoded.error);
    EXPECT_NE(decoded.error->message.find("incorrect data check"), std::string::npos) << decoded.error->message;
    EXPECT_EQ(decoded.error->offset, compressed.size() - 4) << "noticed once the CRC was read";
}

TEST(GzipDecoder, CorruptLengthIsAnError) {
    std::string compressed = Gzip(SampleBody(100));
    compressed[compressed.size() - 2] ^= 0x01;  // inside ISIZE of the trailer
    const Decoded decoded = Decode(compressed);
    ASSERT_TRUE(decoded.error);
    EXPECT_NE(decoded.error->message.find("incorrect length check"), std::string::npos) << decoded.error->message;
}

TEST(GzipDecoder, EveryCorruptedByteOfTheDeflateDataIsNoticed) {
    const std::string body = SampleBody(30);
    const std::string compressed = Gzip(body);
    // Header is 10 bytes, trailer 8; a flipped byte anywhere in between must be caught (by the deflate
    // decoder or, at the latest, by the CRC), never passed on silently. The last deflate byte is left out: its
    // high bits after the end-of-block code are padding that carries nothing.
    for (std::size_t at = 10; at < compressed.size() - 9; ++at) {
        std::string corrupt = compressed;
        corrupt[at] = static_cast<char>(corrupt[at] ^ 0x20);
        const Decoded decoded = Decode(corrupt);
        ASSERT_TRUE(decoded.error) << "flip at " << at;
    }
}

TEST(GzipDecoder, TruncatedStreamIsReportedByFinishAtEveryLength) {
    const std::string compressed = Gzip(SampleBody(40));
    for (std::size_t length = 1; length < compressed.size(); ++length) {
        GzipDecoder decoder;
        const GzipSink sink = [](std::string_view) { return true; };
        ASSERT_FALSE(decoder.Feed(std::string_view(compressed).substr(0, length), sink)) << "length " << length;
        const std::optional<GzipError> error = decoder.Finish();
        ASSERT_TRUE(error) << "length " << length;
        EXPECT_EQ(error->offset, length);
        EXPECT_NE(error->message.find("truncated"), std::string::npos) << error->message;
    }
}

TEST(GzipDecoder, TruncatedSecondMemberIsReportedByFinish) {
    const std::string second = Gzip("{}\n");
    const std::string compressed = Gzip("{\"a\":1}\n") + second.substr(0, 5);
    EXPECT_TRUE(Decode(compressed).error);
}

TEST(GzipDecoder, EmptyStreamIsAnError) {
    GzipDecoder decoder;
    const std::optional<GzipError> error = decoder.Finish();
    ASSERT_TRUE(error);
    EXPECT_NE(error->message.find("empty"), std::string::npos) << error->message;
}

TEST(GzipDecoder, GarbageAfterTheLastMemberIsAnError) {
    const std::string body = "{\"a\":1}\n";
    const Decoded decoded = Decode(Gzip(body) + "trailing");
    ASSERT_TRUE(decoded.error);
    EXPECT_EQ(decoded.bytes, body) << "what came before the garbage was delivered";
}

TEST(GzipDecoder, ErrorIsStickyAndNothingMoreIsDelivered) {
    GzipDecoder decoder;
    int calls = 0;
    const GzipSink sink = [&](std::string_view) {
        ++calls;
        return true;
    };
    const std::optional<GzipError> first = decoder.Feed("not gzip at all", sink);
    ASSERT_TRUE(first);
    const std::optional<GzipError> again = decoder.Feed(Gzip("{}"), sink);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->message, first->message);
    ASSERT_TRUE(decoder.Finish());
    EXPECT_EQ(calls, 0);
}

TEST(GzipDecoder, SinkReturningFalseStopsDecoding) {
    const std::string compressed = Gzip(std::string(5'000'000, 'b'));
    GzipDecoder decoder;
    int calls = 0;
    const GzipSink stop_after_one = [&](std::string_view) { return ++calls < 1; };
    EXPECT_FALSE(decoder.Feed(compressed, stop_after_one));
    EXPECT_TRUE(decoder.stopped());
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(decoder.decompressed_bytes(), kGzipOutputChunkBytes);
    EXPECT_FALSE(decoder.Feed(compressed, stop_after_one));
    EXPECT_EQ(calls, 1) << "a stopped decoder delivers nothing";
}

}  // namespace
}  // namespace contactd::ingest
