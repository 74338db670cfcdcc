#pragma once
// The HTTP/1.1 server: Beast on an io_context with a few I/O threads, one coroutine per connection, and a
// separate pool of handler threads where route handlers run (they block on PostgreSQL; the I/O threads
// never do). Slow or half-sent requests time out and never hold a thread. Stop() drains: no new
// connections, requests in flight finish (within drain_timeout), idle connections close.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "ingest/logger.hpp"
#include "ingest/router.hpp"

namespace contactd::ingest {

//! Limits, timeouts and threads. The defaults suit production; tests shorten the timeouts.
struct HttpServerConfig {
    std::string address = "127.0.0.1";
    std::uint16_t port = 8080;  // 0 picks a free port; see HttpServer::port()
    std::size_t io_threads = 2;
    std::size_t handler_threads = 8;

    std::uint64_t max_body_bytes = std::uint64_t{16} << 20;  // buffered routes; streaming routes set their own
    std::uint32_t max_header_bytes = 16 << 10;               // request line + header fields → else 431
    std::size_t max_connections = 10000;                     // beyond this, new connections are closed at once
    std::size_t stream_piece_bytes = 1 << 20;                // a streamed request body is fed in pieces this big
    std::size_t response_chunk_bytes = 64 << 10;             // a streamed response is written in chunks about this big

    std::chrono::milliseconds idle_timeout{60'000};    // keep-alive: waiting for the next request to begin
    std::chrono::milliseconds header_timeout{10'000};  // from the first byte to the end of the header
    std::chrono::milliseconds body_timeout{30'000};    // a buffered body, or each piece of a streamed one → 408
    std::chrono::milliseconds write_timeout{30'000};   // one response (or one chunk) to a client that does not read
    std::chrono::milliseconds drain_timeout{10'000};   // Stop(): how long requests in flight may take

    Logger* logger = nullptr;  // nullptr: Logger::Default() (stderr)
};

//! A running HTTP server. Every response carries `X-Request-Id`; each request is logged as one JSON line.
class HttpServer {
  public:
    HttpServer(HttpServerConfig config, Router router);
    //! Stops (as Stop()) if still running.
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    //! Binds, listens and starts the threads. Throws std::system_error when the address cannot be bound.
    void Start();

    //! The bound port (useful with port 0). Valid after Start().
    std::uint16_t port() const;

    //! Graceful stop; blocks until done. Stops accepting, closes idle connections, lets requests in flight
    //! finish with `Connection: close` for up to drain_timeout, then closes whatever is left and joins all
    //! threads. Safe to call twice; never from a handler (it waits for the handler pool).
    //! A connection still in the middle of sending its header is closed by its header timeout.
    void Stop();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace contactd::ingest
