#pragma once
// How much room a session's read buffer gets before a request body is read.
//
// Beast reads a socket into the session's buffer at most 64 KiB at a time, and never more than the buffer has
// room for: after a request header, about 512 bytes. Read with that room, a large body came in recv() calls
// of a few hundred bytes (373 on average for a 1 GiB upload: 900,000 calls in 5 s), which on a virtual
// machine where a system call costs over a microsecond held a large batch's acceptance to 60-70 MB/s, with
// 9.2 s of contactd's CPU. With the room, reads are up to 64 KiB (16,384 or more for 1 GiB): 2.0 s of CPU.

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

//! Gives the room back once `buffer` holds nothing, so that a keep-alive connection idles with a small one.
void ReleaseBodyReadRoom(boost::beast::flat_buffer& buffer);

}  // namespace contactd::ingest
