#pragma once
// The gate in front of every workspace route (SPEC §5 auth, §9 rate limits): the API key from
// `Authorization: Bearer` or `X-Api-Key`, the request budget, suspension and scope — in that order, with
// the X-RateLimit-* headers on every response once the caller is known. And the admin token check.

#include <functional>
#include <optional>
#include <string>
#include <variant>

#include "ingest/api_services.hpp"
#include "ingest/router.hpp"
#include "storage/workspace_store.hpp"

namespace contactd::ingest {

//! What a route needs from its key.
enum class Access { kRead, kWrite };

//! A handler for an authenticated, budgeted workspace request.
using WorkspaceHandler = std::function<HttpResponse(HttpRequest& request, const storage::Principal& caller)>;

//! Admits a workspace request: its caller, or the response refusing it — 401 UNAUTHENTICATED without a
//! live key, 429 RATE_LIMITED over the budget, 403 FORBIDDEN for a suspended workspace or a read key on a
//! write route. Once the caller is known, `budget` holds the decision whose headers every response carries.
std::variant<storage::Principal, HttpResponse> Admit(ApiServices& services, const HttpRequest& request, Access access,
                                                     std::optional<RateDecision>& budget);

//! Wraps `handler` with Admit, and puts the X-RateLimit-* headers on whatever it answers.
Handler Guarded(ApiServices& services, Access access, WorkspaceHandler handler);

//! Wraps an admin handler: 401 UNAUTHENTICATED unless `Authorization: Bearer <admin token>`.
Handler AdminOnly(ApiServices& services, Handler handler);

//! The API key a request carries, if any.
std::optional<std::string> ApiKeyOf(const HttpRequest& request);

//! Equality that takes the same time wherever the strings differ (token comparison).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace contactd::ingest
