#include "ingest/http_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <future>
#include <system_error>
#include <thread>
#include <vector>

#include "ingest/http_session.hpp"

namespace contactd::ingest {

namespace net = boost::asio;
using boost::system::error_code;
using tcp = net::ip::tcp;

namespace {

// After force-closing what was left at the end of the drain, sessions get this long to unwind.
constexpr std::chrono::milliseconds kUnwindTimeout{2000};
// When accept fails for lack of file descriptors, wait this long before trying again.
constexpr std::chrono::milliseconds kAcceptBackoff{100};

}  // namespace

bool SessionRegistry::Add(const std::shared_ptr<HttpSession>& session, std::size_t max_sessions) {
    std::lock_guard lock(mutex_);
    if (stopping_ || sessions_.size() >= max_sessions) return false;
    sessions_.emplace(session.get(), session);
    return true;
}

void SessionRegistry::Remove(const HttpSession* session) {
    std::lock_guard lock(mutex_);
    sessions_.erase(session);
    if (sessions_.empty()) emptied_.notify_all();
}

void SessionRegistry::BeginStop() {
    std::lock_guard lock(mutex_);
    stopping_ = true;
}

bool SessionRegistry::WaitEmpty(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return emptied_.wait_for(lock, timeout, [&] { return sessions_.empty(); });
}

struct HttpServer::Impl {
    Impl(HttpServerConfig config, Router router)
        : handler_pool(std::max<std::size_t>(config.handler_threads, 1)),
          shared{config,
                 std::move(router),
                 config.logger != nullptr ? *config.logger : Logger::Default(),
                 handler_pool.get_executor(),
                 {}},
          acceptor(net::make_strand(io)) {}

    net::awaitable<void> AcceptLoop();

    // Declared first so it is destroyed last: coroutines destroyed with `io` may still refer to it.
    net::thread_pool handler_pool;
    ServerShared shared;
    net::io_context io;
    tcp::acceptor acceptor;
    std::vector<std::thread> io_threads;
    std::uint16_t port = 0;
    bool started = false;
    bool stopped = false;
};

net::awaitable<void> HttpServer::Impl::AcceptLoop() {
    while (true) {
        tcp::socket socket(net::make_strand(io));
        error_code error;
        co_await acceptor.async_accept(socket, net::redirect_error(net::use_awaitable, error));
        if (error == net::error::operation_aborted || !acceptor.is_open()) co_return;
        if (error) {
            shared.logger.Warn("accept failed", {{"error", error.message()}});
            net::steady_timer backoff(acceptor.get_executor(), kAcceptBackoff);
            co_await backoff.async_wait(net::redirect_error(net::use_awaitable, error));
            continue;
        }
        socket.set_option(tcp::no_delay(true), error);
        auto session = std::make_shared<HttpSession>(std::move(socket), shared);
        if (!shared.registry.Add(session, shared.config.max_connections)) continue;  // dropping it closes it
        net::co_spawn(
            session->executor(), [session]() { return session->Run(); }, net::detached);
    }
}

HttpServer::HttpServer(HttpServerConfig config, Router router)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(router))) {}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Start() {
    Impl& impl = *impl_;
    if (impl.started) return;
    const HttpServerConfig& config = impl.shared.config;
    const tcp::endpoint endpoint(net::ip::make_address(config.address), config.port);
    impl.acceptor.open(endpoint.protocol());
    impl.acceptor.set_option(tcp::acceptor::reuse_address(true));
    impl.acceptor.bind(endpoint);
    impl.acceptor.listen(net::socket_base::max_listen_connections);
    impl.port = impl.acceptor.local_endpoint().port();
    impl.started = true;

    net::co_spawn(
        impl.acceptor.get_executor(), [&impl] { return impl.AcceptLoop(); }, net::detached);
    for (std::size_t i = 0; i < std::max<std::size_t>(config.io_threads, 1); ++i) {
        impl.io_threads.emplace_back([&impl] { impl.io.run(); });
    }
    impl.shared.logger.Info("listening", {{"address", config.address}, {"port", static_cast<int>(impl.port)}});
}

std::uint16_t HttpServer::port() const { return impl_->port; }

void HttpServer::Stop() {
    Impl& impl = *impl_;
    if (!impl.started || impl.stopped) return;
    impl.stopped = true;

    impl.shared.registry.BeginStop();
    std::promise<void> acceptor_closed;
    net::post(impl.acceptor.get_executor(), [&] {
        error_code ignored;
        impl.acceptor.close(ignored);
        acceptor_closed.set_value();
    });
    acceptor_closed.get_future().wait();

    impl.shared.registry.ForEach([](const std::shared_ptr<HttpSession>& session) { session->RequestStop(); });
    if (!impl.shared.registry.WaitEmpty(impl.shared.config.drain_timeout)) {
        impl.shared.logger.Warn("requests still running after the drain timeout; closing their connections");
        impl.shared.registry.ForEach([](const std::shared_ptr<HttpSession>& session) { session->ForceClose(); });
        impl.shared.registry.WaitEmpty(kUnwindTimeout);
    }
    // Handlers finish first (they post their completions to `io`), then the I/O threads stop.
    impl.handler_pool.join();
    impl.io.stop();
    for (std::thread& thread : impl.io_threads) thread.join();
    impl.io_threads.clear();
    impl.shared.logger.Info("stopped", {{"port", static_cast<int>(impl.port)}});
}

}  // namespace contactd::ingest
