#include "ingest/http_session.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "engine/json_writer.hpp"
#include "ingest/body_read_room.hpp"
#include "ingest/percent_encoding.hpp"
#include "ingest/request_id.hpp"

namespace contactd::ingest {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;
using net::redirect_error;
using net::use_awaitable;
using tcp = net::ip::tcp;

namespace {

// After refusing a request we keep reading (and dropping) for this long at most, see LingeringClose.
constexpr std::chrono::milliseconds kMaxLinger{2000};
constexpr std::size_t kMaxLingerBytes = std::size_t{4} << 20;
// A request answered before its body was read (404, 405, ...) keeps its connection when the body is at most
// this big: it is read and dropped.
constexpr std::uint64_t kMaxSkippedBody = 64 << 10;

bool ClientWentAway(const error_code& error) {
    return error == http::error::end_of_stream || error == http::error::partial_message || error == net::error::eof ||
           error == net::error::connection_reset || error == net::error::broken_pipe ||
           error == net::error::operation_aborted || error == net::error::bad_descriptor ||
           error == net::error::not_connected;
}

std::string DescribeBytes(std::uint64_t bytes) {
    std::string text = std::to_string(bytes) + " bytes";
    constexpr std::pair<std::uint64_t, const char*> kUnits[] = {
        {1ull << 30, "GiB"}, {1ull << 20, "MiB"}, {1ull << 10, "KiB"}};
    for (const auto& [unit, name] : kUnits) {
        if (bytes >= unit && bytes % unit == 0) return text + " (" + std::to_string(bytes / unit) + " " + name + ")";
    }
    return text;
}

//! Feeds a piece of a streamed body to its sink on the handler pool while the session reads the next piece
//! from the socket, so that receiving (kernel copies) and parsing overlap instead of taking turns: the
//! acceptance of a 1 GiB batch is bound by this one stream. At most one piece is in flight; its bytes must
//! stay put until Wait returns.
class OverlappedFeed {
  public:
    OverlappedFeed(net::any_io_executor session, net::thread_pool::executor_type handlers)
        : session_(std::move(session)), handlers_(std::move(handlers)) {}

    void Start(RequestBodySink& sink, std::string_view bytes) {
        // The completion owns the state (not this object), so it stays valid whenever it runs.
        auto state = std::make_shared<State>(session_);
        state_ = state;
        net::co_spawn(
            handlers_, [&sink, bytes]() -> net::awaitable<std::optional<HttpResponse>> { co_return sink.Feed(bytes); },
            net::bind_executor(session_, [state](std::exception_ptr failure, std::optional<HttpResponse> answer) {
                state->done = true;
                state->failure = std::move(failure);
                state->answer = std::move(answer);
                state->wake.cancel();
            }));
    }

    //! Waits for the piece in flight (if any) and returns the sink's answer; rethrows what the sink threw.
    net::awaitable<std::optional<HttpResponse>> Wait() {
        if (!state_) co_return std::nullopt;
        const std::shared_ptr<State> state = std::move(state_);
        if (!state->done) {  // the completion runs on this session's strand, so no wake-up can be missed
            error_code ignored;
            co_await state->wake.async_wait(redirect_error(use_awaitable, ignored));
        }
        if (state->failure) std::rethrow_exception(state->failure);
        co_return std::move(state->answer);
    }

  private:
    struct State {
        explicit State(const net::any_io_executor& executor) : wake(executor, net::steady_timer::time_point::max()) {}
        net::steady_timer wake;
        bool done = false;
        std::optional<HttpResponse> answer;
        std::exception_ptr failure;
    };
    net::any_io_executor session_;
    net::thread_pool::executor_type handlers_;
    std::shared_ptr<State> state_;
};

HttpResponse PayloadTooLarge(std::uint64_t limit) {
    return ErrorResponse(
        413, "PAYLOAD_TOO_LARGE",
        "the request body is larger than the limit of " + DescribeBytes(limit) + " for this endpoint", {},
        [limit](engine::JsonWriter& writer) { writer.Key("limit_bytes").Int(static_cast<std::int64_t>(limit)); });
}

HttpResponse InternalError(const HttpRequest& request) {
    return ErrorResponse(500, "INTERNAL_ERROR",
                         "the server failed to answer this request; quote request id " + request.request_id);
}

// The router's answer to a handler's exception, else 500.
HttpResponse FailureAnswer(const Router& router, const HttpRequest& request, const std::exception& error) {
    try {
        if (auto answer = router.RespondToFailure(request, error)) return std::move(*answer);
    } catch (const std::exception&) {
        // A responder that fails itself leaves the plain 500.
    }
    return InternalError(request);
}

// Header values come from handlers; a CR or LF in one would split the response.
std::string_view HeaderSafe(std::string_view value, std::string& scratch) {
    if (value.find_first_of("\r\n") == std::string_view::npos) return value;
    scratch.assign(value);
    std::replace_if(
        scratch.begin(), scratch.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
    return scratch;
}

template <class Message>
void SetResponseHead(Message& message, unsigned version, const HttpRequest& request, const HttpResponse& response,
                     bool keep_alive) {
    message.version(version);
    message.result(static_cast<unsigned>(response.status));
    std::string scratch;
    for (const auto& [name, value] : response.headers.fields()) {
        if (name.find_first_of("\r\n: ") != std::string::npos || name.empty()) continue;
        message.insert(name, HeaderSafe(value, scratch));
    }
    message.set("X-Request-Id", request.request_id);
    const bool has_body = !response.body.empty() || static_cast<bool>(response.stream);
    if (has_body && !response.headers.Has("Content-Type")) message.set(http::field::content_type, "application/json");
    message.keep_alive(keep_alive);
}

HttpRequest MakeRequest(const http::request_header<>& head, std::string_view remote_address) {
    HttpRequest request;
    request.method_name = std::string(head.method_string());
    request.method = ParseMethod(request.method_name);
    request.target = std::string(head.target());
    const std::size_t question = request.target.find('?');
    request.path = request.target.substr(0, question);
    if (question != std::string::npos) request.raw_query = request.target.substr(question + 1);
    for (const auto& field : head) request.headers.Add(field.name_string(), field.value());
    request.request_id = RequestIdFor(request.headers.Find("X-Request-Id"));
    request.remote_address = std::string(remote_address);
    return request;
}

// For log lines about requests whose head could not be read.
HttpRequest UnreadRequest(std::string_view remote_address) {
    HttpRequest request;
    request.method_name = "-";
    request.path = "-";
    request.request_id = NewRequestId();
    request.remote_address = std::string(remote_address);
    return request;
}

}  // namespace

HttpSession::HttpSession(tcp::socket socket, ServerShared& shared)
    : socket_(std::move(socket)), deadline_(socket_.get_executor()), shared_(shared) {
    error_code error;
    const tcp::endpoint peer = socket_.remote_endpoint(error);
    if (!error) remote_address_ = peer.address().to_string();
}

// Not a coroutine itself: GCC 12 mishandles move-only by-value parameters of coroutines. Callers pass
// copyable callables.
template <class Fn>
auto HttpSession::OnHandlerPool(Fn fn) -> net::awaitable<decltype(fn())> {
    using Result = decltype(fn());
    return net::co_spawn(
        shared_.handler_executor, [fn]() mutable -> net::awaitable<Result> { co_return fn(); }, use_awaitable);
}

void HttpSession::ArmDeadline(std::chrono::milliseconds timeout) {
    timed_out_ = false;
    const std::uint64_t generation = ++deadline_generation_;
    deadline_.expires_after(timeout);
    deadline_.async_wait([self = shared_from_this(), generation](const error_code& error) {
        if (error || generation != self->deadline_generation_) return;
        // Cancel rather than close, so the coroutine can still answer 408 on this socket.
        self->timed_out_ = true;
        error_code ignored;
        self->socket_.cancel(ignored);
    });
}

void HttpSession::DisarmDeadline() {
    ++deadline_generation_;
    deadline_.cancel();
}

void HttpSession::CloseSocket() {
    if (!socket_.is_open()) return;
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
}

void HttpSession::RequestStop() {
    net::post(socket_.get_executor(), [self = shared_from_this()] {
        self->stop_requested_ = true;
        if (self->phase_ == Phase::kIdle) {
            error_code ignored;
            self->socket_.cancel(ignored);
        }
    });
}

void HttpSession::ForceClose() {
    net::post(socket_.get_executor(), [self = shared_from_this()] {
        self->stop_requested_ = true;
        self->DisarmDeadline();
        self->CloseSocket();
    });
}

void HttpSession::LogRequest(const HttpRequest& request, int status, std::string_view note) {
    const double elapsed =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - request_start_).count();
    const double duration_ms = std::round(elapsed * 1000.0) / 1000.0;
    const LogLevel level = status >= 500 || !note.empty() ? LogLevel::kWarn : LogLevel::kInfo;
    if (!shared_.logger.Enabled(level)) return;
    if (note.empty()) {
        shared_.logger.Log(level, "request",
                           {{"request_id", request.request_id},
                            {"method", request.method_name},
                            {"path", request.path},
                            {"status", status},
                            {"duration_ms", duration_ms},
                            {"remote", remote_address_}});
    } else {
        shared_.logger.Log(level, "request",
                           {{"request_id", request.request_id},
                            {"method", request.method_name},
                            {"path", request.path},
                            {"status", status},
                            {"duration_ms", duration_ms},
                            {"remote", remote_address_},
                            {"error", note}});
    }
}

net::awaitable<void> HttpSession::Run() {
    try {
        co_await Serve();
    } catch (const std::exception& error) {
        shared_.logger.Error("connection failed", {{"remote", remote_address_}, {"error", error.what()}});
    }
    DisarmDeadline();
    CloseSocket();
    shared_.registry.Remove(this);
}

// GCC 12 miscompiles co_await inside conditions (while, ?:, ||), so every co_await here stands alone.
net::awaitable<void> HttpSession::Serve() {
    while (true) {
        const bool ready = co_await WaitForRequest();
        if (!ready) co_return;
        const Next next = co_await HandleRequest();
        if (next == Next::kClose || stop_requested_) co_return;
    }
}

net::awaitable<bool> HttpSession::WaitForRequest() {
    if (buffer_.size() > 0) co_return true;  // a pipelined request is already here
    if (stop_requested_) co_return false;
    ReleaseBodyReadRoom(buffer_);
    // Waiting for readability (not reading) costs nothing while a keep-alive connection idles.
    phase_ = Phase::kIdle;
    error_code error;
    ArmDeadline(shared_.config.idle_timeout);
    co_await socket_.async_wait(tcp::socket::wait_read, redirect_error(use_awaitable, error));
    DisarmDeadline();
    phase_ = Phase::kBusy;
    co_return !error && !stop_requested_;
}

net::awaitable<HttpSession::Next> HttpSession::HandleRequest() {
    request_start_ = std::chrono::steady_clock::now();
    const ServerShared& shared = shared_;
    HeadParser head;
    head.header_limit(shared.config.max_header_bytes);
    // The route's limit applies, checked below. (Not boost::none: Beast 1.74 compares a Content-Length with
    // an unset limit as "greater" and refuses every body.)
    head.body_limit(std::numeric_limits<std::uint64_t>::max());
    error_code error;
    ArmDeadline(shared.config.header_timeout);
    co_await http::async_read_header(socket_, buffer_, head, redirect_error(use_awaitable, error));
    DisarmDeadline();
    if (error) co_return co_await AnswerHeaderError(error);

    request_version_ = head.get().version() >= 11 ? 11 : 10;
    HttpRequest request = MakeRequest(head.get(), remote_address_);
    const auto expect = request.headers.Find("Expect");
    continue_pending_ = !head.is_done() && expect && EqualsIgnoreCase(*expect, "100-continue");
    auto query = ParseQueryString(request.raw_query);
    if (!query) {
        co_return co_await AnswerEarly(
            request, ErrorResponse(400, "BAD_REQUEST", "the query string has a malformed percent escape"), head);
    }
    request.query = std::move(*query);

    RouteMatch match = shared.router.Match(request.method, request.method_name, request.path);
    if (match.error) co_return co_await AnswerEarly(request, std::move(*match.error), head);
    request.path_params = std::move(match.path_params);
    const Route& route = *match.route;

    const std::uint64_t body_limit = route.options.max_body_bytes.value_or(shared.config.max_body_bytes);
    if (const auto length = head.content_length(); length && *length > body_limit) {
        co_return co_await RefuseAndClose(request, PayloadTooLarge(body_limit));
    }
    if (route.IsStreaming()) co_return co_await HandleStreaming(request, route, head, body_limit);
    co_return co_await HandleBuffered(request, route, head, body_limit);
}

net::awaitable<HttpSession::Next> HttpSession::AnswerHeaderError(error_code error) {
    if (timed_out_ || stop_requested_ || ClientWentAway(error)) co_return Next::kClose;
    HttpRequest request = UnreadRequest(remote_address_);
    if (error == http::error::header_limit) {
        co_return co_await RefuseAndClose(request, ErrorResponse(431, "HEADERS_TOO_LARGE",
                                                                 "the request line and headers are larger than " +
                                                                     DescribeBytes(shared_.config.max_header_bytes)));
    }
    co_return co_await RefuseAndClose(request,
                                      ErrorResponse(400, "BAD_REQUEST", "malformed HTTP request: " + error.message()));
}

net::awaitable<HttpSession::Next> HttpSession::AnswerEarly(HttpRequest& request, HttpResponse response,
                                                           HeadParser& head) {
    const bool keep_alive = head.get().keep_alive();
    // A client waiting for 100 Continue will not send the body: answer and close instead of waiting for it.
    if (continue_pending_) co_return co_await RefuseAndClose(request, std::move(response));
    if (!head.is_done()) {
        const bool skipped = co_await SkipSmallBody(head);
        if (!skipped) co_return co_await RefuseAndClose(request, std::move(response));
    }
    co_return co_await Respond(request, std::move(response), keep_alive);
}

net::awaitable<bool> HttpSession::SkipSmallBody(HeadParser& head) {
    if (const auto length = head.content_length(); length && *length > kMaxSkippedBody) co_return false;
    http::request_parser<http::string_body> parser(std::move(head));
    parser.body_limit(kMaxSkippedBody);
    error_code error;
    ArmDeadline(shared_.config.body_timeout);
    co_await http::async_read(socket_, buffer_, parser, redirect_error(use_awaitable, error));
    DisarmDeadline();
    co_return !error;
}

net::awaitable<HttpSession::Next> HttpSession::AnswerBodyError(HttpRequest& request, error_code error,
                                                               std::uint64_t body_limit) {
    if (error == http::error::body_limit) co_return co_await RefuseAndClose(request, PayloadTooLarge(body_limit));
    if (timed_out_) {
        co_return co_await RefuseAndClose(
            request, ErrorResponse(408, "REQUEST_TIMEOUT", "the request body did not arrive in time"));
    }
    if (stop_requested_ || ClientWentAway(error)) {
        LogRequest(request, 499, "client closed the connection before the body was complete");
        co_return Next::kClose;
    }
    co_return co_await RefuseAndClose(request,
                                      ErrorResponse(400, "BAD_REQUEST", "malformed request body: " + error.message()));
}

net::awaitable<HttpSession::Next> HttpSession::HandleBuffered(HttpRequest& request, const Route& route,
                                                              HeadParser& head, std::uint64_t body_limit) {
    if (!head.is_done()) MakeRoomForBody(buffer_, head.content_length());
    http::request_parser<http::string_body> parser(std::move(head));
    parser.body_limit(body_limit);
    if (!parser.is_done()) {
        co_await WriteContinueIfExpected();
        error_code error;
        ArmDeadline(shared_.config.body_timeout);
        co_await http::async_read(socket_, buffer_, parser, redirect_error(use_awaitable, error));
        DisarmDeadline();
        if (error) co_return co_await AnswerBodyError(request, error, body_limit);
    }
    request.body = std::move(parser.get().body());
    HttpResponse response;
    try {
        response = co_await OnHandlerPool([&route, &request] { return route.handler(request); });
    } catch (const std::exception& error) {
        shared_.logger.Error("handler failed", {{"request_id", request.request_id}, {"error", error.what()}});
        response = FailureAnswer(shared_.router, request, error);
    }
    co_return co_await Respond(request, std::move(response), parser.get().keep_alive());
}

net::awaitable<HttpSession::Next> HttpSession::HandleStreaming(HttpRequest& request, const Route& route,
                                                               HeadParser& head, std::uint64_t body_limit) {
    if (!head.is_done()) MakeRoomForBody(buffer_, head.content_length());
    http::request_parser<http::buffer_body> parser(std::move(head));
    parser.body_limit(body_limit);
    const bool keep_alive = parser.get().keep_alive();

    std::unique_ptr<RequestBodySink> sink;
    std::optional<HttpResponse> answer;  // set when the request ends before Finish()
    try {
        SinkOrResponse start = co_await OnHandlerPool([&route, &request] { return route.streaming(request); });
        if (auto* response = std::get_if<HttpResponse>(&start)) {
            answer = std::move(*response);
        } else {
            sink = std::move(std::get<std::unique_ptr<RequestBodySink>>(start));
            if (!sink) throw std::logic_error("streaming handler returned no sink");
        }
    } catch (const std::exception& error) {
        shared_.logger.Error("handler failed", {{"request_id", request.request_id}, {"error", error.what()}});
        answer = FailureAnswer(shared_.router, request, error);
    }

    // Two pieces: the sink parses one on the handler pool while the next is read into the other.
    const std::size_t piece_bytes = sink ? std::max<std::size_t>(shared_.config.stream_piece_bytes, 1) : 0;
    std::array<std::vector<char>, 2> pieces{std::vector<char>(piece_bytes), std::vector<char>(piece_bytes)};
    std::size_t reading = 0;
    OverlappedFeed feed(socket_.get_executor(), shared_.handler_executor);
    const auto collect_feed = [&]() -> net::awaitable<void> {
        try {
            if (auto refused = co_await feed.Wait(); refused && !answer) answer = std::move(refused);
        } catch (const std::exception& failure) {
            shared_.logger.Error("body sink failed", {{"request_id", request.request_id}, {"error", failure.what()}});
            if (!answer) answer = FailureAnswer(shared_.router, request, failure);
        }
    };
    if (sink && !parser.is_done()) co_await WriteContinueIfExpected();
    error_code error;
    while (sink && !answer && !parser.is_done()) {
        std::vector<char>& piece = pieces[reading];
        parser.get().body().data = piece.data();
        parser.get().body().size = piece.size();
        ArmDeadline(shared_.config.body_timeout);
        co_await http::async_read(socket_, buffer_, parser, redirect_error(use_awaitable, error));
        DisarmDeadline();
        if (error == http::error::need_buffer) error = {};  // the piece is full: feed it and read on
        co_await collect_feed();                            // the previous piece, fed while this one was read
        if (error || answer) break;
        const std::size_t received = piece.size() - parser.get().body().size;
        if (received == 0) continue;
        feed.Start(*sink, std::string_view(piece.data(), received));
        reading ^= 1;
    }
    co_await collect_feed();

    if (sink && !answer && !error) {
        try {
            answer = co_await OnHandlerPool([&sink] { return sink->Finish(); });
        } catch (const std::exception& failure) {
            shared_.logger.Error("body sink failed", {{"request_id", request.request_id}, {"error", failure.what()}});
            answer = FailureAnswer(shared_.router, request, failure);
        }
    }
    // The sink may hold a transaction or a file: let it go on the handler pool, never on an I/O thread.
    if (sink) {
        RequestBodySink* doomed = sink.release();
        co_await OnHandlerPool([doomed] { delete doomed; });
    }

    if (error) co_return co_await AnswerBodyError(request, error, body_limit);
    if (!parser.is_done() || continue_pending_) co_return co_await RefuseAndClose(request, std::move(*answer));
    co_return co_await Respond(request, std::move(*answer), keep_alive);
}

net::awaitable<void> HttpSession::WriteContinueIfExpected() {
    if (!continue_pending_) co_return;
    continue_pending_ = false;
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    error_code ignored;  // a failure shows up on the next read
    ArmDeadline(shared_.config.write_timeout);
    co_await net::async_write(socket_, net::buffer(kContinue.data(), kContinue.size()),
                              redirect_error(use_awaitable, ignored));
    DisarmDeadline();
}

net::awaitable<HttpSession::Next> HttpSession::Respond(HttpRequest& request, HttpResponse response, bool keep_alive) {
    keep_alive = keep_alive && !stop_requested_;
    // HTTP/1.0 has no chunked encoding: there a streamed body simply runs until the connection closes.
    if (response.stream && request_version_ < 11) keep_alive = false;
    bool written = false;
    if (response.stream) {
        written = co_await WriteStreamed(request, response, keep_alive);
    } else {
        written = co_await WriteBuffered(request, response, keep_alive);
    }
    LogRequest(request, response.status, written ? std::string_view() : "the response could not be written whole");
    co_return written&& keep_alive ? Next::kKeepAlive : Next::kClose;
}

net::awaitable<bool> HttpSession::WriteBuffered(const HttpRequest& request, HttpResponse& response, bool keep_alive) {
    http::response<http::string_body> message;
    SetResponseHead(message, request_version_, request, response, keep_alive);
    const bool bodiless = response.status < 200 || response.status == 204 || response.status == 304;
    if (!bodiless) {
        message.body() = std::move(response.body);
        message.prepare_payload();
    }
    error_code error;
    ArmDeadline(shared_.config.write_timeout);
    co_await http::async_write(socket_, message, redirect_error(use_awaitable, error));
    DisarmDeadline();
    co_return !error;
}

net::awaitable<bool> HttpSession::WriteStreamed(const HttpRequest& request, HttpResponse& response, bool keep_alive) {
    const bool chunked = request_version_ >= 11;
    http::response<http::empty_body> message;
    SetResponseHead(message, request_version_, request, response, keep_alive);
    message.chunked(chunked);
    http::response_serializer<http::empty_body> serializer(message);
    error_code error;
    ArmDeadline(shared_.config.write_timeout);
    co_await http::async_write_header(socket_, serializer, redirect_error(use_awaitable, error));
    DisarmDeadline();
    if (error) co_return false;

    const std::size_t target = std::max<std::size_t>(shared_.config.response_chunk_bytes, 1);
    std::string gathered;
    bool more = true;
    while (more) {
        gathered.clear();
        try {
            more = co_await OnHandlerPool([&response, &gathered, target] {
                std::string piece;
                bool more_pieces = true;
                while (more_pieces && gathered.size() < target) {
                    piece.clear();
                    more_pieces = response.stream(piece);
                    gathered += piece;
                }
                return more_pieces;
            });
        } catch (const std::exception& failure) {
            shared_.logger.Error("response stream failed",
                                 {{"request_id", request.request_id}, {"error", failure.what()}});
            co_return false;  // no last chunk: the client sees a truncated body, never a clean end
        }
        if (gathered.empty()) continue;
        ArmDeadline(shared_.config.write_timeout);
        if (chunked) {
            co_await net::async_write(socket_, http::make_chunk(net::buffer(gathered)),
                                      redirect_error(use_awaitable, error));
        } else {
            co_await net::async_write(socket_, net::buffer(gathered), redirect_error(use_awaitable, error));
        }
        DisarmDeadline();
        if (error) co_return false;
    }
    if (!chunked) co_return true;  // the end of the connection marks the end of the body
    ArmDeadline(shared_.config.write_timeout);
    co_await net::async_write(socket_, http::make_chunk_last(), redirect_error(use_awaitable, error));
    DisarmDeadline();
    co_return !error;
}

net::awaitable<HttpSession::Next> HttpSession::RefuseAndClose(HttpRequest& request, HttpResponse response) {
    co_await Respond(request, std::move(response), false);
    co_await LingeringClose();
    co_return Next::kClose;
}

net::awaitable<void> HttpSession::LingeringClose() {
    error_code error;
    socket_.shutdown(tcp::socket::shutdown_send, error);
    if (error) co_return;
    std::array<char, 16 << 10> discard;
    std::size_t drained = 0;
    ArmDeadline(std::min(kMaxLinger, shared_.config.header_timeout));
    while (drained < kMaxLingerBytes && !error) {
        const std::size_t received =
            co_await socket_.async_read_some(net::buffer(discard), redirect_error(use_awaitable, error));
        drained += received;
    }
    DisarmDeadline();
}

}  // namespace contactd::ingest
