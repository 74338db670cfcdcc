// Liveness, readiness and metrics: unauthenticated, cheap, never rate limited.
#include <pqxx/nontransaction>

#include "ingest/api_routes.hpp"
#include "ingest/failure_responses.hpp"
#include "storage/migrations.hpp"

namespace contactd::ingest {

void AddHealthRoutes(Router& router, ApiServices& services) {
    router.Add(HttpMethod::kGet, "/healthz", [](HttpRequest&) { return JsonResponse(200, R"({"status":"ok"})"); });
    router.Add(HttpMethod::kGet, "/readyz", [&services](HttpRequest&) {
        try {
            auto connection = services.pool.Acquire(std::chrono::seconds(2));
            const int version = storage::CurrentSchemaVersion(*connection);
            if (version < storage::LatestMigrationVersion()) {
                return ErrorResponse(503, "NOT_READY",
                                     "the database schema is at version " + std::to_string(version) +
                                         "; this build needs " + std::to_string(storage::LatestMigrationVersion()));
            }
            if (version > storage::LatestMigrationVersion()) {
                return ErrorResponse(503, "NOT_READY", storage::SchemaTooNew(version).what());
            }
            return JsonResponse(200, R"({"status":"ready","schema_version":)" + std::to_string(version) + "}");
        } catch (const std::exception& error) {
            return ErrorResponse(503, "NOT_READY", std::string("the database is unreachable: ") + error.what());
        }
    });
    router.Add(HttpMethod::kGet, "/metrics", [&services](HttpRequest&) {
        HttpResponse response;
        response.status = 200;
        response.body = services.metrics.Render();
        response.headers.Set("Content-Type", "text/plain; version=0.0.4");
        return response;
    });
}

Router BuildApiRouter(ApiServices& services) {
    Router router;
    AddHealthRoutes(router, services);
    AddContactRoutes(router, services);
    AddWorkspaceRoutes(router, services);
    AddAdminRoutes(router, services);
    AddBatchRoutes(router, services);
    router.SetFailureResponder(DatabaseUnavailableResponse);
    return router;
}

}  // namespace contactd::ingest
