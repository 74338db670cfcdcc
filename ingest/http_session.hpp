#pragma once
// Internal to the server: one connection's life as a C++20 coroutine on its own strand, and the state the
// sessions share with the server. Only http_server.cpp and http_session.cpp include this.

#include <utility>  // first: Boost 1.74's asio/awaitable.hpp uses std::exchange without including it

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "ingest/http_server.hpp"

namespace contactd::ingest {

class HttpSession;

//! The live sessions, so Stop() can reach them and wait for them to end.
class SessionRegistry {
  public:
    //! False when the server is stopping or full (the caller closes the connection).
    bool Add(const std::shared_ptr<HttpSession>& session, std::size_t max_sessions);
    void Remove(const HttpSession* session);
    //! Refuses new sessions from now on.
    void BeginStop();
    //! Calls `fn` on every live session (under the lock; `fn` must only post work).
    template <class Fn>
    void ForEach(Fn fn) {
        std::lock_guard lock(mutex_);
        for (auto& [raw, weak] : sessions_) {
            if (auto session = weak.lock()) fn(session);
        }
    }
    //! Waits until no session is left or `timeout` passes; true when none is left.
    bool WaitEmpty(std::chrono::milliseconds timeout);

  private:
    std::mutex mutex_;
    std::condition_variable emptied_;
    std::unordered_map<const HttpSession*, std::weak_ptr<HttpSession>> sessions_;
    bool stopping_ = false;
};

//! What every session needs from its server. Outlives every session.
struct ServerShared {
    HttpServerConfig config;
    Router router;
    Logger& logger;
    boost::asio::thread_pool::executor_type handler_executor;
    SessionRegistry registry;
};

//! One client connection: reads requests one after the other, runs their handlers on the handler pool and
//! writes the responses, until the client closes, an error or timeout ends it, or the server stops.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
  public:
    //! `socket`'s executor must be a strand: the coroutine and its timer run there.
    HttpSession(boost::asio::ip::tcp::socket socket, ServerShared& shared);

    //! The connection's whole life. Spawn it on executor().
    boost::asio::awaitable<void> Run();
    boost::asio::ip::tcp::socket::executor_type executor() { return socket_.get_executor(); }

    //! From any thread: close now if idle, else after the response in flight (which says Connection: close).
    void RequestStop();
    //! From any thread: close the connection now, whatever it is doing.
    void ForceClose();

  private:
    using HeadParser = boost::beast::http::request_parser<boost::beast::http::empty_body>;
    //! What happens to the connection after a request.
    enum class Next : std::uint8_t { kKeepAlive, kClose };
    //! Idle: waiting for a request to begin (Stop may close it at once). Busy: serving one.
    enum class Phase : std::uint8_t { kIdle, kBusy };

    boost::asio::awaitable<void> Serve();
    boost::asio::awaitable<bool> WaitForRequest();
    boost::asio::awaitable<Next> HandleRequest();
    //! Answers a header read that failed: 431, 400, or nothing (timeout, client gone).
    boost::asio::awaitable<Next> AnswerHeaderError(boost::system::error_code error);
    //! Answers before the body is read; keeps the connection when the body is absent or small enough to skip.
    boost::asio::awaitable<Next> AnswerEarly(HttpRequest& request, HttpResponse response, HeadParser& head);
    //! Reads and drops a small body (consuming `head`); false when it is too big or does not arrive.
    boost::asio::awaitable<bool> SkipSmallBody(HeadParser& head);
    boost::asio::awaitable<Next> HandleBuffered(HttpRequest& request, const Route& route, HeadParser& head,
                                                std::uint64_t body_limit);
    boost::asio::awaitable<Next> HandleStreaming(HttpRequest& request, const Route& route, HeadParser& head,
                                                 std::uint64_t body_limit);
    //! Answers a body read that failed: 413, 408, 400, or nothing when the client went away.
    boost::asio::awaitable<Next> AnswerBodyError(HttpRequest& request, boost::system::error_code error,
                                                 std::uint64_t body_limit);
    //! Writes `response` (buffered or streamed) and logs the request.
    boost::asio::awaitable<Next> Respond(HttpRequest& request, HttpResponse response, bool keep_alive);
    boost::asio::awaitable<bool> WriteBuffered(const HttpRequest& request, HttpResponse& response, bool keep_alive);
    boost::asio::awaitable<bool> WriteStreamed(const HttpRequest& request, HttpResponse& response, bool keep_alive);
    //! Sends an error to a client whose request could not be read properly, then closes gracefully.
    boost::asio::awaitable<Next> RefuseAndClose(HttpRequest& request, HttpResponse response);
    //! Sends `100 Continue` when the client asked for it and we are about to read the body.
    boost::asio::awaitable<void> WriteContinueIfExpected();
    //! Half-closes, then reads and drops what the client still sends for a moment, so that our last response
    //! is not destroyed by a TCP reset triggered by unread request bytes.
    boost::asio::awaitable<void> LingeringClose();

    //! Runs `fn` on the handler pool and resumes here with its result (or its exception).
    template <class Fn>
    auto OnHandlerPool(Fn fn) -> boost::asio::awaitable<decltype(fn())>;

    void ArmDeadline(std::chrono::milliseconds timeout);
    void DisarmDeadline();
    void CloseSocket();
    void LogRequest(const HttpRequest& request, int status, std::string_view note = {});

    boost::asio::ip::tcp::socket socket_;
    boost::asio::steady_timer deadline_;
    std::uint64_t deadline_generation_ = 0;
    bool timed_out_ = false;
    boost::beast::flat_buffer buffer_;
    ServerShared& shared_;
    std::string remote_address_;
    std::chrono::steady_clock::time_point request_start_;
    Phase phase_ = Phase::kBusy;
    bool stop_requested_ = false;
    unsigned request_version_ = 11;  // 10 for HTTP/1.0: no chunked responses then
    bool continue_pending_ = false;  // the client sent `Expect: 100-continue` and awaits our go-ahead
};

}  // namespace contactd::ingest
