#include "ingest/api_guard.hpp"

#include <chrono>

namespace contactd::ingest {

engine::Millis SystemNowMillis() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

namespace {

std::optional<std::string> BearerToken(const HttpRequest& request) {
    const auto header = request.headers.Find("Authorization");
    if (!header) return std::nullopt;
    constexpr std::string_view kPrefix = "Bearer ";
    if (header->size() <= kPrefix.size() || !EqualsIgnoreCase(header->substr(0, kPrefix.size()), kPrefix)) {
        return std::nullopt;
    }
    std::string_view token = header->substr(kPrefix.size());
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    if (token.empty()) return std::nullopt;
    return std::string(token);
}

}  // namespace

std::optional<std::string> ApiKeyOf(const HttpRequest& request) {
    if (auto bearer = BearerToken(request)) return bearer;
    if (const auto key = request.headers.Find("X-Api-Key"); key && !key->empty()) return std::string(*key);
    return std::nullopt;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
    unsigned char difference = a.size() == b.size() ? 0 : 1;
    const std::string_view longer = a.size() >= b.size() ? a : b;
    for (std::size_t i = 0; i < longer.size(); ++i) {
        const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
        const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
        difference |= static_cast<unsigned char>(x ^ y);
    }
    return difference == 0;
}

std::variant<storage::Principal, HttpResponse> Admit(ApiServices& services, const HttpRequest& request, Access access,
                                                     std::optional<RateDecision>& budget) {
    const auto key = ApiKeyOf(request);
    if (!key) {
        return ErrorResponse(401, "UNAUTHENTICATED",
                             "an API key is required: send \"Authorization: Bearer <key>\" or \"X-Api-Key: <key>\"");
    }
    auto caller = services.workspaces.Authenticate(*key);
    if (!caller) return ErrorResponse(401, "UNAUTHENTICATED", "the API key is unknown or has been revoked");
    budget = services.rate_limiter.Take(caller->workspace.id, caller->workspace.requests_per_minute, services.now());
    if (!budget->allowed) {
        return ErrorResponse(429, "RATE_LIMITED",
                             "the workspace's budget of " + std::to_string(budget->limit) +
                                 " requests per minute is spent; retry in " +
                                 std::to_string(budget->retry_after_seconds) + " s");
    }
    if (caller->workspace.suspended) return ErrorResponse(403, "FORBIDDEN", "the workspace is suspended");
    if (access == Access::kWrite && caller->scope != storage::KeyScope::kWrite) {
        return ErrorResponse(403, "FORBIDDEN", "this API key has the read scope and cannot write");
    }
    return std::move(*caller);
}

Handler Guarded(ApiServices& services, Access access, WorkspaceHandler handler) {
    return [&services, access, handler = std::move(handler)](HttpRequest& request) -> HttpResponse {
        std::optional<RateDecision> budget;
        auto admitted = Admit(services, request, access, budget);
        HttpResponse response = std::holds_alternative<HttpResponse>(admitted)
                                    ? std::move(std::get<HttpResponse>(admitted))
                                    : handler(request, std::get<storage::Principal>(admitted));
        if (budget) RateLimiter::AddHeaders(response, *budget);
        return response;
    };
}

Handler AdminOnly(ApiServices& services, Handler handler) {
    return [&services, handler = std::move(handler)](HttpRequest& request) -> HttpResponse {
        const auto token = BearerToken(request);
        if (!token || !ConstantTimeEquals(*token, services.admin_token)) {
            return ErrorResponse(401, "UNAUTHENTICATED",
                                 "administration needs \"Authorization: Bearer <admin token>\"");
        }
        return handler(request);
    };
}

}  // namespace contactd::ingest
