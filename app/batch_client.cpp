#include "app/batch_client.hpp"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <istream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "engine/date_time.hpp"
#include "engine/json.hpp"
#include "ingest/json_input.hpp"

namespace contactd::app {

namespace {

// The upload reads and sends the file in pieces of this size; the server reads its body the same way.
constexpr std::size_t kPieceBytes = 256 * 1024;
// A results download is held back until this much has arrived, so a short error document (429, 500) is
// never mistaken for results; after that the answer can only be a 200 stream and passes straight through.
constexpr std::size_t kHoldBackBytes = 16 * 1024;
constexpr int kMaxRateLimitRetries = 10;
constexpr std::chrono::seconds kMaxRetryAfter{10};
// Stop flags are checked this often while sleeping between polls.
constexpr std::chrono::milliseconds kSleepSlice{50};

//! The input could not be read: the upload must end without its last chunk, so nothing is accepted.
class InputReadError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

//! gzip (RFC 1952) compression of a stream, piece by piece.
class GzipCompressor {
  public:
    GzipCompressor() {
        // Fastest level: the upload should be limited by the network, not by the compressor.
        constexpr int kGzipWindowBits = 15 + 16;
        if (deflateInit2(&stream_, Z_BEST_SPEED, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
            throw std::runtime_error("zlib could not start a gzip stream");
        }
    }
    ~GzipCompressor() { deflateEnd(&stream_); }
    GzipCompressor(const GzipCompressor&) = delete;
    GzipCompressor& operator=(const GzipCompressor&) = delete;

    //! Appends the compressed form of `input` to `out`; `finish` ends the gzip stream.
    void Compress(std::string_view input, bool finish, std::string& out) {
        stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
        stream_.avail_in = static_cast<uInt>(input.size());
        char buffer[64 * 1024];
        do {
            stream_.next_out = reinterpret_cast<Bytef*>(buffer);
            stream_.avail_out = sizeof buffer;
            if (deflate(&stream_, finish ? Z_FINISH : Z_NO_FLUSH) == Z_STREAM_ERROR) {
                throw std::runtime_error("zlib failed to compress");
            }
            out.append(buffer, sizeof buffer - stream_.avail_out);
        } while (stream_.avail_out == 0);
    }

  private:
    z_stream stream_{};
};

bool EndsWith(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::string PercentEncode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(c);
        } else {
            out.push_back('%');
            out.push_back(kHex[byte >> 4]);
            out.push_back(kHex[byte & 0xF]);
        }
    }
    return out;
}

//! `path?a=b&c=d` from the parameters that are set.
std::string WithQuery(std::string path, const std::vector<std::pair<std::string, std::string>>& parameters) {
    char separator = '?';
    for (const auto& [name, value] : parameters) {
        path += separator;
        path += name + "=" + PercentEncode(value);
        separator = '&';
    }
    return path;
}

std::string JobPath(const std::string& job_id) { return "/v1/batches/" + PercentEncode(job_id); }

std::vector<std::pair<std::string, std::string>> FilterParameters(ResultFilter filter) {
    switch (filter) {
        case ResultFilter::kOk:
            return {{"status", "OK"}};
        case ResultFilter::kIgnored:
            return {{"status", "IGNORED"}};
        case ResultFilter::kAll:
            break;
    }
    return {};
}

std::optional<std::int64_t> Integer(const engine::Json* value) {
    if (value == nullptr || !value->FitsInt64()) return std::nullopt;
    return value->AsInt64();
}

std::optional<engine::Millis> Timestamp(const engine::Json& document, std::string_view name) {
    const engine::Json* value = document.Find(name);
    if (value == nullptr || !value->IsString()) return std::nullopt;
    auto parsed = engine::ParseRfc3339(value->text());
    if (!parsed.ok()) return std::nullopt;
    return parsed.value();
}

bool ReadCounts(const engine::Json* counts, engine::JobCounts& out) {
    if (counts == nullptr || !counts->IsObject()) return false;
    const std::pair<const char*, std::int64_t*> kFields[] = {
        {"total", &out.total},         {"processed", &out.processed},      {"ok", &out.ok},
        {"ignored", &out.ignored},     {"created", &out.created},          {"updated", &out.updated},
        {"unchanged", &out.unchanged}, {"with_remarks", &out.with_remarks}};
    for (const auto& [name, field] : kFields) {
        const auto value = Integer(counts->Find(name));
        if (!value && std::string_view(name) != "with_remarks") return false;  // with_remarks came later
        *field = value.value_or(0);
    }
    return true;
}

// A failure that says nothing about the job: the server unreachable, or its database away (503).
bool IsPassingOutage(const ClientError& error) { return error.http_status == 0 || error.http_status == 503; }

std::chrono::seconds RetryAfter(const ingest::ClientResponse& response) {
    long long seconds = 1;
    if (const auto it = response.headers.find("retry-after"); it != response.headers.end()) {
        const std::string& text = it->second;
        std::from_chars(text.data(), text.data() + text.size(), seconds);
    }
    return std::clamp(std::chrono::seconds(seconds), std::chrono::seconds(1), kMaxRetryAfter);
}

bool Stopped(const std::atomic<bool>* stop) { return stop != nullptr && stop->load(); }

void SleepUnlessStopped(std::chrono::milliseconds duration, const std::atomic<bool>* stop) {
    const auto until = std::chrono::steady_clock::now() + duration;
    while (!Stopped(stop)) {
        const auto left = until - std::chrono::steady_clock::now();
        if (left <= std::chrono::steady_clock::duration::zero()) return;
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(left, kSleepSlice));
    }
}

}  // namespace

std::optional<double> BatchStatus::DurationSeconds() const {
    if (!started_at || !finished_at) return std::nullopt;
    return static_cast<double>(*finished_at - *started_at) / 1000.0;
}

std::optional<BatchStatus> ParseBatchStatus(std::string_view json) {
    const auto parsed = ingest::ParseJsonInput(json);
    if (!parsed.ok() || !parsed.value().IsObject()) return std::nullopt;
    const engine::Json& document = parsed.value();
    BatchStatus status;
    const engine::Json* job_id = document.Find("job_id");
    const engine::Json* state = document.Find("status");
    if (job_id == nullptr || !job_id->IsString() || state == nullptr || !state->IsString()) return std::nullopt;
    status.job_id = job_id->text();
    const auto job_state = engine::ParseJobState(state->text());
    if (!job_state) return std::nullopt;
    status.state = *job_state;
    if (!ReadCounts(document.Find("counts"), status.counts)) return std::nullopt;
    const auto flag = [&](std::string_view name) {
        const engine::Json* value = document.Find(name);
        return value != nullptr && value->IsBool() && value->AsBool();
    };
    status.has_errors = flag("has_errors");
    status.dry_run = flag("dry_run");
    if (const engine::Json* codes = document.Find("ignored_by_code"); codes != nullptr && codes->IsObject()) {
        for (const auto& [code, count] : codes->members()) {
            if (const auto n = Integer(&count)) status.ignored_by_code[code] = *n;
        }
    }
    if (const engine::Json* rate = document.Find("items_per_second"); rate != nullptr && rate->IsNumber()) {
        status.items_per_second = rate->AsDouble();
    }
    if (const engine::Json* eta = document.Find("eta_seconds"); eta != nullptr && eta->IsNumber()) {
        status.eta_seconds = eta->AsDouble();
    }
    status.created_at = Timestamp(document, "created_at");
    status.started_at = Timestamp(document, "started_at");
    status.finished_at = Timestamp(document, "finished_at");
    if (const engine::Json* message = document.Find("message"); message != nullptr && message->IsString()) {
        status.message = message->text();
    }
    return status;
}

int ExitCodeFor(const BatchStatus& status) {
    switch (status.state) {
        case engine::JobState::kCompleted:
            return status.has_errors ? kExitIgnored : kExitOk;
        case engine::JobState::kCancelled:
        case engine::JobState::kFailed:
            return kExitJobFailed;
        case engine::JobState::kQueued:
        case engine::JobState::kRunning:
            break;
    }
    return kExitOk;
}

std::string ClientError::Describe() const {
    if (http_status == 0) return message;
    std::string text = "HTTP " + std::to_string(http_status);
    if (!code.empty()) text += " " + code;
    if (!message.empty()) text += ": " + message;
    return text;
}

ClientError ErrorFromResponse(int http_status, std::string body) {
    ClientError error{http_status, "", "", std::move(body)};
    const auto parsed = ingest::ParseJsonInput(error.body);
    const engine::Json* object = parsed.ok() && parsed.value().IsObject() ? parsed.value().Find("error") : nullptr;
    if (object != nullptr && object->IsObject()) {
        if (const engine::Json* code = object->Find("code"); code != nullptr && code->IsString()) {
            error.code = code->text();
        }
        if (const engine::Json* message = object->Find("message"); message != nullptr && message->IsString()) {
            error.message = message->text();
        }
    }
    return error;
}

UploadFormat UploadFormatFor(std::string_view path, bool compress) {
    UploadFormat format;
    std::string_view name = path;
    if (EndsWith(name, ".gz")) {
        format.gzip_file = true;
        name.remove_suffix(3);
    }
    if (EndsWith(name, ".json")) format.content_type = "application/json";
    format.compress = compress && !format.gzip_file;
    return format;
}

std::optional<std::string> CheckSubmitOptions(const SubmitOptions& options, const UploadFormat& format) {
    const auto one_of = [](const std::optional<std::string>& value, std::initializer_list<std::string_view> allowed) {
        return !value || std::find(allowed.begin(), allowed.end(), *value) != allowed.end();
    };
    if (!one_of(options.mode, {"upsert", "create", "update"})) return "--mode must be upsert, create or update";
    if (!one_of(options.semantics, {"patch", "put"})) return "--semantics must be patch or put";
    if (!one_of(options.invalid_fields, {"drop", "reject"})) return "--invalid-fields must be drop or reject";
    if (format.json_document() && (options.mode || options.semantics || options.invalid_fields)) {
        return "a .json document carries mode, semantics and invalid_fields in its own body; "
               "--mode, --semantics and --invalid-fields are for NDJSON files";
    }
    if (options.idempotency_key) {
        const std::string& key = *options.idempotency_key;
        const bool printable = std::none_of(key.begin(), key.end(),
                                            [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
        if (key.empty() || key.size() > 255 || !printable) {
            return "--idempotency-key must be 1 to 255 characters without control characters";
        }
    }
    if (options.callback_url && options.callback_url->rfind("http://", 0) != 0 &&
        options.callback_url->rfind("https://", 0) != 0) {
        return "--callback-url must be an http or https URL";
    }
    return std::nullopt;
}

std::string BatchTarget(const SubmitOptions& options) {
    std::vector<std::pair<std::string, std::string>> parameters;
    if (options.mode) parameters.emplace_back("mode", *options.mode);
    if (options.semantics) parameters.emplace_back("semantics", *options.semantics);
    if (options.invalid_fields) parameters.emplace_back("invalid_fields", *options.invalid_fields);
    if (options.dry_run) parameters.emplace_back("dry_run", "true");
    if (options.callback_url) parameters.emplace_back("callback_url", *options.callback_url);
    return WithQuery("/v1/batches", parameters);
}

BatchClient::BatchClient(std::string server_url, std::string api_key)
    : server_url_(std::move(server_url)), api_key_(std::move(api_key)), http_(server_url_) {}

std::map<std::string, std::string> BatchClient::Headers() const {
    return {{"Authorization", "Bearer " + api_key_}, {"Accept", "application/json"}};
}

ClientError BatchClient::TransportError(const std::string& what) {
    http_ = ingest::HttpClient(server_url_);  // the old connection is in an unknown state
    return ClientError{0, "TRANSPORT", "cannot talk to " + server_url_ + ": " + what, ""};
}

ClientResult<ingest::ClientResponse> BatchClient::Get(const std::string& target) {
    for (int attempt = 0;; ++attempt) {
        ingest::ClientResponse response;
        try {
            response = http_.Request("GET", target, Headers());
        } catch (const std::exception& failure) {
            return TransportError(failure.what());
        }
        if (response.status != 429 || attempt >= kMaxRateLimitRetries) return response;
        std::this_thread::sleep_for(RetryAfter(response));
    }
}

std::optional<ClientError> BatchClient::ProbeRefusal() {
    try {
        auto headers = Headers();
        headers["Content-Type"] = "application/x-ndjson";
        const ingest::ClientResponse response = http_.Request("POST", "/v1/batches", headers, "");
        if (response.status >= 300 && response.status != 400) return ErrorFromResponse(response.status, response.body);
    } catch (const std::exception&) {
        http_ = ingest::HttpClient(server_url_);
    }
    return std::nullopt;
}

ClientResult<Submission> BatchClient::Submit(std::istream& input, const UploadFormat& format,
                                             const SubmitOptions& options,
                                             const std::function<void(const UploadProgress&)>& progress) {
    auto headers = Headers();
    headers["Content-Type"] = format.content_type;
    if (format.gzip()) headers["Content-Encoding"] = "gzip";
    if (options.idempotency_key) headers["Idempotency-Key"] = *options.idempotency_key;

    std::optional<GzipCompressor> compressor;
    if (format.compress) compressor.emplace();
    std::vector<char> buffer(kPieceBytes);
    UploadProgress state;
    bool began = false;
    const auto next = [&](std::string& piece) {
        began = true;
        errno = 0;
        input.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        if (input.bad()) {
            throw InputReadError(errno != 0 ? std::string("cannot read the input: ") + std::strerror(errno)
                                            : std::string("cannot read the input"));
        }
        const auto got = static_cast<std::size_t>(input.gcount());
        const bool last = input.eof();
        state.input_bytes += got;
        if (compressor) {
            compressor->Compress(std::string_view(buffer.data(), got), last, piece);
        } else {
            piece.assign(buffer.data(), got);
        }
        state.sent_bytes += piece.size();
        state.done = last;
        if (progress) progress(state);
        return !last;
    };

    ingest::ClientResponse response;
    try {
        response = http_.Stream("POST", BatchTarget(options), headers, next);
    } catch (const InputReadError& failure) {
        http_ = ingest::HttpClient(server_url_);  // drop the unfinished body: the server accepts nothing
        return ClientError{0, "READ_ERROR", failure.what(), ""};
    } catch (const std::exception& failure) {
        if (state.done) {
            return TransportError(
                std::string(failure.what()) + " (after the whole batch was sent: the server may have accepted it" +
                (options.idempotency_key ? "; submitting again with the same --idempotency-key cannot create it twice)"
                                         : ")"));
        }
        if (!began) return TransportError(failure.what());  // no connection at all
        const std::string what = failure.what();
        http_ = ingest::HttpClient(server_url_);
        // The server answers a refusal at once and stops reading; the answer is lost with the connection.
        if (auto refusal = ProbeRefusal()) return *refusal;
        return TransportError(what + " (during the upload)");
    }
    if (response.status != 202 && response.status != 200) {
        return ErrorFromResponse(response.status, std::move(response.body));
    }
    auto status = ParseBatchStatus(response.body);
    if (!status) {
        return ClientError{response.status, "BAD_RESPONSE", "the answer is not a job status document",
                           std::move(response.body)};
    }
    return Submission{std::move(*status), response.status == 200};
}

ClientResult<BatchStatus> BatchClient::Status(const std::string& job_id) {
    auto response = Get(JobPath(job_id));
    if (!response.ok()) return response.error();
    const ingest::ClientResponse& answer = response.value();
    if (answer.status != 200) return ErrorFromResponse(answer.status, answer.body);
    auto status = ParseBatchStatus(answer.body);
    if (!status)
        return ClientError{answer.status, "BAD_RESPONSE", "the answer is not a job status document", answer.body};
    return std::move(*status);
}

ClientResult<BatchStatus> BatchClient::Wait(const std::string& job_id, const WaitOptions& options,
                                            const std::function<void(const BatchStatus&)>& on_status) {
    using Clock = std::chrono::steady_clock;
    std::optional<BatchStatus> last;
    std::optional<Clock::time_point> outage_since;
    while (!Stopped(options.stop)) {
        auto status = Status(job_id);
        if (status.ok()) {
            outage_since.reset();
            last = status.value();
            if (on_status) on_status(*last);
            if (engine::IsFinished(last->state)) return *last;
        } else {
            if (!IsPassingOutage(status.error())) return status.error();
            const auto now = Clock::now();
            if (!outage_since) outage_since = now;
            if (now - *outage_since >= options.outage_tolerance) return status.error();
        }
        SleepUnlessStopped(options.interval, options.stop);
    }
    if (last) return *last;
    return ClientError{0, "INTERRUPTED", "stopped before the job's status was read", ""};
}

ClientResult<std::uint64_t> BatchClient::StreamResults(const std::string& job_id, ResultFilter filter,
                                                       const std::function<void(std::string_view)>& on_data) {
    const std::string target = WithQuery(JobPath(job_id) + "/results", FilterParameters(filter));
    auto headers = Headers();
    headers["Accept"] = "application/x-ndjson";
    for (int attempt = 0;; ++attempt) {
        std::string held;
        bool passing = false;
        std::uint64_t bytes = 0;
        const auto pass = [&](std::string_view data) {
            bytes += data.size();
            on_data(data);
        };
        int status = 0;
        try {
            status = http_.Download(target, headers, [&](const std::string& piece) {
                if (passing) return pass(piece);
                held += piece;
                if (held.size() < kHoldBackBytes) return;
                passing = true;
                pass(held);
                std::string().swap(held);
            });
        } catch (const std::exception& failure) {
            if (passing || attempt > 0) return TransportError(failure.what());
            // Boost 1.74's parser refuses every Content-Length body when no body limit is set, and error answers
            // are not chunked: such an answer surfaces here as "body limit exceeded". Nothing has been passed on
            // yet, so ask for one result without streaming to read the server's answer.
            http_ = ingest::HttpClient(server_url_);
            auto parameters = FilterParameters(filter);
            parameters.emplace_back("limit", "1");
            auto answer = Get(WithQuery(JobPath(job_id) + "/results", parameters));
            if (!answer.ok()) return answer.error();
            if (answer.value().status != 200) return ErrorFromResponse(answer.value().status, answer.value().body);
            continue;  // the server would answer: stream once more
        }
        if (status == 200) {
            if (!held.empty()) pass(held);
            return bytes;
        }
        if (status == 429 && !passing && attempt < kMaxRateLimitRetries) {
            std::this_thread::sleep_for(std::chrono::seconds(1));
            continue;
        }
        return ErrorFromResponse(status, std::move(held));
    }
}

ClientResult<std::uint64_t> BatchClient::PageResults(const std::string& job_id, ResultFilter filter, int page_size,
                                                     const std::function<void(std::string_view)>& on_line) {
    std::uint64_t lines = 0;
    std::optional<std::int64_t> after;
    while (true) {
        auto parameters = FilterParameters(filter);
        parameters.emplace_back("limit", std::to_string(page_size));
        if (after) parameters.emplace_back("after", std::to_string(*after));
        auto response = Get(WithQuery(JobPath(job_id) + "/results", parameters));
        if (!response.ok()) return response.error();
        const ingest::ClientResponse& answer = response.value();
        if (answer.status != 200) return ErrorFromResponse(answer.status, answer.body);
        const auto page = ingest::ParseJsonInput(answer.body);
        const engine::Json* results = page.ok() && page.value().IsObject() ? page.value().Find("results") : nullptr;
        if (results == nullptr || !results->IsArray()) {
            return ClientError{answer.status, "BAD_RESPONSE", "the answer is not a results page", answer.body};
        }
        for (const engine::Json& result : results->elements()) {
            std::string line = result.ToJsonText();
            line.push_back('\n');
            on_line(line);
            ++lines;
        }
        const auto next_after = Integer(page.value().Find("next_after"));
        if (!next_after || results->elements().empty()) return lines;
        after = *next_after;
    }
}

}  // namespace contactd::app
