#pragma once
// How the API answers a failure that no handler turned into a response. A database that is away for the
// moment (a lost connection, a restart, no pooled connection free in time) gets 503 with Retry-After: the
// same request may simply be sent again (a batch was not accepted; with an Idempotency-Key a retry can never
// make two jobs anyway). A failure in doubt (a COMMIT whose outcome is unknown) and anything else stay the
// server's 500, which quotes the request id for a report.

#include <exception>
#include <optional>

#include "ingest/http_types.hpp"

namespace contactd::ingest {

//! Seconds a client is told to wait before retrying while the database is unavailable.
inline constexpr int kDatabaseRetryAfterSeconds = 1;

//! 503 SERVICE_UNAVAILABLE for a database failure classified as retryable; nullopt for anything else.
//! A FailureResponder (router.hpp).
std::optional<HttpResponse> DatabaseUnavailableResponse(const HttpRequest& request, const std::exception& error);

}  // namespace contactd::ingest
