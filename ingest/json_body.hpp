#pragma once
// Reading a JSON request body: the media type, then the parse (SPEC §5: bodies are JSON, UTF-8).

#include <variant>

#include "engine/json.hpp"
#include "ingest/http_types.hpp"

namespace contactd::ingest {

//! True for `application/json` (any parameters, e.g. charset) and `application/<x>+json`.
bool IsJsonMediaType(std::string_view content_type);

//! The parsed body, or the response that refuses it: 415 UNSUPPORTED_MEDIA_TYPE when a body is not
//! declared as JSON, 400 INVALID_JSON (with `"offset"`) when it does not parse. An empty body is JSON
//! `null` when `allow_empty`, else 400 INVALID_JSON.
std::variant<engine::Json, HttpResponse> ReadJsonBody(HttpRequest& request, bool allow_empty = false);

}  // namespace contactd::ingest
