// Batch jobs (SPEC §6): status, results (paged or streamed as NDJSON) and cancel. Submission is in
// batch_submission.cpp.
#include <charconv>

#include "engine/job_status.hpp"
#include "engine/text_rules.hpp"
#include "engine/uuid.hpp"
#include "ingest/api_guard.hpp"
#include "ingest/api_routes.hpp"
#include "ingest/batch_submission.hpp"

namespace contactd::ingest {

namespace {

constexpr int kDefaultResultsLimit = 100;
constexpr int kMaxResultsLimit = 1000;

HttpResponse JobNotFound(std::string_view job_id) {
    return ErrorResponse(404, "JOB_NOT_FOUND", "no batch job has the id " + engine::QuoteForMessage(job_id));
}

std::optional<std::int64_t> ParseInteger(std::string_view text) {
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

//! `status=OK|IGNORED`, or the 400 that refuses another value.
std::variant<std::optional<engine::Status>, HttpResponse> StatusFilter(const HttpRequest& request) {
    const auto value = request.Query("status");
    if (!value) return std::optional<engine::Status>{};
    if (*value == "OK") return std::optional<engine::Status>{engine::Status::kOk};
    if (*value == "IGNORED") return std::optional<engine::Status>{engine::Status::kIgnored};
    return ErrorResponse(400, "INVALID_PARAMETER", "status must be \"OK\" or \"IGNORED\"");
}

HttpResponse GetJob(ApiServices& services, HttpRequest& request, const storage::Principal& caller) {
    const std::string job_id(request.PathParam("job"));
    const auto id = engine::CanonicalUuid(job_id);
    const auto status = id ? services.jobs.Status(caller.workspace.id, *id) : std::nullopt;
    if (!status) return JobNotFound(job_id);
    return JsonResponse(200, engine::JobStatusJson(*status, services.now()));
}

HttpResponse GetResults(ApiServices& services, HttpRequest& request, const storage::Principal& caller) {
    const std::string job_id(request.PathParam("job"));
    const auto id = engine::CanonicalUuid(job_id);
    if (!id || !services.jobs.Status(caller.workspace.id, *id)) return JobNotFound(job_id);
    auto filter = StatusFilter(request);
    if (auto* error = std::get_if<HttpResponse>(&filter)) return std::move(*error);
    const auto only = std::get<std::optional<engine::Status>>(filter);

    const auto accept = request.headers.Find("Accept");
    if (accept && engine::AsciiLower(*accept).find("application/x-ndjson") != std::string::npos) {
        // The whole result set, a few chunks at a time, with chunked transfer encoding: each piece is read
        // on the handler pool when the client has taken the previous one, so memory stays bounded.
        struct Cursor {
            std::int64_t from = 0;
            bool done = false;
        };
        auto cursor = std::make_shared<Cursor>();
        HttpResponse response;
        response.status = 200;
        response.headers.Set("Content-Type", "application/x-ndjson");
        response.stream = [&services, cursor, workspace_id = caller.workspace.id, job = *id, only](std::string& out) {
            while (out.empty() && !cursor->done) {
                storage::JobStore::ResultPiece piece = services.jobs.ReadResults(workspace_id, job, cursor->from, only);
                out = std::move(piece.text);
                cursor->from = piece.next_from;
                cursor->done = piece.done;
            }
            return !cursor->done;
        };
        return response;
    }

    std::optional<std::int64_t> after;
    if (const auto text = request.Query("after")) {
        after = ParseInteger(*text);
        if (!after || *after < -1) return ErrorResponse(400, "INVALID_PARAMETER", "after must be an item index");
    }
    int limit = kDefaultResultsLimit;
    if (const auto text = request.Query("limit")) {
        const auto value = ParseInteger(*text);
        if (!value || *value < 1 || *value > kMaxResultsLimit) {
            return ErrorResponse(400, "INVALID_PARAMETER", "limit must be between 1 and 1000");
        }
        limit = static_cast<int>(*value);
    }
    const storage::ResultsPage page = services.jobs.Results(caller.workspace.id, *id, after, limit, only);
    std::string body = "{\"results\":[";
    for (std::size_t i = 0; i < page.lines.size(); ++i) {
        if (i > 0) body.push_back(',');
        body.append(page.lines[i], 0, page.lines[i].size() - 1);  // without its '\n'
    }
    body += "],\"next_after\":";
    body += page.next_after ? std::to_string(*page.next_after) : "null";
    body += "}";
    return JsonResponse(200, std::move(body));
}

HttpResponse CancelJob(ApiServices& services, HttpRequest& request, const storage::Principal& caller) {
    const std::string job_id(request.PathParam("job"));
    const auto id = engine::CanonicalUuid(job_id);
    if (!id) return JobNotFound(job_id);
    switch (services.jobs.Cancel(caller.workspace.id, *id, services.now())) {
        case storage::CancelResult::kNotFound:
            return JobNotFound(job_id);
        case storage::CancelResult::kFinished:
            return ErrorResponse(409, "JOB_FINISHED", "the job has already finished and cannot be cancelled");
        case storage::CancelResult::kCancelled:
            request.change_committed = true;
            break;
    }
    const auto status = services.jobs.Status(caller.workspace.id, *id);
    return status ? JsonResponse(202, engine::JobStatusJson(*status, services.now())) : JobNotFound(job_id);
}

}  // namespace

void AddBatchRoutes(Router& router, ApiServices& services) {
    const auto bind = [&services](auto handler) {
        return [&services, handler](HttpRequest& request, const storage::Principal& caller) {
            return handler(services, request, caller);
        };
    };
    router.AddStreaming(HttpMethod::kPost, "/v1/batches", BatchSubmissionHandler(services), kMaxBatchBodyBytes);
    router.Add(HttpMethod::kGet, "/v1/batches/{job}", Guarded(services, Access::kRead, bind(GetJob)));
    router.Add(HttpMethod::kGet, "/v1/batches/{job}/results", Guarded(services, Access::kRead, bind(GetResults)));
    router.Add(HttpMethod::kDelete, "/v1/batches/{job}", Guarded(services, Access::kWrite, bind(CancelJob)));
}

}  // namespace contactd::ingest
