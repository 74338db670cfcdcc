// The batch client and the `submit` / `results` commands against the real API server (with its workers and
// PostgreSQL) on loopback: uploads in every form, waiting, summaries and exit codes, results streamed and
// paged, and the errors a user meets.
#include <zlib.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stop_token>
#include <thread>

#include "app/batch_client.hpp"
#include "app/commands.hpp"
#include "app/progress_display.hpp"
#include "ingest/http_server.hpp"
#include "tests/ingest/api_fixture.hpp"

namespace contactd::testing {
namespace {

using app::BatchClient;
using app::BatchStatus;
using app::ClientResult;
using app::ResultFilter;

constexpr const char* kMixedBatch =
    "{\"phone\": \"+16502530000\", \"first_name\": \"Ann\", \"ref\": \"a\"}\n"
    "{\"phone\": \"+16502530001\", \"first_name\": \"Bob\"}\n"
    "not json\n"
    "{\"phone\": \"+16502530002\", \"first_name\": \"Cy\"}\n"
    "[1, 2]\n";
constexpr const char* kUnknownJob = "00000000-0000-4000-8000-000000000000";

std::vector<std::string> Lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

bool IsIgnoredLine(const std::string& line) { return line.find("\"status\":\"IGNORED\"") != std::string::npos; }

//! A stream that gives `good` bytes and then fails like a disk that cannot be read.
class FailingBuffer : public std::streambuf {
  public:
    explicit FailingBuffer(std::string good) : good_(std::move(good)) {
        setg(good_.data(), good_.data(), good_.data() + good_.size());
    }

  protected:
    int_type underflow() override { throw std::runtime_error("I/O error"); }

  private:
    std::string good_;
};

class BatchClientHttpTest : public ::testing::Test {
  protected:
    void SetUp() override {
        key_ = NewWorkspace();
        client_ = std::make_unique<BatchClient>(ApiServer::Get().BaseUrl(), key_);
        dir_ = test_support::TestCluster::MakeTempDir("app_client");
    }

    std::filesystem::path WriteFile(const std::string& name, const std::string& content) {
        const auto path = dir_ / name;
        std::ofstream(path, std::ios::binary) << content;
        return path;
    }

    std::filesystem::path WriteGzipFile(const std::string& name, const std::string& content) {
        const auto path = dir_ / name;
        gzFile file = gzopen(path.c_str(), "wb");
        EXPECT_NE(file, nullptr);
        EXPECT_EQ(gzwrite(file, content.data(), static_cast<unsigned>(content.size())),
                  static_cast<int>(content.size()));
        EXPECT_EQ(gzclose(file), Z_OK);
        return path;
    }

    app::Submission Submit(const std::string& body, const app::UploadFormat& format,
                           const app::SubmitOptions& options = {}) {
        std::istringstream input(body);
        const auto submitted = client_->Submit(input, format, options);
        EXPECT_TRUE(submitted.ok()) << submitted.error().Describe() << " " << submitted.error().body;
        return submitted.ok() ? submitted.value() : app::Submission{};
    }

    //! Waits for the job with the client's own Wait, stopped by a watchdog after 60 s so a stuck job fails
    //! the test instead of hanging it.
    ClientResult<BatchStatus> WaitDone(const std::string& job_id, std::vector<BatchStatus>* seen = nullptr) {
        std::atomic<bool> stop{false};
        std::mutex mutex;
        std::condition_variable_any wake;
        std::jthread watchdog([&](std::stop_token token) {
            std::unique_lock lock(mutex);
            wake.wait_for(lock, token, std::chrono::seconds(60), [] { return false; });
            if (!token.stop_requested()) stop = true;
        });
        app::WaitOptions options;
        options.interval = std::chrono::milliseconds(100);
        options.stop = &stop;
        auto result = client_->Wait(job_id, options, [&](const BatchStatus& status) {
            if (seen != nullptr) seen->push_back(status);
        });
        EXPECT_FALSE(stop.load()) << "job " << job_id << " did not finish within 60 s";
        return result;
    }

    BatchStatus SubmitAndWait(const std::string& body, const app::UploadFormat& format,
                              const app::SubmitOptions& options = {}) {
        const app::Submission submitted = Submit(body, format, options);
        const auto done = WaitDone(submitted.status.job_id);
        EXPECT_TRUE(done.ok()) << (done.ok() ? "" : done.error().Describe());
        return done.ok() ? done.value() : BatchStatus{};
    }

    std::string key_;
    std::unique_ptr<BatchClient> client_;
    std::filesystem::path dir_;
};

TEST_F(BatchClientHttpTest, NdjsonUploadWaitsToTheEndAndCountsIgnoredItems) {
    const std::string body = kMixedBatch;
    std::vector<app::UploadProgress> progress;
    std::istringstream input(body);
    const auto submitted = client_->Submit(input, app::UploadFormatFor("x.ndjson", false), {},
                                           [&](const app::UploadProgress& p) { progress.push_back(p); });
    ASSERT_TRUE(submitted.ok()) << submitted.error().Describe();
    EXPECT_FALSE(submitted.value().repeated);
    EXPECT_EQ(submitted.value().status.counts.total, 5);
    ASSERT_FALSE(progress.empty());
    EXPECT_TRUE(progress.back().done);
    EXPECT_EQ(progress.back().input_bytes, body.size());
    EXPECT_EQ(progress.back().sent_bytes, body.size());

    std::vector<BatchStatus> seen;
    const auto done = WaitDone(submitted.value().status.job_id, &seen);
    ASSERT_TRUE(done.ok()) << done.error().Describe();
    const BatchStatus& status = done.value();
    EXPECT_EQ(status.job_id, submitted.value().status.job_id);
    EXPECT_EQ(status.state, engine::JobState::kCompleted);
    EXPECT_TRUE(status.has_errors);
    EXPECT_EQ(status.counts.total, 5);
    EXPECT_EQ(status.counts.processed, 5);
    EXPECT_EQ(status.counts.ok, 3);
    EXPECT_EQ(status.counts.created, 3);
    EXPECT_EQ(status.counts.ignored, 2);
    EXPECT_EQ(status.ignored_by_code, (std::map<std::string, std::int64_t>{{"INVALID_ITEM", 2}}));
    EXPECT_TRUE(status.finished_at);
    EXPECT_EQ(app::ExitCodeFor(status), app::kExitIgnored);
    ASSERT_FALSE(seen.empty());
    EXPECT_EQ(seen.back().state, engine::JobState::kCompleted) << "on_status sees the last status too";

    const std::string summary = app::Summary(status, "contactd results " + status.job_id);
    EXPECT_NE(summary.find("ignored_by_code: INVALID_ITEM 2\n"), std::string::npos) << summary;
    EXPECT_NE(summary.find("counts:          total 5, processed 5, ok 3, ignored 2, created 3,"), std::string::npos)
        << summary;
}

TEST_F(BatchClientHttpTest, CleanBatchCompressedOnTheFlyExitsZero) {
    const BatchStatus status =
        SubmitAndWait("{\"phone\": \"+16502530000\", \"first_name\": \"Ann\"}\n{\"phone\": \"+16502530001\"}\n",
                      app::UploadFormatFor("x.ndjson", /*compress=*/true));
    EXPECT_EQ(status.state, engine::JobState::kCompleted);
    EXPECT_FALSE(status.has_errors);
    EXPECT_EQ(status.counts.created, 2);
    EXPECT_EQ(app::ExitCodeFor(status), app::kExitOk);
}

TEST_F(BatchClientHttpTest, GzipFileIsSentAsItIsAndModeIsAQueryOption) {
    SubmitAndWait("{\"phone\": \"+16502530000\"}\n{\"phone\": \"+16502530001\"}\n",
                  app::UploadFormatFor("x.ndjson", false));
    const auto path = WriteGzipFile("update.ndjson.gz",
                                    "{\"phone\": \"+16502530000\", \"title\": \"CEO\"}\n"
                                    "{\"phone\": \"+16502539999\", \"title\": \"CTO\"}\n");
    const app::UploadFormat format = app::UploadFormatFor(path.string(), /*compress=*/true);
    ASSERT_TRUE(format.gzip_file);
    ASSERT_FALSE(format.compress);
    app::SubmitOptions options;
    options.mode = "update";
    std::ifstream file(path, std::ios::binary);
    const auto submitted = client_->Submit(file, format, options);
    ASSERT_TRUE(submitted.ok()) << submitted.error().Describe() << " " << submitted.error().body;
    const auto done = WaitDone(submitted.value().status.job_id);
    ASSERT_TRUE(done.ok());
    EXPECT_EQ(done.value().counts.updated, 1);
    EXPECT_EQ(done.value().counts.ignored, 1);
    EXPECT_EQ(done.value().ignored_by_code, (std::map<std::string, std::int64_t>{{"CONTACT_NOT_FOUND", 1}}));
}

TEST_F(BatchClientHttpTest, JsonDocumentCarriesItsOwnOptions) {
    const BatchStatus status =
        SubmitAndWait(R"({"mode": "create", "items": [{"phone": "+16502530000"}, {"phone": "+16502530001"}, )"
                      R"({"phone": "+16502530000"}]})",
                      app::UploadFormatFor("batch.json", false));
    EXPECT_EQ(status.counts.total, 3);
    EXPECT_EQ(status.counts.created, 2);
    EXPECT_EQ(status.ignored_by_code, (std::map<std::string, std::int64_t>{{"ALREADY_EXISTS", 1}}));
}

TEST_F(BatchClientHttpTest, ManyPiecesCompressedArriveWholeAndProgressGrows) {
    std::string body;
    for (int i = 0; i < 2000; ++i) {
        body += "{\"phone\": \"+1650253" + std::to_string(1000 + i) +
                "\", \"custom_fields\": {\"profile_field_1\": \"" + std::string(250, static_cast<char>('a' + i % 26)) +
                "\"}}\n";
    }
    ASSERT_GT(body.size(), 512u * 1024) << "more than two upload pieces";
    std::vector<app::UploadProgress> progress;
    std::istringstream input(body);
    const auto submitted = client_->Submit(input, app::UploadFormatFor("big.ndjson", true), {},
                                           [&](const app::UploadProgress& p) { progress.push_back(p); });
    ASSERT_TRUE(submitted.ok()) << submitted.error().Describe() << " " << submitted.error().body;
    ASSERT_GE(progress.size(), 3u);
    for (std::size_t i = 1; i < progress.size(); ++i) EXPECT_GT(progress[i].input_bytes, progress[i - 1].input_bytes);
    EXPECT_EQ(progress.back().input_bytes, body.size());
    EXPECT_LT(progress.back().sent_bytes, body.size() / 4) << "repetitive text compresses well";
    EXPECT_EQ(submitted.value().status.counts.total, 2000);
    const auto done = WaitDone(submitted.value().status.job_id);
    ASSERT_TRUE(done.ok());
    EXPECT_EQ(done.value().counts.created, 2000);
    EXPECT_EQ(app::ExitCodeFor(done.value()), app::kExitOk);
}

TEST_F(BatchClientHttpTest, IgnoredResultsStreamedAndPagedAreTheSameLines) {
    const BatchStatus status = SubmitAndWait(kMixedBatch, app::UploadFormatFor("x.ndjson", false));
    std::string streamed;
    std::size_t pieces = 0;
    const auto stream = client_->StreamResults(status.job_id, ResultFilter::kIgnored, [&](std::string_view data) {
        streamed += data;
        ++pieces;
    });
    ASSERT_TRUE(stream.ok()) << stream.error().Describe();
    EXPECT_EQ(stream.value(), streamed.size());
    const auto ignored = Lines(streamed);
    ASSERT_EQ(ignored.size(), 2u) << streamed;
    EXPECT_TRUE(std::all_of(ignored.begin(), ignored.end(), IsIgnoredLine)) << streamed;
    EXPECT_EQ(ignored[0].rfind("{\"index\":2,", 0), 0u) << ignored[0];
    EXPECT_EQ(ignored[1].rfind("{\"index\":4,", 0), 0u) << ignored[1];

    std::string paged;
    const auto pages =
        client_->PageResults(status.job_id, ResultFilter::kIgnored, 1, [&](std::string_view line) { paged += line; });
    ASSERT_TRUE(pages.ok()) << pages.error().Describe();
    EXPECT_EQ(pages.value(), 2u);
    EXPECT_EQ(paged, streamed);

    std::string all;
    ASSERT_TRUE(client_->StreamResults(status.job_id, ResultFilter::kAll, [&](std::string_view d) { all += d; }).ok());
    EXPECT_EQ(Lines(all).size(), 5u);
    std::string ok_pages;
    const auto ok =
        client_->PageResults(status.job_id, ResultFilter::kOk, 2, [&](std::string_view line) { ok_pages += line; });
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(ok.value(), 3u);
    for (const std::string& line : Lines(ok_pages)) EXPECT_FALSE(IsIgnoredLine(line)) << line;
}

TEST_F(BatchClientHttpTest, UnknownJobIsJobNotFoundEverywhereAndWritesNoResults) {
    const auto status = client_->Status(kUnknownJob);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().http_status, 404);
    EXPECT_EQ(status.error().code, "JOB_NOT_FOUND");

    bool wrote = false;
    const auto stream =
        client_->StreamResults(kUnknownJob, ResultFilter::kIgnored, [&](std::string_view) { wrote = true; });
    ASSERT_FALSE(stream.ok());
    EXPECT_EQ(stream.error().code, "JOB_NOT_FOUND") << stream.error().Describe();
    EXPECT_NE(stream.error().body.find("JOB_NOT_FOUND"), std::string::npos);
    EXPECT_FALSE(wrote) << "an error document is not a result";

    const auto pages =
        client_->PageResults("not-a-uuid", ResultFilter::kAll, 10, [&](std::string_view) { wrote = true; });
    ASSERT_FALSE(pages.ok());
    EXPECT_EQ(pages.error().code, "JOB_NOT_FOUND");
    EXPECT_FALSE(wrote);

    const auto wait = client_->Wait(kUnknownJob, {});
    ASSERT_FALSE(wait.ok());
    EXPECT_EQ(wait.error().code, "JOB_NOT_FOUND");
}

TEST_F(BatchClientHttpTest, WrongKeyIsRefusedWithTheServersErrorDocument) {
    BatchClient stranger(ApiServer::Get().BaseUrl(), "cdk_not_a_key");
    std::istringstream input(kMixedBatch);
    const auto submitted = stranger.Submit(input, app::UploadFormatFor("x.ndjson", false), {});
    ASSERT_FALSE(submitted.ok());
    EXPECT_EQ(submitted.error().http_status, 401);
    EXPECT_EQ(submitted.error().code, "UNAUTHENTICATED");
}

TEST_F(BatchClientHttpTest, WrongKeyOnABigUploadStillShowsTheServersAnswer) {
    // The server refuses at once and stops reading long before 8 MB have gone: the refusal is lost with the
    // connection, so the client asks again without a body.
    std::string body;
    while (body.size() < 8u << 20)
        body += "{\"phone\": \"+16502530000\", \"title\": \"" + std::string(200, 't') + "\"}\n";
    BatchClient stranger(ApiServer::Get().BaseUrl(), "cdk_not_a_key");
    std::istringstream input(body);
    const auto submitted = stranger.Submit(input, app::UploadFormatFor("x.ndjson", false), {});
    ASSERT_FALSE(submitted.ok());
    EXPECT_EQ(submitted.error().http_status, 401) << submitted.error().Describe();
    EXPECT_EQ(submitted.error().code, "UNAUTHENTICATED");
}

TEST_F(BatchClientHttpTest, UnreachableServerIsATransportError) {
    BatchClient nowhere("http://127.0.0.1:1", key_);
    const auto status = nowhere.Status(kUnknownJob);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().http_status, 0);
    EXPECT_EQ(status.error().code, "TRANSPORT");
}

TEST_F(BatchClientHttpTest, ReadErrorAbortsTheUploadAndTheClientGoesOn) {
    FailingBuffer buffer(std::string(kMixedBatch) + "{\"phone\": \"+1650253");
    std::istream input(&buffer);
    const auto submitted = client_->Submit(input, app::UploadFormatFor("x.ndjson", false), {});
    ASSERT_FALSE(submitted.ok());
    EXPECT_EQ(submitted.error().code, "READ_ERROR");
    const BatchStatus status = SubmitAndWait(kMixedBatch, app::UploadFormatFor("x.ndjson", false));
    EXPECT_EQ(status.counts.total, 5);
}

TEST_F(BatchClientHttpTest, SameIdempotencyKeyReturnsTheFirstJob) {
    app::SubmitOptions options;
    options.idempotency_key = "import-" + test_support::TestCluster::UniqueId("k");
    const app::Submission first = Submit(kMixedBatch, app::UploadFormatFor("x.ndjson", false), options);
    const app::Submission again = Submit(kMixedBatch, app::UploadFormatFor("x.ndjson", false), options);
    EXPECT_FALSE(first.repeated);
    EXPECT_TRUE(again.repeated);
    EXPECT_EQ(again.status.job_id, first.status.job_id);
}

TEST_F(BatchClientHttpTest, DryRunSaysSoAndPersistsNothing) {
    app::SubmitOptions options;
    options.dry_run = true;
    const BatchStatus dry = SubmitAndWait("{\"phone\": \"+16502530000\"}\n", app::UploadFormatFor("x", false), options);
    EXPECT_TRUE(dry.dry_run);
    EXPECT_EQ(dry.counts.created, 1);
    const BatchStatus real = SubmitAndWait("{\"phone\": \"+16502530000\"}\n", app::UploadFormatFor("x", false));
    EXPECT_EQ(real.counts.created, 1) << "the dry run created nothing";
}

TEST_F(BatchClientHttpTest, CancelledJobExitsWithFour) {
    std::string body;
    for (int i = 0; i < 3000; ++i) body += "{\"phone\": \"+165025" + std::to_string(30000 + i) + "\"}\n";
    const app::Submission submitted = Submit(body, app::UploadFormatFor("x.ndjson", false));
    const Reply cancelled = ApiClient::WithKey(key_).Send("DELETE", "/v1/batches/" + submitted.status.job_id);
    const auto done = WaitDone(submitted.status.job_id);
    ASSERT_TRUE(done.ok());
    if (cancelled.status != 202) GTEST_SKIP() << "the job finished before the cancel: " << cancelled.body;
    EXPECT_EQ(done.value().state, engine::JobState::kCancelled);
    EXPECT_EQ(app::ExitCodeFor(done.value()), app::kExitJobFailed);
}

//! A stand-in server whose job status answers `failure` for the first `failures` polls, then a completed job.
class FlakyStatusServer {
  public:
    FlakyStatusServer(int failure, int failures) : server_(Config(), Routes(failure, failures)) { server_.Start(); }
    ~FlakyStatusServer() { server_.Stop(); }
    std::string Url() const { return "http://127.0.0.1:" + std::to_string(server_.port()); }
    int polls() const { return polls_.load(); }

  private:
    static ingest::HttpServerConfig Config() {
        ingest::HttpServerConfig config;
        config.port = 0;
        return config;
    }
    ingest::Router Routes(int failure, int failures) {
        ingest::Router router;
        router.Add(ingest::HttpMethod::kGet, "/v1/batches/{job}", [this, failure, failures](ingest::HttpRequest&) {
            if (polls_.fetch_add(1) < failures) return ingest::ErrorResponse(failure, "FAILING", "failing for now");
            return ingest::JsonResponse(200, R"({"job_id": "j", "status": "completed", "counts": {"total": 1,)"
                                             R"( "processed": 1, "ok": 1, "ignored": 0, "created": 1, "updated": 0,)"
                                             R"( "unchanged": 0}})");
        });
        return router;
    }

    std::atomic<int> polls_{0};
    ingest::HttpServer server_;
};

// While the server's database is away its status answers are 503: waiting goes on through them, as through a
// server restarting, and ends with the job's status once the database answers again.
TEST(BatchClientOutage, WaitingGoesOnThrough503sUntilTheStatusIsRead) {
    FlakyStatusServer server(503, 3);
    BatchClient client(server.Url(), "key");
    app::WaitOptions options;
    options.interval = std::chrono::milliseconds(10);
    const auto waited = client.Wait("j", options, {});
    ASSERT_TRUE(waited.ok()) << waited.error().Describe();
    EXPECT_EQ(waited.value().state, engine::JobState::kCompleted);
    EXPECT_EQ(server.polls(), 4);
}

// A 503 that outlasts the outage tolerance ends the wait with it; any other error ends it at once.
TEST(BatchClientOutage, A503ForLongerThanTheToleranceOrAnyOtherErrorEndsTheWait) {
    app::WaitOptions options;
    options.interval = std::chrono::milliseconds(10);
    options.outage_tolerance = std::chrono::milliseconds(200);
    {
        FlakyStatusServer server(503, 1000000);
        const auto waited = BatchClient(server.Url(), "key").Wait("j", options, {});
        ASSERT_FALSE(waited.ok());
        EXPECT_EQ(waited.error().http_status, 503);
        EXPECT_GT(server.polls(), 2);
    }
    {
        FlakyStatusServer server(500, 1000000);
        const auto waited = BatchClient(server.Url(), "key").Wait("j", options, {});
        ASSERT_FALSE(waited.ok());
        EXPECT_EQ(waited.error().http_status, 500);
        EXPECT_EQ(server.polls(), 1);
    }
}

TEST_F(BatchClientHttpTest, StopFlagEndsWaitingAtOnce) {
    const app::Submission submitted = Submit(kMixedBatch, app::UploadFormatFor("x.ndjson", false));
    std::atomic<bool> stop{true};
    app::WaitOptions options;
    options.stop = &stop;
    const auto started = std::chrono::steady_clock::now();
    const auto result = client_->Wait(submitted.status.job_id, options);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1));
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, "INTERRUPTED");
    WaitDone(submitted.status.job_id);  // leave no job running behind the test
}

// The commands themselves, as a user runs them.
class CommandHttpTest : public BatchClientHttpTest {
  protected:
    int Run(int (*command)(const std::vector<std::string>&), std::vector<std::string> args, std::string* out) {
        args.insert(args.end(), {"--key", key_, "--server", ApiServer::Get().BaseUrl()});
        ::testing::internal::CaptureStdout();
        const int code = command(args);
        std::cout.flush();
        *out = ::testing::internal::GetCapturedStdout();
        return code;
    }

    static std::string JobOf(const std::string& summary) {
        const auto at = summary.find("job:");
        if (at == std::string::npos) return "";
        const auto start = summary.find_first_not_of(' ', at + 4);
        return summary.substr(start, summary.find('\n', start) - start);
    }
};

TEST_F(CommandHttpTest, SubmitWithIgnoredItemsExitsThreeAndResultsIgnoredPrintsOnlyThose) {
    const auto path = WriteFile("mixed.ndjson", kMixedBatch);
    std::string summary;
    EXPECT_EQ(Run(app::RunSubmit, {path.string()}, &summary), app::kExitIgnored) << summary;
    EXPECT_NE(summary.find("status:          completed\n"), std::string::npos) << summary;
    EXPECT_NE(summary.find("has_errors:      true\n"), std::string::npos) << summary;
    const std::string job = JobOf(summary);
    ASSERT_FALSE(job.empty()) << summary;
    EXPECT_NE(summary.find("ignored items:   contactd results " + job + " --server " + ApiServer::Get().BaseUrl() +
                           " --ignored\n"),
              std::string::npos)
        << summary;

    std::string results;
    EXPECT_EQ(Run(app::RunResults, {job, "--ignored"}, &results), app::kExitOk);
    const auto lines = Lines(results);
    ASSERT_EQ(lines.size(), 2u) << results;
    EXPECT_TRUE(std::all_of(lines.begin(), lines.end(), IsIgnoredLine)) << results;

    std::string paged;
    EXPECT_EQ(Run(app::RunResults, {job, "--ok", "--page-size", "2"}, &paged), app::kExitOk);
    EXPECT_EQ(Lines(paged).size(), 3u) << paged;
    EXPECT_EQ(paged.find("IGNORED"), std::string::npos) << paged;
}

TEST_F(CommandHttpTest, SubmitOfACleanJsonDocumentExitsZero) {
    const auto path = WriteFile("batch.json", R"({"items": [{"phone": "+16502530000"}]})");
    std::string summary;
    EXPECT_EQ(Run(app::RunSubmit, {path.string()}, &summary), app::kExitOk) << summary;
    EXPECT_NE(summary.find("has_errors:      false\n"), std::string::npos) << summary;
}

TEST_F(CommandHttpTest, NoWaitPrintsTheJobAndExitsZero) {
    const auto path = WriteFile("one.ndjson", "{\"phone\": \"+16502530000\"}\n");
    std::string out;
    EXPECT_EQ(Run(app::RunSubmit, {path.string(), "--no-wait", "--gzip"}, &out), app::kExitOk) << out;
    const std::string job = JobOf(out);
    ASSERT_FALSE(job.empty()) << out;
    WaitDone(job);
}

TEST_F(CommandHttpTest, ErrorsAndUsageGetTheirExitCodes) {
    std::string out;
    EXPECT_EQ(Run(app::RunResults, {kUnknownJob}, &out), app::kExitError);
    EXPECT_EQ(out, "") << "nothing on stdout for an unknown job";

    const auto path = WriteFile("one.ndjson", "{\"phone\": \"+16502530000\"}\n");
    EXPECT_EQ(Run(app::RunSubmit, {path.string(), "--mode", "insert"}, &out), app::kExitUsage);
    EXPECT_EQ(Run(app::RunSubmit, {path.string(), "--mdoe", "create"}, &out), app::kExitUsage);
    EXPECT_EQ(Run(app::RunSubmit, {(dir_ / "missing.ndjson").string()}, &out), app::kExitUsage);
    EXPECT_EQ(Run(app::RunSubmit, {}, &out), app::kExitUsage);
    EXPECT_EQ(Run(app::RunResults, {kUnknownJob, "--ok", "--ignored"}, &out), app::kExitUsage);
    EXPECT_EQ(Run(app::RunResults, {kUnknownJob, "--page-size", "1001"}, &out), app::kExitUsage);

    ::unsetenv("CONTACTD_API_KEY");
    EXPECT_EQ(app::RunSubmit({path.string()}), app::kExitUsage);

    BatchClientHttpTest::key_ = "cdk_not_a_key";
    EXPECT_EQ(Run(app::RunSubmit, {path.string()}, &out), app::kExitError);
}

}  // namespace
}  // namespace contactd::testing
