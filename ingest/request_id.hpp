#pragma once
// Request ids: the thread that ties a client's request to our log lines (returned as X-Request-Id).

#include <optional>
#include <string>
#include <string_view>

namespace contactd::ingest {

//! A fresh id: 16 random lower-case hex characters.
std::string NewRequestId();

//! Whether a client-supplied id may be echoed: 1 to 128 characters of [A-Za-z0-9._:-], so it can never
//! smuggle anything into a header or a log line.
bool IsSaneRequestId(std::string_view id);

//! The client's id when it is sane, else a fresh one.
std::string RequestIdFor(std::optional<std::string_view> client_id);

}  // namespace contactd::ingest
