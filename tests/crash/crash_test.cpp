// Crash tests (issue: batch jobs): the real contactd binary is killed with SIGKILL in the middle of a job
// and started again; PostgreSQL is restarted under a running job. Either way the job must finish with
// every item applied exactly once — each contact's version and the result lines prove it.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <pqxx/pqxx>

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "ingest/http_client.hpp"
#include "ingest/json_input.hpp"
#include "storage/child_process.hpp"
#include "storage/embedded_postgres.hpp"
#include "storage/migrations.hpp"
#include "tests/support/newer_schema.hpp"
#include "tests/support/test_cluster.hpp"

namespace contactd::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kAdminToken = "crash-admin";
constexpr int kContacts = 10000;  // every contact gets two items, in different chunks

std::uint16_t FreePort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    socklen_t length = sizeof address;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    ::close(fd);
    return ntohs(address.sin_port);
}

engine::Json ParseBody(const std::string& body) {
    auto parsed = ingest::ParseJsonInput(body);
    return parsed.ok() ? std::move(parsed).value() : engine::Json();
}

//! A `contactd serve` child process on a loopback port.
class ServerProcess {
  public:
    ServerProcess(std::filesystem::path data_dir, std::uint16_t port, std::optional<std::string> database_url)
        : data_dir_(std::move(data_dir)), port_(port), database_url_(std::move(database_url)) {}

    void Start() {
        storage::ProcessSpec spec;
        spec.argv = {
            CONTACTD_BINARY,    "serve",         "--listen", "127.0.0.1:" + std::to_string(port_), "--data-dir",
            data_dir_.string(), "--admin-token", kAdminToken};
        if (database_url_) {
            spec.argv.push_back("--database-url");
            spec.argv.push_back(*database_url_);
        }
        spec.output = data_dir_ / "server.log";
        process_ = storage::ChildProcess::Start(spec);
        for (int i = 0; i < 600; ++i) {
            try {
                if (ingest::HttpClient(Url()).Request("GET", "/readyz").status == 200) return;
            } catch (const std::exception&) {
            }
            std::this_thread::sleep_for(100ms);
        }
        FAIL() << "contactd did not become ready";
    }

    void Kill() {
        process_->Signal(SIGKILL);
        process_->Wait();
        process_.reset();
    }

    void Stop() {
        if (!process_) return;
        process_->Signal(SIGTERM);
        process_->WaitFor(60s);
        process_.reset();
    }

    std::string Url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    ~ServerProcess() { Stop(); }

  private:
    std::filesystem::path data_dir_;
    std::uint16_t port_;
    std::optional<std::string> database_url_;
    std::optional<storage::ChildProcess> process_;
};

//! Submits the two-items-per-contact batch and returns the API key and job id.
std::pair<std::string, std::string> SubmitBatch(const std::string& url) {
    ingest::HttpClient admin(url);
    const auto created =
        admin.Request("POST", "/v1/admin/workspaces",
                      {{"Authorization", std::string("Bearer ") + kAdminToken}, {"Content-Type", "application/json"}},
                      R"({"id": "crash", "default_country": "US"})");
    EXPECT_EQ(created.status, 201) << created.body;
    const std::string key = ParseBody(created.body).Find("api_key")->text();
    std::string body;
    for (int round = 0; round < 2; ++round) {
        for (int i = 0; i < kContacts; ++i) {
            body += R"({"phone": "+1650253)" + std::to_string(10000 + i).substr(1) + R"(", "tags": {"add": ["t)" +
                    std::to_string(round) + R"("]}, "ref": ")" + std::to_string(round) + "-" + std::to_string(i) +
                    "\"}\n";
        }
    }
    ingest::HttpClient client(url);
    const auto accepted = client.Request(
        "POST", "/v1/batches", {{"Authorization", "Bearer " + key}, {"Content-Type", "application/x-ndjson"}}, body);
    EXPECT_EQ(accepted.status, 202) << accepted.body;
    return {key, ParseBody(accepted.body).Find("job_id")->text()};
}

engine::Json JobStatus(const std::string& url, const std::string& key, const std::string& job) {
    try {
        return ParseBody(
            ingest::HttpClient(url).Request("GET", "/v1/batches/" + job, {{"Authorization", "Bearer " + key}}).body);
    } catch (const std::exception&) {
        return engine::Json();  // the server is restarting
    }
}

std::int64_t Processed(const engine::Json& status) {
    const engine::Json* counts = status.Find("counts");
    return counts ? counts->Find("processed")->AsInt64() : -1;
}

//! Waits until `processed` is strictly between 0 and the total (the job is mid-way).
void WaitMidway(const std::string& url, const std::string& key, const std::string& job) {
    for (int i = 0; i < 6000; ++i) {
        const std::int64_t processed = Processed(JobStatus(url, key, job));
        if (processed > 0 && processed < 2 * kContacts) return;
        ASSERT_LT(processed, 2 * kContacts) << "the job finished before the crash could happen";
        std::this_thread::sleep_for(5ms);
    }
    FAIL() << "the job never started";
}

engine::Json WaitCompleted(const std::string& url, const std::string& key, const std::string& job) {
    engine::Json status;
    for (int i = 0; i < 1200; ++i) {
        status = JobStatus(url, key, job);
        const engine::Json* state = status.Find("status");
        if (state && state->text() == "completed") return status;
        std::this_thread::sleep_for(100ms);
    }
    ADD_FAILURE() << "the job did not complete: " << status.ToJsonText();
    return status;
}

//! Every item applied exactly once: all results present once, every contact at version 2 with both tags.
void ExpectExactlyOnce(const std::string& url, const std::string& key, const std::string& job,
                       const std::string& database_url) {
    const engine::Json status = WaitCompleted(url, key, job);
    EXPECT_EQ(Processed(status), 2 * kContacts);
    EXPECT_EQ(status.Find("counts")->Find("ok")->AsInt64(), 2 * kContacts) << status.ToJsonText();
    EXPECT_EQ(status.Find("counts")->Find("created")->AsInt64(), kContacts);
    EXPECT_EQ(status.Find("counts")->Find("updated")->AsInt64(), kContacts);

    std::string results;
    ingest::HttpClient(url).Download("/v1/batches/" + job + "/results",
                                     {{"Authorization", "Bearer " + key}, {"Accept", "application/x-ndjson"}},
                                     [&](const std::string& piece) { results += piece; });
    std::set<std::int64_t> indices;
    std::size_t lines = 0;
    for (std::size_t start = 0; start < results.size();) {
        const std::size_t end = results.find('\n', start);
        indices.insert(ParseBody(results.substr(start, end - start)).Find("index")->AsInt64());
        ++lines;
        start = end + 1;
    }
    EXPECT_EQ(lines, static_cast<std::size_t>(2 * kContacts));
    EXPECT_EQ(indices.size(), static_cast<std::size_t>(2 * kContacts));

    pqxx::connection connection(database_url);
    pqxx::read_transaction txn(connection);
    EXPECT_EQ(txn.exec1("SELECT count(*) FROM contacts WHERE workspace_id = 'crash'")[0].as<int>(), kContacts);
    EXPECT_EQ(txn.exec1("SELECT count(*) FROM contacts WHERE workspace_id = 'crash' AND version = 2 "
                        "AND tags = ARRAY['t0', 't1']")[0]
                  .as<int>(),
              kContacts)
        << "a version above 2 or a tag twice would mean an item applied twice";
}

TEST(CrashTest, AServerKilledMidJobFinishesItAfterRestartWithEveryItemAppliedOnce) {
    const std::filesystem::path data_dir = test_support::TestCluster::MakeTempDir("crash-kill");
    ServerProcess server(data_dir, FreePort(), std::nullopt);
    server.Start();
    const auto [key, job] = SubmitBatch(server.Url());
    WaitMidway(server.Url(), key, job);
    server.Kill();  // no drain: chunks in flight die with their transactions
    server.Start();
    const std::string database_url =
        "postgresql:///contactd?host=" + (data_dir / "pg" / "run").string() + "&port=5432&user=postgres";
    ExpectExactlyOnce(server.Url(), key, job, database_url);
}

TEST(CrashTest, AServerFinishesItsJobAfterPostgresqlRestarts) {
    storage::EmbeddedPostgresOptions options;
    options.folder = test_support::TestCluster::MakeTempDir("crash-pg") / "pg";
    options.port = 5433;
    options.sync_initdb = false;
    auto postgres = std::make_unique<storage::EmbeddedPostgres>(options);
    const std::string database_url = postgres->Url();
    ServerProcess server(test_support::TestCluster::MakeTempDir("crash-pg-data"), FreePort(), database_url);
    server.Start();
    const auto [key, job] = SubmitBatch(server.Url());
    WaitMidway(server.Url(), key, job);
    postgres.reset();  // fast shutdown: every connection of the server breaks
    std::this_thread::sleep_for(1s);
    postgres = std::make_unique<storage::EmbeddedPostgres>(options);
    ExpectExactlyOnce(server.Url(), key, job, database_url);
}

// An older build started on a database a newer one has migrated: `contactd serve` refuses to start, says why,
// and exits with an error instead of serving (or running jobs on) a schema it does not know.
TEST(CrashTest, AServerDoesNotStartOnADatabaseANewerBuildMigrated) {
    const std::string database_url = test_support::TestCluster::CreateDatabase("crash_newer");
    {
        pqxx::connection connection(database_url);
        storage::ApplyMigrations(connection);
    }
    const test_support::NewerSchema newer_schema(database_url);
    const std::filesystem::path data_dir = test_support::TestCluster::MakeTempDir("crash-newer");
    storage::ProcessSpec spec;
    spec.argv = {CONTACTD_BINARY,  "serve",           "--listen",      "127.0.0.1:" + std::to_string(FreePort()),
                 "--data-dir",     data_dir.string(), "--admin-token", kAdminToken,
                 "--database-url", database_url};
    spec.output = data_dir / "server.log";
    auto process = storage::ChildProcess::Start(spec);
    const std::optional<int> status = process.WaitFor(60s);
    if (!status) process.Signal(SIGKILL);
    ASSERT_TRUE(status.has_value()) << "contactd kept running on a schema newer than it knows";
    EXPECT_FALSE(storage::ExitedCleanly(*status)) << storage::DescribeWaitStatus(*status);
    std::ostringstream log;
    log << std::ifstream(data_dir / "server.log").rdbuf();
    EXPECT_NE(log.str().find("schema is at version " + std::to_string(newer_schema.version())), std::string::npos)
        << log.str();
}

}  // namespace
}  // namespace contactd::testing
