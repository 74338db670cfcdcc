#include "ingest/failure_responses.hpp"

#include <string>

#include "storage/db_error.hpp"

namespace contactd::ingest {

std::optional<HttpResponse> DatabaseUnavailableResponse(const HttpRequest& request, const std::exception& error) {
    // Only failures known to have rolled back: a commit in doubt must not be presented as safe to repeat.
    if (storage::ClassifyDbError(error) != storage::DbErrorKind::kRetryable) return std::nullopt;
    HttpResponse response = ErrorResponse(
        503, "SERVICE_UNAVAILABLE",
        "the database is unavailable for the moment; nothing of this request was done or stored, so it is safe "
        "to send it again (request id " +
            request.request_id + ")");
    response.headers.Set("Retry-After", std::to_string(kDatabaseRetryAfterSeconds));
    return response;
}

}  // namespace contactd::ingest
