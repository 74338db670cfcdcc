// The server reads request bodies from its sockets in large reads (ingest/body_read_room.hpp): without the room
// made before a body, Beast asks the kernel for a few hundred bytes at a time, which cost a 1 GiB batch's
// acceptance most of its speed. What the server asks for is seen here at the system call: this binary
// defines recv and recvmsg (found before libc's, or the sanitizer's, by the dynamic linker), which pass every
// call on unchanged and, while a test listens, note the largest buffer a call offered on a socket of the
// server under test (one whose local port is the server's: not the test's client, not libpq).
#include <dlfcn.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <string>
#include <string_view>
#include <thread>

#include "ingest/body_read_room.hpp"
#include "ingest/http_server.hpp"

namespace {

std::atomic<bool> listening{false};
std::atomic<std::uint16_t> server_port{0};
std::atomic<std::size_t> largest_read{0};

void Note(int fd, std::size_t offered) {
    if (!listening.load(std::memory_order_relaxed)) return;
    sockaddr_in local{};
    socklen_t length = sizeof local;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) != 0 || local.sin_family != AF_INET ||
        ntohs(local.sin_port) != server_port.load(std::memory_order_relaxed)) {
        return;
    }
    std::size_t seen = largest_read.load(std::memory_order_relaxed);
    while (offered > seen && !largest_read.compare_exchange_weak(seen, offered)) {
    }
}

template <class Function>
Function Next(const char* name) {
    return reinterpret_cast<Function>(::dlsym(RTLD_NEXT, name));
}

}  // namespace

extern "C" ssize_t recv(int fd, void* buffer, size_t length, int flags) {
    static const auto next = Next<ssize_t (*)(int, void*, size_t, int)>("recv");
    const int saved_errno = errno;  // getsockname must not change what the caller sees
    Note(fd, length);
    errno = saved_errno;
    return next(fd, buffer, length, flags);
}

extern "C" ssize_t recvmsg(int fd, struct msghdr* message, int flags) {
    static const auto next = Next<ssize_t (*)(int, struct msghdr*, int)>("recvmsg");
    if (message != nullptr) {
        std::size_t offered = 0;
        for (std::size_t i = 0; i < message->msg_iovlen; ++i) offered += message->msg_iov[i].iov_len;
        const int saved_errno = errno;
        Note(fd, offered);
        errno = saved_errno;
    }
    return next(fd, message, flags);
}

namespace contactd::ingest {
namespace {

constexpr std::size_t kBodyBytes = std::size_t{2} << 20;

//! Counts what it is fed.
class CountingSink : public RequestBodySink {
  public:
    std::optional<HttpResponse> Feed(std::string_view bytes) override {
        size_ += bytes.size();
        return std::nullopt;
    }
    HttpResponse Finish() override { return JsonResponse(200, std::to_string(size_)); }

  private:
    std::size_t size_ = 0;
};

class SessionBodyReads : public ::testing::Test {
  protected:
    void SetUp() override {
        Router router;
        router.Add(HttpMethod::kPost, "/buffered",
                   [](HttpRequest& request) { return JsonResponse(200, std::to_string(request.body.size())); });
        router.AddStreaming(
            HttpMethod::kPost, "/streamed",
            [](HttpRequest&) -> SinkOrResponse { return std::make_unique<CountingSink>(); }, kBodyBytes * 2);
        HttpServerConfig config;
        config.port = 0;
        config.max_body_bytes = kBodyBytes * 2;
        config.logger = &logger_;
        server_ = std::make_unique<HttpServer>(std::move(config), std::move(router));
        server_->Start();
        server_port = server_->port();
    }
    void TearDown() override {
        listening = false;
        server_->Stop();
    }

    //! POSTs `body` on a connection of its own and returns the response's raw bytes. With `pause`, the header
    //! goes first and the body after it, so that the server has read the header before the body arrives.
    std::string Post(std::string_view path, const std::string& body,
                     std::chrono::milliseconds pause = std::chrono::milliseconds(0)) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(server_->port());
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
            ::close(fd);
            return {};
        }
        const std::string head = "POST " + std::string(path) +
                                 " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                                 "Content-Type: application/octet-stream\r\nContent-Length: " +
                                 std::to_string(body.size()) + "\r\n\r\n";
        const auto send_all = [fd](std::string_view rest) {
            while (!rest.empty()) {
                const ssize_t sent = ::send(fd, rest.data(), rest.size(), MSG_NOSIGNAL);
                if (sent <= 0) return;
                rest.remove_prefix(static_cast<std::size_t>(sent));
            }
        };
        if (pause.count() > 0) {
            send_all(head);
            std::this_thread::sleep_for(pause);
            send_all(body);
        } else {
            send_all(head + body);
        }
        std::string response;
        char buffer[4096];
        while (true) {
            const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
            if (got <= 0) break;
            response.append(buffer, static_cast<std::size_t>(got));
        }
        ::close(fd);
        return response;
    }

    //! POSTs a body of `bytes` bytes (see Post), checks that the route answered 200 with its size, and returns
    //! the largest read the server offered the kernel meanwhile.
    std::size_t LargestServerRead(std::string_view path, std::size_t bytes,
                                  std::chrono::milliseconds pause = std::chrono::milliseconds(0)) {
        largest_read = 0;
        listening = true;
        const std::string response = Post(path, std::string(bytes, 'x'), pause);
        listening = false;
        EXPECT_NE(response.find("200 OK"), std::string::npos) << response;
        EXPECT_NE(response.find("\r\n\r\n" + std::to_string(bytes)), std::string::npos) << response;
        return largest_read.load();
    }

    Logger logger_{[](std::string_view) {}, LogLevel::kError};
    std::unique_ptr<HttpServer> server_;
};

TEST_F(SessionBodyReads, ALargeBufferedBodyIsReadInReadsOfTheFullRoom) {
    EXPECT_EQ(LargestServerRead("/buffered", kBodyBytes), kBodyReadRoom)
        << "the session must make room before reading a body";
}

TEST_F(SessionBodyReads, ALargeStreamedBodyIsReadInReadsOfTheFullRoom) {
    EXPECT_EQ(LargestServerRead("/streamed", kBodyBytes), kBodyReadRoom)
        << "the session must make room before reading a body";
}

// A body of at most kSmallBodyBytes (a single contact's JSON) keeps the buffer as it is: the header is sent
// first and read on its own, then the body arrives and is read with the room the buffer has.
TEST_F(SessionBodyReads, ASmallBodyIsReadWithTheRoomTheBufferHas) {
    const std::size_t largest = LargestServerRead("/buffered", kSmallBodyBytes, std::chrono::milliseconds(200));
    EXPECT_GT(largest, 0u) << "the server's reads were seen";
    EXPECT_LT(largest, kBodyReadRoom);
}

}  // namespace
}  // namespace contactd::ingest
