#include "tests/support/test_cluster.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <pqxx/connection>
#include <pqxx/nontransaction>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

namespace contactd::test_support {
namespace {

TestCluster* g_cluster = nullptr;
std::filesystem::path g_root;
std::atomic<int> g_counter{0};

//! Exited, or a zombie: either way its sockets are closed.
bool ProcessEnded(int pid) {
    if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto name_end = text.rfind(')');
    return name_end != std::string::npos && name_end + 2 < text.size() && text[name_end + 2] == 'Z';
}

}  // namespace

void TestCluster::SetUp() {
    g_cluster = this;
    try {
        char pattern[] = "/tmp/contactd-test-XXXXXX";
        if (::mkdtemp(pattern) == nullptr) FAIL() << "mkdtemp failed";
        root_ = pattern;
        g_root = root_;
        // mkdtemp makes it 0700; the server runs as an unprivileged user when we are root and must get in.
        ::chmod(root_.c_str(), 0711);

        storage::DatabaseConfig config;
        if (const char* url = std::getenv("CONTACTD_TEST_DATABASE_URL"); url != nullptr && *url != '\0') {
            config.url = url;
        }
        config.data_dir = root_;
        // Throwaway data: skip fsync (a killed server still loses nothing; only a machine crash would).
        config.embedded.settings = {{"fsync", "off"}, {"shared_buffers", "128MB"}};
        config.embedded.sync_initdb = false;
        database_ = std::make_unique<storage::Database>(storage::OpenDatabase(config));
        if (database_->Embedded() != nullptr) {
            const auto& startup = database_->Embedded()->Startup();
            std::cerr << "[test cluster] " << database_->Url() << " (initdb " << startup.initdb_time.count()
                      << " ms, start " << startup.start_time.count() << " ms)\n";
        }
    } catch (const std::exception& error) {
        FAIL() << "test cluster did not start: " << error.what();
    }
}

void TestCluster::TearDown() {
    // Whatever still uses the cluster (a test server and its workers) stops first, newest first.
    for (auto it = before_teardown_.rbegin(); it != before_teardown_.rend(); ++it) (*it)();
    before_teardown_.clear();
    database_.reset();  // stops the server
    if (!root_.empty()) {
        std::error_code ignored;
        std::filesystem::remove_all(root_, ignored);
    }
    g_cluster = nullptr;
}

void TestCluster::BeforeTearDown(std::function<void()> hook) {
    if (g_cluster != nullptr) g_cluster->before_teardown_.push_back(std::move(hook));
}

const std::string& TestCluster::Url() {
    if (g_cluster == nullptr || g_cluster->database_ == nullptr) {
        throw std::logic_error("TestCluster::Url() called outside the test environment");
    }
    return g_cluster->database_->Url();
}

std::string TestCluster::CreateDatabase(std::string_view prefix) {
    std::string name = UniqueId(prefix);
    for (char& c : name) {
        if (c == '-') c = '_';
    }
    {
        pqxx::connection connection(Url());
        pqxx::nontransaction transaction(connection);
        transaction.exec("CREATE DATABASE " + transaction.quote_name(name));
    }
    if (const auto* embedded = g_cluster->database_->Embedded()) return embedded->UrlFor(name);
    // libpq applies a later dbname over the one in the URL's path.
    return UrlWith("dbname", name);
}

std::string TestCluster::UrlWith(std::string_view key, std::string_view value) {
    const std::string& url = Url();
    const bool uri = url.starts_with("postgresql://") || url.starts_with("postgres://");
    const std::string parameter = std::string(key) + "=" + std::string(value);
    if (!uri) return url + " " + parameter;
    return url + (url.find('?') == std::string::npos ? "?" : "&") + parameter;
}

std::filesystem::path TestCluster::MakeTempDir(std::string_view name) {
    if (g_root.empty()) throw std::logic_error("TestCluster::MakeTempDir() called outside the test environment");
    std::filesystem::path dir = g_root / (std::string(name) + "-" + std::to_string(++g_counter));
    std::filesystem::create_directories(dir);
    return dir;
}

void TestCluster::TerminateBackend(int backend_pid) {
    using namespace std::chrono_literals;
    pqxx::connection admin(Url());
    pqxx::nontransaction transaction(admin);
    transaction.exec_params("SELECT pg_terminate_backend($1)", backend_pid);
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    // The session leaves pg_stat_activity before its process closes the socket; an embedded server's
    // backends are local processes, so wait for the process too.
    const bool local = g_cluster->database_->Embedded() != nullptr;
    while (!transaction.exec_params("SELECT 1 FROM pg_stat_activity WHERE pid = $1", backend_pid).empty() ||
           (local && !ProcessEnded(backend_pid))) {
        if (std::chrono::steady_clock::now() >= deadline) {
            throw std::runtime_error("backend " + std::to_string(backend_pid) + " did not exit");
        }
        std::this_thread::sleep_for(5ms);
    }
}

std::string TestCluster::UniqueId(std::string_view prefix) {
    thread_local std::mt19937_64 random(std::random_device{}());
    static constexpr char kHex[] = "0123456789abcdef";
    std::string suffix;
    std::uint64_t bits = random();
    for (int index = 0; index < 8; ++index, bits >>= 4) suffix += kHex[bits & 15];
    return std::string(prefix) + "-" + std::to_string(::getpid()) + "-" + std::to_string(++g_counter) + "-" + suffix;
}

}  // namespace contactd::test_support
