#pragma once
// How the API answers a failure that no handler turned into a response. A database that is away for the
// moment (a lost connection, a restart, no pooled connection free in time) gets 503 with Retry-After: the
// work was rolled back, so the same request may simply be sent again (a batch was not accepted; with an
// Idempotency-Key a retry can never make two jobs anyway). Anything else stays the server's 500, which
// quotes the request id for a report.

#include <exception>
#include <optional>

#include "ingest/http_types.hpp"

namespace contactd::ingest {

//! Seconds a client is told to wait before retrying while the database is unavailable.
inline constexpr int kDatabaseRetryAfterSeconds = 1;

//! 503 SERVICE_UNAVAILABLE for a database failure that rolled everything back; nullopt for anything else.
//! A FailureResponder (router.hpp).
std::optional<HttpResponse> DatabaseUnavailableResponse(const HttpRequest& request, const std::exception& error);

}  // namespace contactd::ingest
