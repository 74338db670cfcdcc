// The batch client's pure parts: how a file is sent, which options are refused before any upload, the
// request target, reading status and error documents, and the exit code a job's end calls for.
#include "app/batch_client.hpp"

#include <gtest/gtest.h>

namespace contactd::app {
namespace {

TEST(BatchClientTest, FileNameDecidesMediaTypeAndEncoding) {
    const UploadFormat ndjson = UploadFormatFor("items.ndjson", false);
    EXPECT_EQ(ndjson.content_type, "application/x-ndjson");
    EXPECT_FALSE(ndjson.gzip());

    const UploadFormat stdin_format = UploadFormatFor("-", false);
    EXPECT_EQ(stdin_format.content_type, "application/x-ndjson");

    const UploadFormat json = UploadFormatFor("dir/batch.json", false);
    EXPECT_TRUE(json.json_document());
    EXPECT_EQ(json.content_type, "application/json");

    const UploadFormat gz = UploadFormatFor("items.ndjson.gz", false);
    EXPECT_EQ(gz.content_type, "application/x-ndjson");
    EXPECT_TRUE(gz.gzip_file);
    EXPECT_FALSE(gz.compress);
    EXPECT_TRUE(gz.gzip());

    const UploadFormat json_gz = UploadFormatFor("batch.json.gz", true);
    EXPECT_TRUE(json_gz.json_document());
    EXPECT_TRUE(json_gz.gzip_file);
    EXPECT_FALSE(json_gz.compress) << "a .gz file is never compressed twice";

    const UploadFormat compressed = UploadFormatFor("items.txt", true);
    EXPECT_EQ(compressed.content_type, "application/x-ndjson");
    EXPECT_TRUE(compressed.compress);
    EXPECT_FALSE(compressed.gzip_file);
}

TEST(BatchClientTest, OptionsAreCheckedBeforeAnyUpload) {
    const UploadFormat ndjson = UploadFormatFor("a.ndjson", false);
    const UploadFormat json = UploadFormatFor("a.json", false);
    SubmitOptions options;
    EXPECT_FALSE(CheckSubmitOptions(options, ndjson));
    options.mode = "create";
    options.semantics = "put";
    options.invalid_fields = "reject";
    EXPECT_FALSE(CheckSubmitOptions(options, ndjson));
    EXPECT_TRUE(CheckSubmitOptions(options, json)) << "a JSON document carries these in its body";

    SubmitOptions bad_mode;
    bad_mode.mode = "insert";
    EXPECT_TRUE(CheckSubmitOptions(bad_mode, ndjson));
    SubmitOptions bad_semantics;
    bad_semantics.semantics = "merge";
    EXPECT_TRUE(CheckSubmitOptions(bad_semantics, ndjson));
    SubmitOptions bad_fields;
    bad_fields.invalid_fields = "ignore";
    EXPECT_TRUE(CheckSubmitOptions(bad_fields, ndjson));

    SubmitOptions json_ok;
    json_ok.dry_run = true;
    json_ok.callback_url = "https://example.com/hook";
    json_ok.idempotency_key = "nightly-2026-01-01";
    EXPECT_FALSE(CheckSubmitOptions(json_ok, json));

    SubmitOptions bad_key;
    bad_key.idempotency_key = "two\nlines";
    EXPECT_TRUE(CheckSubmitOptions(bad_key, ndjson));
    bad_key.idempotency_key = std::string(256, 'k');
    EXPECT_TRUE(CheckSubmitOptions(bad_key, ndjson));
    bad_key.idempotency_key = "";
    EXPECT_TRUE(CheckSubmitOptions(bad_key, ndjson));

    SubmitOptions bad_url;
    bad_url.callback_url = "ftp://example.com";
    EXPECT_TRUE(CheckSubmitOptions(bad_url, ndjson));
}

TEST(BatchClientTest, TargetCarriesOnlyTheGivenOptionsPercentEncoded) {
    EXPECT_EQ(BatchTarget(SubmitOptions{}), "/v1/batches");
    SubmitOptions options;
    options.mode = "update";
    options.semantics = "put";
    options.invalid_fields = "reject";
    options.dry_run = true;
    options.callback_url = "https://example.com/hook?a=1&b=2";
    options.idempotency_key = "goes in a header";
    EXPECT_EQ(BatchTarget(options),
              "/v1/batches?mode=update&semantics=put&invalid_fields=reject&dry_run=true"
              "&callback_url=https%3A%2F%2Fexample.com%2Fhook%3Fa%3D1%26b%3D2");
}

TEST(BatchClientTest, StatusDocumentIsReadWithCountsCodesAndTimes) {
    const auto status = ParseBatchStatus(R"({"job_id":"abc","status":"completed","has_errors":true,"dry_run":false,
        "total_items":5,"counts":{"total":5,"processed":5,"ok":3,"ignored":2,"created":2,"updated":1,"unchanged":0,
        "with_remarks":1},"ignored_by_code":{"INVALID_ITEM":2},"items_per_second":12.5,"eta_seconds":0,
        "created_at":"2026-01-01T10:30:00.000Z","started_at":"2026-01-01T10:30:00.100Z",
        "finished_at":"2026-01-01T10:30:00.500Z","message":null,"links":{"self":"/v1/batches/abc"}})");
    ASSERT_TRUE(status);
    EXPECT_EQ(status->job_id, "abc");
    EXPECT_EQ(status->state, engine::JobState::kCompleted);
    EXPECT_TRUE(status->has_errors);
    EXPECT_FALSE(status->dry_run);
    EXPECT_EQ(status->counts.total, 5);
    EXPECT_EQ(status->counts.processed, 5);
    EXPECT_EQ(status->counts.ok, 3);
    EXPECT_EQ(status->counts.ignored, 2);
    EXPECT_EQ(status->counts.created, 2);
    EXPECT_EQ(status->counts.updated, 1);
    EXPECT_EQ(status->counts.with_remarks, 1);
    EXPECT_EQ(status->ignored_by_code.at("INVALID_ITEM"), 2);
    EXPECT_EQ(status->items_per_second, 12.5);
    EXPECT_EQ(status->eta_seconds, 0.0);
    ASSERT_TRUE(status->DurationSeconds());
    EXPECT_DOUBLE_EQ(*status->DurationSeconds(), 0.4);
    EXPECT_FALSE(status->message);
}

TEST(BatchClientTest, StatusDocumentWithUnknownEtaAndNoTimesYet) {
    const auto status = ParseBatchStatus(R"({"job_id":"abc","status":"queued","has_errors":false,
        "counts":{"total":5,"processed":0,"ok":0,"ignored":0,"created":0,"updated":0,"unchanged":0},
        "ignored_by_code":{},"items_per_second":0,"eta_seconds":null,"created_at":"2026-01-01T10:30:00.000Z",
        "started_at":null,"finished_at":null})");
    ASSERT_TRUE(status);
    EXPECT_EQ(status->state, engine::JobState::kQueued);
    EXPECT_FALSE(status->eta_seconds);
    EXPECT_FALSE(status->started_at);
    EXPECT_FALSE(status->DurationSeconds());
}

TEST(BatchClientTest, AnythingButAStatusDocumentIsRefused) {
    EXPECT_FALSE(ParseBatchStatus(""));
    EXPECT_FALSE(ParseBatchStatus("not json"));
    EXPECT_FALSE(ParseBatchStatus(R"({"error":{"code":"JOB_NOT_FOUND","message":"x"}})"));
    EXPECT_FALSE(ParseBatchStatus(R"({"job_id":"a","status":"exploded","counts":{"total":1,"processed":0,"ok":0,
        "ignored":0,"created":0,"updated":0,"unchanged":0}})"));
    EXPECT_FALSE(ParseBatchStatus(R"({"job_id":"a","status":"queued"})"));
}

TEST(BatchClientTest, ErrorDocumentGivesCodeAndMessage) {
    const ClientError error =
        ErrorFromResponse(404, R"({"error":{"code":"JOB_NOT_FOUND","message":"no batch job has the id \"x\""}})");
    EXPECT_EQ(error.http_status, 404);
    EXPECT_EQ(error.code, "JOB_NOT_FOUND");
    EXPECT_EQ(error.Describe(), "HTTP 404 JOB_NOT_FOUND: no batch job has the id \"x\"");
    EXPECT_EQ(ErrorFromResponse(502, "<html>bad gateway</html>").Describe(), "HTTP 502");
    EXPECT_EQ((ClientError{0, "TRANSPORT", "cannot talk to x: refused", ""}).Describe(), "cannot talk to x: refused");
}

TEST(BatchClientTest, ExitCodeSaysHowTheJobEnded) {
    BatchStatus status;
    status.state = engine::JobState::kCompleted;
    EXPECT_EQ(ExitCodeFor(status), kExitOk);
    status.has_errors = true;
    EXPECT_EQ(ExitCodeFor(status), kExitIgnored);
    status.state = engine::JobState::kCancelled;
    EXPECT_EQ(ExitCodeFor(status), kExitJobFailed);
    status.state = engine::JobState::kFailed;
    status.has_errors = false;
    EXPECT_EQ(ExitCodeFor(status), kExitJobFailed);
    status.state = engine::JobState::kRunning;
    EXPECT_EQ(ExitCodeFor(status), kExitOk);
}

}  // namespace
}  // namespace contactd::app
