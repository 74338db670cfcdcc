#include "ingest/body_read_room.hpp"

namespace contactd::ingest {

void MakeRoomForBody(boost::beast::flat_buffer& buffer, boost::optional<std::uint64_t> content_length) {
    if (content_length && *content_length <= kSmallBodyBytes) return;
    if (buffer.capacity() - buffer.size() < kBodyReadRoom) buffer.reserve(buffer.size() + kBodyReadRoom);
}

void ReleaseBodyReadRoom(boost::beast::flat_buffer& buffer) {
    if (buffer.size() == 0 && buffer.capacity() >= kBodyReadRoom) buffer.shrink_to_fit();
}

}  // namespace contactd::ingest
