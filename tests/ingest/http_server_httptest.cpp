// The real server on 127.0.0.1 (ephemeral port) with a test router; a plain blocking socket client with a
// receive timeout, so no test can hang.
#include "ingest/http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <boost/asio/buffer.hpp>
// GCC 12 with ASan reports a false "may be used uninitialized" inside Beast's response parser.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#pragma GCC diagnostic pop

#include <atomic>
#include <chrono>
#include <cstring>
#include <future>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace contactd::ingest {
namespace {

namespace http = boost::beast::http;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr std::uint64_t kBodyLimit = 1024;
constexpr std::uint64_t kStreamLimit = 4 << 20;
constexpr std::size_t kStreamPiece = 1000;
constexpr int kStreamedLines = 20000;

//! One HTTP response as received.
struct Reply {
    int status = 0;
    http::fields headers;
    std::string body;
    bool chunked = false;
    bool keep_alive = false;

    std::string Header(std::string_view name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : std::string(it->value());
    }
};

//! A blocking loopback client; every read gives up after 5 s.
class Client {
  public:
    explicit Client(std::uint16_t port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        timeval timeout{5, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    }
    ~Client() { ::close(fd_); }
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    bool connected() const { return connected_; }

    bool Send(std::string_view bytes) {
        while (!bytes.empty()) {
            const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (sent <= 0) return false;
            bytes.remove_prefix(static_cast<std::size_t>(sent));
        }
        return true;
    }

    //! The next response, or nullopt if the connection ends (or 5 s pass) first.
    std::optional<Reply> Read() {
        http::response_parser<http::string_body> parser;
        parser.eager(true);
        parser.body_limit(std::numeric_limits<std::uint64_t>::max());
        while (true) {
            if (!pending_.empty()) {
                boost::system::error_code error;
                const std::size_t used = parser.put(boost::asio::buffer(pending_), error);
                pending_.erase(0, used);
                if (error && error != http::error::need_more) return std::nullopt;
                if (parser.is_done()) break;
                if (used > 0 && !error) continue;
            }
            if (!Receive()) {
                if (!parser.is_header_done()) return std::nullopt;
                boost::system::error_code error;
                parser.put_eof(error);  // a body that runs to the end of the connection
                if (error || !parser.is_done()) return std::nullopt;
                break;
            }
        }
        Reply reply;
        reply.status = static_cast<int>(parser.get().result_int());
        reply.headers = parser.get().base();
        reply.body = parser.get().body();
        reply.chunked = parser.get().chunked();
        reply.keep_alive = parser.get().keep_alive();
        return reply;
    }

    //! Reads raw bytes until `count` are buffered (for interim responses such as 100 Continue).
    std::string ReadRaw(std::size_t count) {
        while (pending_.size() < count && Receive()) {
        }
        std::string out = pending_.substr(0, count);
        pending_.erase(0, out.size());
        return out;
    }

    //! True when the server closes the connection within `limit`; any data before that is kept in `pending_`.
    bool ClosedWithin(std::chrono::milliseconds limit) {
        const auto deadline = Clock::now() + limit;
        while (Clock::now() < deadline) {
            char buffer[4096];
            const ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
            if (got == 0) return true;
            if (got < 0) return errno == ECONNRESET;
            pending_.append(buffer, static_cast<std::size_t>(got));
        }
        return false;
    }

    const std::string& pending() const { return pending_; }

  private:
    bool Receive() {
        char buffer[16384];
        const ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
        if (got <= 0) return false;
        pending_.append(buffer, static_cast<std::size_t>(got));
        return true;
    }

    int fd_ = -1;
    bool connected_ = false;
    std::string pending_;
};

//! The next response; a missing one fails the test and reads as status 0.
Reply MustRead(Client& client) {
    std::optional<Reply> reply = client.Read();
    if (!reply) ADD_FAILURE() << "no response";
    return reply.value_or(Reply{});
}

std::string Get(std::string_view path, std::string_view extra_headers = {}) {
    return "GET " + std::string(path) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra_headers) + "\r\n";
}

std::string Post(std::string_view path, std::string_view body, std::string_view extra_headers = {}) {
    return "POST " + std::string(path) + " HTTP/1.1\r\nHost: test\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n" + std::string(extra_headers) + "\r\n" + std::string(body);
}

std::uint64_t Fnv1a(std::string_view bytes, std::uint64_t hash = 1469598103934665603ull) {
    for (unsigned char c : bytes) hash = (hash ^ c) * 1099511628211ull;
    return hash;
}

std::string StreamedLine(int i) { return "{\"index\":" + std::to_string(i) + "}\n"; }

//! Counts the pieces it is fed and hashes the bytes in order.
class HashingSink : public RequestBodySink {
  public:
    explicit HashingSink(std::atomic<int>& pieces) : pieces_(pieces) {}
    std::optional<HttpResponse> Feed(std::string_view bytes) override {
        ++pieces_;
        hash_ = Fnv1a(bytes, hash_);
        size_ += bytes.size();
        return std::nullopt;
    }
    HttpResponse Finish() override {
        return JsonResponse(200,
                            "{\"bytes\":" + std::to_string(size_) + ",\"hash\":\"" + std::to_string(hash_) + "\"}");
    }

  private:
    std::atomic<int>& pieces_;
    std::uint64_t hash_ = 1469598103934665603ull;
    std::size_t size_ = 0;
};

//! Refuses the body as soon as it sees a '!'.
class PickySink : public RequestBodySink {
  public:
    std::optional<HttpResponse> Feed(std::string_view bytes) override {
        if (bytes.find('!') != std::string_view::npos) return ErrorResponse(422, "BANG", "no exclamations");
        return std::nullopt;
    }
    HttpResponse Finish() override { return EmptyResponse(204); }
};

//! The failure the fixture's FailureResponder answers (503), where every other exception is left to the 500.
class AwayError : public std::runtime_error {
  public:
    AwayError() : std::runtime_error("away") {}
};

//! Throws as soon as it sees a '!' (a sink that fails, as a database error would make it), or AwayError at a '?'.
class FragileSink : public RequestBodySink {
  public:
    std::optional<HttpResponse> Feed(std::string_view bytes) override {
        if (bytes.find('?') != std::string_view::npos) throw AwayError();
        if (bytes.find('!') != std::string_view::npos) throw std::runtime_error("boom");
        return std::nullopt;
    }
    HttpResponse Finish() override { return EmptyResponse(204); }
};

class HttpServerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        Router router;
        router.Add(HttpMethod::kGet, "/hello", [](HttpRequest&) { return JsonResponse(200, R"({"hello":"world"})"); });
        router.Add(HttpMethod::kPost, "/echo", [](HttpRequest& request) {
            return JsonResponse(200, request.body.empty() ? "null" : request.body);
        });
        router.Add(HttpMethod::kGet, "/items/{id}", [](HttpRequest& request) {
            return JsonResponse(200, "\"" + std::string(request.PathParam("id")) + "|" +
                                         std::string(request.Query("q").value_or("-")) + "\"");
        });
        router.Add(HttpMethod::kPut, "/items/{id}", [](HttpRequest&) { return EmptyResponse(204); });
        router.Add(HttpMethod::kPost, "/search", [](HttpRequest&) { return JsonResponse(200, "[]"); });
        router.SetMethodNotAllowedMessage("/search", "search is a POST");
        router.Add(HttpMethod::kGet, "/slow", [](HttpRequest&) {
            std::this_thread::sleep_for(400ms);
            return JsonResponse(200, R"({"slow":true})");
        });
        router.Add(HttpMethod::kGet, "/throws", [](HttpRequest&) -> HttpResponse { throw std::runtime_error("boom"); });
        router.Add(HttpMethod::kGet, "/away", [](HttpRequest&) -> HttpResponse { throw AwayError(); });
        router.SetFailureResponder([](const HttpRequest&, const std::exception& error) -> std::optional<HttpResponse> {
            if (!dynamic_cast<const AwayError*>(&error)) return std::nullopt;
            return ErrorResponse(503, "SERVICE_UNAVAILABLE", "away for now");
        });
        router.Add(HttpMethod::kGet, "/stream-out", [](HttpRequest&) {
            HttpResponse response;
            response.headers.Set("Content-Type", "application/x-ndjson");
            response.stream = [next = 0](std::string& chunk) mutable {
                chunk = StreamedLine(next++);
                return next < kStreamedLines;
            };
            return response;
        });
        router.AddStreaming(
            HttpMethod::kPost, "/stream-in",
            [this](HttpRequest& request) -> SinkOrResponse {
                if (request.headers.Find("X-Refuse")) return ErrorResponse(401, "UNAUTHENTICATED", "no key");
                return std::make_unique<HashingSink>(pieces_);
            },
            kStreamLimit);
        router.AddStreaming(
            HttpMethod::kPost, "/picky", [](HttpRequest&) -> SinkOrResponse { return std::make_unique<PickySink>(); },
            kStreamLimit);
        router.AddStreaming(
            HttpMethod::kPost, "/fragile",
            [](HttpRequest&) -> SinkOrResponse { return std::make_unique<FragileSink>(); }, kStreamLimit);

        HttpServerConfig config;
        config.address = "127.0.0.1";
        config.port = 0;
        config.io_threads = 2;
        config.handler_threads = 2;
        config.max_body_bytes = kBodyLimit;
        config.stream_piece_bytes = kStreamPiece;
        config.response_chunk_bytes = 4096;
        config.idle_timeout = 3s;
        config.header_timeout = 300ms;
        config.body_timeout = 300ms;
        config.write_timeout = 2s;
        config.drain_timeout = 2s;
        config.logger = &logger_;
        server_ = std::make_unique<HttpServer>(std::move(config), std::move(router));
        server_->Start();
    }

    void TearDown() override { server_->Stop(); }

    std::uint16_t port() const { return server_->port(); }

    std::vector<std::string> LogLines() {
        std::lock_guard lock(log_mutex_);
        return log_lines_;
    }

    std::atomic<int> pieces_{0};
    std::mutex log_mutex_;
    std::vector<std::string> log_lines_;
    Logger logger_{[this](std::string_view line) {
                       std::lock_guard lock(log_mutex_);
                       log_lines_.emplace_back(line);
                   },
                   LogLevel::kDebug};
    std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
    Client client(port());
    ASSERT_TRUE(client.connected());
    for (int round = 0; round < 2; ++round) {
        ASSERT_TRUE(client.Send(Get("/hello")));
        const auto reply = client.Read();
        ASSERT_TRUE(reply.has_value()) << "round " << round;
        EXPECT_EQ(reply->status, 200);
        EXPECT_EQ(reply->body, R"({"hello":"world"})");
        EXPECT_EQ(reply->Header("Content-Type"), "application/json");
        EXPECT_TRUE(reply->keep_alive);
    }
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
    Client client(port());
    ASSERT_TRUE(client.Send(Get("/items/a") + Post("/echo", "[1]") + Get("/items/b?q=x%20y")));
    EXPECT_EQ(MustRead(client).body, "\"a|-\"");
    EXPECT_EQ(MustRead(client).body, "[1]");
    EXPECT_EQ(MustRead(client).body, "\"b|x y\"");
}

TEST_F(HttpServerTest, PathParametersAndQueryAreDecoded) {
    Client client(port());
    ASSERT_TRUE(client.Send(Get("/items/a%2Fb%C3%A9?q=1%2B1+2")));
    const auto reply = client.Read();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->body, "\"a/bé|1+1 2\"");
}

TEST_F(HttpServerTest, UnknownPathIs404WithTheErrorDocument) {
    Client client(port());
    ASSERT_TRUE(client.Send(Get("/nope")));
    const auto reply = client.Read();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 404);
    EXPECT_NE(reply->body.find(R"({"error":{"code":"NOT_FOUND")"), std::string::npos);
    EXPECT_EQ(reply->Header("Content-Type"), "application/json");
    EXPECT_TRUE(reply->keep_alive);
}

TEST_F(HttpServerTest, WrongMethodIs405WithAllow) {
    Client client(port());
    ASSERT_TRUE(client.Send(Post("/hello", "{}")));
    auto reply = client.Read();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 405);
    EXPECT_EQ(reply->Header("Allow"), "GET");
    EXPECT_NE(reply->body.find("METHOD_NOT_ALLOWED"), std::string::npos);

    ASSERT_TRUE(client.Send(Get("/search")));  // the body-less 405 kept the connection
    reply = client.Read();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 405);
    EXPECT_EQ(reply->Header("Allow"), "POST");
    EXPECT_NE(reply->body.find("search is a POST"), std::string::npos);
}

TEST_F(HttpServerTest, BodyOverTheLimitIs413NamingTheLimit) {
    Client client(port());
    ASSERT_TRUE(client.Send(Post("/echo", std::string(kBodyLimit + 1, 'x'))));
    const auto reply = client.Read();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 413);
    EXPECT_NE(reply->body.find("PAYLOAD_TOO_LARGE"), std::string::npos);
    EXPECT_NE(reply->body.find("1024 bytes (1 KiB)"), std::string::npos);
    EXPECT_NE(reply->body.find("\"limit_bytes\":1024"), std::string::npos);
    EXPECT_FALSE(reply->keep_alive);
    EXPECT_TRUE(client.ClosedWithin(2s));
}

TEST_F(HttpServerTest, ChunkedBodyOverTheLimitIs413) {
    Client client(port());
    std::string request = "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3; ++i) request += "200\r\n" + std::string(512, 'y') + "\r\n";
    request += "0\r\n\r\n";
    ASSERT_TRUE(client.Send(request));
    const auto reply = client.Read();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 413);
}

TEST_F(HttpServerTest, BodyWithinTheLimitIsHandedToTheHandler) {
    Client client(port());
    const std::string body = "[\"" + std::string(kBodyLimit - 4, 'z') + "\"]";
    ASSERT_TRUE(client.Send(Post("/echo", body)));
    const auto reply = client.Read();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 200);
    EXPECT_EQ(reply->body, body);
}

TEST_F(HttpServerTest, HeaderThatNeverCompletesIsClosedAfterTheTimeout) {
    Client client(port());
    ASSERT_TRUE(client.Send("GET /hello HTTP/1.1\r\nHost: test\r\nX-Slow: "));
    const auto start = Clock::now();
    EXPECT_TRUE(client.ClosedWithin(3s));
    const auto waited = Clock::now() - start;
    EXPECT_GE(waited, 250ms);
    EXPECT_LT(waited, 2s);
    EXPECT_EQ(client.pending(), "");  // no response: there was no request to answer
}

TEST_F(HttpServerTest, ManySlowClientsDoNotHoldUpOthers) {
    std::vector<std::unique_ptr<Client>> slow;
    for (int i = 0; i < 20; ++i) {
        slow.push_back(std::make_unique<Client>(port()));
        ASSERT_TRUE(slow.back()->Send(i % 2 == 0 ? "GET /hello HTTP/1.1\r\nHo"
                                                 : "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 50\r\n\r\n["));
    }
    const auto start = Clock::now();
    Client client(port());
    ASSERT_TRUE(client.Send(Get("/hello")));
    EXPECT_EQ(MustRead(client).status, 200);
    EXPECT_LT(Clock::now() - start, 250ms);  // well inside the slow clients' 300 ms timeouts
}

TEST_F(HttpServerTest, BodyThatStopsHalfWayGets408AndIsClosed) {
    Client client(port());
    ASSERT_TRUE(client.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n{\"half\":"));
    const auto reply = client.Read();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 408);
    EXPECT_NE(reply->body.find("REQUEST_TIMEOUT"), std::string::npos);
    EXPECT_FALSE(reply->Header("X-Request-Id").empty());
    EXPECT_TRUE(client.ClosedWithin(3s));
}

TEST_F(HttpServerTest, StreamedBodyThatStopsHalfWayGets408) {
    Client client(port());
    ASSERT_TRUE(
        client.Send("POST /stream-in HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n" + std::string(2500, 'a')));
    const auto reply = client.Read();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 408);
    EXPECT_TRUE(client.ClosedWithin(3s));
}

TEST_F(HttpServerTest, GarbageRequestLineIs400AndClosed) {
    Client client(port());
    ASSERT_TRUE(client.Send("\x01\x02 garbage \x7f\r\n\r\n"));
    const auto reply = client.Read();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 400);
    EXPECT_NE(reply->body.find("BAD_REQUEST"), std::string::npos);
    EXPECT_FALSE(reply->Header("X-Request-Id").empty());
    EXPECT_TRUE(client.ClosedWithin(2s));
}

TEST_F(HttpServerTest, BadHttpVersionAndBadChunkAre400) {
    Client first(port());
    ASSERT_TRUE(first.Send("GET /hello HTTP/7.0\r\nHost: t\r\n\r\n"));
    EXPECT_EQ(MustRead(first).status, 400);
    Client second(port());
    ASSERT_TRUE(second.Send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"));
    EXPECT_EQ(MustRead(second).status, 400);
}

TEST_F(HttpServerTest, OversizedHeaderIs431) {
    Client client(port());
    ASSERT_TRUE(client.Send(Get("/hello", "X-Big: " + std::string(20000, 'h') + "\r\n")));
    const auto reply = client.Read();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 431);
}

TEST_F(HttpServerTest, EveryResponseCarriesARequestId) {
    Client client(port());
    std::vector<std::string> ids;
    for (const std::string& request : {Get("/hello"), Get("/nope"), Post("/hello", ""), Get("/throws")}) {
        ASSERT_TRUE(client.Send(request));
        const auto reply = client.Read();
        ASSERT_TRUE(reply.has_value());
        const std::string id = reply->Header("X-Request-Id");
        EXPECT_EQ(id.size(), 16u) << id;
        EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
        ids.push_back(id);
    }
    EXPECT_NE(ids[0], ids[1]);
}

TEST_F(HttpServerTest, SaneClientRequestIdIsEchoedAndAnInsaneOneReplaced) {
    Client client(port());
    ASSERT_TRUE(client.Send(Get("/hello", "X-Request-Id: client-abc.123\r\n")));
    EXPECT_EQ(MustRead(client).Header("X-Request-Id"), "client-abc.123");
    ASSERT_TRUE(client.Send(Get("/hello", "X-Request-Id: bad id <script>\r\n")));
    const std::string replaced = MustRead(client).Header("X-Request-Id");
    EXPECT_EQ(replaced.size(), 16u);
}

TEST_F(HttpServerTest, HandlerExceptionIs500AndTheConnectionLives) {
    Client client(port());
    ASSERT_TRUE(client.Send(Get("/throws")));
    const auto reply = client.Read();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 500);
    EXPECT_NE(reply->body.find(reply->Header("X-Request-Id")), std::string::npos);
    EXPECT_EQ(reply->body.find("boom"), std::string::npos);  // internals stay in the log
    ASSERT_TRUE(client.Send(Get("/hello")));
    EXPECT_EQ(MustRead(client).status, 200);
}

// The router's FailureResponder answers the failures it knows (here 503); it declines the rest, which stay 500.
TEST_F(HttpServerTest, AHandlerFailureTheRouterKnowsGetsTheRoutersAnswer) {
    Client client(port());
    ASSERT_TRUE(client.Send(Get("/away")));
    const Reply away = MustRead(client);
    EXPECT_EQ(away.status, 503);
    EXPECT_NE(away.body.find("away for now"), std::string::npos) << away.body;
    ASSERT_TRUE(client.Send(Get("/throws")));
    EXPECT_EQ(MustRead(client).status, 500);
}

TEST_F(HttpServerTest, NoContentResponseHasNoBody) {
    Client client(port());
    ASSERT_TRUE(client.Send("PUT /items/1 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n" + Get("/hello")));
    const auto first = client.Read();
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->status, 204);
    EXPECT_EQ(first->body, "");
    EXPECT_EQ(MustRead(client).status, 200);
}

TEST_F(HttpServerTest, StreamingRouteReceivesAllBytesInOrderAcrossManyPieces) {
    std::string body;
    for (int i = 0; body.size() < 300000; ++i) body += StreamedLine(i);
    Client client(port());
    ASSERT_TRUE(client.Send(Post("/stream-in", body)));
    const auto reply = client.Read();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 200);
    EXPECT_EQ(reply->body,
              "{\"bytes\":" + std::to_string(body.size()) + ",\"hash\":\"" + std::to_string(Fnv1a(body)) + "\"}");
    EXPECT_GE(pieces_.load(), static_cast<int>(body.size() / kStreamPiece));
    ASSERT_TRUE(client.Send(Get("/hello")));  // and the connection goes on
    EXPECT_EQ(MustRead(client).status, 200);
}

TEST_F(HttpServerTest, StreamingRouteTakesAChunkedBody) {
    std::string body;
    std::string request = "POST /stream-in HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 300; ++i) {
        const std::string chunk = StreamedLine(i) + std::string(static_cast<std::size_t>(i % 97), 'p');
        body += chunk;
        char size[16];
        std::snprintf(size, sizeof size, "%zx", chunk.size());
        request += std::string(size) + "\r\n" + chunk + "\r\n";
    }
    request += "0\r\n\r\n";
    Client client(port());
    ASSERT_TRUE(client.Send(request));
    const auto reply = client.Read();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->body,
              "{\"bytes\":" + std::to_string(body.size()) + ",\"hash\":\"" + std::to_string(Fnv1a(body)) + "\"}");
}

TEST_F(HttpServerTest, StreamingRouteHasItsOwnLargerLimit) {
    Client client(port());
    ASSERT_TRUE(client.Send(Post("/stream-in", std::string(100000, 's'))));  // far over the buffered limit
    EXPECT_EQ(MustRead(client).status, 200);
    Client over(port());
    ASSERT_TRUE(over.Send("POST /stream-in HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(kStreamLimit + 1) +
                          "\r\n\r\n"));
    const auto reply = over.Read();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 413);
    EXPECT_NE(reply->body.find("4 MiB"), std::string::npos);
}

TEST_F(HttpServerTest, StreamingRouteCanAnswerBeforeReadingTheBody) {
    Client client(port());
    ASSERT_TRUE(client.Send(Post("/stream-in", std::string(5000, 'q'), "X-Refuse: 1\r\n")));
    const auto reply = client.Read();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 401);
    EXPECT_FALSE(reply->keep_alive);
    EXPECT_EQ(pieces_.load(), 0);
}

TEST_F(HttpServerTest, SinkCanEndTheRequestEarly) {
    Client client(port());
    ASSERT_TRUE(client.Send(Post("/picky", std::string(3000, 'a') + "!" + std::string(100000, 'b'))));
    const auto reply = client.Read();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 422);
    EXPECT_NE(reply->body.find("BANG"), std::string::npos);
    EXPECT_TRUE(client.ClosedWithin(3s));
}

// The sink fails while the next piece is being read: the request gets 500 (the cause stays in the log), the
// rest of the body is not read, and the server goes on serving.
TEST_F(HttpServerTest, ASinkThatThrowsMidBodyIs500AndTheServerLives) {
    Client client(port());
    ASSERT_TRUE(client.Send(Post("/fragile", std::string(5 * kStreamPiece, 'a') + "!" + std::string(100000, 'b'))));
    const auto reply = client.Read();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 500);
    EXPECT_EQ(reply->body.find("boom"), std::string::npos);
    EXPECT_TRUE(client.ClosedWithin(3s));
    Client another(port());
    ASSERT_TRUE(another.Send(Get("/hello")));
    EXPECT_EQ(MustRead(another).status, 200);
}

TEST_F(HttpServerTest, ASinkFailureTheRouterKnowsGetsTheRoutersAnswerMidBody) {
    Client client(port());
    ASSERT_TRUE(client.Send(Post("/fragile", std::string(5 * kStreamPiece, 'a') + "?" + std::string(100000, 'b'))));
    const auto reply = client.Read();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 503);
    EXPECT_NE(reply->body.find("away for now"), std::string::npos) << reply->body;
}

TEST_F(HttpServerTest, ExpectContinueGetsA100BeforeTheBody) {
    Client client(port());
    ASSERT_TRUE(client.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 7\r\nExpect: 100-continue\r\n\r\n"));
    EXPECT_EQ(client.ReadRaw(25), "HTTP/1.1 100 Continue\r\n\r\n");
    ASSERT_TRUE(client.Send("[1,2,3]"));
    const auto reply = client.Read();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->body, "[1,2,3]");
}

TEST_F(HttpServerTest, ExpectContinueIsNotSentWhenTheRequestIsAnsweredFirst) {
    Client client(port());
    ASSERT_TRUE(client.Send("POST /nope HTTP/1.1\r\nHost: t\r\nContent-Length: 7\r\nExpect: 100-continue\r\n\r\n"));
    EXPECT_EQ(MustRead(client).status, 404);
    EXPECT_TRUE(client.ClosedWithin(3s));
    Client refused(port());
    ASSERT_TRUE(refused.Send(
        "POST /stream-in HTTP/1.1\r\nHost: t\r\nContent-Length: 7\r\nExpect: 100-continue\r\nX-Refuse: 1\r\n\r\n"));
    EXPECT_EQ(MustRead(refused).status, 401);
}

TEST_F(HttpServerTest, ChunkedStreamedResponseArrivesComplete) {
    std::string expected;
    for (int i = 0; i < kStreamedLines; ++i) expected += StreamedLine(i);
    Client client(port());
    ASSERT_TRUE(client.Send(Get("/stream-out")));
    const auto reply = client.Read();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 200);
    EXPECT_TRUE(reply->chunked);
    EXPECT_EQ(reply->Header("Content-Type"), "application/x-ndjson");
    EXPECT_FALSE(reply->Header("X-Request-Id").empty());
    EXPECT_EQ(reply->body.size(), expected.size());
    EXPECT_TRUE(reply->body == expected);
    ASSERT_TRUE(client.Send(Get("/hello")));  // keep-alive after a chunked response
    EXPECT_EQ(MustRead(client).status, 200);
}

TEST_F(HttpServerTest, StreamedResponseToHttp10EndsWithTheConnection) {
    std::string expected;
    for (int i = 0; i < kStreamedLines; ++i) expected += StreamedLine(i);
    Client client(port());
    ASSERT_TRUE(client.Send("GET /stream-out HTTP/1.0\r\n\r\n"));
    const auto reply = client.Read();
    ASSERT_TRUE(reply.has_value());
    EXPECT_FALSE(reply->chunked);
    EXPECT_TRUE(reply->body == expected);
}

TEST_F(HttpServerTest, EachRequestIsLoggedAsOneJsonLine) {
    Client client(port());
    ASSERT_TRUE(client.Send(Get("/items/x", "X-Request-Id: trace-42\r\n")));
    ASSERT_TRUE(client.Read().has_value());
    bool found = false;
    for (int attempt = 0; attempt < 50 && !found; ++attempt) {
        for (const std::string& line : LogLines()) {
            if (line.find("\"request_id\":\"trace-42\"") == std::string::npos) continue;
            found = true;
            EXPECT_EQ(line.front(), '{');
            EXPECT_EQ(line.back(), '\n');
            EXPECT_NE(line.find("\"level\":\"info\""), std::string::npos) << line;
            EXPECT_NE(line.find("\"method\":\"GET\""), std::string::npos) << line;
            EXPECT_NE(line.find("\"path\":\"/items/x\""), std::string::npos) << line;
            EXPECT_NE(line.find("\"status\":200"), std::string::npos) << line;
            EXPECT_NE(line.find("\"duration_ms\":"), std::string::npos) << line;
        }
        if (!found) std::this_thread::sleep_for(10ms);
    }
    EXPECT_TRUE(found);
}

TEST_F(HttpServerTest, StopLetsTheRequestInFlightFinishAndClosesIdleConnections) {
    Client idle(port());
    ASSERT_TRUE(idle.Send(Get("/hello")));
    ASSERT_EQ(MustRead(idle).status, 200);  // now idle on keep-alive
    Client never_spoke(port());
    Client busy(port());
    ASSERT_TRUE(busy.Send(Get("/slow")));
    std::this_thread::sleep_for(100ms);  // the slow handler is running

    const auto start = Clock::now();
    std::thread stopper([&] { server_->Stop(); });
    const auto reply = busy.Read();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 200);
    EXPECT_FALSE(reply->keep_alive);  // Connection: close while draining
    EXPECT_TRUE(idle.ClosedWithin(2s));
    EXPECT_TRUE(never_spoke.ClosedWithin(2s));
    stopper.join();
    EXPECT_LT(Clock::now() - start, 1500ms);

    Client late(port());
    EXPECT_FALSE(late.connected() && late.Send(Get("/hello")) && late.Read().has_value());
}

TEST_F(HttpServerTest, StopWithAConnectionHalfWayThroughAHeaderIsPrompt) {
    Client client(port());
    ASSERT_TRUE(client.Send("GET /hello HTTP/1.1\r\n"));
    std::this_thread::sleep_for(50ms);
    const auto start = Clock::now();
    server_->Stop();
    EXPECT_LT(Clock::now() - start, 1s);
    EXPECT_TRUE(client.ClosedWithin(1s));
}

}  // namespace
}  // namespace contactd::ingest
