// Batch jobs over HTTP against a real server with its workers and a real PostgreSQL: submission in every
// form, limits, idempotency, status, results, cancel, dry run.
#include <zlib.h>

#include <pqxx/pqxx>

#include <thread>

#include "tests/ingest/api_fixture.hpp"

namespace contactd::testing {
namespace {

std::string Gzip(const std::string& plain) {
    z_stream stream{};
    deflateInit2(&stream, Z_BEST_SPEED, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&stream, plain.size()) + 64, '\0');
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
    stream.avail_in = static_cast<uInt>(plain.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    deflate(&stream, Z_FINISH);
    out.resize(stream.total_out);
    deflateEnd(&stream);
    return out;
}

class BatchApiTest : public ::testing::Test {
  protected:
    void SetUp() override {
        key_ = NewWorkspace("", &workspace_id_);
        api_ = std::make_unique<ApiClient>(ApiClient::WithKey(key_));
    }

    Reply SubmitNdjson(const std::string& body, const std::string& query = "", Headers extra = {}) {
        extra["Content-Type"] = "application/x-ndjson";
        return api_->Send("POST", "/v1/batches" + query, body, extra);
    }

    Reply SubmitJson(const std::string& body, const std::string& query = "") {
        return api_->Send("POST", "/v1/batches" + query, body);
    }

    //! Polls the job until it has finished (or 30 s have passed).
    Reply WaitFinished(const std::string& job_id) {
        Reply status;
        for (int i = 0; i < 300; ++i) {
            status = api_->Get("/v1/batches/" + job_id);
            const std::string state = status.Text("status");
            if (state != "queued" && state != "running") return status;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        ADD_FAILURE() << "job " << job_id << " did not finish: " << status.body;
        return status;
    }

    std::int64_t JobCount() {
        auto connection = ApiServer::Get().services().pool.Acquire();
        pqxx::read_transaction txn(*connection);
        return txn.exec_params1("SELECT count(*) FROM jobs WHERE workspace_id = $1", workspace_id_)[0]
            .as<std::int64_t>();
    }

    std::string key_;
    std::string workspace_id_;
    std::unique_ptr<ApiClient> api_;
};

TEST_F(BatchApiTest, NdjsonBatchIsAcceptedWith202AndEveryItemGetsAResult) {
    const Reply accepted = SubmitNdjson(
        "{\"phone\": \"+16502530000\", \"first_name\": \"Ann\", \"ref\": \"a\"}\r\n"
        "\n   \n"
        "{\"phone\": \"+16502530000\", \"title\": \"CEO\", \"priority\": 9}\n"
        "not json\n"
        "[1, 2]\n"
        "{\"first_name\": \"no identifier\"}");  // no final newline
    ASSERT_EQ(accepted.status, 202) << accepted.body;
    EXPECT_EQ(accepted.At("total_items").AsInt64(), 5);
    EXPECT_FALSE(accepted.Header("location").empty());
    const std::string job = accepted.Text("job_id");
    const Reply done = WaitFinished(job);
    EXPECT_EQ(done.Text("status"), "completed");
    EXPECT_TRUE(done.At("has_errors").AsBool());
    EXPECT_EQ(done.At("counts.processed").AsInt64(), 5);
    EXPECT_EQ(done.At("counts.created").AsInt64(), 1);
    EXPECT_EQ(done.At("counts.updated").AsInt64(), 1);
    EXPECT_EQ(done.At("counts.with_remarks").AsInt64(), 1);
    EXPECT_EQ(done.At("ignored_by_code.INVALID_ITEM").AsInt64(), 2);
    EXPECT_EQ(done.At("ignored_by_code.MISSING_IDENTIFIER").AsInt64(), 1);

    const Reply page = api_->Get("/v1/batches/" + job + "/results");
    ASSERT_EQ(page.status, 200) << page.body;
    const auto& results = page.At("results").elements();
    ASSERT_EQ(results.size(), 5u);
    EXPECT_EQ(results[0].Find("ref")->text(), "a");
    EXPECT_EQ(results[1].Find("action")->text(), "updated");
    EXPECT_EQ(results[1].Find("remarks")->elements()[0].Find("field")->text(), "priority");
    EXPECT_EQ(results[2].Find("code")->text(), "INVALID_ITEM");
    EXPECT_NE(results[2].Find("remarks")->elements()[0].Find("message")->text().find("at byte 122"), std::string::npos)
        << "the offset of the line's start: " << page.body;
    EXPECT_TRUE(page.At("next_after").IsNull());
}

TEST_F(BatchApiTest, JsonBatchCarriesItsOptionsInTheBody) {
    ASSERT_EQ(api_->Post("/v1/contacts", R"({"phone": "+16502530000"})").status, 201);
    const Reply accepted = SubmitJson(R"({"items": [{"phone": "+16502530000"}, {"phone": "+16502530001"}],
        "mode": "create", "invalid_fields": "reject"})");
    ASSERT_EQ(accepted.status, 202) << accepted.body;
    const Reply done = WaitFinished(accepted.Text("job_id"));
    EXPECT_EQ(done.At("ignored_by_code.ALREADY_EXISTS").AsInt64(), 1);
    EXPECT_EQ(done.At("counts.created").AsInt64(), 1);
}

TEST_F(BatchApiTest, GzipBodiesAreAcceptedInBothForms) {
    const Reply ndjson = SubmitNdjson(Gzip("{\"phone\": \"+16502530000\"}\n{\"phone\": \"+16502530001\"}\n"), "",
                                      {{"Content-Encoding", "gzip"}});
    ASSERT_EQ(ndjson.status, 202) << ndjson.body;
    EXPECT_EQ(ndjson.At("total_items").AsInt64(), 2);
    const Reply json = api_->Send("POST", "/v1/batches", Gzip(R"({"items": [{"phone": "+16502530002"}]})"),
                                  {{"Content-Encoding", "gzip"}});
    ASSERT_EQ(json.status, 202) << json.body;
    EXPECT_EQ(WaitFinished(json.Text("job_id")).At("counts.created").AsInt64(), 1);
    const Reply corrupt = SubmitNdjson("not gzip at all", "", {{"Content-Encoding", "gzip"}});
    EXPECT_EQ(corrupt.status, 400);
}

TEST_F(BatchApiTest, ABrokenJsonBodyIs400WithTheByteOffset) {
    const Reply reply = SubmitJson(R"({"items": [{"phone": "+16502530000"}, {"phone": }]})");
    EXPECT_EQ(reply.status, 400);
    EXPECT_EQ(reply.Text("error.code"), "INVALID_JSON");
    EXPECT_EQ(reply.At("error.offset").AsInt64(), 48);
    EXPECT_EQ(api_->Get("/v1/workspace").status, 200);
}

TEST_F(BatchApiTest, AnItemOver64KiBIsItemTooLarge) {
    const std::string big = R"({"phone": "+16502530000", "first_name": ")" + std::string(70000, 'x') + R"("})";
    const Reply accepted = SubmitNdjson(big + "\n{\"phone\": \"+16502530001\"}\n");
    ASSERT_EQ(accepted.status, 202) << accepted.body;
    const Reply done = WaitFinished(accepted.Text("job_id"));
    EXPECT_EQ(done.At("ignored_by_code.ITEM_TOO_LARGE").AsInt64(), 1);
    EXPECT_EQ(done.At("counts.created").AsInt64(), 1);
}

TEST_F(BatchApiTest, AnEmptyBatchIs400) {
    EXPECT_EQ(SubmitNdjson("\n \n\r\n").Text("error.code"), "EMPTY_BATCH");
    EXPECT_EQ(SubmitJson(R"({"items": []})").Text("error.code"), "EMPTY_BATCH");
}

TEST_F(BatchApiTest, MoreThanAMillionItemsIs413NamingTheLimit) {
    std::string body;
    body.reserve(3000003 * 3);
    for (int i = 0; i < 1000001; ++i) body += "{}\n";
    const Reply reply = SubmitNdjson(body);
    EXPECT_EQ(reply.status, 413);
    EXPECT_NE(reply.Text("error.message").find("1000000 items"), std::string::npos);
    EXPECT_EQ(JobCount(), 0);
}

TEST_F(BatchApiTest, MoreThanAGibibyteUncompressedIs413) {
    const Reply reply =
        SubmitNdjson(Gzip(std::string((std::size_t{1} << 30) + 1, '\n')), "", {{"Content-Encoding", "gzip"}});
    EXPECT_EQ(reply.status, 413);
    EXPECT_NE(reply.Text("error.message").find("1 GiB"), std::string::npos);
}

TEST_F(BatchApiTest, TheSameIdempotencyKeyAndBodyReturnTheOriginalJob) {
    const std::string body = "{\"phone\": \"+16502530000\"}\n";
    const Reply first = SubmitNdjson(body, "", {{"Idempotency-Key", "import-42"}});
    ASSERT_EQ(first.status, 202);
    const Reply again = SubmitNdjson(body, "", {{"Idempotency-Key", "import-42"}});
    EXPECT_EQ(again.status, 200);
    EXPECT_EQ(again.Text("job_id"), first.Text("job_id"));
    const Reply other = SubmitNdjson(body + body, "", {{"Idempotency-Key", "import-42"}});
    EXPECT_EQ(other.status, 422);
    EXPECT_EQ(other.Text("error.code"), "IDEMPOTENCY_KEY_REUSED");
    const Reply other_query = SubmitNdjson(body, "?mode=update", {{"Idempotency-Key", "import-42"}});
    EXPECT_EQ(other_query.status, 422) << "the query string is part of the request";
}

TEST_F(BatchApiTest, ResultsPageFilterAndStream) {
    std::string body;
    for (int i = 0; i < 30; ++i) {
        body +=
            i % 3 == 0 ? "{\"first_name\": \"x\"}\n" : "{\"phone\": \"+1650253" + std::to_string(1000 + i) + "\"}\n";
    }
    const std::string job = SubmitNdjson(body).Text("job_id");
    WaitFinished(job);
    const Reply page = api_->Get("/v1/batches/" + job + "/results?limit=7&status=IGNORED");
    ASSERT_EQ(page.At("results").elements().size(), 7u);
    EXPECT_EQ(page.At("next_after").AsInt64(), 18);
    const Reply rest = api_->Get("/v1/batches/" + job + "/results?after=18&status=IGNORED");
    EXPECT_EQ(rest.At("results").elements().size(), 3u);
    EXPECT_TRUE(rest.At("next_after").IsNull());
    EXPECT_EQ(api_->Get("/v1/batches/" + job + "/results?limit=1001").status, 400);
    EXPECT_EQ(api_->Get("/v1/batches/" + job + "/results?status=maybe").status, 400);

    std::string streamed;
    ingest::HttpClient client(ApiServer::Get().BaseUrl());
    const int status = client.Download("/v1/batches/" + job + "/results?status=OK",
                                       {{"Authorization", "Bearer " + key_}, {"Accept", "application/x-ndjson"}},
                                       [&](const std::string& piece) { streamed += piece; });
    EXPECT_EQ(status, 200);
    EXPECT_EQ(std::count(streamed.begin(), streamed.end(), '\n'), 20);
    EXPECT_EQ(streamed.find("IGNORED"), std::string::npos);
}

TEST_F(BatchApiTest, CancelAnswers202ThenJobFinishedAndUnknownJobsAre404) {
    std::string body;
    for (int i = 0; i < 3000; ++i) body += "{\"phone\": \"+165025" + std::to_string(30000 + i) + "\"}\n";
    const std::string job = SubmitNdjson(body).Text("job_id");
    const Reply cancelled = api_->Send("DELETE", "/v1/batches/" + job);
    if (cancelled.status == 202) {
        EXPECT_EQ(cancelled.Text("status"), "cancelled");
    } else {
        EXPECT_EQ(cancelled.status, 409) << "the job finished before the cancel: " << cancelled.body;
    }
    const Reply done = WaitFinished(job);
    EXPECT_EQ(done.At("counts.processed").AsInt64(), 3000);
    EXPECT_EQ(api_->Send("DELETE", "/v1/batches/" + job).status, 409);
    EXPECT_EQ(api_->Send("DELETE", "/v1/batches/" + job).Text("error.code"), "JOB_FINISHED");
    EXPECT_EQ(api_->Get("/v1/batches/00000000-0000-4000-8000-000000000000").Text("error.code"), "JOB_NOT_FOUND");
    EXPECT_EQ(api_->Get("/v1/batches/not-a-job/results").status, 404);
}

TEST_F(BatchApiTest, DryRunReportsWithoutPersisting) {
    const Reply accepted = SubmitNdjson(
        "{\"phone\": \"+16502530000\"}\n{\"phone\": \"+16502530000\", \"title\": \"x\"}\n", "?dry_run=true");
    ASSERT_EQ(accepted.status, 202) << accepted.body;
    EXPECT_TRUE(accepted.At("dry_run").AsBool());
    const Reply done = WaitFinished(accepted.Text("job_id"));
    EXPECT_EQ(done.At("counts.created").AsInt64(), 1);
    EXPECT_EQ(done.At("counts.updated").AsInt64(), 1);
    EXPECT_EQ(api_->Post("/v1/contacts/search", R"({"phone": "+16502530000"})").At("total_count").AsInt64(), 0);
}

TEST_F(BatchApiTest, BadSubmissionsAreRefusedUpFront) {
    EXPECT_EQ(api_->Send("POST", "/v1/batches", "a,b", {{"Content-Type", "text/csv"}}).status, 415);
    EXPECT_EQ(SubmitNdjson("{}\n", "?mode=merge").status, 400);
    EXPECT_EQ(SubmitNdjson("{}\n", "?callback_url=ftp://x").status, 400);
    EXPECT_EQ(SubmitNdjson("{}\n", "?colour=red").status, 400);
    EXPECT_EQ(SubmitJson(R"({"items": [{}], "colour": "red"})").status, 400);
    EXPECT_EQ(ApiClient().Send("POST", "/v1/batches", "{}\n", {{"Content-Type", "application/x-ndjson"}}).status, 401);
    const Reply created =
        ApiClient::Admin().Post("/v1/admin/workspaces/" + workspace_id_ + "/keys", R"({"scope": "read"})");
    ApiClient reader = ApiClient::WithKey(created.Text("api_key"));
    EXPECT_EQ(reader.Send("POST", "/v1/batches", "{}\n", {{"Content-Type", "application/x-ndjson"}}).status, 403);
}

}  // namespace
}  // namespace contactd::testing
