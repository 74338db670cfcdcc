#pragma once
// The client side of batch jobs (SPEC §6, §9): upload a file to POST /v1/batches as a chunked stream, poll
// GET /v1/batches/{job} until the job ends, and stream its results. Blocking, one connection, no output of
// its own: `contactd submit` and `contactd results` (and the tests) decide what the user sees.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "engine/contact.hpp"
#include "engine/job_status.hpp"
#include "ingest/http_client.hpp"

namespace contactd::app {

//! Exit codes of `contactd submit` and `contactd results`.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;          // transport or HTTP error
inline constexpr int kExitUsage = 2;          // bad command line
inline constexpr int kExitIgnored = 3;        // completed, but some items were IGNORED (has_errors)
inline constexpr int kExitJobFailed = 4;      // cancelled or failed
inline constexpr int kExitInterrupted = 130;  // Ctrl-C while waiting: the job goes on server-side

//! A job's status document (SPEC §9 "Batch status"), parsed.
struct BatchStatus {
    std::string job_id;
    engine::JobState state = engine::JobState::kQueued;
    bool has_errors = false;
    bool dry_run = false;
    engine::JobCounts counts;
    std::map<std::string, std::int64_t> ignored_by_code;
    double items_per_second = 0;
    std::optional<double> eta_seconds;  // null while unknown
    std::optional<engine::Millis> created_at;
    std::optional<engine::Millis> started_at;
    std::optional<engine::Millis> finished_at;
    std::optional<std::string> message;  // why it failed

    //! Seconds from started_at to finished_at, when both are known.
    std::optional<double> DurationSeconds() const;
};

//! Reads a status document; nullopt when `json` is not one (no job_id, unknown status, counts missing).
std::optional<BatchStatus> ParseBatchStatus(std::string_view json);

//! The exit code a job's end calls for: 0 completed cleanly, 3 completed with IGNORED items, 4 cancelled or
//! failed; 0 for a job that has not ended (accepted is all that is known).
int ExitCodeFor(const BatchStatus& status);

//! Why a call did not succeed: an HTTP error answer (with the server's error document) or, with
//! `http_status` 0, a transport failure.
struct ClientError {
    int http_status = 0;
    std::string code;     // the error document's `error.code`, "TRANSPORT" for transport failures
    std::string message;  // its `error.message`, or what failed
    std::string body;     // the answer as received (empty for transport failures)

    //! One line for a terminal: `HTTP 404 JOB_NOT_FOUND: no batch job has the id "x"`.
    std::string Describe() const;
};

//! Reads an error answer: the code and message of an `{"error": {...}}` document, else the status alone.
ClientError ErrorFromResponse(int http_status, std::string body);

//! A value or the ClientError that prevented it.
template <class T>
class ClientResult {
  public:
    ClientResult(T value) : state_(std::move(value)) {}            // NOLINT(google-explicit-constructor)
    ClientResult(ClientError error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

    bool ok() const { return state_.index() == 0; }
    const T& value() const { return std::get<0>(state_); }
    const ClientError& error() const { return std::get<1>(state_); }

  private:
    std::variant<T, ClientError> state_;
};

//! How a file goes over the wire.
struct UploadFormat {
    std::string content_type = "application/x-ndjson";  // or application/json
    bool gzip_file = false;  // the file is gzip already: sent as-is with Content-Encoding: gzip
    bool compress = false;   // compressed with gzip on the way (--gzip)

    bool json_document() const { return content_type == "application/json"; }
    bool gzip() const { return gzip_file || compress; }
};

//! The format for a path: `*.json` (also `*.json.gz`) is a JSON document, anything else (and `-`, stdin)
//! NDJSON; a `.gz` suffix means the file is sent as it is, gzip-encoded; otherwise `compress` asks for
//! on-the-fly compression.
UploadFormat UploadFormatFor(std::string_view path, bool compress);

//! The submission options the command line sets. Unset ones are left to the server's defaults.
struct SubmitOptions {
    std::optional<std::string> mode;            // upsert | create | update
    std::optional<std::string> semantics;       // patch | put
    std::optional<std::string> invalid_fields;  // drop | reject
    bool dry_run = false;
    std::optional<std::string> callback_url;
    std::optional<std::string> idempotency_key;
};

//! A reason to refuse the options before uploading anything (an unknown mode, or options that a JSON
//! document carries in its own body), or nullopt.
std::optional<std::string> CheckSubmitOptions(const SubmitOptions& options, const UploadFormat& format);

//! `/v1/batches` with the options as percent-encoded query parameters.
std::string BatchTarget(const SubmitOptions& options);

//! Where an upload stands: bytes read from the input, bytes sent (differs when compressing), and whether
//! the last piece has gone out (the server commits the batch before it answers).
struct UploadProgress {
    std::uint64_t input_bytes = 0;
    std::uint64_t sent_bytes = 0;
    bool done = false;
};

//! An accepted batch: its status document, and whether the server answered 200 (an Idempotency-Key repeat
//! of an earlier job) instead of 202.
struct Submission {
    BatchStatus status;
    bool repeated = false;
};

//! Which results to fetch.
enum class ResultFilter { kAll, kOk, kIgnored };

//! How waiting for a job behaves.
struct WaitOptions {
    std::chrono::milliseconds interval{500};
    //! Transport failures (a server restarting) and 503s (its database away for a moment) are retried for this
    //! long before Wait gives up: the job is safe in the database meanwhile.
    std::chrono::milliseconds outage_tolerance{60000};
    //! Set (from a signal handler, say) to stop waiting; Wait then returns the last status it read.
    const std::atomic<bool>* stop = nullptr;
};

//! One contactd server and API key, one connection reused for every call.
class BatchClient {
  public:
    //! `server_url` is `http://host:port`; throws std::invalid_argument otherwise.
    BatchClient(std::string server_url, std::string api_key);

    //! Streams `input` (never held whole) as the body of POST /v1/batches, in pieces, compressing it when
    //! the format asks; `progress` is called after each piece. A read error of `input` aborts the upload
    //! without ending the body, so the server accepts nothing.
    ClientResult<Submission> Submit(std::istream& input, const UploadFormat& format, const SubmitOptions& options,
                                    const std::function<void(const UploadProgress&)>& progress = {});

    //! GET /v1/batches/{job}. A 429 is waited out (Retry-After) and asked again.
    ClientResult<BatchStatus> Status(const std::string& job_id);

    //! Polls the job every `options.interval` until it ends (or `options.stop` is set), calling `on_status`
    //! with each status read, and returns the last one.
    ClientResult<BatchStatus> Wait(const std::string& job_id, const WaitOptions& options,
                                   const std::function<void(const BatchStatus&)>& on_status = {});

    //! The whole result set as NDJSON (`Accept: application/x-ndjson`), handed to `on_data` piece by piece as
    //! it arrives; returns the number of bytes. Nothing reaches `on_data` unless the answer is 200.
    ClientResult<std::uint64_t> StreamResults(const std::string& job_id, ResultFilter filter,
                                              const std::function<void(std::string_view)>& on_data);

    //! The same lines through the paged API (`after`, `limit` = `page_size`, 1–1000): one result line (with
    //! its '\n') per `on_line` call; returns the number of lines.
    ClientResult<std::uint64_t> PageResults(const std::string& job_id, ResultFilter filter, int page_size,
                                            const std::function<void(std::string_view)>& on_line);

  private:
    std::map<std::string, std::string> Headers() const;
    //! A GET with 429s waited out; a transport failure becomes a ClientError and a fresh connection.
    ClientResult<ingest::ClientResponse> Get(const std::string& target);
    ClientError TransportError(const std::string& what);
    //! After an upload broke off: the server's refusal of any batch from this key (401, 403, 429, ...), asked
    //! with an empty batch that cannot be accepted, or nullopt when it would have taken one.
    std::optional<ClientError> ProbeRefusal();

    std::string server_url_;
    std::string api_key_;
    ingest::HttpClient http_;
};

}  // namespace contactd::app
