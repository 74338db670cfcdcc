#pragma once
// How much room a session's read buffer gets before a request body is read.
//
// Beast reads a socket into the session's buffer at most 64 KiB at a time, and never more than the buffer has
// room for: after a request header, about 512 bytes. Read with that room, a large body came in one recv() of
// a few hundred bytes each (373 on average for a 1 GiB upload: 900,000 calls in 5 s), which on a virtual
// machine where a system call costs over a microsecond held a large batch's acceptance to 60-70 MB/s and
// spent 9 of its 10 CPU seconds in the reads. With the room, a 1 GiB upload takes about 6,000 reads.

#include <cstddef>
#include <cstdint>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/optional/optional.hpp>

namespace contactd::ingest {

//! The room a body read gets: the most Beast reads from a socket in one call.
inline constexpr std::size_t kBodyReadRoom = std::size_t{64} << 10;
//! Bodies of at most this many bytes (a single contact's JSON, say) are read with the room the buffer has.
inline constexpr std::uint64_t kSmallBodyBytes = 4096;

//! Makes room for `kBodyReadRoom` bytes after what `buffer` holds, unless the body is known to be small.
//! `content_length` is the header's (none when the body is chunked).
void MakeRoomForBody(boost::beast::flat_buffer& buffer, boost::optional<std::uint64_t> content_length);

}  // namespace contactd::ingest
