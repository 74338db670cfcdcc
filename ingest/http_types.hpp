#pragma once
// The HTTP vocabulary handlers see: a parsed request and the response they return. Deliberately free of
// Beast, so handler code compiles without it; the server (http_session.cpp) converts at the edge.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/outcome.hpp"

namespace contactd::engine {
class JsonWriter;
}

namespace contactd::ingest {

//! The request methods the API routes on; anything else is kOther (and never matches a route).
enum class HttpMethod : std::uint8_t { kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions, kOther };

//! "GET", "POST", ... ("OTHER" for kOther).
std::string_view MethodName(HttpMethod method);
//! The method for a request-line token, case-sensitively (HTTP methods are case-sensitive).
HttpMethod ParseMethod(std::string_view token);

//! An ordered list of header fields with case-insensitive name lookup.
class HttpHeaders {
  public:
    using Field = std::pair<std::string, std::string>;

    //! The first value of `name`, or nullopt.
    std::optional<std::string_view> Find(std::string_view name) const;
    bool Has(std::string_view name) const { return Find(name).has_value(); }
    //! Replaces every field called `name` with one field.
    void Set(std::string_view name, std::string_view value);
    //! Appends a field, keeping any existing ones with that name.
    void Add(std::string_view name, std::string_view value);
    void Remove(std::string_view name);

    const std::vector<Field>& fields() const { return fields_; }
    bool empty() const { return fields_.empty(); }

  private:
    std::vector<Field> fields_;
};

//! ASCII case-insensitive equality (header names, media types).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

//! One request as a handler sees it. The body is complete unless the route streams its body.
struct HttpRequest {
    HttpMethod method = HttpMethod::kOther;
    std::string method_name;  // as sent: "GET"
    std::string target;       // the request-target as sent: "/v1/contacts/a%20b?limit=5"
    std::string path;         // the target's path, still percent-encoded: "/v1/contacts/a%20b"
    std::string raw_query;    // the target's query as sent, without '?': "limit=5"
    std::vector<std::pair<std::string, std::string>> query;        // decoded, in order
    std::vector<std::pair<std::string, std::string>> path_params;  // decoded `{name}` segments
    HttpHeaders headers;
    std::string body;
    std::string request_id;      // also sent back as X-Request-Id
    std::string remote_address;  // peer IP address
    //! Set by a handler once the request's change is committed: a failure after that (reading the answer back)
    //! must not be answered as one that is safe to send again.
    bool change_committed = false;

    //! The first query parameter called `name` (decoded), or nullopt.
    std::optional<std::string_view> Query(std::string_view name) const;
    //! The decoded value of the `{name}` segment of the matched route ("" when the route has none).
    std::string_view PathParam(std::string_view name) const;
};

//! What a handler answers. A JSON body goes in `body`; a long result (NDJSON) may instead be produced
//! piece by piece through `stream`.
struct HttpResponse {
    //! Fills `next_chunk` (given empty) with the next piece of the body. Returns true while more may
    //! follow; false ends the body after writing what was put in `next_chunk`. Called repeatedly on the
    //! handler pool (so it may block on the database) and written with chunked transfer encoding.
    //! Throwing aborts the connection: the client sees a truncated chunked body, never a clean end.
    using ChunkProducer = std::function<bool(std::string& next_chunk)>;

    int status = 200;
    HttpHeaders headers;
    std::string body;
    ChunkProducer stream;  // when set, `body` is ignored
};

//! A response with a JSON body and `Content-Type: application/json`.
HttpResponse JsonResponse(int status, std::string json_body);

//! A response with no body (e.g. 204).
HttpResponse EmptyResponse(int status);

//! Writes extra members into the "error" object after the standard ones, e.g. `"offset": 17`.
using ErrorExtras = std::function<void(engine::JsonWriter& writer)>;

//! The error document of SPEC §5: `{"error": {"code", "message", "remarks": [...]}}` plus extras.
std::string ErrorBody(std::string_view code, std::string_view message, const std::vector<engine::Remark>& remarks = {},
                      const ErrorExtras& extras = {});

//! A JSON error response: ErrorBody with `status`.
HttpResponse ErrorResponse(int status, std::string_view code, std::string_view message,
                           const std::vector<engine::Remark>& remarks = {}, const ErrorExtras& extras = {});

//! Writes `[{"field","code","message"}, ...]`.
void WriteRemarks(engine::JsonWriter& writer, const std::vector<engine::Remark>& remarks);

}  // namespace contactd::ingest
