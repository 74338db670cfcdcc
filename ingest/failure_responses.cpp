#include "ingest/failure_responses.hpp"

#include <string>

#include "storage/db_error.hpp"

namespace contactd::ingest {

std::optional<HttpResponse> DatabaseUnavailableResponse(const HttpRequest& request, const std::exception& error) {
    // Only failures that leave nothing a resend could duplicate: a batch whose COMMIT is in doubt is not one
    // (JobWriter reports it as in doubt); a single-contact write that may have gone through is, as sending the
    // same write again finds its values in place (unchanged) or its contact created (409).
    if (request.change_committed || storage::ClassifyDbError(error) != storage::DbErrorKind::kRetryable) {
        return std::nullopt;
    }
    HttpResponse response = ErrorResponse(
        503, "SERVICE_UNAVAILABLE",
        "the database is unavailable for the moment and this request did not complete; it is safe to send it "
        "again (request id " +
            request.request_id + ")");
    response.headers.Set("Retry-After", std::to_string(kDatabaseRetryAfterSeconds));
    return response;
}

}  // namespace contactd::ingest
