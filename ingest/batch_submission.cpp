#include "ingest/batch_submission.hpp"

#include <memory>

#include "engine/job_status.hpp"
#include "engine/json_writer.hpp"
#include "engine/text_rules.hpp"
#include "engine/url.hpp"
#include "ingest/api_guard.hpp"
#include "ingest/gzip_decoder.hpp"
#include "ingest/item_syntax.hpp"
#include "ingest/json_batch_splitter.hpp"
#include "ingest/json_input.hpp"
#include "ingest/ndjson_splitter.hpp"
#include "storage/ids.hpp"
#include "storage/job_writer.hpp"

namespace contactd::ingest {

namespace {

enum class BodyFormat { kNdjson, kJson };

HttpResponse BadParameter(std::string_view message) { return ErrorResponse(400, "INVALID_PARAMETER", message); }

HttpResponse TooManyItems() {
    return ErrorResponse(413, "PAYLOAD_TOO_LARGE",
                         "a batch holds at most " + std::to_string(kMaxBatchItems) + " items");
}

HttpResponse TooManyBytes() {
    return ErrorResponse(413, "PAYLOAD_TOO_LARGE", "a batch is at most 1 GiB (1073741824 bytes) uncompressed");
}

HttpResponse SyntaxError(std::uint64_t offset, std::string_view message) {
    return ErrorResponse(400, "INVALID_JSON", message, {}, [offset](engine::JsonWriter& writer) {
        writer.Key("offset").Int(static_cast<std::int64_t>(offset));
    });
}

//! The options of a batch as far as they are known: the query's, then (JSON bodies) the body's.
struct BatchOptions {
    storage::JobOptions job;
    bool dry_run_given = false;
    bool callback_given = false;
};

//! Sets one option from text (query parameter) or JSON (body member); a message when it is refused.
std::optional<std::string> SetOption(BatchOptions& options, std::string_view name, const engine::Json& value) {
    const auto text = [&]() -> std::optional<std::string> {
        if (!value.IsString()) return std::nullopt;
        return value.text();
    };
    if (name == "mode") {
        const auto mode = text() ? engine::ParseWriteMode(*text()) : std::nullopt;
        if (!mode) return "mode must be \"upsert\", \"create\" or \"update\"";
        options.job.write.mode = *mode;
    } else if (name == "semantics") {
        const auto semantics = text() ? engine::ParseSemantics(*text()) : std::nullopt;
        if (!semantics) return "semantics must be \"patch\" or \"put\"";
        options.job.write.semantics = *semantics;
    } else if (name == "invalid_fields") {
        if (!text() || (*text() != "drop" && *text() != "reject"))
            return "invalid_fields must be \"drop\" or \"reject\"";
        options.job.write.reject_invalid_fields = *text() == "reject";
    } else if (name == "dry_run") {
        if (!value.IsBool()) return "dry_run must be true or false";
        options.job.dry_run = value.AsBool();
        options.dry_run_given = true;
    } else if (name == "callback_url") {
        if (value.IsNull()) return std::nullopt;
        const auto url = text() ? engine::CheckHttpUrl(*text()) : engine::Checked<std::string>(engine::Problem{});
        if (!text() || !url.ok()) return "callback_url must be an absolute http or https URL";
        options.job.callback_url = url.value();
        options.callback_given = true;
    } else {
        return "\"" + std::string(name) + "\" is not a batch option";
    }
    return std::nullopt;
}

//! Reads the body piece by piece and stages its items; answers when it is complete.
class BatchSink : public RequestBodySink {
  public:
    BatchSink(ApiServices& services, storage::Principal caller, RateDecision budget, BatchOptions options,
              BodyFormat format, bool gzip, std::optional<std::string> idempotency_key, std::string raw_query)
        : services_(services),
          caller_(std::move(caller)),
          budget_(budget),
          options_(std::move(options)),
          format_(format),
          gzip_(gzip ? std::make_unique<GzipDecoder>() : nullptr),
          idempotency_key_(std::move(idempotency_key)),
          raw_query_(std::move(raw_query)),
          writer_(services.database_url, caller_.workspace.id) {}

    std::optional<HttpResponse> Feed(std::string_view bytes) override {
        hash_.Update(bytes);
        if (gzip_) {
            if (auto error = gzip_->Feed(bytes, [this](std::string_view plain) { return Consume(plain); })) {
                return Answer(ErrorResponse(400, "INVALID_GZIP", error->message));
            }
        } else {
            Consume(bytes);
        }
        if (early_) return Answer(std::move(*early_));
        return std::nullopt;
    }

    HttpResponse Finish() override {
        if (gzip_) {
            if (auto error = gzip_->Finish()) return Answer(ErrorResponse(400, "INVALID_GZIP", error->message));
        }
        if (format_ == BodyFormat::kNdjson) {
            ndjson_.Finish([this](const BatchItem& item) { return Stage(item); });
        } else {
            if (auto error = json_.Finish()) return Answer(SyntaxError(error->offset, error->message));
            if (auto refused = ReadBodyOptions()) return Answer(std::move(*refused));
        }
        if (early_) return Answer(std::move(*early_));
        if (writer_.item_count() == 0) return Answer(ErrorResponse(400, "EMPTY_BATCH", "the batch has no items"));
        hash_.Update("?");
        hash_.Update(raw_query_);
        const engine::Millis now = services_.now();
        const storage::Acceptance acceptance = writer_.Commit(options_.job, idempotency_key_, hash_.Finish(), now);
        if (acceptance.result == storage::Acceptance::Result::kKeyReused) {
            return Answer(
                ErrorResponse(422, "IDEMPOTENCY_KEY_REUSED",
                              "this Idempotency-Key was used for a different request (job " + acceptance.job_id + ")"));
        }
        const bool accepted = acceptance.result == storage::Acceptance::Result::kAccepted;
        if (accepted) services_.job_accepted();
        std::optional<engine::JobStatus> status;
        try {
            status = services_.jobs.Status(caller_.workspace.id, acceptance.job_id);
        } catch (const std::exception&) {
            // The job is committed: a failure now must not reach the client as one that invites a resend.
        }
        if (!status && accepted) status = JustAccepted(acceptance.job_id, now);
        if (!status) {
            return Answer(ErrorResponse(500, "INTERNAL_ERROR",
                                        "the batch is job " + acceptance.job_id +
                                            ", whose status could not be read; ask GET /v1/batches/" +
                                            acceptance.job_id));
        }
        HttpResponse response = JsonResponse(accepted ? 202 : 200, engine::JobStatusJson(*status, services_.now()));
        response.headers.Set("Location", "/v1/batches/" + acceptance.job_id);
        return Answer(std::move(response));
    }

  private:
    //! The status of a job this request has just committed, as the database would give it.
    engine::JobStatus JustAccepted(const std::string& job_id, engine::Millis now) const {
        engine::JobStatus status;
        status.job_id = job_id;
        status.state = engine::JobState::kQueued;
        status.dry_run = options_.job.dry_run;
        status.tally.counts.total = static_cast<std::int64_t>(writer_.item_count());
        status.created_at = now;
        return status;
    }

    HttpResponse Answer(HttpResponse response) {
        RateLimiter::AddHeaders(response, budget_);
        return response;
    }

    // Uncompressed body bytes: counted against the limit and split into items. False stops the decoder.
    bool Consume(std::string_view bytes) {
        if (early_) return false;
        uncompressed_ += bytes.size();
        if (uncompressed_ > kMaxBatchBytes) {
            early_ = TooManyBytes();
            return false;
        }
        const auto stage = [this](const BatchItem& item) { return Stage(item); };
        if (format_ == BodyFormat::kNdjson) {
            ndjson_.Feed(bytes, stage);
        } else if (auto error = json_.Feed(bytes, stage)) {
            if (!early_) early_ = SyntaxError(error->offset, error->message);
        }
        return !early_;
    }

    // One item, in order: too large and broken NDJSON lines are staged with their outcome; a broken element
    // of a JSON document breaks the whole body (400).
    bool Stage(const BatchItem& item) {
        if (writer_.item_count() >= kMaxBatchItems) {
            early_ = TooManyItems();
            return false;
        }
        if (item.too_large) {
            writer_.Add(storage::ChunkItemKind::kTooLarge, item.offset, std::to_string(item.size));
            return true;
        }
        const ItemSyntaxResult syntax = checker_.Check(item.bytes);
        if (syntax.error) {
            const std::uint64_t offset = item.offset + syntax.error->offset;
            if (format_ == BodyFormat::kJson) {
                early_ = SyntaxError(offset, syntax.error->message + " (at byte " + std::to_string(offset) + ")");
                return false;
            }
            writer_.Add(storage::ChunkItemKind::kInvalid, item.offset,
                        syntax.error->message + " (at byte " + std::to_string(offset) + ")");
            return true;
        }
        writer_.Add(storage::ChunkItemKind::kJson, item.offset, item.bytes);
        return true;
    }

    std::optional<HttpResponse> ReadBodyOptions() {
        for (const JsonBatchMember& member : json_.members()) {
            if (member.too_large) return BadParameter("a batch option is too large");
            auto parsed = ParseJsonInput(member.value);
            if (!parsed.ok()) return SyntaxError(member.offset + parsed.error().offset, parsed.error().message);
            const bool dry_run_from_query = options_.dry_run_given && member.name == "dry_run";
            const bool callback_from_query = options_.callback_given && member.name == "callback_url";
            if (dry_run_from_query || callback_from_query) {
                return BadParameter(member.name + " is given both in the query and in the body");
            }
            if (auto refused = SetOption(options_, member.name, parsed.value())) return BadParameter(*refused);
        }
        return std::nullopt;
    }

    ApiServices& services_;
    storage::Principal caller_;
    RateDecision budget_;
    BatchOptions options_;
    BodyFormat format_;
    std::unique_ptr<GzipDecoder> gzip_;
    std::optional<std::string> idempotency_key_;
    std::string raw_query_;
    storage::JobWriter writer_;
    NdjsonSplitter ndjson_;
    JsonBatchSplitter json_;
    ItemSyntaxChecker checker_;
    storage::Sha256Stream hash_;
    std::uint64_t uncompressed_ = 0;
    std::optional<HttpResponse> early_;
};

//! The options given as query parameters (NDJSON bodies carry them all there; JSON bodies may give
//! dry_run and callback_url there).
std::variant<BatchOptions, HttpResponse> QueryOptions(const HttpRequest& request, BodyFormat format) {
    BatchOptions options;
    for (const auto& [name, value] : request.query) {
        const bool body_option = name == "mode" || name == "semantics" || name == "invalid_fields";
        if (format == BodyFormat::kJson && body_option) {
            return BadParameter(name + " goes in the JSON body (query parameters are for NDJSON bodies)");
        }
        engine::Json json = engine::Json::String(value);
        if (name == "dry_run") {
            if (value != "true" && value != "false") return BadParameter("dry_run must be true or false");
            json = engine::Json::Bool(value == "true");
        }
        if (auto refused = SetOption(options, name, json)) return BadParameter(*refused);
    }
    return options;
}

}  // namespace

StreamingHandler BatchSubmissionHandler(ApiServices& services) {
    return [&services](HttpRequest& request) -> SinkOrResponse {
        std::optional<RateDecision> budget;
        auto admitted = Admit(services, request, Access::kWrite, budget);
        const auto answer = [&](HttpResponse response) -> SinkOrResponse {
            if (budget) RateLimiter::AddHeaders(response, *budget);
            return response;
        };
        if (auto* refused = std::get_if<HttpResponse>(&admitted)) return answer(std::move(*refused));

        const std::string content_type = engine::AsciiLower(request.headers.Find("Content-Type").value_or(""));
        const std::string media = std::string(engine::TrimAsciiSpace(content_type.substr(0, content_type.find(';'))));
        BodyFormat format;
        if (media == "application/x-ndjson" || media == "application/ndjson") {
            format = BodyFormat::kNdjson;
        } else if (media == "application/json") {
            format = BodyFormat::kJson;
        } else {
            return answer(ErrorResponse(415, "UNSUPPORTED_MEDIA_TYPE",
                                        "send Content-Type: application/x-ndjson (one item per line) or "
                                        "application/json ({\"items\": [...]})"));
        }
        const std::string encoding = engine::AsciiLower(request.headers.Find("Content-Encoding").value_or("identity"));
        if (encoding != "gzip" && encoding != "identity") {
            return answer(ErrorResponse(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Encoding must be gzip or identity"));
        }
        std::optional<std::string> key;
        if (const auto header = request.headers.Find("Idempotency-Key")) {
            auto checked = engine::CheckText(*header, engine::TextKind::kSingleLine, kMaxIdempotencyKeyLength);
            if (!checked.ok() || header->empty()) {
                return answer(BadParameter("Idempotency-Key must be 1 to 255 characters"));
            }
            key = std::string(*header);
        }
        auto options = QueryOptions(request, format);
        if (auto* refused = std::get_if<HttpResponse>(&options)) return answer(std::move(*refused));
        return std::make_unique<BatchSink>(services, std::move(std::get<storage::Principal>(admitted)), *budget,
                                           std::move(std::get<BatchOptions>(options)), format, encoding == "gzip",
                                           std::move(key), request.raw_query);
    };
}

}  // namespace contactd::ingest
