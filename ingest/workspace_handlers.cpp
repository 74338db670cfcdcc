// What a workspace's keys may read about it: settings, field catalog, lead stages.
#include "engine/workspace_json.hpp"
#include "ingest/api_guard.hpp"
#include "ingest/api_routes.hpp"

namespace contactd::ingest {

void AddWorkspaceRoutes(Router& router, ApiServices& services) {
    router.Add(HttpMethod::kGet, "/v1/workspace",
               Guarded(services, Access::kRead, [](HttpRequest&, const storage::Principal& caller) {
                   std::string out;
                   engine::JsonWriter writer(out);
                   writer.BeginObject();
                   engine::WriteWorkspaceMembers(writer, caller.workspace);
                   writer.EndObject();
                   return JsonResponse(200, std::move(out));
               }));
    router.Add(HttpMethod::kGet, "/v1/fields",
               Guarded(services, Access::kRead, [](HttpRequest&, const storage::Principal& caller) {
                   return JsonResponse(200, engine::FieldCatalogJson(caller.workspace));
               }));
    router.Add(HttpMethod::kGet, "/v1/lead-stages",
               Guarded(services, Access::kRead, [](HttpRequest&, const storage::Principal& caller) {
                   std::string out;
                   engine::JsonWriter writer(out);
                   writer.BeginObject().Key("lead_stages").BeginArray();
                   for (const std::string& stage : caller.workspace.lead_stages) writer.String(stage);
                   writer.EndArray().EndObject();
                   return JsonResponse(200, std::move(out));
               }));
}

}  // namespace contactd::ingest
