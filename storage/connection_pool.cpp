#include "storage/connection_pool.hpp"

#include <poll.h>

#include <pqxx/except>
#include <pqxx/nontransaction>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <utility>
#include <vector>

namespace contactd::storage {

namespace detail {

struct PoolState {
    std::string connection_string;
    std::size_t max_size = 0;
    PlanCaching plans = PlanCaching::kAuto;

    mutable std::mutex mutex;
    std::condition_variable returned;  // a connection came back or a slot was freed
    std::vector<std::unique_ptr<pqxx::connection>> idle;
    std::size_t leased = 0;
    std::size_t connecting = 0;
    std::size_t opened_total = 0;
    std::size_t discarded_total = 0;

    std::size_t InUse() const { return idle.size() + leased + connecting; }

    void Return(std::unique_ptr<pqxx::connection> connection, bool broken) noexcept;
};

}  // namespace detail

namespace {

constexpr int kConnectTimeoutSeconds = 10;
// Pause between failed connection attempts inside one Acquire, so a dead server is not hammered.
constexpr auto kReconnectPause = std::chrono::milliseconds(100);

//! True if the server has closed this idle connection (pg_terminate_backend, a restart, a dead network
//! peer that sent a FIN). libpq only notices on the next query; the socket knows now.
bool PeerClosed(const pqxx::connection& connection) {
    const int fd = connection.sock();
    if (fd < 0) return true;
    pollfd probe{fd, POLLRDHUP, 0};
    if (::poll(&probe, 1, 0) < 0) return false;
    return (probe.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0;
}

bool Usable(const pqxx::connection& connection) { return connection.is_open() && !PeerClosed(connection); }

std::unique_ptr<pqxx::connection> Connect(const std::string& connection_string, PlanCaching plans) {
    auto connection = std::make_unique<pqxx::connection>(connection_string);
    // A reconnect behind our back would lose the session's time zone and hide that the connection broke;
    // broken connections must surface so the pool can replace them.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    connection->inhibit_reactivation(true);
#pragma GCC diagnostic pop
    pqxx::nontransaction setup(*connection);
    setup.exec("SET TIME ZONE 'UTC'");
    if (plans == PlanCaching::kGeneric) setup.exec("SET plan_cache_mode = force_generic_plan");
    setup.commit();
    return connection;
}

}  // namespace

void detail::PoolState::Return(std::unique_ptr<pqxx::connection> connection, bool broken) noexcept {
    const bool keep = !broken && connection->is_open();
    {
        std::lock_guard lock(mutex);
        --leased;
        if (keep) {
            idle.push_back(std::move(connection));
        } else {
            ++discarded_total;
        }
    }
    returned.notify_one();
    // A discarded connection closes here, outside the lock.
}

PooledConnection& PooledConnection::operator=(PooledConnection&& other) noexcept {
    if (this != &other) {
        Release();
        pool_ = std::move(other.pool_);
        connection_ = std::move(other.connection_);
        broken_ = other.broken_;
    }
    return *this;
}

PooledConnection::~PooledConnection() { Release(); }

void PooledConnection::Release() noexcept {
    if (connection_ && pool_) pool_->Return(std::move(connection_), broken_);
    connection_.reset();
    pool_.reset();
    broken_ = false;
}

std::string WithConnectTimeout(const std::string& url, int seconds) {
    if (url.find("connect_timeout") != std::string::npos) return url;
    const std::string setting = "connect_timeout=" + std::to_string(seconds);
    if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
        return url + (url.find('?') == std::string::npos ? "?" : "&") + setting;
    }
    return url.empty() ? setting : url + " " + setting;
}

ConnectionPool::ConnectionPool(std::string url, std::size_t max_size, PlanCaching plans)
    : state_(std::make_shared<detail::PoolState>()) {
    if (max_size == 0) throw std::invalid_argument("ConnectionPool: max_size must be at least 1");
    state_->plans = plans;
    state_->connection_string = WithConnectTimeout(url, kConnectTimeoutSeconds);
    state_->max_size = max_size;
    state_->idle.reserve(max_size);  // Return() is noexcept: it must never need to allocate
}

ConnectionPool::~ConnectionPool() = default;

PooledConnection ConnectionPool::Acquire(std::chrono::milliseconds timeout) {
    detail::PoolState& state = *state_;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string last_connect_error;
    std::vector<std::unique_ptr<pqxx::connection>> dead;  // closed after the lock is released

    std::unique_lock lock(state.mutex);
    while (true) {
        while (!state.idle.empty()) {
            std::unique_ptr<pqxx::connection> connection = std::move(state.idle.back());
            state.idle.pop_back();
            if (Usable(*connection)) {
                ++state.leased;
                return PooledConnection(state_, std::move(connection));
            }
            ++state.discarded_total;
            dead.push_back(std::move(connection));
        }

        if (state.InUse() < state.max_size) {
            ++state.connecting;
            lock.unlock();
            std::unique_ptr<pqxx::connection> connection;
            try {
                connection = Connect(state.connection_string, state.plans);
            } catch (const std::exception& error) {
                last_connect_error = error.what();
            }
            lock.lock();
            --state.connecting;
            if (connection) {
                ++state.opened_total;
                ++state.leased;
                return PooledConnection(state_, std::move(connection));
            }
            state.returned.notify_one();  // the slot we held is free again
            if (std::chrono::steady_clock::now() >= deadline) break;
            state.returned.wait_until(lock, std::min(deadline, std::chrono::steady_clock::now() + kReconnectPause));
            continue;
        }

        if (state.returned.wait_until(lock, deadline) == std::cv_status::timeout && state.idle.empty() &&
            state.InUse() >= state.max_size) {
            break;
        }
    }

    const std::string waited = std::to_string(timeout.count()) + " ms";
    if (!last_connect_error.empty()) {
        throw pqxx::broken_connection("connection pool: could not connect to the database within " + waited + ": " +
                                      last_connect_error);
    }
    throw ConnectionPoolExhausted("connection pool: all " + std::to_string(state.max_size) +
                                  " connections stayed in use for " + waited);
}

std::size_t ConnectionPool::MaxSize() const { return state_->max_size; }

ConnectionPoolStats ConnectionPool::Stats() const {
    std::lock_guard lock(state_->mutex);
    return ConnectionPoolStats{state_->idle.size(), state_->leased, state_->connecting, state_->opened_total,
                               state_->discarded_total};
}

const std::string& ConnectionPool::ConnectionString() const { return state_->connection_string; }

}  // namespace contactd::storage
