#pragma once
// Routes requests by method and path pattern. Patterns are literal segments and `{name}` segments:
// `/v1/contacts/{id}/merge`. Where several patterns fit a path, the most literal one wins, segment by
// segment from the left: `/v1/contacts/search` beats `/v1/contacts/{id}`. The method is checked only
// against the winning pattern, so `GET /v1/contacts/search` is a 405 and never reaches the GET of `{id}`.

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "ingest/http_types.hpp"

namespace contactd::ingest {

//! Answers a request whose body has been read whole. Runs on the handler pool, so it may block (PostgreSQL).
//! An exception is logged and answered by the router's FailureResponder, else with 500 INTERNAL_ERROR;
//! expected failures are responses.
using Handler = std::function<HttpResponse(HttpRequest& request)>;

//! Receives a streamed request body piece by piece, in order. Every call runs on the handler pool. The
//! sink is destroyed there too, with or without Finish(): without it when the client goes away, the body
//! is malformed or over the route's limit, or Feed() ended the request early — so the destructor must
//! abandon whatever was begun.
class RequestBodySink {
  public:
    virtual ~RequestBodySink() = default;
    //! The next bytes of the body (as they arrived; not aligned to lines or items). A response ends the
    //! request at once: it is sent, the rest of the body is not read and the connection is closed.
    virtual std::optional<HttpResponse> Feed(std::string_view bytes) = 0;
    //! The body is complete; answer the request.
    virtual HttpResponse Finish() = 0;
};

//! What a streaming route answers after seeing the request head: a sink for the body, or a response
//! right away (e.g. 401) without reading the body.
using SinkOrResponse = std::variant<std::unique_ptr<RequestBodySink>, HttpResponse>;

//! Starts a streamed request. `request.body` is empty. Runs on the handler pool.
using StreamingHandler = std::function<SinkOrResponse(HttpRequest& request)>;

//! Per-route settings.
struct RouteOptions {
    //! The body limit for this route instead of the server's (HttpServerConfig::max_body_bytes).
    std::optional<std::uint64_t> max_body_bytes;
};

//! One registered route: exactly one of `handler` and `streaming` is set.
struct Route {
    HttpMethod method = HttpMethod::kOther;
    std::string pattern;
    Handler handler;
    StreamingHandler streaming;
    RouteOptions options;

    bool IsStreaming() const { return static_cast<bool>(streaming); }
};

//! The route for a request, or the error response that answers it (404, 405 or 400).
struct RouteMatch {
    const Route* route = nullptr;
    std::vector<std::pair<std::string, std::string>> path_params;  // decoded `{name}` values
    std::optional<HttpResponse> error;
};

//! The answer to a request whose handler or body sink threw `error`, or nullopt for the server's 500
//! INTERNAL_ERROR. May run on an I/O thread: it must be quick and must not block.
using FailureResponder =
    std::function<std::optional<HttpResponse>(const HttpRequest& request, const std::exception& error)>;

//! The routing table. Built once at start-up, then only read (Match is safe from many threads).
class Router {
  public:
    Router();
    ~Router();
    Router(Router&&) noexcept;
    Router& operator=(Router&&) noexcept;

    //! Registers a handler for a complete request. Throws std::invalid_argument for a malformed pattern or
    //! a duplicate (method, pattern): a programming error found at start-up.
    Router& Add(HttpMethod method, std::string_view pattern, Handler handler, RouteOptions options = {});

    //! Registers a route whose body is streamed into a RequestBodySink instead of being buffered; it has its
    //! own body limit (e.g. 1 GiB for batches).
    Router& AddStreaming(HttpMethod method, std::string_view pattern, StreamingHandler handler,
                         std::uint64_t max_body_bytes);

    //! Replaces the default 405 message for every path matching `pattern`, e.g. to say that search is a POST.
    Router& SetMethodNotAllowedMessage(std::string_view pattern, std::string message);

    //! Finds the route for a still percent-encoded `path` ("/v1/contacts/a%2Fb"). Segments are decoded after
    //! splitting, so an encoded '/' stays inside its segment. No route for the path → 404 NOT_FOUND; a
    //! route for the path but not the method → 405 METHOD_NOT_ALLOWED with an `Allow` header; a bad
    //! percent escape → 400 BAD_REQUEST.
    RouteMatch Match(HttpMethod method, std::string_view method_name, std::string_view path) const;

    //! Sets how failures that a handler could not turn into a response are answered (e.g. 503 while the
    //! database is away, where a bare 500 would leave the client guessing whether to retry).
    Router& SetFailureResponder(FailureResponder responder);
    //! The FailureResponder's answer to `error`, or nullopt when there is none or it declines.
    std::optional<HttpResponse> RespondToFailure(const HttpRequest& request, const std::exception& error) const;

  private:
    struct PatternGroup;
    PatternGroup& GroupFor(std::string_view pattern);
    void AddRoute(Route route);

    std::vector<std::unique_ptr<PatternGroup>> groups_;
    FailureResponder failure_responder_;
};

}  // namespace contactd::ingest
