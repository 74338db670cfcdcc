#include "ingest/router.hpp"

#include <algorithm>
#include <stdexcept>

#include "engine/outcome.hpp"
#include "ingest/percent_encoding.hpp"

namespace contactd::ingest {

namespace {

//! One segment of a pattern: literal text, or a `{name}` parameter.
struct Segment {
    bool is_param = false;
    std::string text;  // the literal, or the parameter's name
};

// "/a/b" → {"a", "b"}; "/" → {}; "/a/" → {"a", ""}. The caller checks the leading '/'.
std::vector<std::string_view> SplitPath(std::string_view path) {
    std::vector<std::string_view> parts;
    if (path == "/") return parts;
    std::size_t start = 1;
    while (true) {
        const std::size_t slash = path.find('/', start);
        parts.push_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    return parts;
}

std::vector<Segment> ParsePattern(std::string_view pattern) {
    if (pattern.empty() || pattern.front() != '/') {
        throw std::invalid_argument("route pattern must start with '/': " + std::string(pattern));
    }
    std::vector<Segment> segments;
    for (std::string_view part : SplitPath(pattern)) {
        if (part.empty()) throw std::invalid_argument("route pattern has an empty segment: " + std::string(pattern));
        const bool is_param = part.size() >= 2 && part.front() == '{' && part.back() == '}';
        std::string_view text = is_param ? part.substr(1, part.size() - 2) : part;
        if (text.empty() || text.find_first_of("{}") != std::string_view::npos) {
            throw std::invalid_argument("route pattern has a malformed segment: " + std::string(pattern));
        }
        segments.push_back(Segment{is_param, std::string(text)});
    }
    return segments;
}

constexpr HttpMethod kMethodOrder[] = {HttpMethod::kGet,   HttpMethod::kHead,   HttpMethod::kPost,   HttpMethod::kPut,
                                       HttpMethod::kPatch, HttpMethod::kDelete, HttpMethod::kOptions};

}  // namespace

//! All routes sharing one pattern, and the 405 message for it.
struct Router::PatternGroup {
    std::string pattern;
    std::vector<Segment> segments;
    std::vector<std::unique_ptr<Route>> routes;
    std::string method_not_allowed_message;

    // Whether `decoded` fits, and how literal the fit is: one flag per segment, true for a literal.
    bool Matches(const std::vector<std::string>& decoded) const {
        if (decoded.size() != segments.size()) return false;
        for (std::size_t i = 0; i < segments.size(); ++i) {
            if (segments[i].is_param ? decoded[i].empty() : decoded[i] != segments[i].text) return false;
        }
        return true;
    }

    // Lexicographic "more literal" order over segments of equal count.
    bool MoreLiteralThan(const PatternGroup& other) const {
        for (std::size_t i = 0; i < segments.size() && i < other.segments.size(); ++i) {
            if (segments[i].is_param != other.segments[i].is_param) return !segments[i].is_param;
        }
        return false;
    }

    const Route* Find(HttpMethod method) const {
        for (const auto& route : routes) {
            if (route->method == method) return route.get();
        }
        return nullptr;
    }

    std::string AllowHeader() const {
        std::string allow;
        for (HttpMethod method : kMethodOrder) {
            if (Find(method) == nullptr) continue;
            if (!allow.empty()) allow += ", ";
            allow += MethodName(method);
        }
        return allow;
    }
};

Router::Router() = default;
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

Router::PatternGroup& Router::GroupFor(std::string_view pattern) {
    std::vector<Segment> segments = ParsePattern(pattern);
    for (auto& group : groups_) {
        const bool same_shape = std::equal(group->segments.begin(), group->segments.end(), segments.begin(),
                                           segments.end(), [](const Segment& a, const Segment& b) {
                                               return a.is_param == b.is_param && (a.is_param || a.text == b.text);
                                           });
        if (!same_shape) continue;
        if (group->pattern != pattern) {
            throw std::invalid_argument("route patterns differ only in parameter names: " + group->pattern + " and " +
                                        std::string(pattern));
        }
        return *group;
    }
    auto group = std::make_unique<PatternGroup>();
    group->pattern = std::string(pattern);
    group->segments = std::move(segments);
    groups_.push_back(std::move(group));
    return *groups_.back();
}

void Router::AddRoute(Route route) {
    if (route.method == HttpMethod::kOther) throw std::invalid_argument("route needs a known method");
    PatternGroup& group = GroupFor(route.pattern);
    if (group.Find(route.method) != nullptr) {
        throw std::invalid_argument("duplicate route: " + std::string(MethodName(route.method)) + " " + route.pattern);
    }
    group.routes.push_back(std::make_unique<Route>(std::move(route)));
}

Router& Router::Add(HttpMethod method, std::string_view pattern, Handler handler, RouteOptions options) {
    if (!handler) throw std::invalid_argument("route without a handler: " + std::string(pattern));
    AddRoute(Route{method, std::string(pattern), std::move(handler), {}, options});
    return *this;
}

Router& Router::AddStreaming(HttpMethod method, std::string_view pattern, StreamingHandler handler,
                             std::uint64_t max_body_bytes) {
    if (!handler) throw std::invalid_argument("route without a handler: " + std::string(pattern));
    AddRoute(Route{method, std::string(pattern), {}, std::move(handler), RouteOptions{max_body_bytes}});
    return *this;
}

Router& Router::SetFailureResponder(FailureResponder responder) {
    failure_responder_ = std::move(responder);
    return *this;
}

std::optional<HttpResponse> Router::RespondToFailure(const HttpRequest& request, const std::exception& error) const {
    if (!failure_responder_) return std::nullopt;
    return failure_responder_(request, error);
}

Router& Router::SetMethodNotAllowedMessage(std::string_view pattern, std::string message) {
    GroupFor(pattern).method_not_allowed_message = std::move(message);
    return *this;
}

RouteMatch Router::Match(HttpMethod method, std::string_view method_name, std::string_view path) const {
    RouteMatch match;
    if (path.empty() || path.front() != '/') {
        match.error = ErrorResponse(400, "BAD_REQUEST", "the request target must be an absolute path");
        return match;
    }
    std::vector<std::string> decoded;
    for (std::string_view part : SplitPath(path)) {
        auto segment = PercentDecode(part, false);
        if (!segment) {
            match.error = ErrorResponse(400, "BAD_REQUEST", "the path has a malformed percent escape");
            return match;
        }
        decoded.push_back(std::move(*segment));
    }

    const PatternGroup* best = nullptr;
    for (const auto& group : groups_) {
        if (group->Matches(decoded) && (best == nullptr || group->MoreLiteralThan(*best))) best = group.get();
    }
    if (best == nullptr) {
        match.error = ErrorResponse(404, "NOT_FOUND", "no such endpoint: " + engine::QuoteForMessage(path, 200));
        return match;
    }
    match.route = best->Find(method);
    if (match.route == nullptr) {
        const std::string allow = best->AllowHeader();
        std::string message = best->method_not_allowed_message;
        if (message.empty()) {
            message = std::string(method_name) + " is not allowed on " + best->pattern + "; allowed: " + allow;
        }
        match.error = ErrorResponse(405, "METHOD_NOT_ALLOWED", message);
        match.error->headers.Set("Allow", allow);
        return match;
    }
    for (std::size_t i = 0; i < best->segments.size(); ++i) {
        if (best->segments[i].is_param) match.path_params.emplace_back(best->segments[i].text, std::move(decoded[i]));
    }
    return match;
}

}  // namespace contactd::ingest
