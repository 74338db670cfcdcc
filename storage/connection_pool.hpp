#pragma once
// A bounded, thread-safe pool of PostgreSQL connections, leased out as RAII handles.

#include <pqxx/connection>

#include <chrono>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>

namespace contactd::storage {

namespace detail {
struct PoolState;
}

//! Thrown by ConnectionPool::Acquire when every connection stayed leased for the whole timeout.
//! ClassifyDbError calls it retryable. (A database that cannot be reached throws pqxx::broken_connection.)
class ConnectionPoolExhausted : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

//! A connection leased from a ConnectionPool; gives it back on destruction. Move-only. The connection
//! is used by one thread at a time; the lease may outlive the pool object.
class PooledConnection {
  public:
    PooledConnection() = default;
    PooledConnection(PooledConnection&& other) noexcept = default;
    PooledConnection& operator=(PooledConnection&& other) noexcept;
    PooledConnection(const PooledConnection&) = delete;
    PooledConnection& operator=(const PooledConnection&) = delete;
    ~PooledConnection();

    pqxx::connection& operator*() const { return *connection_; }
    pqxx::connection* operator->() const { return connection_.get(); }
    pqxx::connection& Get() const { return *connection_; }
    explicit operator bool() const { return connection_ != nullptr; }

    //! The connection is in an unknown state (an in-doubt commit, a timeout mid-query): on return it is
    //! closed and later replaced instead of reused.
    void MarkBroken() { broken_ = true; }
    //! Gives the connection back now; the lease becomes empty.
    void Release() noexcept;

  private:
    friend class ConnectionPool;
    PooledConnection(std::shared_ptr<detail::PoolState> pool, std::unique_ptr<pqxx::connection> connection)
        : pool_(std::move(pool)), connection_(std::move(connection)) {}

    std::shared_ptr<detail::PoolState> pool_;
    std::unique_ptr<pqxx::connection> connection_;
    bool broken_ = false;
};

//! Counters for health checks and tests.
struct ConnectionPoolStats {
    std::size_t idle = 0;        // open, waiting in the pool
    std::size_t leased = 0;      // out with a PooledConnection
    std::size_t connecting = 0;  // being opened right now
    std::size_t opened_total = 0;
    std::size_t discarded_total = 0;  // closed because broken, marked broken, or found dead
};

//! How a pool's sessions plan their prepared statements (SqlParams::ExecFixed).
enum class PlanCaching {
    kAuto,  // PostgreSQL's default: custom plans while they look cheaper than the generic one
    //! One generic plan per statement, made once per session. For statements run once a request with
    //! one-element arrays: PostgreSQL sizes a generic `unnest($2)` for 10 elements, so in auto mode the
    //! custom plan always looks cheaper and every call is planned again (187 µs of a PATCH's 254 µs read).
    kGeneric,
};

//! At most `max_size` connections to one database, opened lazily. A connection that breaks (closed by
//! the server, a lost network, or MarkBroken) is dropped and replaced on demand; it never poisons the
//! pool. Every new connection runs `SET TIME ZONE 'UTC'`, and libpqxx's silent reconnect is disabled so
//! that session state can never vanish under a caller.
class ConnectionPool {
  public:
    ConnectionPool(std::string url, std::size_t max_size, PlanCaching plans = PlanCaching::kAuto);
    ConnectionPool(const ConnectionPool&) = delete;
    ConnectionPool& operator=(const ConnectionPool&) = delete;
    ~ConnectionPool();

    //! Leases a connection, opening one if the pool is below its size. Throws pqxx::broken_connection
    //! when the database cannot be reached within `timeout` (the last libpq error in its message), or
    //! ConnectionPoolExhausted when all `max_size` connections stay leased; both classify as retryable.
    PooledConnection Acquire(std::chrono::milliseconds timeout = std::chrono::seconds(5));

    std::size_t MaxSize() const;
    ConnectionPoolStats Stats() const;
    //! The connection string in use (the given URL with a `connect_timeout` added when it had none).
    const std::string& ConnectionString() const;

  private:
    std::shared_ptr<detail::PoolState> state_;
};

//! Adds `connect_timeout=<seconds>` to a libpq URL or keyword string unless it already sets one.
std::string WithConnectTimeout(const std::string& url, int seconds);

}  // namespace contactd::storage
