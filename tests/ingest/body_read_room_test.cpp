#include "ingest/body_read_room.hpp"

#include <gtest/gtest.h>
#include <boost/beast/core/buffers_to_string.hpp>

#include <cstring>
#include <string_view>

namespace contactd::ingest {
namespace {

// A buffer as a session's is after reading a request header: a few hundred bytes of room left, and maybe the
// first bytes of the body already in it.
boost::beast::flat_buffer AfterAHeader(std::string_view body_start) {
    boost::beast::flat_buffer buffer;
    buffer.reserve(512);
    auto room = buffer.prepare(body_start.size());
    std::memcpy(room.data(), body_start.data(), body_start.size());
    buffer.commit(body_start.size());
    return buffer;
}

std::size_t Room(const boost::beast::flat_buffer& buffer) { return buffer.capacity() - buffer.size(); }

TEST(BodyReadRoomTest, ALargeBodyIsReadInFullSizedReads) {
    boost::beast::flat_buffer buffer = AfterAHeader("{\"first_name\":");
    ASSERT_LT(Room(buffer), kBodyReadRoom);
    MakeRoomForBody(buffer, std::uint64_t{1} << 30);
    EXPECT_GE(Room(buffer), kBodyReadRoom);
    // The bytes already read stay where the parser expects them.
    EXPECT_EQ(boost::beast::buffers_to_string(buffer.data()), "{\"first_name\":");
}

TEST(BodyReadRoomTest, AChunkedBodyOfUnknownLengthGetsTheRoomToo) {
    boost::beast::flat_buffer buffer = AfterAHeader("");
    MakeRoomForBody(buffer, boost::none);
    EXPECT_GE(Room(buffer), kBodyReadRoom);
}

TEST(BodyReadRoomTest, ASmallBodyLeavesTheBufferAsItIs) {
    boost::beast::flat_buffer buffer = AfterAHeader("{}");
    const std::size_t capacity = buffer.capacity();
    MakeRoomForBody(buffer, kSmallBodyBytes);
    EXPECT_EQ(buffer.capacity(), capacity);
}

TEST(BodyReadRoomTest, ABufferWithRoomEnoughIsNotGrown) {
    boost::beast::flat_buffer buffer;
    buffer.reserve(2 * kBodyReadRoom);
    const std::size_t capacity = buffer.capacity();
    MakeRoomForBody(buffer, std::uint64_t{1} << 20);
    EXPECT_EQ(buffer.capacity(), capacity);
}

TEST(BodyReadRoomTest, TheRoomIsGivenBackOnceTheBodyIsConsumed) {
    boost::beast::flat_buffer buffer = AfterAHeader("{\"a\":");
    MakeRoomForBody(buffer, std::uint64_t{1} << 20);
    ReleaseBodyReadRoom(buffer);
    EXPECT_GE(Room(buffer), kBodyReadRoom) << "bytes still buffered keep the room";
    buffer.consume(buffer.size());
    ReleaseBodyReadRoom(buffer);
    EXPECT_LT(buffer.capacity(), kBodyReadRoom);
}

}  // namespace
}  // namespace contactd::ingest
