// Administration (SPEC §5 "Administration"): workspaces and keys, behind the admin token.
#include "engine/date_time.hpp"
#include "engine/workspace_admin.hpp"
#include "engine/workspace_json.hpp"
#include "ingest/api_guard.hpp"
#include "ingest/api_routes.hpp"
#include "ingest/json_body.hpp"

namespace contactd::ingest {

namespace {

void WriteRecordMembers(engine::JsonWriter& writer, const storage::WorkspaceRecord& record) {
    engine::WriteWorkspaceMembers(writer, record.settings);
    writer.Key("webhook_secret").String(record.webhook_secret);
    writer.Key("created_at").String(engine::FormatTimestamp(record.created_at));
    writer.Key("updated_at").String(engine::FormatTimestamp(record.updated_at));
}

HttpResponse RecordResponse(int status, const storage::WorkspaceRecord& record) {
    std::string out;
    engine::JsonWriter writer(out);
    writer.BeginObject();
    WriteRecordMembers(writer, record);
    writer.EndObject();
    return JsonResponse(status, std::move(out));
}

HttpResponse WorkspaceNotFound(std::string_view id) {
    return ErrorResponse(404, "WORKSPACE_NOT_FOUND", "no workspace has the id " + engine::QuoteForMessage(id));
}

HttpResponse InvalidSettings(const std::vector<engine::Remark>& errors) {
    return ErrorResponse(422, "INVALID_SETTINGS", "the workspace settings are invalid", errors);
}

void WriteKey(engine::JsonWriter& writer, const storage::CreatedKey& key) {
    writer.Key("api_key").String(key.api_key);
    writer.Key("key_id").String(key.key_id);
    writer.Key("scope").String(storage::KeyScopeName(key.scope));
}

HttpResponse CreateWorkspace(ApiServices& services, HttpRequest& request) {
    auto body = ReadJsonBody(request);
    if (auto* error = std::get_if<HttpResponse>(&body)) return std::move(*error);
    const engine::WorkspaceEdit edit = engine::NewWorkspaceSettings(std::get<engine::Json>(body));
    if (!edit.ok()) return InvalidSettings(edit.errors);
    const auto created = services.workspaces.Create(edit.settings, services.now());
    if (!created) {
        return ErrorResponse(409, "WORKSPACE_EXISTS",
                             "a workspace with the id " + engine::QuoteForMessage(edit.settings.id) + " exists");
    }
    std::string out;
    engine::JsonWriter writer(out);
    writer.BeginObject().Key("workspace").BeginObject();
    WriteRecordMembers(writer, created->first);
    writer.EndObject();
    WriteKey(writer, created->second);
    writer.EndObject();
    return JsonResponse(201, std::move(out));
}

HttpResponse PatchWorkspace(ApiServices& services, HttpRequest& request) {
    const std::string id(request.PathParam("id"));
    auto body = ReadJsonBody(request);
    if (auto* error = std::get_if<HttpResponse>(&body)) return std::move(*error);
    const auto current = services.workspaces.Get(id);
    if (!current) return WorkspaceNotFound(id);
    const engine::WorkspaceEdit edit = engine::EditWorkspaceSettings(current->settings, std::get<engine::Json>(body));
    if (!edit.ok()) return InvalidSettings(edit.errors);
    switch (services.workspaces.Update(edit.settings, services.now())) {
        case storage::UpdateStatus::kNotFound:
            return WorkspaceNotFound(id);
        case storage::UpdateStatus::kIdentifierInUse:
            return ErrorResponse(409, "IDENTIFIER_FIELD_IN_USE",
                                 "the identifier field cannot change once the workspace has contacts");
        case storage::UpdateStatus::kUpdated:
            request.change_committed = true;
            break;
    }
    const auto updated = services.workspaces.Get(id);
    return updated ? RecordResponse(200, *updated) : WorkspaceNotFound(id);
}

HttpResponse CreateKey(ApiServices& services, HttpRequest& request) {
    const std::string id(request.PathParam("id"));
    auto body = ReadJsonBody(request, /*allow_empty=*/true);
    if (auto* error = std::get_if<HttpResponse>(&body)) return std::move(*error);
    const engine::Json& json = std::get<engine::Json>(body);
    storage::KeyScope scope = storage::KeyScope::kWrite;
    if (const engine::Json* given = json.IsObject() ? json.Find("scope") : nullptr) {
        const auto parsed = given->IsString() ? storage::ParseKeyScope(given->text()) : std::nullopt;
        if (!parsed) return InvalidSettings({{"scope", engine::Code::kInvalidEnum, "expected \"read\" or \"write\""}});
        scope = *parsed;
    } else if (!json.IsNull() && !json.IsObject()) {
        return InvalidSettings({{"", engine::Code::kInvalidType, "the body must be {\"scope\": \"read\"|\"write\"}"}});
    }
    const auto key = services.workspaces.CreateKey(id, scope, services.now());
    if (!key) return WorkspaceNotFound(id);
    std::string out;
    engine::JsonWriter writer(out);
    writer.BeginObject();
    WriteKey(writer, *key);
    writer.EndObject();
    return JsonResponse(201, std::move(out));
}

}  // namespace

void AddAdminRoutes(Router& router, ApiServices& services) {
    const auto admin = [&services](HttpResponse (*handler)(ApiServices&, HttpRequest&)) {
        return AdminOnly(services, [&services, handler](HttpRequest& request) { return handler(services, request); });
    };
    router.Add(HttpMethod::kPost, "/v1/admin/workspaces", admin(CreateWorkspace));
    router.Add(HttpMethod::kGet, "/v1/admin/workspaces/{id}", admin([](ApiServices& s, HttpRequest& request) {
                   const std::string id(request.PathParam("id"));
                   const auto record = s.workspaces.Get(id);
                   return record ? RecordResponse(200, *record) : WorkspaceNotFound(id);
               }));
    router.Add(HttpMethod::kPatch, "/v1/admin/workspaces/{id}", admin(PatchWorkspace));
    router.Add(HttpMethod::kPost, "/v1/admin/workspaces/{id}/keys", admin(CreateKey));
    router.Add(HttpMethod::kDelete, "/v1/admin/workspaces/{id}/keys/{key_id}",
               admin([](ApiServices& s, HttpRequest& request) {
                   const bool revoked = s.workspaces.RevokeKey(std::string(request.PathParam("id")),
                                                               std::string(request.PathParam("key_id")), s.now());
                   return revoked ? EmptyResponse(204)
                                  : ErrorResponse(404, "KEY_NOT_FOUND", "no live key with that id in that workspace");
               }));
}

}  // namespace contactd::ingest
