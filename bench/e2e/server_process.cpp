#include "bench/e2e/server_process.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <stdexcept>

#include "bench/e2e/interrupt.hpp"
#include "bench/e2e/programs.hpp"
#include "ingest/http_client.hpp"

namespace contactd::bench::e2e {

namespace {

constexpr auto kReadyTimeout = std::chrono::seconds(60);

bool Ready(const std::string& url) {
    try {
        return ingest::HttpClient(url).Request("GET", "/readyz").status == 200;
    } catch (const std::exception&) {
        return false;  // not listening yet
    }
}

}  // namespace

std::uint16_t FreeLoopbackPort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket() failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof address;
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
    ::close(fd);
    if (!ok) throw std::runtime_error("cannot find a free loopback port");
    return ntohs(address.sin_port);
}

ServerProcess::ServerProcess(const ServerConfig& config) : log_(config.log) {
    const std::string listen = "127.0.0.1:" + std::to_string(FreeLoopbackPort());
    url_ = "http://" + listen;
    storage::ProcessSpec spec;
    spec.argv = {config.binary.string(),   "serve",          "--listen",          listen,          "--data-dir",
                 config.data_dir.string(), "--database-url", config.database_url, "--admin-token", config.admin_token};
    spec.argv.insert(spec.argv.end(), config.extra_args.begin(), config.extra_args.end());
    spec.output = log_;
    spec.parent_death_signal = SIGTERM;
    spec.own_process_group = true;  // Ctrl-C reaches the driver, which stops the server itself
    std::filesystem::create_directories(config.data_dir);
    process_ = storage::ChildProcess::Start(spec);
    const auto deadline = std::chrono::steady_clock::now() + kReadyTimeout;
    while (!Ready(url_)) {
        if (!process_.Running()) {
            throw std::runtime_error("contactd serve exited while starting; its log:\n" + LogTail());
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            throw std::runtime_error("contactd serve was not ready within 60 s; its log:\n" + LogTail());
        }
        SleepFor(std::chrono::milliseconds(50));
    }
}

ServerProcess::~ServerProcess() {
    try {
        Stop(std::chrono::seconds(10));
    } catch (...) {
        // the ChildProcess destructor kills what is left
    }
}

void ServerProcess::Stop(std::chrono::seconds grace) {
    if (!process_.Running()) return;
    process_.Signal(SIGTERM);
    if (process_.WaitFor(grace)) return;
    process_ = storage::ChildProcess();  // SIGKILL to its process group, and reap
}

std::string ServerProcess::LogTail() const {
    const std::string text = ReadTextFile(log_);
    constexpr std::size_t kTail = 4000;
    return text.size() > kTail ? text.substr(text.size() - kTail) : text;
}

}  // namespace contactd::bench::e2e
